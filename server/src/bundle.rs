//! The widget's bundle: a config and every holiday preset it names, in one file, so that a
//! widget has all its data after one round trip (`GET /v1/bundle`, `replyby bundle`). Without
//! it, `embed.js` learns which presets to fetch only once the config has arrived.
//!
//! The shape is a JSON object whose values are the files' own texts, as strings:
//! `{"replyby_bundle": 1, "config": "<config JSON>", "presets": {"us": "<preset JSON>", …}}`.
//! Strings, not nested objects, so the page's one `JSON.parse` hands the wasm exactly the texts
//! it would have fetched one by one, without serialising them again.

use replyby_core::holidays::preset_document;
use replyby_core::preset_ids;
use serde::Serialize;
use std::collections::BTreeMap;

/// The bundle's format version: a widget that meets another version reads it as a config
/// (and says so on the console), never half.
pub const FORMAT: u32 = 1;

#[derive(Serialize)]
struct Bundle<'a> {
    replyby_bundle: u32,
    config: &'a str,
    presets: BTreeMap<String, String>,
}

/// The bundle of `config_text`: each preset it names, from the presets compiled into
/// replyby. An unknown id is left out (the config's check reports it, at its path).
pub fn bundle(config_text: &str) -> String {
    let presets = preset_ids(config_text).into_iter().filter_map(|id| preset_document(&id).map(|d| (id, d))).collect();
    serde_json::to_string(&Bundle { replyby_bundle: FORMAT, config: config_text, presets }).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_carries_the_config_text_and_each_named_preset_once() {
        let config = r#"{"teams":[{"holidays":["us",{"preset":"de","except":["Whit Monday"]},"us"]}]}"#;
        let v: serde_json::Value = serde_json::from_str(&bundle(config)).expect("json");
        assert_eq!(v["replyby_bundle"], 1);
        assert_eq!(v["config"], config, "the config's own text, byte for byte");
        let presets = v["presets"].as_object().expect("presets");
        assert_eq!(presets.keys().collect::<Vec<_>>(), ["de", "us"]);
        for (id, text) in presets {
            assert_eq!(text.as_str(), preset_document(id).as_deref(), "{id}: the file the widget would fetch");
        }
    }

    #[test]
    fn an_unknown_preset_is_left_for_the_check_to_report() {
        let v: serde_json::Value =
            serde_json::from_str(&bundle(r#"{"teams":[{"holidays":["xx-nope"]}]}"#)).expect("json");
        assert_eq!(v["presets"], serde_json::json!({}));
    }
}
