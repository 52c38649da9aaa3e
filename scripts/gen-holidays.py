#!/usr/bin/env python3
"""Generates replyby's holiday presets from the python `holidays` package.

    pip install -r scripts/python-requirements.txt
    python3 scripts/gen-holidays.py            # writes core/data/holidays/

Every country and subdivision that the pinned `holidays` version knows, public holidays,
2020-2060, one line per preset in core/data/holidays/presets.jsonl (format: core/PRESETS.md).
Building replyby needs no Python: the output is committed. scripts/check-presets.py checks
the Rust core's answers against the package through another code path.
"""

import datetime
import json
import multiprocessing
import os
import re
import sys
import unicodedata
from pathlib import Path

# Holiday names must not depend on the locale of the machine that runs this script.
for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
    os.environ.pop(var, None)

import holidays  # noqa: E402
from dateutil.easter import easter  # noqa: E402 (a dependency of holidays)
from holidays.constants import PUBLIC  # noqa: E402
from holidays.registry import COUNTRIES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "core" / "data" / "holidays"
# The pinned version of `holidays` (the file pins other packages too).
PIN = re.search(r"^holidays==(\S+)", (ROOT / "scripts" / "python-requirements.txt").read_text(), re.M).group(1)

FIRST, LAST = 2020, 2060
# Ids with a hand-written preset in core/src/presets that stands for the same thing as a
# generated subdivision: the generated one is left out (countries stay: their subdivisions
# are stored against them).
SHADOWED = {"gb-eng"}
# The languages whose names are stored besides the country's own, as BCP 47 tags, and
# the python `holidays` locales that can supply each (first match wins; then any
# `xx_<COUNTRY>` locale, then any `xx_*` locale).
LANGS = {
    "en": ["en_US"], "es": ["es"], "pt": ["pt_PT", "pt_BR"], "fr": ["fr"], "de": ["de"], "it": ["it", "it_IT"],
    "nl": ["nl"], "sv": ["sv"], "da": ["da"], "nb": ["nb", "no"], "fi": ["fi"], "pl": ["pl"], "cs": ["cs"],
    "tr": ["tr"], "ru": ["ru"], "uk": ["uk"], "ar": ["ar"], "he": ["he"], "ja": ["ja"], "ko": ["ko"],
    "zh-Hans": ["zh_CN"], "zh-Hant": ["zh_TW", "zh_HK", "zh_MO"], "hi": ["hi"], "id": ["id"],
}


def bcp47(locale):
    """`pt_BR` -> `pt-BR`; `zh_CN` -> `zh-Hans`; `zh_TW` -> `zh-Hant`."""
    if locale is None:
        return "en"
    if locale in ("zh_CN", "zh_SG"):
        return "zh-Hans"
    if locale in ("zh_TW", "zh_HK", "zh_MO"):
        return "zh-Hant"
    return locale.replace("_", "-")


def locale_for(lang, cc, supported):
    for loc in LANGS[lang]:
        if loc in supported:
            return loc
    prefix = lang.split("-")[0]
    if prefix == "zh":
        return None
    if f"{prefix}_{cc}" in supported:
        return f"{prefix}_{cc}"
    others = sorted(s for s in supported if s.split("_")[0] == prefix)
    return others[0] if others else None


def country_name(cls_name):
    words = re.findall(r"[A-Z][a-z]*", cls_name)
    small = {"And", "Of", "The", "Da"}
    return " ".join(w.lower() if w in small and i > 0 else w for i, w in enumerate(words))


