//! Where a JSON Pointer's value is in the text.
//!
//! Why a walk of its own: the core's parser (`replyby_core::json`) keeps no source positions —
//! it is sized for the widget's wasm — and serde_json keeps none either. This walk only finds
//! the byte range of each value (and of each object member's key); it is run on text the core
//! has already read, so it is lenient: anything it cannot follow just ends the search (no span).

use std::ops::Range;

/// Deeper than the core accepts (128) is never asked for; this keeps the stack safe.
const MAX_DEPTH: usize = 160;

/// The byte range of what `pointer` (RFC 6901) names in `text`, and whether the pointer named
/// it exactly. When the pointer goes further than the text (a missing field), the range is the
/// deepest value that exists on the way. With `with_key`, a pointer whose last step is an
/// object member gives the range from the key's opening quote to the end of its value. When a
/// key is written twice, the last one counts (as in the config reader and serde_json).
pub fn locate(text: &str, pointer: &str, with_key: bool) -> Option<(Range<usize>, bool)> {
    let steps = split(pointer)?;
    let mut w = Walker { s: text.as_bytes(), i: 0 };
    w.ws();
    let mut range = w.skip_value(0)?;
    let mut key_start = None;
    for step in &steps {
        let inner = match text.as_bytes().get(range.start) {
            Some(b'{') => Walker { s: text.as_bytes(), i: range.start }.member(step),
            Some(b'[') => {
                let index = array_index(step);
                index.and_then(|k| Walker { s: text.as_bytes(), i: range.start }.element(k)).map(|r| (r, None))
            }
            _ => None,
        };
        match inner {
            Some((r, k)) => {
                range = r;
                key_start = k;
            }
            None => return Some((range, false)),
        }
    }
    if with_key && let Some(k) = key_start {
        range = k..range.end;
    }
    Some((range, true))
}

/// The pointer's reference tokens, unescaped (`~1` → `/`, `~0` → `~`).
fn split(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(rest.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect())
}

fn array_index(step: &str) -> Option<usize> {
    if step.is_empty() || (step.len() > 1 && step.starts_with('0')) || !step.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    step.parse().ok()
}

struct Walker<'a> {
    s: &'a [u8],
    i: usize,
}

impl Walker<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        self.ws();
        (self.peek() == Some(b)).then(|| self.i += 1)
    }

    /// Skips one value (after whitespace), giving its range.
    fn skip_value(&mut self, depth: usize) -> Option<Range<usize>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        let start = self.i;
        match self.peek()? {
            b'"' => {
                self.string()?;
            }
            b'{' => {
                self.i += 1;
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        self.string()?;
                        self.eat(b':')?;
                        self.skip_value(depth + 1)?;
                        self.ws();
                        match self.peek()? {
                            b',' => self.i += 1,
                            b'}' => {
                                self.i += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
            }
            b'[' => {
                self.i += 1;
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                } else {
                    loop {
                        self.skip_value(depth + 1)?;
                        self.ws();
                        match self.peek()? {
                            b',' => self.i += 1,
                            b']' => {
                                self.i += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
            }
            _ => {
                // A number, `true`, `false` or `null`: up to the next delimiter.
                while let Some(b) = self.peek() {
                    if matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r' | b':' | b'"' | b'[' | b'{') {
                        break;
                    }
                    self.i += 1;
                }
                if self.i == start {
                    return None;
                }
            }
        }
        Some(start..self.i)
    }

    /// Reads a string at `i` (its opening quote), giving its unescaped text.
    fn string(&mut self) -> Option<String> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.i += 1;
        let mut out = Vec::new();
        loop {
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return String::from_utf8(out).ok();
                }
                b'\\' => {
                    self.i += 1;
                    let e = self.peek()?;
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            if (0xD800..0xDC00).contains(&hi) && self.s.get(self.i..self.i + 2) == Some(b"\\u") {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                                } else {
                                    self.i = save;
                                    char::REPLACEMENT_CHARACTER
                                }
                            } else {
                                char::from_u32(hi).unwrap_or(char::REPLACEMENT_CHARACTER)
                            }
                        }
                        _ => return None,
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                b => {
                    out.push(b);
                    self.i += 1;
                }
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.s.get(self.i..self.i + 4)?;
        let v = u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()?;
        self.i += 4;
        Some(v)
    }

    /// In the object at `i`, the last member named `key`: its value's range and its key's start.
    fn member(&mut self, key: &str) -> Option<(Range<usize>, Option<usize>)> {
        self.eat(b'{')?;
        self.ws();
        if self.peek() == Some(b'}') {
            return None;
        }
        let mut found = None;
        loop {
            self.ws();
            let key_start = self.i;
            let k = self.string()?;
            self.eat(b':')?;
            let r = self.skip_value(1)?;
            if k == key {
                found = Some((r, Some(key_start)));
            }
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => return found,
                _ => return None,
            }
        }
    }

    /// In the array at `i`, element `k`'s range.
    fn element(&mut self, k: usize) -> Option<Range<usize>> {
        self.eat(b'[')?;
        self.ws();
        if self.peek() == Some(b']') {
            return None;
        }
        let mut n = 0;
        loop {
            let r = self.skip_value(1)?;
            if n == k {
                return Some(r);
            }
            n += 1;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                _ => return None,
            }
        }
    }
}

