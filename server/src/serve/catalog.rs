//! The widget's sentence catalogs (`i18n/<lang>.json`), compiled into the server for the
//! customer's receipt, so a receipt is written in the language of the widget that sent it.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Every language the widget speaks, with its catalog.
const CATALOGS: [(&str, &str); 24] = [
    ("ar", include_str!("../../../i18n/ar.json")),
    ("cs", include_str!("../../../i18n/cs.json")),
    ("da", include_str!("../../../i18n/da.json")),
    ("de", include_str!("../../../i18n/de.json")),
    ("en", include_str!("../../../i18n/en.json")),
    ("es", include_str!("../../../i18n/es.json")),
    ("fi", include_str!("../../../i18n/fi.json")),
    ("fr", include_str!("../../../i18n/fr.json")),
    ("he", include_str!("../../../i18n/he.json")),
    ("hi", include_str!("../../../i18n/hi.json")),
    ("id", include_str!("../../../i18n/id.json")),
    ("it", include_str!("../../../i18n/it.json")),
    ("ja", include_str!("../../../i18n/ja.json")),
    ("ko", include_str!("../../../i18n/ko.json")),
    ("nb", include_str!("../../../i18n/nb.json")),
    ("nl", include_str!("../../../i18n/nl.json")),
    ("pl", include_str!("../../../i18n/pl.json")),
    ("pt", include_str!("../../../i18n/pt.json")),
    ("ru", include_str!("../../../i18n/ru.json")),
    ("sv", include_str!("../../../i18n/sv.json")),
    ("tr", include_str!("../../../i18n/tr.json")),
    ("uk", include_str!("../../../i18n/uk.json")),
    ("zh-Hans", include_str!("../../../i18n/zh-Hans.json")),
    ("zh-Hant", include_str!("../../../i18n/zh-Hant.json")),
];

/// The catalog language for a BCP 47 locale, as the widget picks it: `pt-BR` → `pt`,
/// `zh-TW` → `zh-Hant`, `nn` → `nb`, `iw` → `he`; `en` when none fits.
pub fn language(locale: &str) -> &'static str {
    let parts: Vec<String> = locale.split(['-', '_']).map(str::to_ascii_lowercase).collect();
    let first = parts.first().map(String::as_str).unwrap_or("");
    let has = |p: &str| parts.iter().skip(1).any(|x| x == p);
    let wanted = match first {
        "zh" if has("hant") || has("tw") || has("hk") || has("mo") => "zh-Hant",
        "zh" => "zh-Hans",
        "no" | "nn" => "nb",
        "iw" => "he",
        "in" => "id",
        other => other,
    };
    CATALOGS.iter().find(|(l, _)| *l == wanted).map_or("en", |(l, _)| l)
}

fn parsed() -> &'static HashMap<&'static str, HashMap<String, serde_json::Value>> {
    static CELL: OnceLock<HashMap<&'static str, HashMap<String, serde_json::Value>>> = OnceLock::new();
    CELL.get_or_init(|| {
        CATALOGS.iter().map(|(lang, text)| (*lang, serde_json::from_str(text).unwrap_or_default())).collect()
    })
}

/// The sentence `key` in `lang`, when the catalog has it as a plain string.
pub fn lookup(lang: &str, key: &str) -> Option<String> {
    parsed().get(lang)?.get(key)?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_pick_the_widgets_languages() {
        assert_eq!(language("pt-BR"), "pt");
        assert_eq!(language("zh-TW"), "zh-Hant");
        assert_eq!(language("zh-CN"), "zh-Hans");
        assert_eq!(language("nn-NO"), "nb");
        assert_eq!(language("th-TH"), "en");
        assert_eq!(language(""), "en");
    }

    #[test]
    fn every_catalog_parses_and_has_the_receipt_sentences() {
        for (lang, _) in CATALOGS {
            for key in ["receipt.subject", "receipt.respond_by", "receipt.release_at", "receipt.event_summary"] {
                let s = lookup(lang, key).unwrap_or_else(|| panic!("{lang} has no {key}"));
                assert!(!s.trim().is_empty());
            }
        }
        assert_eq!(lookup("pt", "receipt.with_team").as_deref().map(|s| s.is_empty()), Some(false));
    }
}
