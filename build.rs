//! What the widget compiles in, without what is only for this repository's readers (the
//! wasm would carry every byte): the stylesheet (`styles/widget.css`, adopted by each
//! widget's shadow root) without its comments and surplus whitespace, and the English
//! sentences (`i18n/en.json`) without their indentation and without the server's.

fn main() {
    println!("cargo:rerun-if-changed=styles/widget.css");
    println!("cargo:rerun-if-changed=i18n/en.json");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let css = std::fs::read_to_string("styles/widget.css").expect("read styles/widget.css");
    std::fs::write(out.join("widget.css"), minify(&css)).expect("write widget.css");
    // JSON strings hold no raw line breaks, so each line's leading whitespace and the line
    // breaks themselves lie between tokens.
    // The `receipt.*` sentences are the server's (e-mails); the widget never says them. Each
    // entry is one line, so the lines of those keys go, and a comma left before the closing
    // brace with them.
    let en = std::fs::read_to_string("i18n/en.json").expect("read i18n/en.json");
    let kept: String = en.lines().map(str::trim_start).filter(|line| !line.starts_with("\"receipt.")).collect();
    let kept = match kept.strip_suffix(",}") {
        Some(body) => format!("{body}}}"),
        None => kept,
    };
    std::fs::write(out.join("en.json"), kept).expect("write en.json");
}

/// Drops `/* … */` comments, collapses whitespace to single spaces, and drops the spaces
/// around `{`, `}` and `;`, and after `:` and `,`. (Other spaces stay: in a selector they are
/// combinators. No selector has a `:` or `,` before a space that matters: `a, b` is `a,b`.
/// The space before `!important` stays too: brotli compresses ` !important` better.)
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
        let glued = out.ends_with(['{', '}', ';', ':', ',']) || word.starts_with(['{', '}', ';']) || out.is_empty();
        if !glued {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}
