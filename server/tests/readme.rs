//! The README and `docs/*.md` as tests: their command examples are run, and their links checked,
//! so neither can drift from the code.
//!
//! **Command examples.** A fenced code block whose first line starts with `$ replyby ` is run:
//! each line starting with `$ ` is a command, and the lines after it, up to the next `$ ` line or
//! the end of the block, are exactly what the terminal shows — stdout and stderr as the program
//! writes them, in order. A last line `# exit N` gives the exit code when it is not 0. The command
//! is split as a shell splits simple words ('single' and "double" quotes, backslash escapes);
//! pipes, redirections, globs and `$(…)` are refused rather than half-supported. It runs with the
//! freshly built binary and the repository root as its working directory.
//!
//! A page may define files for its examples: a fenced block whose info string is
//! `json file=NAME` (the prose says "save this as NAME"). The commands of such a page run in a
//! scratch directory holding those files and an `examples` link to the repository's, so
//! `examples/…` paths mean the same there.
//!
//! **Links.** No Markdown link leaves the repository: a relative link must name an existing file
//! inside it (and an existing heading for `#anchor`s); `http(s)://` links are refused except the
//! local demo's (`127.0.0.1`, `localhost`). URLs in code must use the local demo or a domain
//! reserved for examples (`example.com`, `*.example`, `*.invalid`, …).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().expect("repository root")
}

/// README.md and every docs/*.md, as (path relative to the root, text).
fn pages() -> Vec<(String, String)> {
    let root = root();
    let mut names = vec!["README.md".to_owned()];
    let mut docs: Vec<String> = std::fs::read_dir(root.join("docs"))
        .expect("docs/")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    names.extend(docs);
    names.into_iter().map(|n| (n.clone(), std::fs::read_to_string(root.join(&n)).expect("read page"))).collect()
}

/// One fenced code block.
struct Block {
    /// 1-based line of the opening fence.
    line: usize,
    info: String,
    lines: Vec<String>,
}

/// A page split into prose lines (code blocks blanked, so line numbers stay) and code blocks.
fn split(text: &str) -> (Vec<String>, Vec<Block>) {
    let mut prose = Vec::new();
    let mut blocks = Vec::new();
    let mut open: Option<(String, Block)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let fence: String = trimmed.chars().take_while(|&c| c == '`' || c == '~').collect();
        let is_fence = fence.len() >= 3 && fence.chars().all(|c| c == fence.chars().next().unwrap_or('`'));
        match &mut open {
            Some((marker, block)) => {
                if is_fence && fence.starts_with(marker.as_str()) && trimmed[fence.len()..].trim().is_empty() {
                    let (_, block) = open.take().expect("open block");
                    blocks.push(block);
                } else {
                    block.lines.push(line.to_owned());
                }
                prose.push(String::new());
            }
            None if is_fence => {
                let info = trimmed[fence.len()..].trim().to_owned();
                open = Some((fence, Block { line: i + 1, info, lines: Vec::new() }));
                prose.push(String::new());
            }
            None => prose.push(line.to_owned()),
        }
    }
    if let Some((_, block)) = open {
        panic!("a code block opened at line {} is never closed", block.line);
    }
    (prose, blocks)
}

