//! The config studio on `replyby serve`: `GET /studio` for an admin signed in with the staff
//! page's session, the sign-in form that leads back to it, and publishing with the session
//! (`PUT /v1/config` with the session's form token), on a real server on loopback with a real
//! SQLite file. Clocks are pinned (`--test-clock`). The browser side is tests/e2e/studio.test.mjs.

#[path = "support/serve.rs"]
mod support;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use support::{Server, serve};

const BOOTSTRAP: &str = "bootstrap-secret";
const AT: &str = "2027-03-03T15:00:00Z";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_replyby")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("replyby-studio-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn start(db: &str, static_dir: &str) -> Server {
    start_with(db, static_dir, &[])
}

fn start_with(db: &str, static_dir: &str, extra: &[&str]) -> Server {
    let args = [&["--db", db, "--static-dir", static_dir, "--rate-limit", "0", "--test-clock", AT][..], extra].concat();
    serve(&args, BOOTSTRAP)
}

fn add_staff(db: &str, name: &str, role: &str) -> String {
    let out = Command::new(bin()).args(["staff", "add", name, "--role", role, "--db", db]).output().expect("staff add");
    assert!(out.status.success(), "staff add: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// No redirects followed: the tests look at each one.
fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

struct Reply {
    code: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

async fn send(req: reqwest::RequestBuilder) -> Reply {
    let res = req.send().await.expect("send");
    let code = res.status().as_u16();
    let headers = res.headers().clone();
    Reply { code, headers, text: res.text().await.unwrap_or_default() }
}

/// `PUT /v1/config` as the studio sends it: the session cookie, its form token, this origin,
/// `If-Match` of the version `current` is.
async fn publish_with_session(base: &str, cookie: &str, form_token: &str, current: &Reply) -> Reply {
    send(
        client()
            .put(format!("{base}/v1/config"))
            .header("cookie", cookie)
            .header("origin", base)
            .header("x-replyby-form-token", form_token)
            .header("if-match", current.header("etag"))
            .body(current.text.clone()),
    )
    .await
}

/// Signs in on the form the way a browser does (same-origin `Origin`); the session cookie.
async fn sign_in(base: &str, token: &str, next: &str) -> (Reply, String) {
    let r = send(client().post(format!("{base}/staff/login")).header("origin", base).form(&[
        ("token", token),
        ("zone", "Europe/Berlin"),
        ("next", next),
    ]))
    .await;
    let cookie = r.header("set-cookie").split(';').next().unwrap_or("").to_owned();
    (r, cookie)
}

/// A static dir with a stand-in for the built studio page.
fn built(name: &str) -> PathBuf {
    let dir = temp_dir(name).join("dist");
    std::fs::create_dir_all(dir.join("studio")).expect("dir");
    std::fs::write(dir.join("studio/index.html"), "<!doctype html><title>studio</title><p>the built studio page</p>")
        .expect("write");
    std::fs::write(dir.join("studio/studio.js"), "// the studio's script").expect("write");
    std::fs::write(
        dir.join("index.html"),
        r#"<script type="module" src="embed.js" data-config="acme.json" data-view="badge"></script>"#,
    )
    .expect("write");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_signs_in_to_the_studio_and_publishes_with_the_session_and_its_form_token() {
    let dist = built("admin");
    let db = dist.parent().expect("parent").join("q.db");
    let db = db.to_str().expect("path");
    let server = start(db, dist.to_str().expect("path"));
    let base = &server.base;

    let r = send(client().get(format!("{base}/studio"))).await;
    assert_eq!((r.code, r.header("location")), (308, "/studio/"), "relative URLs in the page need the slash");

    // Not signed in: the sign-in form, which leads back to the studio.
    let r = send(client().get(format!("{base}/studio/"))).await;
    assert_eq!(r.code, 200);
    assert!(r.text.contains("config studio") && r.text.contains(r#"name="next" value="/studio/""#), "{}", r.text);
    assert!(r.header("content-security-policy").contains("frame-ancestors 'none'"));
    assert_eq!(send(client().get(format!("{base}/studio/session"))).await.code, 401);

    // A wrong token: the form again, still leading to the studio.
    let (r, _) = sign_in(base, "not-a-token", "/studio/").await;
    assert_eq!(r.code, 401);
    assert!(r.text.contains(r#"value="/studio/""#) && r.text.contains("That is not a staff token."));

    let (r, cookie) = sign_in(base, BOOTSTRAP, "/studio/").await;
    assert_eq!((r.code, r.header("location")), (303, "/studio/"));
    assert!(
        r.header("set-cookie").contains("Path=/;"),
        "the session reaches /studio and /v1/config: {}",
        r.header("set-cookie")
    );

    let r = send(client().get(format!("{base}/studio/")).header("cookie", &cookie)).await;
    assert_eq!(r.code, 200);
    assert!(r.text.contains("the built studio page"));
    let csp = r.header("content-security-policy");
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'") && csp.contains("connect-src 'self'"), "{csp}");
    assert_eq!(r.header("cache-control"), "no-store");
    // The demo page's widgets read this server's live config, so a publish shows on it.
    let demo = send(client().get(format!("{base}/"))).await;
    assert_eq!(demo.code, 200);
    assert!(demo.text.contains(r#"data-config="/v1/bundle""#) && !demo.text.contains("acme.json"), "{}", demo.text);
    // Its script is a plain static file.
    assert_eq!(send(client().get(format!("{base}/studio/studio.js"))).await.code, 200);

    let session = send(client().get(format!("{base}/studio/session")).header("cookie", &cookie)).await;
    assert_eq!(session.code, 200, "{}", session.text);
    let session = session.json();
    assert_eq!(session["role"], "admin");
    assert_eq!(session["configUrl"], "/v1/config");
    assert_eq!(session["source"], "store");
    assert_eq!(session["now"], AT, "the preview starts at the server's clock");
    let form_token = session["formToken"].as_str().expect("form token").to_owned();

    let current = send(client().get(format!("{base}/v1/config?layer=base"))).await;
    let tag = current.header("etag").to_owned();
    let mut edited = current.json();
    edited["company"] = Value::String("Acme Networks (studio)".into());
    let body = edited.to_string();
    let put = |cookie: Option<&str>, token: Option<&str>, origin: &str, tag: &str| {
        let mut req = client()
            .put(format!("{base}/v1/config"))
            .header("origin", origin)
            .header("if-match", tag)
            .body(body.clone());
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        if let Some(t) = token {
            req = req.header("x-replyby-form-token", t);
        }
        send(req)
    };
    assert_eq!(put(None, Some(&form_token), base, &tag).await.code, 401, "the form token alone is nothing");
    assert_eq!(put(Some(&cookie), None, base, &tag).await.code, 403, "the cookie alone is not enough");
    assert_eq!(put(Some(&cookie), Some("forged"), base, &tag).await.code, 403);
    assert_eq!(
        put(Some(&cookie), Some(&form_token), "https://evil.example", &tag).await.code,
        403,
        "another site's page cannot publish"
    );
    let r = put(Some(&cookie), Some(&form_token), base, &tag).await;
    assert_eq!(r.code, 200, "{}", r.text);
    assert_eq!(r.json()["created_by"], "bootstrap");
    let live = send(client().get(format!("{base}/v1/config"))).await.json();
    assert_eq!(live["company"], "Acme Networks (studio)");
    // Publishing again from the old version is a conflict, with the current ETag to compare.
    let r = put(Some(&cookie), Some(&form_token), base, &tag).await;
    assert_eq!(r.code, 412, "{}", r.text);
    assert_eq!(r.header("etag"), "\"v2\"");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_is_told_the_studio_is_for_admins_and_cannot_publish() {
    let dist = built("agent");
    let db = dist.parent().expect("parent").join("q.db");
    let db = db.to_str().expect("path");
    let agent = add_staff(db, "Ana", "agent");
    let server = start(db, dist.to_str().expect("path"));
    let base = &server.base;
    let (_, cookie) = sign_in(base, &agent, "/studio/").await;
    let r = send(client().get(format!("{base}/studio/")).header("cookie", &cookie)).await;
    assert_eq!(r.code, 403);
    assert!(r.text.contains("The studio is for admins") && r.text.contains("Ana"), "{}", r.text);
    let session = send(client().get(format!("{base}/studio/session")).header("cookie", &cookie)).await;
    assert_eq!(session.code, 403);
    // The agent's own session token, on the agent's session: still not an admin.
    let staff_page = send(client().get(format!("{base}/staff/schedule")).header("cookie", &cookie)).await;
    let token = staff_page.text.split("name=\"csrf\" value=\"").nth(1).and_then(|t| t.split('"').next()).expect("csrf");
    let current = send(client().get(format!("{base}/v1/config?layer=base"))).await;
    let r = publish_with_session(base, &cookie, token, &current).await;
    assert_eq!(r.code, 403, "{}", r.text);
    assert!(r.text.contains("only an admin"), "{}", r.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_only_leads_to_the_studio_or_the_staff_page_and_an_unbuilt_studio_says_how_to_build_it() {
    let dir = temp_dir("unbuilt");
    let db = dir.join("q.db");
    let server = start(db.to_str().expect("path"), dir.join("empty").to_str().expect("path"));
    let base = &server.base;
    let (r, cookie) = sign_in(base, BOOTSTRAP, "https://evil.example/").await;
    assert_eq!((r.code, r.header("location")), (303, "/staff"));
    let (r, _) = sign_in(base, BOOTSTRAP, "").await;
    assert_eq!(r.header("location"), "/staff");
    let r = send(client().get(format!("{base}/studio/")).header("cookie", &cookie)).await;
    assert_eq!(r.code, 404);
    assert!(r.text.contains("./scripts/build-widget.sh"), "{}", r.text);
    // Signing out ends the session for the studio too.
    let out = send(client().post(format!("{base}/staff/logout"))).await;
    let cleared: Vec<&str> = out.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).collect();
    assert!(cleared.iter().any(|c| c.contains("Path=/;") && c.contains("Max-Age=0")), "{cleared:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_config_pinned_to_a_file_the_studio_is_told_so_and_publishing_is_refused() {
    let dist = built("file");
    let dir = dist.parent().expect("parent").to_owned();
    let config = dir.join("acme.json");
    std::fs::write(&config, replyby_core::DEMO_CONFIG).expect("write");
    let db = dir.join("q.db");
    let server = start_with(
        db.to_str().expect("path"),
        dist.to_str().expect("path"),
        &["--config", config.to_str().expect("path")],
    );
    let base = &server.base;
    let (_, cookie) = sign_in(base, BOOTSTRAP, "/studio/").await;
    let session = send(client().get(format!("{base}/studio/session")).header("cookie", &cookie)).await.json();
    assert_eq!(session["source"]["file"], config.to_str().expect("path"), "{session}");
    let current = send(client().get(format!("{base}/v1/config?layer=base"))).await;
    let r = publish_with_session(base, &cookie, session["formToken"].as_str().expect("token"), &current).await;
    assert_eq!(r.code, 409, "{}", r.text);
    assert!(r.text.contains("managed by a file"), "{}", r.text);
}

/// `--static-dir` sends a file's precompressed `.br` or `.gz` (as `scripts/build-widget.sh`
/// writes them) to a browser that accepts it, and the file itself otherwise. The payloads
/// here are stand-ins, so the test sees which file went out; tests/e2e/studio.test.mjs
/// decodes the real build's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_goes_out_precompressed_to_a_browser_that_accepts_it() {
    let dist = built("precompressed");
    std::fs::write(dist.join("w.wasm"), b"\0asm the wasm itself").expect("write");
    std::fs::write(dist.join("w.wasm.br"), b"brotli bytes").expect("write");
    std::fs::write(dist.join("w.wasm.gz"), b"gzip bytes").expect("write");
    std::fs::write(dist.join("plain.js"), b"// no compressed copies").expect("write");
    let db = dist.join("q.db");
    let server = start(db.to_str().expect("path"), dist.to_str().expect("path"));
    let get = |path: &str, accept: &str| {
        let mut req = client().get(format!("{}{path}", server.base));
        if !accept.is_empty() {
            req = req.header("accept-encoding", accept);
        }
        send(req)
    };
    for (accept, body, encoding) in [
        ("gzip, deflate, br, zstd", "brotli bytes", "br"),
        ("gzip", "gzip bytes", "gzip"),
        ("", "\0asm the wasm itself", ""),
        ("identity", "\0asm the wasm itself", ""),
    ] {
        let r = get("/w.wasm", accept).await;
        assert_eq!(r.code, 200, "{accept}");
        assert_eq!((r.text.as_str(), r.header("content-encoding")), (body, encoding), "Accept-Encoding: {accept}");
        // The type is the file's own, not the compressed copy's.
        assert_eq!(r.header("content-type"), "application/wasm", "{accept}");
        // Every Vary line counts (HTTP reads several as one list).
        let vary: Vec<&str> = r.headers.get_all("vary").iter().filter_map(|v| v.to_str().ok()).collect();
        assert!(vary.iter().any(|v| v.to_ascii_lowercase().contains("accept-encoding")), "{accept}: {vary:?}");
    }
    let r = get("/plain.js", "br").await;
    assert_eq!((r.text.as_str(), r.header("content-encoding")), ("// no compressed copies", ""));
}
