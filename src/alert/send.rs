//! Delivering one alert to one channel: the request shape of each service, the webhook
//! signature, and whether a failure is worth retrying.
//!
//! Errors never carry the channel URL (reqwest's errors do, so it is stripped): tokens live in
//! those URLs, and error texts end up in logs and in `alerts.last_error`.

use super::channel::Target;
use super::format::{self, Flavor, Limit};
use super::AlertPayload;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use std::time::Duration;

/// Header carrying the dedupe key, so that receivers can drop a repeat delivery.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// Header carrying `sha256=<hex HMAC-SHA256 of the body>` when the channel has a `secret`.
pub const SIGNATURE_HEADER: &str = "X-Chiso-Signature";
/// Header naming the event (`new`, `updated`, `test`).
pub const EVENT_HEADER: &str = "X-Chiso-Event";

/// Why a delivery failed, and whether another attempt may succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Timeouts, connection errors, 408/425/429 and 5xx answers: try again later.
    #[error("{message}")]
    Retryable {
        /// What happened (no secrets).
        message: String,
        /// The receiver's `Retry-After`, when it gave one in seconds.
        retry_after: Option<Duration>,
    },
    /// Other 4xx answers, invalid addresses, a rejected recipient: retrying cannot help.
    #[error("{0}")]
    Permanent(String),
}

impl SendError {
    fn retry(message: impl Into<String>) -> Self {
        SendError::Retryable {
            message: message.into(),
            retry_after: None,
        }
    }
}

/// Everything one delivery needs besides the target.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// The report.
    pub payload: &'a AlertPayload,
    /// The channel's name (for the webhook body).
    pub channel: &'a str,
    /// Sent as `Idempotency-Key`.
    pub dedupe_key: &'a str,
    /// HMAC key of the webhook signature.
    pub secret: Option<&'a str>,
    /// Facts shown in a message.
    pub max_facts: usize,
}

/// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`: what [`SIGNATURE_HEADER`] holds.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// The generic webhook's JSON body: the article, all its facts and both message forms.
pub fn webhook_body(d: &Delivery<'_>) -> serde_json::Value {
    let p = d.payload;
    json!({
        "event": p.event,
        "channel": d.channel,
        "idempotency_key": d.dedupe_key,
        "article": {
            "url": p.url,
            "title": p.title,
            "source": p.source,
            "province": p.province,
            "published_at": p.published_at.map(|t| t.to_rfc3339()),
            "areas": p.areas,
        },
        "facts": p.facts,
        "text": format::message(p, Flavor::Plain, d.max_facts, Limit::None),
        "markdown": format::message(p, Flavor::Markdown, d.max_facts, Limit::None),
    })
}

/// Sends one alert over HTTP or SMTP; `Ok` only once the receiver acknowledged it.
pub async fn deliver(
    client: &reqwest::Client,
    target: &Target,
    d: &Delivery<'_>,
) -> Result<(), SendError> {
    let p = d.payload;
    match target {
        Target::Webhook { url, auth } => {
            let body = serde_json::to_vec(&webhook_body(d))
                .map_err(|e| SendError::Permanent(format!("cannot encode payload: {e}")))?;
            let mut req = client
                .post(url.clone())
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(IDEMPOTENCY_HEADER, d.dedupe_key)
                .header(EVENT_HEADER, p.event.as_str());
            if let Some(secret) = d.secret {
                req = req.header(SIGNATURE_HEADER, signature(secret, &body));
            }
            if let Some((u, pw)) = auth {
                req = req.basic_auth(u, Some(pw));
            }
            check(req.body(body).send().await).await
        }
        Target::Slack { url } => {
            let text = format::message(
                p,
                Flavor::Slack,
                d.max_facts,
                Limit::Utf16(format::SLACK_LIMIT),
            );
            let body = json!({ "text": text, "unfurl_links": false });
            check(post_json(client, url, &body).send().await).await
        }
        Target::Discord { url } => {
            let content = format::message(
                p,
                Flavor::Markdown,
                d.max_facts,
                Limit::Utf16(format::DISCORD_LIMIT),
            );
            let body = json!({ "content": content, "allowed_mentions": { "parse": [] } });
            check(post_json(client, url, &body).send().await).await
        }
        Target::Telegram { url, chats } => {
            let text = format::message(
                p,
                Flavor::Plain,
                d.max_facts,
                Limit::Utf16(format::TELEGRAM_LIMIT),
            );
            for chat in chats {
                let body = json!({ "chat_id": chat, "text": text });
                check(post_json(client, url, &body).send().await).await?;
            }
            Ok(())
        }
        Target::Ntfy {
            server,
            topic,
            auth,
        } => {
            let message = format::message(
                p,
                Flavor::Markdown,
                d.max_facts,
                Limit::Bytes(format::NTFY_LIMIT_BYTES),
            );
            let body = json!({
                "topic": topic,
                "title": format::subject(p),
                "message": message,
                "markdown": true,
                "click": p.url,
                "tags": ["bar_chart"],
            });
            let mut req = post_json(client, server, &body);
            if let Some((u, pw)) = auth {
                req = req.basic_auth(u, Some(pw));
            }
            check(req.send().await).await
        }
        Target::Mail(m) => super::mail::send(m, d).await,
    }
}

/// A `POST` of a JSON body (reqwest's `json` feature is not enabled crate-wide).
fn post_json(
    client: &reqwest::Client,
    url: &url::Url,
    body: &serde_json::Value,
) -> reqwest::RequestBuilder {
    client
        .post(url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_string())
}

/// Sorts an HTTP answer into acknowledged, retryable or permanent.
async fn check(res: Result<reqwest::Response, reqwest::Error>) -> Result<(), SendError> {
    let res = match res {
        Ok(r) => r,
        Err(e) => {
            let e = e.without_url();
            let msg = error_chain(&e);
            return Err(if e.is_builder() {
                SendError::Permanent(msg)
            } else {
                SendError::retry(msg)
            });
        }
    };
    let status = res.status();
    if status.is_success() {
        return Ok(());
    }
    let retry_after = res
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let text = res.text().await.unwrap_or_default();
    let snippet: String = text.chars().take(200).collect();
    let message = format!("HTTP {status}: {}", snippet.trim());
    if should_retry(status.as_u16()) {
        Err(SendError::Retryable {
            message,
            retry_after,
        })
    } else {
        Err(SendError::Permanent(message))
    }
}

/// Whether an HTTP status is worth another attempt.
pub fn should_retry(status: u16) -> bool {
    matches!(status, 408 | 425 | 429) || !(200..500).contains(&status)
}

/// An error and its causes on one line, without repeats.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(c) = cur {
        let s = c.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = c.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_a_known_vector() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn retry_decisions() {
        assert!(should_retry(503));
        assert!(should_retry(429));
        assert!(!should_retry(404));
        assert!(!should_retry(400));
    }
}
