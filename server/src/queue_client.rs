//! `replyby queue list|ack`: the staff API from the command line.

use anyhow::{Context, bail};

pub async fn list(server: &str, token: &str, include_deferred: bool) -> anyhow::Result<String> {
    let url =
        format!("{}/v1/queue{}", server.trim_end_matches('/'), if include_deferred { "?include=deferred" } else { "" });
    let response = reqwest::Client::new()
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .with_context(|| format!("cannot reach {url}"))?;
    let status = response.status();
    let body = response.text().await?;
    if !status.is_success() {
        bail!("{url}: HTTP {status}: {body}");
    }
    let value: serde_json::Value = serde_json::from_str(&body)?;
    Ok(serde_json::to_string_pretty(&value)?)
}

pub async fn ack(server: &str, token: &str, id: &str) -> anyhow::Result<String> {
    let url = format!("{}/v1/queue/{id}/ack", server.trim_end_matches('/'));
    let response = reqwest::Client::new()
        .post(&url)
        .bearer_auth(token)
        .send()
        .await
        .with_context(|| format!("cannot reach {url}"))?;
    let status = response.status();
    if !status.is_success() {
        bail!("{url}: HTTP {status}: {}", response.text().await.unwrap_or_default());
    }
    Ok(format!("acknowledged {id}"))
}
