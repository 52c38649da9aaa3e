"""businesstimedelta's side of the engine comparison (see README.md).

    python3 bench/compare/businesstimedelta_side.py DIR [--once]

Reads DIR/inputs.json (written by `cargo run --release -p replyby-core --example compare`),
computes the respond-by of every scenario at every instant the way a Python team would with
businesstimedelta, and writes DIR/businesstimedelta.json: the answers (RFC 3339 UTC) and how
long the timed loop took (instant in, business time added, instant out; repeated until at
least a second has passed). --once: the answers only.
"""

import datetime
import json
import sys
import time
from importlib.metadata import version

import businesstimedelta
import pytz

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]  # businesstimedelta: 0 = Monday


def clock(text):
    hours, minutes = text.split(":")
    return datetime.time(int(hours), int(minutes))


def rule_for(scenario):
    """The scenario as businesstimedelta rules: one WorkDayRule per distinct interval (with
    the weekdays that have it; two for a day with a lunch break), and a HolidayRule with the
    holiday dates, all in the team's pytz zone."""
    tz = pytz.timezone(scenario["timezone"])
    by_interval = {}
    for day, name in enumerate(DAYS):
        for start, end in scenario["hours"][name]:
            by_interval.setdefault((start, end), []).append(day)
    rules = [
        businesstimedelta.WorkDayRule(start_time=clock(start), end_time=clock(end), working_days=days, tz=tz)
        for (start, end), days in by_interval.items()
    ]
    # HolidayRule takes a list of dates or a `holidays` calendar and asks `date in holidays`
    # day by day until it finds one: a set keeps each question cheap.
    dates = {datetime.date.fromisoformat(d) for d in scenario["holidays"]}
    rules.append(businesstimedelta.HolidayRule(dates, tz=tz))
    return businesstimedelta.Rules(rules)


def rfc3339(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    out = sys.argv[1]
    once = "--once" in sys.argv[2:]
    with open(f"{out}/inputs.json") as f:
        inputs = json.load(f)
    instants = inputs["instants"]
    results = []
    for scenario in inputs["scenarios"]:
        delta = businesstimedelta.BusinessTimeDelta(rule_for(scenario), seconds=scenario["target_minutes"] * 60)
        utc = pytz.utc

        def respond_by(t):
            return int((datetime.datetime.fromtimestamp(t, utc) + delta).timestamp())

        answers = []
        for t in instants:
            try:
                answers.append(rfc3339(respond_by(t)))
            except Exception as e:  # reported per answer; the comparison counts it as a difference
                answers.append(f"error: {type(e).__name__}: {e}")
        count, seconds = 0, None
        if not once:
            start = time.perf_counter()
            while True:
                for t in instants:
                    respond_by(t)
                count += len(instants)
                if time.perf_counter() - start >= 1.0:
                    break
            seconds = time.perf_counter() - start
        results.append({"id": scenario["id"], "answers": answers, "timed_answers": count, "seconds": seconds})
    output = {
        "library": "businesstimedelta",
        "version": f"{version('businesstimedelta')} (pytz {version('pytz')}, CPython {sys.version.split()[0]})",
        "scenarios": results,
    }
    with open(f"{out}/businesstimedelta.json", "w") as f:
        json.dump(output, f)
        f.write("\n")


if __name__ == "__main__":
    main()
