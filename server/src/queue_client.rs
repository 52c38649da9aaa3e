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
