//! `replyby queue list|ack` and `replyby deliveries list|retry`: the staff API from the command line.

use anyhow::{Context, bail};

/// Sends a staff request; the body on success, an error naming the URL and status otherwise.
async fn call(request: reqwest::RequestBuilder, url: &str, token: &str) -> anyhow::Result<String> {
    let response = request.bearer_auth(token).send().await.with_context(|| format!("cannot reach {url}"))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if !status.is_success() {
        bail!("{url}: HTTP {status}: {body}");
    }
    Ok(body)
}

pub async fn list(server: &str, token: &str, include_deferred: bool, include_spam: bool) -> anyhow::Result<String> {
    let include: Vec<&str> =
        [("deferred", include_deferred), ("spam", include_spam)].into_iter().filter(|x| x.1).map(|x| x.0).collect();
    let query = if include.is_empty() { String::new() } else { format!("?include={}", include.join(",")) };
    let url = format!("{}/v1/queue{query}", server.trim_end_matches('/'));
    let body = call(reqwest::Client::new().get(&url), &url, token).await?;
    let value: serde_json::Value = serde_json::from_str(&body)?;
    Ok(serde_json::to_string_pretty(&value)?)
}

pub async fn ack(server: &str, token: &str, id: &str) -> anyhow::Result<String> {
    let url = format!("{}/v1/queue/{id}/ack", server.trim_end_matches('/'));
    call(reqwest::Client::new().post(&url), &url, token).await?;
    Ok(format!("acknowledged {id}"))
}

/// `replyby queue erase --email ADDRESS` (an admin's token): what was removed, as JSON.
pub async fn erase(server: &str, token: &str, email: &str) -> anyhow::Result<String> {
    let url = format!("{}/v1/erasure", server.trim_end_matches('/'));
    let body =
        call(reqwest::Client::new().post(&url).json(&serde_json::json!({ "email": email })), &url, token).await?;
    pretty(&body)
}

pub async fn deliveries(server: &str, token: &str, state: Option<&str>) -> anyhow::Result<String> {
    let query = state.map(|s| format!("?state={s}")).unwrap_or_default();
    let url = format!("{}/v1/deliveries{query}", server.trim_end_matches('/'));
    let body = call(reqwest::Client::new().get(&url), &url, token).await?;
    let value: serde_json::Value = serde_json::from_str(&body)?;
    Ok(serde_json::to_string_pretty(&value)?)
}

pub async fn retry(server: &str, token: &str, id: &str) -> anyhow::Result<String> {
    let url = format!("{}/v1/deliveries/{id}/retry", server.trim_end_matches('/'));
    call(reqwest::Client::new().post(&url), &url, token).await?;
    Ok(format!("{id} will be sent again now"))
}

fn pretty(body: &str) -> anyhow::Result<String> {
    let value: serde_json::Value = serde_json::from_str(body)?;
    Ok(serde_json::to_string_pretty(&value)?)
}

/// `replyby schedule add`: the change as the API's JSON.
pub async fn schedule_add(server: &str, token: &str, change: serde_json::Value) -> anyhow::Result<String> {
    let url = format!("{}/v1/schedule", server.trim_end_matches('/'));
    pretty(&call(reqwest::Client::new().post(&url).json(&change), &url, token).await?)
}

pub async fn schedule_list(server: &str, token: &str, from: Option<&str>, to: Option<&str>) -> anyhow::Result<String> {
    let mut query: Vec<String> = Vec::new();
    query.extend(from.map(|f| format!("from={f}")));
    query.extend(to.map(|t| format!("to={t}")));
    let q = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
    let url = format!("{}/v1/schedule{q}", server.trim_end_matches('/'));
    pretty(&call(reqwest::Client::new().get(&url), &url, token).await?)
}

pub async fn schedule_remove(server: &str, token: &str, id: &str) -> anyhow::Result<String> {
    let url = format!("{}/v1/schedule/{id}", server.trim_end_matches('/'));
    call(reqwest::Client::new().delete(&url), &url, token).await?;
    Ok(format!("removed {id}"))
}

/// The base config (or one version of it) and its ETag.
pub async fn config_pull(server: &str, token: &str, version: Option<i64>) -> anyhow::Result<(String, String)> {
    let base = server.trim_end_matches('/');
    let url = match version {
        Some(v) => format!("{base}/v1/config/versions/{v}"),
        None => format!("{base}/v1/config?layer=base"),
    };
    let response = reqwest::Client::new()
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .with_context(|| format!("cannot reach {url}"))?;
    let status = response.status();
    let etag = response.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let body = response.text().await.unwrap_or_default();
    if !status.is_success() {
        bail!("{url}: HTTP {status}: {body}");
    }
    Ok((body, etag))
}

/// Stores `text` as the next version, on top of the newest one now.
pub async fn config_push(server: &str, token: &str, text: String, note: &str) -> anyhow::Result<String> {
    let (_, etag) = config_pull(server, token, None).await?;
    let url = format!("{}/v1/config", server.trim_end_matches('/'));
    let request = reqwest::Client::new()
        .put(&url)
        .query(&[("note", note)])
        .header("if-match", etag)
        .header("content-type", "application/json")
        .body(text);
    pretty(&call(request, &url, token).await?)
}

pub async fn config_versions(server: &str, token: &str) -> anyhow::Result<String> {
    let url = format!("{}/v1/config/versions", server.trim_end_matches('/'));
    pretty(&call(reqwest::Client::new().get(&url), &url, token).await?)
}
