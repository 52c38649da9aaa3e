//! The core's own JSON parser and writer, checked against serde_json.

use proptest::prelude::*;
use replyby_core::json::Json;
use serde_json::Value;

/// Ours, as a serde_json value. Fractions go through std's correctly rounded parser:
/// serde_json's default one may be a unit in the last place off.
fn to_serde(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match (n.parse::<i64>(), n.parse::<u64>()) {
            (Ok(i), _) => Value::from(i),
            (_, Ok(u)) => Value::from(u),
            _ => Value::from(n.parse::<f64>().expect("a JSON number")),
        },
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(to_serde).collect()),
        // Last key wins, as in serde_json and JavaScript.
        Json::Object(fields) => Value::Object(fields.iter().map(|(k, v)| (k.clone(), to_serde(v))).collect()),
    }
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{0,6}",
        any::<String>(),
        prop::collection::vec(
            prop_oneof![Just('"'), Just('\\'), Just('\n'), Just('\u{1}'), Just('é'), Just('😀')],
            0..6
        )
        .prop_map(|c| c.into_iter().collect()),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn reads_what_serde_json_writes_and_back(v in value(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v) } else { serde_json::to_string(&v) }.expect("serialize");
        let ours = Json::parse(&text).map_err(|e| TestCaseError::fail(format!("{e} in {text}")))?;
        prop_assert_eq!(to_serde(&ours), v.clone());
        let back: Value = serde_json::from_str(&ours.to_string()).expect("our output is JSON");
        prop_assert_eq!(back, serde_json::from_str::<Value>(&text).expect("valid"));
        prop_assert_eq!(Json::parse(&ours.to_string()), Ok(ours));
    }

    /// One edit to a valid document: we accept exactly when serde_json does.
    #[test]
    fn accepts_exactly_what_serde_json_accepts(v in value(), at in any::<prop::sample::Index>(),
                                               edit in prop_oneof![Just(None), prop::sample::select(
                                                   vec!['{', '}', '[', ']', ',', ':', '"', '\\', ' ', '0', '-', '.', 'e', 'u', 'n', '\u{1}']).prop_map(Some)]) {
        let mut text = serde_json::to_string(&v).expect("serialize");
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        let i = boundaries[at.index(boundaries.len())];
        match edit {
            Some(c) => text.insert(i, c),
            None if i < text.len() => { text.remove(i); }
            None => {}
        }
        let theirs = serde_json::from_str::<Value>(&text);
        // serde_json refuses numbers beyond f64; we keep number text and check ranges later.
        prop_assume!(!matches!(&theirs, Err(e) if e.to_string().contains("number out of range")));
        let ours = Json::parse(&text);
        prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}: ours {:?}, serde_json {:?}", text, ours, theirs);
        if let Ok(ours) = ours {
            prop_assert_eq!(serde_json::from_str::<Value>(&ours.to_string()).expect("our output is JSON"), theirs.expect("ok"));
        }
    }
}