/// Splits a command line as a shell splits simple words.
fn shell_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("unclosed '".to_owned()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("unclosed \"".to_owned()),
                        },
                        Some(c @ ('$' | '`')) => return Err(format!("{c} inside double quotes is not supported")),
                        Some(c) => word.push(c),
                        None => return Err("unclosed \"".to_owned()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.push(chars.next().ok_or("a trailing backslash")?);
            }
            '|' | '&' | ';' | '<' | '>' | '(' | ')' | '$' | '`' | '*' | '?' | '[' | '#' | '~' | '{' => {
                return Err(format!("{c:?} is shell syntax: write a plain command"));
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// One command of an example and what it must show.
struct Example {
    page: String,
    line: usize,
    command: String,
    args: Vec<String>,
    output: String,
    exit: i32,
}

/// The command blocks of a page, and the files it defines.
fn examples(page: &str, blocks: &[Block]) -> (Vec<Example>, BTreeMap<String, String>) {
    let mut out = Vec::new();
    let mut files = BTreeMap::new();
    for b in blocks {
        if let Some(name) = b.info.split_whitespace().find_map(|w| w.strip_prefix("file=")) {
            assert!(
                !name.contains('/') && !name.is_empty(),
                "{page}:{}: file={name}: a plain file name, please",
                b.line
            );
            let mut text = b.lines.join("\n");
            text.push('\n');
            assert!(files.insert(name.to_owned(), text).is_none(), "{page}:{}: {name} is defined twice", b.line);
            continue;
        }
        if !b.lines.first().is_some_and(|l| l.starts_with("$ replyby ")) {
            continue;
        }
        let mut i = 0;
        while i < b.lines.len() {
            let command = b.lines[i].strip_prefix("$ ").expect("a command line").to_owned();
            let line = b.line + 1 + i;
            let mut body: Vec<&str> = Vec::new();
            i += 1;
            while i < b.lines.len() && !b.lines[i].starts_with("$ ") {
                body.push(&b.lines[i]);
                i += 1;
            }
            let mut exit = 0;
            if let Some(last) = body.last()
                && let Some(code) = last.strip_prefix("# exit ")
            {
                exit = code.trim().parse().unwrap_or_else(|_| panic!("{page}:{line}: bad trailer {last:?}"));
                body.pop();
            }
            let words = shell_words(&command).unwrap_or_else(|e| panic!("{page}:{line}: {command}: {e}"));
            assert_eq!(words.first().map(String::as_str), Some("replyby"), "{page}:{line}: only replyby is run");
            let mut output = body.join("\n");
            if !body.is_empty() {
                output.push('\n');
            }
            out.push(Example { page: page.to_owned(), line, command, args: words[1..].to_vec(), output, exit });
        }
    }
    (out, files)
}

/// Runs the binary and returns what a terminal shows (stdout and stderr through one pipe, so in
/// the order written) and the exit code.
fn run(args: &[String], dir: &Path) -> (String, i32) {
    let (mut reader, writer) = std::io::pipe().expect("pipe");
    let mut command = Command::new(env!("CARGO_BIN_EXE_replyby"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("REPLYBY_STAFF_TOKEN")
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::null())
        .stdout(writer.try_clone().expect("pipe"))
        .stderr(writer);
    let mut child = command.spawn().expect("run replyby");
    // The command holds the pipe's write ends until dropped; without this the read never ends.
    drop(command);
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).expect("read output");
    let status = child.wait().expect("wait");
    (String::from_utf8_lossy(&bytes).into_owned(), status.code().unwrap_or(-1))
}

/// A directory for a page's own files, with `examples` linked to the repository's.
fn scratch(page: &str, files: &BTreeMap<String, String>) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("replyby-docs-{}-{}", std::process::id(), page.replace('/', "-")));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write example file");
    }
    #[cfg(unix)]
    std::os::unix::fs::symlink(root().join("examples"), dir.join("examples")).expect("link examples/");
    dir
}

#[test]
fn command_examples_in_the_readme_and_docs_print_what_they_show() {
    let root = root();
    let mut failures = Vec::new();
    let mut ran: BTreeMap<String, usize> = BTreeMap::new();
    for (page, text) in pages() {
        let (_, blocks) = split(&text);
        let (examples, files) = examples(&page, &blocks);
        let dir = if files.is_empty() { root.clone() } else { scratch(&page, &files) };
        for e in &examples {
            let (output, exit) = run(&e.args, &dir);
            if output != e.output || exit != e.exit {
                failures.push(format!(
                    "{}:{}: $ {}\n--- the page shows (exit {}):\n{}--- the binary printed (exit {}):\n{}",
                    e.page, e.line, e.command, e.exit, e.output, exit, output
                ));
            }
        }
        if dir != root {
            let _ = std::fs::remove_dir_all(&dir);
        }
        ran.insert(page, examples.len());
    }
    assert!(failures.is_empty(), "{} example(s) differ from the binary:\n\n{}", failures.len(), failures.join("\n"));
    assert!(ran.get("README.md").is_some_and(|&n| n >= 2), "the README's examples were not found: {ran:?}");
    assert!(ran.values().sum::<usize>() >= 20, "too few examples were found; is the format still understood? {ran:?}");
}

