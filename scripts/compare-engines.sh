#!/usr/bin/env bash
# The engine comparison (bench/compare/README.md): replyby's respond-by times next to those of
# the libraries a team would otherwise reach for, businesstimedelta (PyPI) and
# dayjs-business-time (npm), on the same hours, holidays and instants, in one run; prints
# answers per second, the ratio to replyby, and how many answers agree with replyby's.
#
#   scripts/compare-engines.sh [--instants N] [--seed S] [--out DIR]
#       10,000 instants by default; replyby in a release build; each side timed for >= 1 s
#       per scenario (about a minute in all, after the build).
#   scripts/compare-engines.sh --check
#       600 instants (every DST night of 2027-2028 among them), no timing, a debug build:
#       exit 1 when an answer differs where the semantics agree, or differs in a way no
#       known difference of semantics explains. A few seconds once built.
#
# Installs nothing of its own: the Python packages come from scripts/install-python-tools.sh
# (scripts/python-requirements.txt), the npm ones from `npm ci` (package-lock.json), and each
# is run only when its packages are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
instants=10000
seed=2027
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=1 ;;
    --instants) instants=$2; shift ;;
    --seed) seed=$2; shift ;;
    --out) out=$2; shift ;;
    *) echo "usage: $0 [--check] [--instants N] [--seed S] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
out=${out:-${CARGO_TARGET_DIR:-target}/compare}
mkdir -p "$out"

python3 -c 'import businesstimedelta, pytz' 2>/dev/null || ./scripts/install-python-tools.sh
node -e 'require("dayjs-business-time/package.json"); require("dayjs/package.json")' 2>/dev/null || npm ci --no-audit --no-fund

if [ "$check" = 1 ]; then
  instants=600
  once=(--once)
  profile=()
else
  once=()
  profile=(--release)
fi

echo "replyby (replyby-core's example compare, ${profile[*]:-debug} build)" >&2
cargo run -q "${profile[@]}" --locked -p replyby-core --example compare -- \
  --config bench/compare/scenarios.json --out "$out" --instants "$instants" --seed "$seed" "${once[@]}"
echo "businesstimedelta (python3)" >&2
python3 bench/compare/businesstimedelta_side.py "$out" "${once[@]}"
echo "dayjs-business-time (node)" >&2
node bench/compare/dayjs-business-time-side.mjs "$out" "${once[@]}"
echo >&2
if [ "$check" = 1 ]; then
  python3 bench/compare/report.py "$out" --check
else
  python3 bench/compare/report.py "$out"
fi
