//! E-mail channels (`mailto://`, `mailtos://`) through lettre's SMTP transport: UTF-8 subject and
//! plain-text body, a `Message-ID` derived from the dedupe key so that mail clients can fold a
//! repeat delivery.

use super::channel::{MailTarget, MailTls};
use super::format::{self, Flavor, Limit};
use super::send::{Delivery, SendError};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Time allowed for one SMTP conversation.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Builds the message of one alert.
pub fn build(m: &MailTarget, d: &Delivery<'_>) -> Result<Message, SendError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| SendError::Permanent(format!("{what}: {e}"));
    let from: Mailbox = m
        .from
        .parse()
        .map_err(|e| bad("invalid from address", &e))?;
    let mut builder = Message::builder()
        .from(from)
        .subject(format::subject(d.payload))
        .message_id(Some(format!("<{}@chiso>", d.dedupe_key)))
        .header(ContentType::TEXT_PLAIN);
    if m.to.is_empty() {
        return Err(SendError::Permanent("no recipient (to=...)".into()));
    }
    for to in &m.to {
        let mb: Mailbox = to.parse().map_err(|e| bad("invalid to address", &e))?;
        builder = builder.to(mb);
    }
    let body = format::message(d.payload, Flavor::Plain, d.max_facts, Limit::None);
    builder
        .body(body)
        .map_err(|e| bad("cannot build the message", &e))
}

/// Sends one alert by SMTP; permanent SMTP replies (5xx) are not retried.
pub async fn send(m: &MailTarget, d: &Delivery<'_>) -> Result<(), SendError> {
    let message = build(m, d)?;
    let builder = match m.tls {
        MailTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&m.host),
        MailTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&m.host)
            .map_err(|e| SendError::Permanent(format!("TLS set-up: {e}")))?,
        MailTls::Wrapper => AsyncSmtpTransport::<Tokio1Executor>::relay(&m.host)
            .map_err(|e| SendError::Permanent(format!("TLS set-up: {e}")))?,
    };
    let mut builder = builder.port(m.port).timeout(Some(SMTP_TIMEOUT));
    if let Some(user) = &m.user {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            m.password.clone().unwrap_or_default(),
        ));
    }
    let transport = builder.build();
    match transport.send(message).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(SendError::Permanent(format!("SMTP: {e}"))),
        Err(e) => Err(SendError::Retryable {
            message: format!("SMTP: {e}"),
            retry_after: None,
        }),
    }
}
