"""Reads an OpenMetrics exposition on stdin with the Prometheus project's own parser
(prometheus_client, pinned in scripts/python-requirements.txt), checks Prometheus' naming
conventions, and prints the families as JSON for the Rust test to check the values.

Exit 1 with the problems on stderr when the text does not parse or a name breaks a rule."""

import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

text = sys.stdin.read()
problems = []
families = {}
try:
    parsed = list(text_string_to_metric_families(text))
except Exception as e:  # the parser's own message says where
    print(f"not valid OpenMetrics: {e}", file=sys.stderr)
    sys.exit(1)

UNITS = ("seconds", "bytes", "ratio")
for f in parsed:
    if not f.name.startswith("replyby_"):
        problems.append(f"{f.name}: not in the replyby_ namespace")
    if f.name != f.name.lower():
        problems.append(f"{f.name}: not snake_case")
    if f.type == "counter" and f.name.endswith("_total"):
        problems.append(f"{f.name}: the family name of a counter carries no _total (the samples do)")
    if f.unit and not f.name.endswith("_" + f.unit):
        problems.append(f"{f.name}: unit {f.unit} is not the name's suffix")
    if f.type == "histogram" and f.unit not in UNITS:
        problems.append(f"{f.name}: a histogram without a base unit")
    if not f.documentation:
        problems.append(f"{f.name}: no HELP text")
    samples = []
    for s in f.samples:
        if f.type == "counter" and not (s.name.endswith("_total") or s.name.endswith("_created")):
            problems.append(f"{s.name}: a counter sample without _total")
        samples.append({"name": s.name, "labels": s.labels, "value": s.value})
    families[f.name] = {"type": f.type, "unit": f.unit, "samples": samples}

if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
json.dump(families, sys.stdout)
