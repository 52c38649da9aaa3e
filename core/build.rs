//! With the `bundled-presets` feature: compresses the generated holiday presets
//! (`data/holidays/presets.jsonl`, one JSON document per line, written by
//! `scripts/gen-holidays.py`) into `OUT_DIR`, with an index of ids, names and offsets, so the
//! binary carries ~0.3 MB instead of ~1.8 MB and can list presets without inflating them.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "bundled-presets")]
    bundle();
}

#[cfg(feature = "bundled-presets")]
fn bundle() {
    use std::fmt::Write;
    use std::path::Path;

    let source = Path::new("data/holidays/presets.jsonl");
    println!("cargo:rerun-if-changed={}", source.display());
    let text = std::fs::read_to_string(source).expect("data/holidays/presets.jsonl (run scripts/gen-holidays.py)");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));

    // Each line starts with {"id":"…","name":"…", (the generator guarantees it, and that
    // neither holds a quote or a backslash): enough to index without a JSON parser.
    let mut index = String::from("/// `(id, name, start, end)` of each generated preset in [`DATA`], sorted by id.\n");
    index.push_str("static GENERATED: &[(&str, &str, u32, u32)] = &[\n");
    let mut start = 0usize;
    let mut last_id = String::new();
    for line in text.split_inclusive('\n') {
        let end = start + line.trim_end().len();
        let rest = line.strip_prefix("{\"id\":\"").unwrap_or_else(|| panic!("preset line at byte {start}"));
        let (id, rest) = rest.split_once('"').expect("id");
        let rest = rest.strip_prefix(",\"name\":\"").unwrap_or_else(|| panic!("preset {id}: name second"));
        let (name, _) = rest.split_once('"').expect("name");
        assert!(id > last_id.as_str(), "presets.jsonl must be sorted by id, {id} after {last_id}");
        assert!(!name.contains('\\'), "preset {id}: a name with an escape");
        writeln!(index, "    ({id:?}, {name:?}, {start}, {end}),").expect("write");
        last_id = id.to_owned();
        start += line.len();
    }
    index.push_str("];\n");
    let packed = miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 10);
    std::fs::write(out.join("presets.deflate"), &packed).expect("write presets.deflate");
    index.push_str(&format!(
        "/// The presets, raw DEFLATE ({} bytes from {}).\nstatic DATA: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/presets.deflate\"));\n/// Length of the text once inflated.\nconst DATA_LEN: usize = {};\n",
        packed.len(),
        text.len(),
        text.len()
    ));
    std::fs::write(out.join("presets.rs"), index).expect("write presets.rs");
}
