#!/usr/bin/env bash
# Python packages the tests and the demo use, pinned, from PyPI: the SMTP sink (aiosmtpd),
# the Standard Webhooks verifier (standardwebhooks) and, for the holiday presets' checks,
# python `holidays`. Idempotent: pip skips what is installed at the pinned version.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! "$PY" -m pip --version >/dev/null 2>&1; then
  apt-get install -y python3-pip
fi
for req in scripts/requirements-handoff.txt scripts/python-requirements.txt; do
  [ -f "$req" ] && "$PY" -m pip install --quiet --disable-pip-version-check -r "$req"
done
