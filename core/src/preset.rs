//! Holiday presets: the JSON document each is written in, the presets bundled with the core
//! (feature `bundled-presets`), and presets supplied at run time (the widget fetches the ones
//! its config names, see [`crate::preset_ids`] and [`crate::load_with_presets`]).
//!
//! A preset document (core/PRESETS.md has the details):
//!
//! ```json
//! { "id": "de-by", "name": "Germany, Bayern", "lang": "de",
//!   "rules": [{ "name": "Heilige Drei Könige", "month": 1, "day": 6, "since": 2020, "until": 2060 }],
//!   "l10n": { "en": { "Heilige Drei Könige": "Epiphany" } } }
//! ```
//!
//! `rules` are config rules, plus `"estimated": true` where the source marks the dates as
//! estimates. A subdivision may be stored against its country: `"base": "de"` puts the
//! country's rules after its own (its own win on a shared date) and `"remove": [dates]` takes
//! dates out of the country's rules. [`preset_document`] gives every bundled preset with its
//! base applied, the form the widget fetches.

use crate::config::{HolidayRule, Observed, Relation};
use crate::holidays::{HolidayCalendar, Localized, Rule, compile_rule, occurrences};
use crate::json::Json;
use crate::read::{self, Obj};
use crate::{ConfigErrors, Error};
use chrono::NaiveDate;
use std::sync::Arc;

/// The years a generated preset covers; a base rule without `since`/`until` that loses dates
/// to a subdivision's `remove` is cut to these years.
pub const GENERATED_YEARS: (i32, i32) = (2020, 2060);

/// A preset, ready to use: a named list of rules in the config's own rule language.
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    /// Id used in configs (`"us"`, `"jp"`, `"de-by"`).
    pub id: String,
    /// What it covers (`"Japan"`, `"Germany, Bayern"`).
    pub name: String,
    /// The language of the rules' names (BCP 47: `"ja"`, `"en-US"`).
    pub lang: String,
    /// Its rules, in priority order.
    pub rules: Vec<Rule>,
}

/// A preset document, as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// Preset id.
    pub id: String,
    /// What it covers.
    pub name: String,
    /// The language of its names (BCP 47), `"en"` when not given.
    pub lang: String,
    /// The preset this one is written against (a subdivision's country).
    pub base: Option<String>,
    /// Dates taken out of the base's rules.
    pub remove: Vec<NaiveDate>,
    /// Rules, each with whether its dates are estimates.
    pub rules: Vec<(HolidayRule, bool)>,
    /// Names in other languages.
    pub l10n: Localized,
}

const DOC_FIELDS: [&str; 7] = ["id", "name", "lang", "base", "remove", "rules", "l10n"];

impl Document {
    /// Reads a preset document; problems are reported at their JSON path in the document.
    pub fn parse(text: &str) -> Result<Document, ConfigErrors> {
        let mut errors = ConfigErrors::default();
        let value = match Json::parse(text) {
            Ok(v) => v,
            Err(e) => {
                errors.push("", format!("not valid JSON: {e}"));
                return Err(errors);
            }
        };
        let doc = Document::read(&value, &mut errors);
        match doc {
            Some(doc) if errors.is_empty() => Ok(doc),
            _ => Err(errors),
        }
    }

    fn read(v: &Json, errors: &mut ConfigErrors) -> Option<Document> {
        let o = Obj::open(v, "", "a preset document", &DOC_FIELDS, errors)?;
        let id = o.req("id", errors, read::string);
        let name = o.req("name", errors, read::string);
        let lang = o.opt("lang", errors, read::string);
        let base = o.opt("base", errors, read::string);
        let remove = o.opt("remove", errors, |v, p, e| read::list(v, p, e, date));
        let rules = o.req("rules", errors, |v, p, e| read::list(v, p, e, read::preset_rule));
        let l10n = o.opt("l10n", errors, localized);
        Some(Document {
            id: id?,
            name: name?,
            lang: lang?.unwrap_or_else(|| "en".to_owned()),
            base: base?,
            remove: remove?.unwrap_or_default(),
            rules: rules?,
            l10n: l10n?.unwrap_or_default(),
        })
    }

