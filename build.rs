//! The stylesheet the widget compiles in (`styles/widget.css`, adopted by each widget's
//! shadow root), without its comments and surplus whitespace: they are for this
//! repository's readers, and the wasm would carry every byte of them.

fn main() {
    println!("cargo:rerun-if-changed=styles/widget.css");
    let css = std::fs::read_to_string("styles/widget.css").expect("read styles/widget.css");
    let out = std::path::Path::new(&std::env::var_os("OUT_DIR").expect("OUT_DIR")).join("widget.css");
    std::fs::write(out, minify(&css)).expect("write widget.css");
}

/// Drops `/* … */` comments, collapses whitespace to single spaces, and drops the spaces
/// around `{`, `}` and `;`. (Spaces elsewhere stay: in a selector they are combinators.)
fn minify(css: &str) -> String {
    let mut text = String::new();
    let mut rest = css;
    while let Some(open) = rest.find("/*") {
        text.push_str(&rest[..open]);
        text.push(' ');
        rest = rest[open..].find("*/").map_or("", |close| &rest[open + close + 2..]);
    }
    text.push_str(rest);
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        let glued = out.ends_with(['{', '}', ';']) || word.starts_with(['{', '}', ';']) || out.is_empty();
        if !glued {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}
