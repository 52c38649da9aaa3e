#!/usr/bin/env python3
"""Checks the Rust core's generated holiday presets against the python `holidays` package.

    pip install -r scripts/python-requirements.txt
    python3 scripts/check-presets.py              # the presets below
    python3 scripts/check-presets.py --all        # every generated preset
    python3 scripts/check-presets.py jp us-ca     # these

Another code path than scripts/gen-holidays.py: the dates come from the Rust core (the
`dump-preset` example: compressed data, subdivision applied to its country, rules expanded by
the engine's calendar) and are compared with what the package answers, day by day, 2020-2060.
Every date must match (weekends too), and on each the core's name must be the package's first
name there with the estimate marker taken off, and `estimated` must be true exactly when the
package marks every holiday of that date as an estimate. Exits 1 with the first differences.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
    os.environ.pop(var, None)

import holidays  # noqa: E402
from holidays.constants import PUBLIC  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# The pinned version of `holidays` (the file pins other packages too).
PIN = re.search(r"^holidays==(\S+)", (ROOT / "scripts" / "python-requirements.txt").read_text(), re.M).group(1)
DEFAULT = ["jp", "br", "in", "au-nsw", "ca-on", "de-by", "es-md", "it", "mx", "us-ca", "za", "kr", "sg"]
HAND_WRITTEN = {"us", "gb-eng", "de", "fr", "nl"}
FIRST, LAST = 2020, 2060


def slug(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def entity(pid):
    """The package's (country, subdivision) for a preset id."""
    cc, _, sub = pid.partition("-")
    cc = cc.upper()
    if not sub:
        return cc, None
    for s in holidays.country_holidays(cc).subdivisions:
        if slug(s) == sub:
            return cc, s
    raise SystemExit(f"{pid}: no such subdivision in the package")


def suffix(label):
    return label.replace("%s", "", 1) if label and "%s" in label else None


def expected(pid):
    """{iso date: (name, estimated)} as the package gives them."""
    cc, sub = entity(pid)
    lang = holidays.country_holidays(cc).default_language
    h = holidays.country_holidays(cc, subdiv=sub, years=range(FIRST, LAST + 1), language=lang, categories=(PUBLIC,))
    est = suffix(h.tr(getattr(h, "estimated_label", "") or ""))
    obs_est = suffix(h.tr(getattr(h, "observed_estimated_label", "") or ""))
    obs = suffix(h.tr(getattr(h, "observed_label", "") or ""))
    out = {}
    for dt in sorted(h):
        names = []
        for n in h.get_list(dt):
            if obs_est and n.endswith(obs_est) and obs is not None:
                names.append((n[: -len(obs_est)] + obs, True))
            elif est and n.endswith(est):
                names.append((n[: -len(est)], True))
            else:
                names.append((n, False))
        out[dt.isoformat()] = (names[0][0], all(e for _, e in names))
    return out


def actual(ids):
    cmd = ["cargo", "run", "-q", "--locked", "-p", "replyby-core", "--example", "dump-preset", "--"]
    run = subprocess.run(
        cmd + [",".join(ids), f"{FIRST}-01-01", f"{LAST}-12-31"], cwd=ROOT, capture_output=True, text=True
    )
    if run.returncode != 0:
        raise SystemExit(f"dump-preset failed:\n{run.stderr}")
    out = {i: {} for i in ids}
    for line in run.stdout.splitlines():
        d = json.loads(line)
        out[d["id"]][d["date"]] = (d["name"], d.get("estimated", False))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ids", nargs="*", help=f"preset ids (default: {' '.join(DEFAULT)})")
    ap.add_argument("--all", action="store_true", help="every generated preset")
    ap.add_argument("--show", type=int, default=20, help="differences to print")
    args = ap.parse_args()
    if holidays.__version__ != PIN:
        raise SystemExit(f"holidays {holidays.__version__} is installed, scripts/python-requirements.txt pins {PIN}")
    if args.all:
        listing = subprocess.run(
            ["cargo", "run", "-q", "--locked", "-p", "replyby-core", "--example", "dump-preset", "--", "--list"],
            cwd=ROOT, capture_output=True, text=True,
        )
        ids = listing.stdout.split() if listing.returncode == 0 else []
        if not ids:
            raise SystemExit(f"could not list the presets:\n{listing.stderr}")
    else:
        ids = args.ids or DEFAULT
    ids = [i for i in ids if i not in HAND_WRITTEN]
    got = actual(ids)
    problems = []
    days = 0
    for pid in ids:
        want = expected(pid)
        days += len(want)
        for iso in sorted(set(want) | set(got[pid])):
            w, g = want.get(iso), got[pid].get(iso)
            if w != g:
                problems.append(f"{pid} {iso}: package {w}, core {g}")
    if problems:
        print(f"{len(problems)} differences in {len(ids)} presets; the first:", file=sys.stderr)
        for p in problems[: args.show]:
            print("  " + p, file=sys.stderr)
        sys.exit(1)
    print(f"{len(ids)} presets match holidays {holidays.__version__} on all {days} holiday dates {FIRST}-{LAST}")


if __name__ == "__main__":
    main()
