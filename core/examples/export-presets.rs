//! Writes every bundled preset as its own JSON document into a directory, for the widget,
//! which fetches the presets its config names instead of carrying them:
//!
//! ```text
//! cargo run -p replyby-core --example export-presets -- OUTDIR
//! ```
//!
//! Writes `OUTDIR/<id>.json` (self-contained: a subdivision's country applied), read by
//! `replyby_core::load_with_presets`, and `OUTDIR/index.json`, `[["id", "name"], …]`.

use replyby_core::holidays::{preset_document, preset_list};
use replyby_core::json::Json;
use std::path::PathBuf;

fn main() {
    let Some(dir) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: export-presets OUTDIR");
        std::process::exit(2);
    };
    if let Err(e) = export(&dir) {
        eprintln!("export-presets: {}: {e}", dir.display());
        std::process::exit(1);
    }
}

fn export(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let list = preset_list();
    let (mut files, mut bytes) = (0usize, 0usize);
    for (id, _) in &list {
        let Some(doc) = preset_document(id) else {
            return Err(std::io::Error::other(format!("preset {id} does not read")));
        };
        bytes += doc.len();
        files += 1;
        std::fs::write(dir.join(format!("{id}.json")), doc)?;
    }
    let index =
        Json::Array(list.iter().map(|(id, name)| Json::Array(vec![Json::str(*id), Json::str(*name)])).collect());
    std::fs::write(dir.join("index.json"), index.to_string())?;
    eprintln!("{files} presets, {bytes} bytes, in {}", dir.display());
    Ok(())
}