/// The UTF-16 offset (a JavaScript string index) of a byte offset in `text`, clamped to the
/// text and rounded down to a character boundary.
pub fn utf16(text: &str, byte: usize) -> usize {
    let mut b = byte.min(text.len());
    while !text.is_char_boundary(b) {
        b -= 1;
    }
    text.get(..b).map_or(0, |t| t.encode_utf16().count())
}

/// The byte range of the character at a 1-based line and 1-based column (in characters), as
/// the core's syntax errors give them; empty at the end of a line or of the text.
pub fn line_column(text: &str, line: usize, column: usize) -> Range<usize> {
    let mut start = 0;
    for _ in 1..line {
        match text.get(start..).and_then(|t| t.find('\n')) {
            Some(p) => start += p + 1,
            None => return text.len()..text.len(),
        }
    }
    let rest = text.get(start..).unwrap_or("");
    let line_text = rest.split('\n').next().unwrap_or("");
    let mut chars = line_text.char_indices().skip(column.saturating_sub(1));
    match chars.next() {
        Some((at, c)) => start + at..start + at + c.len_utf8(),
        None => {
            let end = start + line_text.len();
            end..end
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(text: &'a str, pointer: &str) -> &'a str {
        let (r, exact) = locate(text, pointer, false).expect("a span");
        assert!(exact, "{pointer} is in the text");
        &text[r]
    }

    #[test]
    fn finds_values_by_pointer() {
        let t = r#" { "a" : [1, {"b": "x y", "c~/d": null}, [ ] ], "e": true, "a/b": -1.5e3 } "#;
        assert_eq!(at(t, ""), r#"{ "a" : [1, {"b": "x y", "c~/d": null}, [ ] ], "e": true, "a/b": -1.5e3 }"#);
        assert_eq!(at(t, "/a/0"), "1");
        assert_eq!(at(t, "/a/1/b"), r#""x y""#);
        assert_eq!(at(t, "/a/1/c~0~1d"), "null");
        assert_eq!(at(t, "/a/2"), "[ ]");
        assert_eq!(at(t, "/e"), "true");
        assert_eq!(at(t, "/a~1b"), "-1.5e3");
    }

    #[test]
    fn with_key_covers_the_member() {
        let t = r#"{"teams": [{"id": "x", "colour": "red"}]}"#;
        let (r, exact) = locate(t, "/teams/0/colour", true).expect("a span");
        assert!(exact);
        assert_eq!(&t[r], r#""colour": "red""#);
    }

    #[test]
    fn a_missing_step_gives_the_deepest_value_found() {
        let t = r#"{"teams": [{"id": "x"}]}"#;
        let (r, exact) = locate(t, "/teams/0/timezone", false).expect("a span");
        assert!(!exact);
        assert_eq!(&t[r], r#"{"id": "x"}"#);
        let (r, exact) = locate(t, "/plans", false).expect("a span");
        assert!(!exact);
        assert_eq!(r, 0..t.len());
        assert!(locate(t, "/teams/01", false).is_some_and(|(_, e)| !e));
        assert!(locate(t, "/teams/1", false).is_some_and(|(_, e)| !e));
    }

    #[test]
    fn escaped_keys_and_the_last_duplicate() {
        let t = r#"{"k\u00e9y": 1, "a": 2, "a": 3, "\ud83d\ude00": 4}"#;
        assert_eq!(at(t, "/kéy"), "1");
        assert_eq!(at(t, "/a"), "3");
        assert_eq!(at(t, "/😀"), "4");
    }

    #[test]
    fn utf16_offsets_count_surrogate_pairs() {
        let t = "é😀x";
        assert_eq!(utf16(t, 0), 0);
        assert_eq!(utf16(t, 2), 1);
        assert_eq!(utf16(t, 6), 3);
        assert_eq!(utf16(t, 4), 1, "inside the emoji rounds down");
        assert_eq!(utf16(t, 99), 4);
    }

    #[test]
    fn line_and_column_to_bytes() {
        let t = "{\n  \"é\": 1,\n}";
        assert_eq!(line_column(t, 3, 1), 13..14);
        assert_eq!(&t[line_column(t, 2, 3)], "\"");
        assert_eq!(&t[line_column(t, 2, 4)], "é");
        assert_eq!(line_column(t, 2, 99), 12..12);
        assert_eq!(line_column(t, 9, 1), t.len()..t.len());
    }

    mod property {
        use super::super::locate;
        use proptest::prelude::*;
        use serde_json::Value;

        fn value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                (-1e6f64..1e6).prop_map(Value::from),
                "[a-z /~\"\\\\é😀\u{1}\n]{0,8}".prop_map(Value::String),
            ];
            leaf.prop_recursive(4, 40, 5, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                    prop::collection::btree_map("[a-z/~é😀\"]{0,4}", inner, 0..5)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        fn pointers(v: &Value, at: String, out: &mut Vec<(String, ())>) {
            out.push((at.clone(), ()));
            match v {
                Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| pointers(x, format!("{at}/{i}"), out)),
                Value::Object(o) => o
                    .iter()
                    .for_each(|(k, x)| pointers(x, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out)),
                _ => {}
            }
        }

        /// Writes `v` with whitespace picked by `ws`, so spans are not only of compact text.
        fn write(v: &Value, ws: &mut impl Iterator<Item = u8>, out: &mut String) {
            fn pad(ws: &mut impl Iterator<Item = u8>, out: &mut String) {
                for _ in 0..ws.next().unwrap_or(0) % 3 {
                    out.push_str(["", " ", "\n\t"][usize::from(ws.next().unwrap_or(0) % 3)]);
                }
            }
            match v {
                Value::Array(a) => {
                    out.push('[');
                    for (i, x) in a.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        pad(ws, out);
                        write(x, ws, out);
                        pad(ws, out);
                    }
                    out.push(']');
                }
                Value::Object(o) => {
                    out.push('{');
                    for (i, (k, x)) in o.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        pad(ws, out);
                        out.push_str(&serde_json::to_string(k).unwrap_or_default());
                        pad(ws, out);
                        out.push(':');
                        write(x, ws, out);
                        pad(ws, out);
                    }
                    out.push('}');
                }
                // serde_json writes non-ASCII as is; ASCII-escape some strings to test \u too.
                Value::String(s) if s.len() % 2 == 1 => {
                    out.push('"');
                    for u in s.encode_utf16() {
                        out.push_str(&format!("\\u{u:04x}"));
                    }
                    out.push('"');
                }
                x => out.push_str(&x.to_string()),
            }
        }

        proptest! {
            #[test]
            fn every_pointer_slices_out_its_value(v in value(), ws in prop::collection::vec(any::<u8>(), 0..64)) {
                let mut text = String::from(" ");
                let mut it = ws.into_iter().cycle();
                write(&v, &mut it, &mut text);
                text.push('\n');
                // serde_json reads the whole text; each span must read as its value at the pointer
                // (both from the same number literals, so float rounding cannot differ).
                let doc: Value = serde_json::from_str(&text).expect("the text is JSON");
                let mut all = Vec::new();
                pointers(&v, String::new(), &mut all);
                for (p, _) in all {
                    let (r, exact) = locate(&text, &p, false).expect("a span");
                    prop_assert!(exact, "{} not found in {}", p, text);
                    let got: Value = serde_json::from_str(&text[r]).expect("the span is JSON");
                    prop_assert_eq!(Some(&got), doc.pointer(&p), "{} in {}", p, text);
                }
            }
        }
    }
}