def slug(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def label_pattern(label):
    if not label or "%s" not in label:
        return None
    return re.compile(re.escape(label).replace(re.escape("%s"), "(.+)"))


def name_parser(inst):
    """(clean name, estimated) from a name as the package writes it in this instance's language."""
    tr = inst.tr
    est = label_pattern(tr(getattr(inst, "estimated_label", "") or ""))
    obs_est = label_pattern(tr(getattr(inst, "observed_estimated_label", "") or ""))
    observed = tr(getattr(inst, "observed_label", "") or "") or "%s"

    def parse(name):
        if obs_est and (m := obs_est.fullmatch(name)):
            return observed % m.group(1), True
        if est and (m := est.fullmatch(name)):
            return m.group(1), True
        return name, False

    return parse


def calendar(cc, subdiv, language):
    """{date: [(name, estimated), …]} for FIRST..LAST, in the package's order."""
    inst = holidays.country_holidays(
        cc, subdiv=subdiv, years=range(FIRST, LAST + 1), language=language, categories=(PUBLIC,)
    )
    parse = name_parser(inst)
    return {dt: [parse(n) for n in inst.get_list(dt)] for dt in sorted(inst)}


def entity(args):
    """One preset: id, name, language, its dates and localized names."""
    cc, subdiv, display = args
    base = holidays.country_holidays(cc)
    default = base.default_language
    supported = set(base.supported_languages)
    cal = calendar(cc, subdiv, default)
    days = {}
    for dt, names in cal.items():
        # The package's first name on a date names it; the date is an estimate only when
        # every holiday on it is (a fixed holiday on the same day makes it certain).
        days[dt.isoformat()] = (names[0][0], all(e for _, e in names))
    l10n = {}
    for lang in LANGS:
        loc = locale_for(lang, cc, supported)
        if loc is None or bcp47(loc).split("-")[0] == bcp47(default).split("-")[0] and lang != "en":
            continue
        if lang == "en" and default and default.startswith("en"):
            continue
        other = calendar(cc, subdiv, loc)
        if set(other) != set(cal):
            raise SystemExit(f"{cc} {subdiv} {loc}: other dates than in {default}")
        names = {}
        for dt, list_ in other.items():
            names.setdefault(cal[dt][0][0], {}).setdefault(list_[0][0], 0)
            names[cal[dt][0][0]][list_[0][0]] += 1
        chosen = {k: max(v, key=v.get) for k, v in names.items()}
        chosen = {k: v for k, v in chosen.items() if v != k}
        if chosen:
            l10n[lang] = chosen
    pid = cc.lower() if subdiv is None else f"{cc.lower()}-{slug(subdiv)}"
    return {"id": pid, "name": display, "lang": bcp47(default), "days": days, "l10n": l10n}


def entities():
    out = []
    for _, (cls_name, cc, *_rest) in COUNTRIES.items():
        inst = holidays.country_holidays(cc)
        name = country_name(cls_name)
        out.append((cc, None, name))
        aliases = {}
        for alias, code in getattr(inst, "subdivisions_aliases", {}).items():
            aliases.setdefault(code, alias)
        for sub in inst.subdivisions:
            out.append((cc, sub, f"{name}, {aliases.get(sub, sub)}"))
    return out


def collect_all():
    with multiprocessing.Pool(max(1, os.cpu_count() or 1)) as pool:
        return pool.map(entity, entities(), chunksize=4)


WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def infer(dates):
    """A config-language rule (without name) that gives exactly these dates, or None.

    Only when the dates are one per year over consecutive years; the rule is then bounded by
    `since`/`until` to those years, so a generated preset never reaches past them.
    """
    dates = sorted(dates)
    years = [d.year for d in dates]
    if len(dates) < 3 or years != list(range(years[0], years[-1] + 1)):
        return None
    span = {"since": years[0], "until": years[-1]}
    if len({(d.month, d.day) for d in dates}) == 1:
        return {"month": dates[0].month, "day": dates[0].day, **span}
    offsets = {(d - easter(d.year)).days for d in dates}
    if len(offsets) == 1:
        return {"easter": offsets.pop(), **span}
    nth = {(d.month, d.weekday(), (d.day - 1) // 7 + 1) for d in dates}
    if len(nth) == 1 and all(n <= 4 for _, _, n in nth):
        month, weekday, n = nth.pop()
        return {"month": month, "weekday": WEEKDAYS[weekday], "nth": n, **span}
    last = {(d.month, d.weekday()) for d in dates if (d + datetime.timedelta(7)).month != d.month}
    if len(last) == 1 and all((d + datetime.timedelta(7)).month != d.month for d in dates):
        month, weekday = last.pop()
        return {"month": month, "weekday": WEEKDAYS[weekday], "nth": -1, **span}
    return None


def expand(rule):
    """The dates a generated rule stands for (what the Rust core computes, written again here
    so that the generator proves every rule it writes)."""
    if "dates" in rule:
        return {datetime.date.fromisoformat(d) for d in rule["dates"]}
    out = set()
    for year in range(rule["since"], rule["until"] + 1):
        if "easter" in rule:
            out.add(easter(year) + datetime.timedelta(rule["easter"]))
        elif "day" in rule:
            out.add(datetime.date(year, rule["month"], rule["day"]))
        else:
            weekday = WEEKDAYS.index(rule["weekday"])
            days = [datetime.date(year, rule["month"], 1) + datetime.timedelta(i) for i in range(31)]
            days = [d for d in days if d.month == rule["month"] and d.weekday() == weekday]
            out.add(days[rule["nth"] - 1] if rule["nth"] > 0 else days[-1])
    return out


def rules_for(days):
    """Config-language rules for {iso date: (name, estimated)}: one per name and estimate,
    a regular rule where one fits, else the `dates` form. Sorted by first date."""
    groups = {}
    for iso, key in sorted(days.items()):
        groups.setdefault(key, []).append(datetime.date.fromisoformat(iso))
    rules = []
    for (name, estimated), dates in groups.items():
        rule = {"name": name, **(infer(dates) or {"dates": [d.isoformat() for d in dates]})}
        if estimated:
            rule["estimated"] = True
        if expand(rule) != set(dates):
            raise SystemExit(f"internal error: {rule} does not give {dates}")
        rules.append((min(dates), rule))
    return [r for _, r in sorted(rules, key=lambda x: (x[0], x[1]["name"]))]


def document(p, base):
    """One line of presets.jsonl: `id` and `name` first (build.rs reads them from there)."""
    doc = {"id": p["id"], "name": p["name"], "lang": p["lang"]}
    days = p["days"]
    names = {n for n, _ in days.values()}
    if base is not None:
        doc["base"] = base["id"]
        removed = sorted(d for d in base["days"] if d not in days)
        if removed:
            doc["remove"] = removed
        days = {d: v for d, v in days.items() if base["days"].get(d) != v}
        names = {n for n, _ in days.values()}
    doc["rules"] = rules_for(days)
    l10n = {}
    for lang, table in p["l10n"].items():
        if base is not None:
            # Names the country already translates the same way are not repeated.
            table = {k: v for k, v in table.items() if base["l10n"].get(lang, {}).get(k) != v}
        table = {k: v for k, v in sorted(table.items()) if k in names or base is not None}
        if table:
            l10n[lang] = table
    if l10n:
        doc["l10n"] = l10n
    return doc


def line(doc):
    if any(c in doc["name"] for c in '"\\') or not re.fullmatch(r"[a-z0-9-]+", doc["id"]):
        raise SystemExit(f"id or name that build.rs cannot read: {doc['id']} {doc['name']}")
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def notice(count):
    """README.md beside the data: where it comes from, the version, and the package's licence."""
    import importlib.metadata

    dist = importlib.metadata.distribution("holidays")
    license_text = dist.read_text("licenses/LICENSE") or dist.read_text("LICENSE") or ""
    contributors = dist.read_text("licenses/CONTRIBUTORS") or dist.read_text("CONTRIBUTORS") or ""
    (OUT / "LICENSE").write_text(license_text)
    (OUT / "CONTRIBUTORS").write_text(contributors)
    (OUT / "README.md").write_text(
        f"""# Generated holiday presets

`presets.jsonl` holds {count} holiday presets (every country and subdivision that the python
`holidays` package knows, public holidays, {FIRST}-{LAST}), generated by
`scripts/gen-holidays.py` from **holidays {holidays.__version__}** (the version pinned in
`scripts/python-requirements.txt`; PyPI package `holidays`, project vacanza/holidays, MIT
licence). Do not edit it by hand: change the generator or the pin and run it again. Its format
and how the core uses it: core/PRESETS.md.

The data is derived from the `holidays` package, which is distributed under the MIT licence
below (also in `LICENSE`; the contributors it names are listed in `CONTRIBUTORS`):

```text
{license_text.strip()}
```
"""
    )


def main():
    if holidays.__version__ != PIN:
        raise SystemExit(f"holidays {holidays.__version__} is installed, scripts/python-requirements.txt pins {PIN}")
    presets = collect_all()
    by_id = {p["id"]: p for p in presets}
    lines = []
    for p in sorted(presets, key=lambda p: p["id"]):
        if p["id"] in SHADOWED:
            continue
        country = p["id"].split("-")[0]
        lines.append(line(document(p, by_id[country] if country != p["id"] else None)))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "presets.jsonl").write_text("\n".join(lines) + "\n")
    notice(len(lines))
    print(f"{len(lines)} presets, {sum(len(x.encode()) for x in lines)} bytes -> {OUT / 'presets.jsonl'}")


if __name__ == "__main__":
    main()