    /// The document as compact JSON (the form [`Document::parse`] reads).
    pub fn to_json(&self) -> String {
        let mut fields = vec![
            ("id".to_owned(), Json::str(&self.id)),
            ("name".to_owned(), Json::str(&self.name)),
            ("lang".to_owned(), Json::str(&self.lang)),
        ];
        if let Some(base) = &self.base {
            fields.push(("base".to_owned(), Json::str(base)));
        }
        if !self.remove.is_empty() {
            fields.push((
                "remove".to_owned(),
                Json::Array(self.remove.iter().map(|d| Json::str(d.to_string())).collect()),
            ));
        }
        fields.push(("rules".to_owned(), Json::Array(self.rules.iter().map(|(r, e)| rule_json(r, *e)).collect())));
        if !self.l10n.0.is_empty() {
            let langs = self.l10n.0.iter().map(|(lang, table)| {
                (lang.clone(), Json::Object(table.iter().map(|(k, v)| (k.clone(), Json::str(v))).collect()))
            });
            fields.push(("l10n".to_owned(), Json::Object(langs.collect())));
        }
        Json::Object(fields).to_string()
    }

    /// This document with its base applied: self-contained. `base` must be the document of
    /// [`Document::base`], itself without a base.
    pub fn resolve(self, base: &Document) -> Result<Document, String> {
        let Some(base_id) = &self.base else { return Ok(self) };
        if *base_id != base.id {
            return Err(format!("preset \"{}\" is written against \"{base_id}\", not \"{}\"", self.id, base.id));
        }
        if base.base.is_some() {
            return Err(format!("preset \"{}\" is written against \"{base_id}\", which has a base itself", self.id));
        }
        let mut rules = self.rules;
        for (i, (raw, estimated)) in base.rules.iter().enumerate() {
            if self.remove.is_empty() {
                rules.push((raw.clone(), *estimated));
                continue;
            }
            let mut errors = ConfigErrors::default();
            let Some(rule) = compile_rule(raw, &format!("/rules/{i}"), &mut errors) else {
                return Err(format!("preset \"{}\": {errors}", base.id));
            };
            let (first, last) = (rule.since.unwrap_or(GENERATED_YEARS.0), rule.until.unwrap_or(GENERATED_YEARS.1));
            let dates: Vec<NaiveDate> =
                occurrences(std::slice::from_ref(&rule), first, last).into_iter().map(|o| o.date).collect();
            if !dates.iter().any(|d| self.remove.contains(d)) {
                rules.push((raw.clone(), *estimated));
                continue;
            }
            let kept: Vec<String> = dates.iter().filter(|d| !self.remove.contains(d)).map(|d| d.to_string()).collect();
            if !kept.is_empty() {
                let dates_rule = HolidayRule {
                    name: raw.name.clone(),
                    dates: Some(kept),
                    hours: raw.hours.clone(),
                    ..HolidayRule::default()
                };
                rules.push((dates_rule, *estimated));
            }
        }
        let mut l10n = base.l10n.clone();
        for (lang, table) in self.l10n.0 {
            match l10n.0.iter_mut().find(|(l, _)| *l == lang) {
                Some((_, into)) => {
                    for (name, text) in table {
                        match into.iter_mut().find(|(n, _)| *n == name) {
                            Some(slot) => slot.1 = text,
                            None => into.push((name, text)),
                        }
                    }
                }
                None => l10n.0.push((lang, table)),
            }
        }
        Ok(Document { id: self.id, name: self.name, lang: self.lang, base: None, remove: Vec::new(), rules, l10n })
    }

