"""The engine comparison's table and cross-check (see README.md).

    python3 bench/compare/report.py DIR [--check]

Reads DIR/inputs.json and the answers of replyby (DIR/replyby.json), businesstimedelta and
dayjs-business-time, and prints for every scenario and library the answers per second, the
ratio to replyby, and how many answers agree with replyby's.

Each library is compared with replyby on the instants where their semantics agree; the
instants where a known difference of semantics applies (below, KNOWN) are left out of the
comparison, and their answers are still checked against what that difference predicts.
--check: exit 1 when an answer differs inside the compared set, or differs outside it in a
way the known difference does not explain, or a library failed to answer.
"""

import datetime
import json
import sys

LIBRARIES = ["replyby", "businesstimedelta", "dayjs-business-time"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def seconds(text):
    return int(datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp())


def clocks_on_change_days(inputs, scenario, kind, ends_only=False):
    """For each clock change of `kind` ("fold" or "gap") in the scenario's zone: the change and
    the wall-clock seconds (local time read as if it were UTC) of each interval start and end
    (or end only) of the scenario's hours on the change's local day."""
    for change in inputs["transitions"]:
        if change["zone"] != scenario["timezone"] or change["kind"] != kind:
            continue
        midnight = (change["at"] + change["offset_before"]) // 86400 * 86400
        weekday = DAYS[datetime.datetime.fromtimestamp(midnight, datetime.timezone.utc).weekday()]
        for start, end in scenario["hours"][weekday]:
            for clock in (end,) if ends_only else (start, end):
                h, m = clock.split(":")
                yield change, midnight + int(h) * 3600 + int(m) * 60


def fold_windows(inputs, scenario):
    """The clock changes back (folds) of the scenario's zone on which one of its intervals
    starts or ends inside the repeated hour, as (from, to) instants a day either side."""
    windows = []
    for change, wall in clocks_on_change_days(inputs, scenario, "fold"):
        at = change["at"]
        # The repeated hour, in wall-clock seconds.
        if at + change["offset_after"] <= wall < at + change["offset_before"]:
            windows.append((at - 86400, at + 86400))
    return windows


def known_fold(inputs, scenario):
    windows = fold_windows(inputs, scenario)

    def applies(t, replyby):
        return any(t <= hi and replyby >= lo for lo, hi in windows)

    def explains(t, replyby, lib):
        return applies(t, replyby)

    return applies, explains


def gap_windows(inputs, scenario):
    """The clock changes forward (gaps) of the scenario's zone on which one of its intervals
    ends inside the skipped hour, as the instants (from, to) from the change to that end
    (which, moved later by the gap, is after the change)."""
    windows = []
    for change, wall in clocks_on_change_days(inputs, scenario, "gap", ends_only=True):
        at, before = change["at"], change["offset_before"]
        # The skipped hour, in wall-clock seconds.
        if at + before <= wall < at + change["offset_after"]:
            windows.append((at, wall - before))
    return windows


def known_gap(inputs, scenario):
    windows = gap_windows(inputs, scenario)

    def applies(t, replyby):
        return any(lo <= t < hi for lo, hi in windows)

    def explains(t, replyby, lib):
        return applies(t, replyby) and lib > replyby

    return applies, explains


def known_minutes(inputs, scenario):
    def applies(t, replyby):
        return t % 60 != 0

    def explains(t, replyby, lib):
        return 0 < lib - replyby < 60

    return applies, explains


# The differences of semantics found by reading each library's source (README.md explains
# them): (short name, sentence, factory of (applies(t, replyby), explains(t, replyby, lib))).
KNOWN = {
    "businesstimedelta": [
        (
            "DST fold",
            "a wall-clock time that happens twice is the later instant (pytz localize(), is_dst=False); replyby takes the earlier",
            known_fold,
        ),
        (
            "DST gap",
            "a working day is over once the wall clock has passed its end time; when that end is skipped by the clocks "
            "going forward (02:30, which means 03:30 EDT), the time from 03:00 to 03:30 EDT is skipped too",
            known_gap,
        ),
    ],
    "dayjs-business-time": [
        (
            "whole minutes",
            "counts whole minutes (diff in 'minute' truncates): from an instant with seconds, an answer that crosses a close is up to 59 s later",
            known_minutes,
        ),
    ],
}


def load(out, name):
    with open(f"{out}/{name}.json") as f:
        return json.load(f)


def rate(result):
    return result["timed_answers"] / result["seconds"] if result["seconds"] else None


def main():
    args = sys.argv[1:]
    check = "--check" in args
    out = [a for a in args if not a.startswith("--")][0]
    inputs = load(out, "inputs")
    instants = inputs["instants"]
    results = {lib: load(out, lib) for lib in LIBRARIES}
    by_id = {lib: {s["id"]: s for s in results[lib]["scenarios"]} for lib in LIBRARIES}

    print(f"{len(instants)} instants from {inputs['from']} to {inputs['to']} (seed {inputs['seed']}), "
          f"{len(inputs['scenarios'])} scenarios")
    for lib in LIBRARIES:
        print(f"  {lib}: {results[lib]['version']}")
    for scenario in inputs["scenarios"]:
        week = ", ".join(f"{d} " + " ".join(f"{a}-{b}" for a, b in scenario["hours"][d]) for d in DAYS if scenario["hours"][d])
        print(f"  scenario {scenario['id']}: {scenario['target_minutes']} business minutes, {scenario['timezone']}, "
              f"{week}, {len(scenario['holidays'])} holidays ({scenario['holidays'][0]} … {scenario['holidays'][-1]})")
    print()

    problems = []
    examples = {}
    totals = {lib: {"answers": 0, "seconds": 0.0, "agree": 0, "compared": 0, "outside": 0, "explained": 0,
                    "outside_agree": 0} for lib in LIBRARIES}
    rows = []
    for scenario in inputs["scenarios"]:
        sid = scenario["id"]
        replyby = by_id["replyby"][sid]
        rb = replyby["answers"]
        for lib in LIBRARIES:
            res = by_id[lib][sid]
            tot = totals[lib]
            if res["seconds"]:
                tot["answers"] += res["timed_answers"]
                tot["seconds"] += res["seconds"]
            if lib == "replyby":
                errors = [a for a in rb if a.startswith("error")]
                if errors:
                    problems.append(f"replyby {sid}: {len(errors)} errors, first: {errors[0]}")
                rows.append((sid, lib, rate(res), None, None))
                continue
            checks = [(name, *make(inputs, scenario)) for name, _, make in KNOWN.get(lib, [])]
            c = {"agree": 0, "compared": 0, "outside": 0, "explained": 0, "outside_agree": 0}
            for t, a, b in zip(instants, rb, res["answers"]):
                if b.startswith("error"):
                    problems.append(f"{lib} {sid} at {t}: {b}")
                    continue
                ra, la = seconds(a), seconds(b)
                known = [(name, explains) for name, applies, explains in checks if applies(t, ra)]
                if not known:
                    c["compared"] += 1
                    if ra == la:
                        c["agree"] += 1
                    else:
                        problems.append(f"{lib} {sid}: at {t} replyby says {a}, {lib} {b} (semantics should agree)")
                    continue
                c["outside"] += 1
                if ra == la:
                    c["outside_agree"] += 1
                elif any(explains(t, ra, la) for _, explains in known):
                    c["explained"] += 1
                    examples.setdefault((lib, known[0][0]), []).append((sid, t, a, b))
                else:
                    problems.append(f"{lib} {sid}: at {t} replyby says {a}, {lib} {b} ({', '.join(n for n, _ in known)} does not explain it)")
            for k, v in c.items():
                tot[k] += v
            rows.append((sid, lib, rate(res), c, rate(replyby)))

    def fmt_rate(r):
        return f"{r:,.0f}" if r else "—"

    def fmt_ratio(r, base):
        if not r or not base:
            return "—"
        return "1" if r == base else f"1/{base / r:,.0f}" if base > r else f"{r / base:,.1f}"

    header = ("scenario", "library", "answers/s", "vs replyby", "agree/compared", "outside: agree + explained / n")
    table = [header]
    for sid, lib, r, c, base in rows:
        if c is None:
            table.append((sid, lib, fmt_rate(r), "1" if r else "—", "—", "—"))
        else:
            table.append((sid, lib, fmt_rate(r), fmt_ratio(r, base), f"{c['agree']}/{c['compared']}",
                          f"{c['outside_agree']} + {c['explained']} / {c['outside']}"))
    base_rate = totals["replyby"]["answers"] / totals["replyby"]["seconds"] if totals["replyby"]["seconds"] else None
    for lib in LIBRARIES:
        tot = totals[lib]
        r = tot["answers"] / tot["seconds"] if tot["seconds"] else None
        if lib == "replyby":
            table.append(("all", lib, fmt_rate(r), "1" if r else "—", "—", "—"))
        else:
            table.append(("all", lib, fmt_rate(r), fmt_ratio(r, base_rate), f"{tot['agree']}/{tot['compared']}",
                          f"{tot['outside_agree']} + {tot['explained']} / {tot['outside']}"))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for n, row in enumerate(table):
        print("  ".join(cell.rjust(w) if 2 <= i <= 3 else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip())
        if n == 0 or (n < len(table) - 1 and row[0] != table[n + 1][0]):
            print("  ".join("-" * w for w in widths))
    print()
    print("answers/s: one thread, the loop repeated until at least 1 s had passed (instant in, respond-by instant out);")
    print("vs replyby: the library's answers per second over replyby's. agree/compared: the instants where the")
    print("library's semantics agree with replyby's; outside: the instants where a known difference applies, with")
    print("the answers that still agree + those that differ as that difference predicts, of all such instants:")
    for lib, known in KNOWN.items():
        for name, sentence, _ in known:
            print(f"  {lib}, {name}: {sentence}")
            for sid, t, a, b in examples.get((lib, name), [])[:2]:
                at = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                print(f"    e.g. {sid} at {at}: replyby {a}, {lib} {b}")

    if problems:
        print()
        print(f"{len(problems)} unexpected differences:")
        for p in problems[:20]:
            print(f"  {p}")
    if check:
        compared = sum(totals[lib]["compared"] for lib in LIBRARIES)
        print()
        for lib, known in KNOWN.items():
            for name, _, _ in known:
                if not examples.get((lib, name)):
                    problems.append(f"{lib}: no instant showed the known difference \"{name}\" (are the DST nights among the instants?)")
        if problems or compared == 0:
            print(f"check: FAILED ({len(problems)} unexpected differences, {compared} answers compared)")
            sys.exit(1)
        explained = sum(totals[lib]["explained"] for lib in LIBRARIES)
        print(f"check: ok: the {compared} answers compared agree with replyby's, and the {explained} others that differ "
              "differ as a known difference of semantics predicts")


if __name__ == "__main__":
    main()
