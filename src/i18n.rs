//! The widget's sentences. Each language's are in one file a translator can edit,
//! `i18n/<lang>.json`: a flat object of key → template with named `{placeholders}`, and for
//! sentences that depend on a count, an object keyed by `Intl.PluralRules` categories.
//!
//! Only English is compiled in (the fallback). `embed.js` picks the visitor's language,
//! fetches its file beside itself while the wasm downloads, and passes the text to `mount`;
//! it is parsed here with the core's own JSON parser.

use replyby_core::Team;
use replyby_core::json::Json;
use std::rc::Rc;

/// English, the fallback for a language whose file did not load and for any key a file lacks.
pub const ENGLISH: &str = include_str!(concat!(env!("OUT_DIR"), "/en.json"));

thread_local! {
    static EN: Rc<Json> = Rc::new(Json::parse(ENGLISH).unwrap_or(Json::Object(Vec::new())));
}

/// One language's sentences.
#[derive(Debug, Clone, PartialEq)]
pub struct Texts {
    /// The language, as the catalog's file is named: `en`, `pt`, `zh-Hant`.
    pub lang: String,
    catalog: Rc<Json>,
    english: Rc<Json>,
}

impl Texts {
    /// English.
    pub fn english() -> Texts {
        let en = EN.with(Rc::clone);
        Texts { lang: "en".to_owned(), catalog: en.clone(), english: en }
    }

    /// A language's catalog from its file's text; the error says what is wrong with it.
    pub fn parse(lang: &str, text: &str) -> Result<Texts, String> {
        let json = Json::parse(text).map_err(|e| e.to_string())?;
        if !matches!(json, Json::Object(_)) {
            return Err("not an object of sentences".to_owned());
        }
        Ok(Texts { lang: lang.to_owned(), catalog: Rc::new(json), english: EN.with(Rc::clone) })
    }

    /// True for a language written right to left.
    pub fn rtl(&self) -> bool {
        matches!(self.lang.as_str(), "ar" | "he")
    }

    /// The template under `key`; for a plural sentence, its `category` form (or `other`).
    /// A key the catalog lacks comes from English.
    pub fn template<'a>(&'a self, key: &'a str, category: &str) -> &'a str {
        fn pick<'j>(json: &'j Json, key: &str, category: &str) -> Option<&'j str> {
            match json.get(key)? {
                Json::String(s) => Some(s),
                forms => forms.get(category).or_else(|| forms.get("other"))?.as_str(),
            }
        }
        pick(&self.catalog, key, category).or_else(|| pick(&self.english, key, category)).unwrap_or(key)
    }
}

pub use replyby_core::text::fill;

/// The name to show for `team`'s holiday `name` in `lang`: the translation its preset carries
/// (the generated presets name their holidays in the country's language and translate them),
/// else the name as the config or the preset writes it.
pub fn holiday_name<'a>(team: Option<&'a Team>, name: &'a str, lang: &str) -> &'a str {
    team.and_then(|t| t.holidays.rules().iter().find(|r| r.name == name)).map_or(name, |r| r.name_in(lang))
}

/// True when two BCP 47 tags are of one language: `pt-BR` and `pt`, `zh-TW` and `zh-Hant`.
pub fn same_language(a: &str, b: &str) -> bool {
    fn primary(t: &str) -> &str {
        t.find('-').map_or(t, |i| &t[..i])
    }
    primary(a).eq_ignore_ascii_case(primary(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [(&str, &str); 24] = [
        ("en", include_str!("../i18n/en.json")),
        ("es", include_str!("../i18n/es.json")),
        ("pt", include_str!("../i18n/pt.json")),
        ("fr", include_str!("../i18n/fr.json")),
        ("de", include_str!("../i18n/de.json")),
        ("it", include_str!("../i18n/it.json")),
        ("nl", include_str!("../i18n/nl.json")),
        ("sv", include_str!("../i18n/sv.json")),
        ("da", include_str!("../i18n/da.json")),
        ("nb", include_str!("../i18n/nb.json")),
        ("fi", include_str!("../i18n/fi.json")),
        ("pl", include_str!("../i18n/pl.json")),
        ("cs", include_str!("../i18n/cs.json")),
        ("tr", include_str!("../i18n/tr.json")),
        ("ru", include_str!("../i18n/ru.json")),
        ("uk", include_str!("../i18n/uk.json")),
        ("ar", include_str!("../i18n/ar.json")),
        ("he", include_str!("../i18n/he.json")),
        ("ja", include_str!("../i18n/ja.json")),
        ("ko", include_str!("../i18n/ko.json")),
        ("zh-Hans", include_str!("../i18n/zh-Hans.json")),
        ("zh-Hant", include_str!("../i18n/zh-Hant.json")),
        ("hi", include_str!("../i18n/hi.json")),
        ("id", include_str!("../i18n/id.json")),
    ];

    fn keys(json: &Json) -> Vec<&str> {
        match json {
            Json::Object(fields) => fields.iter().map(|(k, _)| k.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    /// The widget reads the files with the core's parser, not JSON.parse: every file must
    /// parse with it, once per key, and hold every key of en.json (tests/catalogs.test.mjs
    /// checks placeholders and plural categories against Intl).
    #[test]
    fn every_catalog_parses_with_the_core_parser_and_has_every_english_key() {
        let en = Json::parse(ALL[0].1).expect("en.json");
        for (lang, text) in ALL {
            let t = Texts::parse(lang, text).unwrap_or_else(|e| panic!("{lang}: {e}"));
            let mut have = keys(&t.catalog);
            let n = have.len();
            have.sort_unstable();
            have.dedup();
            assert_eq!(have.len(), n, "{lang}: a key written twice");
            let mut want = keys(&en);
            want.sort_unstable();
            assert_eq!(have, want, "{lang}");
        }
    }

    #[test]
    fn the_compiled_english_is_en_json_without_the_servers_sentences() {
        let compiled = Json::parse(ENGLISH).expect("the compiled en.json parses");
        let en = Json::parse(ALL[0].1).expect("en.json");
        let want: Vec<&str> = keys(&en).into_iter().filter(|k| !k.starts_with("receipt.")).collect();
        assert!(want.len() + 5 < keys(&en).len(), "en.json has its receipt sentences");
        assert_eq!(keys(&compiled), want);
    }

    #[test]
    fn templates_fill_and_fall_back_to_english() {
        let en = Texts::english();
        assert_eq!(fill(en.template("status.back", "other"), &[("when", "Tue 09:00")]), "back Tue 09:00");
        assert_eq!(en.template("target.hours", "one"), "{n} hour");
        assert_eq!(en.template("target.hours", "few"), "{n} hours");
        let de = Texts::parse("de", r#"{ "status.open": "Jetzt erreichbar" }"#).expect("de");
        assert_eq!(de.template("status.open", "other"), "Jetzt erreichbar");
        assert_eq!(de.template("status.closed", "other"), "Closed");
        assert!(Texts::parse("de", "[1]").is_err() && Texts::parse("de", "{").is_err());
        assert_eq!(fill("{a} and {b}, {c} {", &[("a", "1"), ("b", "{a}")]), "1 and {a}, {c} {");
        assert!(Texts::parse("ar", "{}").expect("ar").rtl() && !en.rtl());
        assert!(same_language("pt-BR", "pt") && same_language("zh-TW", "zh-Hant") && !same_language("nb", "en"));
    }
}