    /// The preset: every rule validated. The document must be self-contained (see
    /// [`Document::resolve`]).
    pub fn compile(&self) -> Result<Preset, String> {
        if let Some(base) = &self.base {
            return Err(format!("preset \"{}\" is written against \"{base}\", which was not supplied", self.id));
        }
        let mut errors = ConfigErrors::default();
        let localized = (!self.l10n.0.is_empty()).then(|| Arc::new(self.l10n.clone()));
        let rules = self
            .rules
            .iter()
            .enumerate()
            .filter_map(|(i, (raw, estimated))| {
                let mut rule = compile_rule(raw, &format!("/rules/{i}"), &mut errors)?;
                rule.estimated = *estimated;
                rule.localized = localized.clone();
                Some(rule)
            })
            .collect();
        if !errors.is_empty() {
            return Err(errors.0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "));
        }
        Ok(Preset { id: self.id.clone(), name: self.name.clone(), lang: self.lang.clone(), rules })
    }
}

fn date(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<NaiveDate> {
    let s = read::string(v, path, errors)?;
    let d = crate::text::parse_date(&s);
    if d.is_none() {
        errors.push(path, format!("\"{s}\" is not a real date YYYY-MM-DD"));
    }
    d
}

fn localized(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<Localized> {
    let Json::Object(langs) = v else {
        errors.push(path, format!("expected an object of languages, found {}", v.describe()));
        return None;
    };
    let mut out = Vec::with_capacity(langs.len());
    for (lang, table) in langs {
        let at = format!("{path}/{}", read::escape(lang));
        let Json::Object(names) = table else {
            errors.push(at, format!("expected an object of names, found {}", table.describe()));
            continue;
        };
        let mut list = Vec::with_capacity(names.len());
        for (name, text) in names {
            if let Some(t) = read::string(text, &format!("{at}/{}", read::escape(name)), errors) {
                list.push((name.clone(), t));
            }
        }
        out.push((lang.clone(), list));
    }
    Some(Localized(out))
}

fn rule_json(r: &HolidayRule, estimated: bool) -> Json {
    let mut f: Vec<(String, Json)> = vec![("name".to_owned(), Json::str(&r.name))];
    let mut put = |k: &str, v: Option<Json>| {
        if let Some(v) = v {
            f.push((k.to_owned(), v));
        }
    };
    let strs = |l: &Vec<String>| Json::Array(l.iter().map(Json::str).collect());
    put("date", r.date.as_ref().map(Json::str));
    put("dates", r.dates.as_ref().map(strs));
    put("from", r.from.as_ref().map(Json::str));
    put("to", r.to.as_ref().map(Json::str));
    put("month", r.month.map(|n| Json::from(i64::from(n))));
    put("day", r.day.map(|n| Json::from(i64::from(n))));
    put("weekday", r.weekday.as_ref().map(Json::str));
    put("nth", r.nth.map(|n| Json::from(i64::from(n))));
    put("relation", r.relation.map(|x| Json::str(relation_word(x))));
    put("easter", r.easter.map(|n| Json::from(i64::from(n))));
    put("observed", r.observed.map(|x| Json::str(observed_word(x))));
    put("since", r.since.map(|n| Json::from(i64::from(n))));
    put("until", r.until.map(|n| Json::from(i64::from(n))));
    put("hours", r.hours.as_ref().map(strs));
    put("estimated", estimated.then_some(Json::Bool(true)));
    Json::Object(f)
}

fn relation_word(r: Relation) -> &'static str {
    match r {
        Relation::OnOrAfter => "on_or_after",
        Relation::After => "after",
        Relation::OnOrBefore => "on_or_before",
        Relation::Before => "before",
    }
}

fn observed_word(o: Observed) -> &'static str {
    match o {
        Observed::None => "none",
        Observed::NearestWeekday => "nearest_weekday",
        Observed::Monday => "monday",
        Observed::NextFreeWeekday => "next_free_weekday",
        Observed::SaturdayIfSunday => "saturday_if_sunday",
    }
}

/// One holiday of a preset, as `replyby holidays` prints it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PresetHoliday {
    /// The date.
    pub date: NaiveDate,
    /// The name, in the preset's language.
    pub name: String,
    /// The source marks the date as an estimate (lunar calendars).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub estimated: bool,
}