/// GitHub's anchor for a heading: the text lowercased, punctuation dropped, spaces as hyphens.
fn slug(heading: &str) -> String {
    let mut text = String::new();
    // Link text stays, its target goes: [text](target) → text.
    let mut rest = heading;
    while let Some(open) = rest.find('[') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find("](").and_then(|mid| after[mid..].find(')').map(|close| (mid, mid + close))) {
            Some((mid, close)) => {
                text.push_str(&after[..mid]);
                rest = &after[close + 1..];
            }
            None => {
                text.push('[');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    text.trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Every anchor a page's headings make (repeated headings get -1, -2, … as on GitHub).
fn anchors(text: &str) -> Vec<String> {
    let (prose, _) = split(text);
    let mut out: Vec<String> = Vec::new();
    for line in prose {
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            let base = slug(&line[hashes..]);
            let mut anchor = base.clone();
            let mut n = 0;
            while out.contains(&anchor) {
                n += 1;
                anchor = format!("{base}-{n}");
            }
            out.push(anchor);
        }
    }
    out
}

/// A prose line with its code spans cut out, and the code spans.
fn code_spans(line: &str) -> (String, Vec<String>) {
    let mut prose = String::new();
    let mut code = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        prose.push_str(&rest[..start]);
        let ticks = rest[start..].chars().take_while(|&c| c == '`').count();
        let marker = &rest[start..start + ticks];
        let after = &rest[start + ticks..];
        match after.find(marker) {
            Some(end) => {
                code.push(after[..end].to_owned());
                prose.push(' ');
                rest = &after[end + ticks..];
            }
            None => {
                prose.push_str(marker);
                rest = after;
            }
        }
    }
    prose.push_str(rest);
    (prose, code)
}

/// The link targets of a prose line: `[text](target)`, `![alt](target)`, `<scheme:…>` and
/// reference definitions `[label]: target`.
fn link_targets(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    while let Some(pos) = line[i..].find("](") {
        let start = i + pos + 2;
        let mut depth = 0;
        let mut end = start;
        while end < bytes.len() {
            match bytes[end] {
                b'(' => depth += 1,
                b')' if depth == 0 => break,
                b')' => depth -= 1,
                _ => {}
            }
            end += 1;
        }
        let inner = line[start..end].trim();
        // A title after the target: [x](target "title").
        let target = inner.split_whitespace().next().unwrap_or("").trim_start_matches('<').trim_end_matches('>');
        out.push(target.to_owned());
        i = end.min(bytes.len());
    }
    let mut rest = line;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        match after.find('>') {
            Some(close) if after[..close].contains("://") || after[..close].starts_with("mailto:") => {
                out.push(after[..close].to_owned());
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    let trimmed = line.trim_start();
    if trimmed.starts_with('[')
        && let Some(close) = trimmed.find("]:")
    {
        out.push(trimmed[close + 2..].split_whitespace().next().unwrap_or("").to_owned());
    }
    out
}

/// The host of each `http(s)://` URL in a piece of text.
fn url_hosts(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for scheme in ["http://", "https://"] {
        let mut rest = text;
        while let Some(pos) = rest.find(scheme) {
            let after = &rest[pos + scheme.len()..];
            let url_end = after
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ')' | '>' | '<' | '`' | ']'))
                .unwrap_or(after.len());
            let host_end = after[..url_end].find(['/', ':', '?', '#']).unwrap_or(url_end);
            out.push((format!("{scheme}{}", &after[..url_end]), after[..host_end].to_ascii_lowercase()));
            rest = &after[url_end..];
        }
    }
    out
}

fn is_local(host: &str) -> bool {
    host == "127.0.0.1" || host == "localhost"
}

/// Domains reserved for documentation (RFC 2606, RFC 6761).
fn is_example(host: &str) -> bool {
    let under = |d: &str| host == d || host.ends_with(&format!(".{d}"));
    under("example.com") || under("example.org") || under("example.net") || under("example") || under("invalid")
}

/// Vocabulary IRIs that JSON-LD output names its terms by (`"@context": "https://schema.org"`,
/// `"https://schema.org/Monday"`): identifiers in code, never followed. A link to them in prose
/// is still refused.
fn is_vocabulary(host: &str) -> bool {
    host == "schema.org"
}

#[test]
fn links_in_the_readme_and_docs_stay_inside_the_repository() {
    let root = root();
    let mut problems = Vec::new();
    let mut checked = 0;
    for (page, text) in pages() {
        let dir = root.join(&page).parent().expect("page dir").to_path_buf();
        let (prose, blocks) = split(&text);
        for (n, line) in prose.iter().enumerate() {
            let at = format!("{page}:{}", n + 1);
            let (outside_code, spans) = code_spans(line);
            for span in &spans {
                for (url, host) in url_hosts(span) {
                    if !is_local(&host) && !is_example(&host) && !is_vocabulary(&host) {
                        problems.push(format!("{at}: {url} in code: use the local demo or an example domain"));
                    }
                }
            }
            let targets = link_targets(&outside_code);
            for target in &targets {
                checked += 1;
                if target.starts_with("http://") || target.starts_with("https://") {
                    let host = url_hosts(target).first().map(|(_, h)| h.clone()).unwrap_or_default();
                    if !is_local(&host) {
                        problems.push(format!("{at}: link to {target} leaves the repository"));
                    }
                    continue;
                }
                if target.contains(':') && !target.starts_with('#') {
                    problems.push(format!("{at}: link to {target}: only files of the repository"));
                    continue;
                }
                let (path, anchor) = target.split_once('#').map_or((target.as_str(), None), |(p, a)| (p, Some(a)));
                let file = if path.is_empty() { root.join(&page) } else { dir.join(path) };
                let Ok(file) = file.canonicalize() else {
                    problems.push(format!("{at}: link to {target}: no such file"));
                    continue;
                };
                if !file.starts_with(&root) {
                    problems.push(format!("{at}: link to {target} leaves the repository"));
                    continue;
                }
                if let Some(anchor) = anchor
                    && file.extension().is_some_and(|e| e == "md")
                {
                    let text = std::fs::read_to_string(&file).unwrap_or_default();
                    if !anchors(&text).iter().any(|a| a == anchor) {
                        problems.push(format!("{at}: link to {target}: no heading makes #{anchor}"));
                    }
                }
            }
            // A bare URL in prose becomes a link on GitHub, so the same rule holds.
            let mut bare = outside_code.clone();
            for t in &targets {
                bare = bare.replace(t.as_str(), " ");
            }
            for (url, host) in url_hosts(&bare) {
                if !is_local(&host) {
                    problems.push(format!("{at}: {url} leaves the repository (put examples in code)"));
                }
            }
        }
        for b in &blocks {
            for (i, line) in b.lines.iter().enumerate() {
                for (url, host) in url_hosts(line) {
                    if !is_local(&host) && !is_example(&host) && !is_vocabulary(&host) {
                        problems.push(format!(
                            "{page}:{}: {url} in code: use the local demo or an example domain",
                            b.line + 1 + i
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked >= 20, "too few links were found ({checked}); is the format still understood?");
}

#[test]
fn the_checks_themselves() {
    assert_eq!(
        shell_words(r#"replyby quote "my config.json" --plan 'pro' a\ b"#),
        Ok(vec![
            "replyby".into(),
            "quote".into(),
            "my config.json".into(),
            "--plan".into(),
            "pro".into(),
            "a b".into()
        ])
    );
    assert!(shell_words("replyby check x.json | head").is_err());
    assert!(shell_words("replyby check $HOME/x.json").is_err());
    assert_eq!(slug(" POST /v1/requests"), "post-v1requests");
    assert_eq!(
        slug(" Hand-off (settings, webhooks, e-mail, staff page)"),
        "hand-off-settings-webhooks-e-mail-staff-page"
    );
    assert_eq!(slug(" The [`dates`](x.md) list"), "the-dates-list");
    assert_eq!(anchors("# A\n```\n# not a heading\n```\n## A\n"), ["a", "a-1"]);
    assert_eq!(
        link_targets(r#"see [a](docs/a.md#x "t") and ![b](<p q.png>) or <https://x.example/>"#),
        ["docs/a.md#x", "p", "https://x.example/"]
    );
    assert_eq!(code_spans("a `b` c ``d`e`` f"), ("a   c   f".to_owned(), vec!["b".to_owned(), "d`e".to_owned()]));
    assert_eq!(
        url_hosts("go to http://127.0.0.1:8080/x."),
        [("http://127.0.0.1:8080/x.".to_owned(), "127.0.0.1".into())]
    );
    assert!(is_example("support.example.com") && is_example("www.acme.example") && !is_example("example.com.evil.org"));
    assert!(is_vocabulary("schema.org") && !is_vocabulary("schema.org.evil.example") && !is_vocabulary("evil.org"));
    let (ex, files) = examples(
        "t.md",
        &[
            Block { line: 1, info: "json file=a.json".into(), lines: vec!["{}".into()] },
            Block {
                line: 5,
                info: String::new(),
                lines: vec![
                    "$ replyby check a.json".into(),
                    "oops".into(),
                    "# exit 1".into(),
                    "$ replyby schema".into(),
                ],
            },
            Block { line: 9, info: "sh".into(), lines: vec!["replyby check a.json".into()] },
        ],
    );
    assert_eq!(files.get("a.json").map(String::as_str), Some("{}\n"));
    let got: Vec<(usize, &str, &str, i32)> =
        ex.iter().map(|e| (e.line, e.command.as_str(), e.output.as_str(), e.exit)).collect();
    assert_eq!(got, [(6, "replyby check a.json", "oops\n", 1), (9, "replyby schema", "", 0)]);
}