/// The holidays of a bundled preset between two dates, sorted by date.
pub fn preset_holidays(id: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<PresetHoliday>, Error> {
    let p = preset(id)?;
    let cal = HolidayCalendar::new(p.rules.clone());
    Ok(cal
        .between(from, to)
        .into_iter()
        .map(|h| PresetHoliday { date: h.date, name: h.rule.name.clone(), estimated: h.rule.estimated })
        .collect())
}

/// Every bundled preset as `(id, name)`, countries and subdivisions, sorted by id (empty
/// without the `bundled-presets` feature).
pub fn preset_list() -> Vec<(&'static str, &'static str)> {
    #[cfg(feature = "bundled-presets")]
    return bundled::entries().iter().map(|e| (e.id, e.name)).collect();
    #[cfg(not(feature = "bundled-presets"))]
    Vec::new()
}

/// The bundled preset with this id.
pub fn preset(id: &str) -> Result<&'static Preset, Error> {
    #[cfg(feature = "bundled-presets")]
    if let Some(found) = bundled::preset(id) {
        return found.map_err(|message| Error::BadPreset { id: id.to_owned(), message });
    }
    Err(Error::UnknownPreset { id: id.to_owned(), hint: unknown_hint(id, preset_list().into_iter().map(|(i, _)| i)) })
}

/// A bundled preset's document with its base applied (self-contained), as compact JSON: the
/// file the widget fetches for this id. `None` for an unknown id.
pub fn preset_document(id: &str) -> Option<String> {
    #[cfg(feature = "bundled-presets")]
    return bundled::document(id).map(|d| d.to_json());
    #[cfg(not(feature = "bundled-presets"))]
    {
        let _ = id;
        None
    }
}

fn unknown_hint<'a>(id: &str, known: impl Iterator<Item = &'a str>) -> String {
    match crate::suggest::did_you_mean(id, known) {
        Some(s) => format!(" (did you mean \"{s}\"?)"),
        None => " (ids are ISO 3166 codes in lowercase, such as \"jp\", \"us-ca\" or \"gb-sct\")".to_owned(),
    }
}

/// Where a config's presets come from while it loads: documents supplied by the caller
/// first, then the bundled presets.
pub(crate) struct PresetSource<'a> {
    supplied: &'a [(&'a str, &'a str)],
    /// Supplied documents read so far: (id, preset or the sentence that says why not).
    read: std::cell::RefCell<Vec<(String, Supplied)>>,
}

/// A supplied preset, or the sentence that says why it cannot be used.
type Supplied = Result<Arc<Preset>, String>;

/// A preset found for a config: bundled or supplied.
pub(crate) enum PresetRef {
    #[cfg(feature = "bundled-presets")]
    Bundled(&'static Preset),
    Supplied(Arc<Preset>),
}

impl std::ops::Deref for PresetRef {
    type Target = Preset;
    fn deref(&self) -> &Preset {
        match self {
            #[cfg(feature = "bundled-presets")]
            PresetRef::Bundled(p) => p,
            PresetRef::Supplied(p) => p,
        }
    }
}

impl<'a> PresetSource<'a> {
    pub(crate) fn new(supplied: &'a [(&'a str, &'a str)]) -> Self {
        PresetSource { supplied, read: Default::default() }
    }

    /// The preset with this id, or the sentence that says why not.
    pub(crate) fn get(&self, id: &str) -> Result<PresetRef, String> {
        if let Some((_, text)) = self.supplied.iter().find(|(i, _)| *i == id) {
            let known = self.read.borrow().iter().find(|(i, _)| i == id).map(|(_, p)| p.clone());
            let p = match known {
                Some(p) => p,
                None => {
                    let p = self.supplied_preset(id, text).map(Arc::new);
                    self.read.borrow_mut().push((id.to_owned(), p.clone()));
                    p
                }
            };
            return p.map(PresetRef::Supplied);
        }
        // Without bundled presets (the widget) every preset is supplied, so one that is not
        // is one the caller could not load (embed.js says why in the console): nothing to
        // suggest from.
        #[cfg(not(feature = "bundled-presets"))]
        return Err(Error::UnknownPreset { id: id.to_owned(), hint: " (it was not supplied)".to_owned() }.to_string());
        #[cfg(feature = "bundled-presets")]
        match preset(id) {
            Ok(p) => Ok(PresetRef::Bundled(p)),
            Err(Error::UnknownPreset { .. }) => {
                let known = preset_list().into_iter().map(|(i, _)| i).chain(self.supplied.iter().map(|(i, _)| *i));
                Err(Error::UnknownPreset { id: id.to_owned(), hint: unknown_hint(id, known) }.to_string())
            }
            Err(e) => Err(e.to_string()),
        }
    }

    fn supplied_preset(&self, id: &str, text: &str) -> Result<Preset, String> {
        let doc = Document::parse(text).map_err(|e| format!("preset \"{id}\" cannot be read: {}", one_line(&e)))?;
        if doc.id != id {
            return Err(format!("the document supplied as preset \"{id}\" is preset \"{}\"", doc.id));
        }
        // Without bundled presets (the widget), supplied documents are the self-contained ones
        // `export-presets` writes; applying a base would only add code to the wasm.
        #[cfg(not(feature = "bundled-presets"))]
        if let Some(base_id) = &doc.base {
            return Err(format!(
                "preset \"{id}\" is written against \"{base_id}\"; supply the document export-presets writes"
            ));
        }
        #[cfg(feature = "bundled-presets")]
        let doc = match &doc.base {
            None => doc,
            Some(base_id) => {
                let base = match self.supplied.iter().find(|(i, _)| i == base_id) {
                    Some((_, t)) => Document::parse(t)
                        .map_err(|e| format!("preset \"{base_id}\" cannot be read: {}", one_line(&e)))?,
                    None => bundled_document(base_id).ok_or_else(|| {
                        format!("preset \"{id}\" is written against \"{base_id}\", which was not supplied")
                    })?,
                };
                doc.resolve(&base)?
            }
        };
        doc.compile().map_err(|e| format!("preset \"{id}\" cannot be read: {e}"))
    }
}

fn one_line(e: &ConfigErrors) -> String {
    e.0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

#[cfg(feature = "bundled-presets")]
fn bundled_document(id: &str) -> Option<Document> {
    bundled::raw_document(id)
}

/// The preset ids a config names (teams' `holidays`: strings and `{"preset": …}`), each once,
/// in order: what the widget fetches before [`crate::load_with_presets`]. Tolerant: a config
/// that is not valid JSON gives none, and parts of the wrong shape are skipped.
pub fn preset_ids(config_text: &str) -> Vec<String> {
    let Ok(doc) = Json::parse(config_text) else { return Vec::new() };
    let mut out: Vec<String> = Vec::new();
    let Some(Json::Array(teams)) = doc.get("teams") else { return out };
    for team in teams {
        let Some(Json::Array(entries)) = team.get("holidays") else { continue };
        for entry in entries {
            let id = match entry {
                Json::String(s) => Some(s.as_str()),
                Json::Object(_) => entry.get("preset").and_then(Json::as_str),
                _ => None,
            };
            if let Some(id) = id
                && !out.iter().any(|o| o == id)
            {
                out.push(id.to_owned());
            }
        }
    }
    out
}

#[cfg(feature = "bundled-presets")]
mod bundled {
    //! The presets embedded in the binary.

    use super::{Document, Preset};
    use std::sync::OnceLock;

    include!(concat!(env!("OUT_DIR"), "/presets.rs"));

    /// The hand-written presets: `(id, name, rules as JSON)`. They win over generated
    /// presets with the same id.
    const HAND_WRITTEN: [(&str, &str, &str); 5] = [
        ("de", "Germany, nationwide public holidays", include_str!("presets/de.json")),
        ("fr", "France (metropolitan), public holidays", include_str!("presets/fr.json")),
        ("gb-eng", "England and Wales, bank holidays", include_str!("presets/gb-eng.json")),
        ("nl", "Netherlands, national holidays", include_str!("presets/nl.json")),
        ("us", "United States, federal holidays (OPM)", include_str!("presets/us.json")),
    ];

    pub(super) struct Entry {
        pub(super) id: &'static str,
        pub(super) name: &'static str,
        /// Index into `HAND_WRITTEN`, or the generated line.
        hand: Option<usize>,
    }

    /// Every preset id once, sorted.
    pub(super) fn entries() -> &'static [Entry] {
        static ENTRIES: OnceLock<Vec<Entry>> = OnceLock::new();
        ENTRIES.get_or_init(|| {
            let mut out: Vec<Entry> =
                HAND_WRITTEN.iter().enumerate().map(|(i, (id, name, _))| Entry { id, name, hand: Some(i) }).collect();
            for (id, name, _, _) in GENERATED {
                if !HAND_WRITTEN.iter().any(|h| h.0 == *id) {
                    out.push(Entry { id, name, hand: None });
                }
            }
            out.sort_by_key(|e| e.id);
            out
        })
    }

    /// The generated presets' text, inflated on first use.
    fn text() -> &'static str {
        static TEXT: OnceLock<String> = OnceLock::new();
        TEXT.get_or_init(|| {
            let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(DATA, DATA_LEN).unwrap_or_default();
            String::from_utf8(bytes).unwrap_or_default()
        })
    }

    fn generated(id: &str) -> Option<Result<Document, String>> {
        let i = GENERATED.binary_search_by_key(&id, |g| g.0).ok()?;
        let (_, _, start, end) = GENERATED[i];
        let line = text().get(start as usize..end as usize).unwrap_or_default();
        Some(Document::parse(line).map_err(|e| super::one_line(&e)))
    }

    /// A preset's document as stored (a subdivision still against its country).
    pub(super) fn raw_document(id: &str) -> Option<Document> {
        let e = entries().iter().find(|e| e.id == id)?;
        match e.hand {
            Some(i) => {
                let (id, name, json) = HAND_WRITTEN[i];
                let text = format!(r#"{{"id":"{id}","name":"{name}","lang":"en","rules":{json}}}"#);
                Document::parse(&text).ok()
            }
            // Countries that a hand-written preset shadows stay bases of their subdivisions.
            None => generated(id)?.ok(),
        }
    }

    fn resolved(id: &str) -> Result<Document, String> {
        let e = entries().iter().find(|e| e.id == id).ok_or_else(|| format!("no preset {id}"))?;
        if e.hand.is_some() {
            return raw_document(id).ok_or_else(|| format!("hand-written preset {id} does not read"));
        }
        let doc = generated(id).ok_or_else(|| format!("no preset {id}"))??;
        match &doc.base {
            None => Ok(doc),
            Some(base) => {
                let base = generated(base).ok_or_else(|| format!("no base preset {base}"))??;
                doc.resolve(&base)
            }
        }
    }

    /// A bundled preset's self-contained document.
    pub(super) fn document(id: &str) -> Option<Document> {
        entries().iter().any(|e| e.id == id).then(|| resolved(id).ok()).flatten()
    }

    /// The bundled preset with this id, compiled on first use.
    pub(super) fn preset(id: &str) -> Option<Result<&'static Preset, String>> {
        static SLOTS: OnceLock<Vec<OnceLock<Result<Preset, String>>>> = OnceLock::new();
        let list = entries();
        let i = list.binary_search_by_key(&id, |e| e.id).ok()?;
        let slots = SLOTS.get_or_init(|| list.iter().map(|_| OnceLock::new()).collect());
        let slot = slots[i].get_or_init(|| resolved(id).and_then(|d| d.compile()));
        Some(slot.as_ref().map_err(Clone::clone))
    }
}
