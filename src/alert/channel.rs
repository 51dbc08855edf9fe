//! Channel URLs in the style of Apprise, turned into where and how to deliver.
//!
//! Every HTTP channel takes a `base` query parameter that replaces its service's address
//! (`tgram://TOKEN/CHAT?base=http://127.0.0.1:8080`), so that tests and self-hosted relays can
//! stand in for the public service. Tokens are parsed by hand for `tgram`, `slack` and `discord`
//! because a bot token such as `123456:ABC` is not a valid URL host.

use url::Url;

/// Where Telegram's Bot API lives.
pub const TELEGRAM_BASE: &str = "https://api.telegram.org";
/// Where Slack's incoming webhooks live.
pub const SLACK_BASE: &str = "https://hooks.slack.com";
/// Where Discord's webhooks live.
pub const DISCORD_BASE: &str = "https://discord.com";
/// The public ntfy server, for `ntfy://TOPIC`.
pub const NTFY_BASE: &str = "https://ntfy.sh";
/// SMTP port of `mailto://` (plain, no TLS).
pub const SMTP_PORT: u16 = 25;
/// SMTP port of `mailtos://` (STARTTLS); 465 selects implicit TLS.
pub const SMTPS_PORT: u16 = 587;

/// A channel URL that cannot be used; the message never contains the URL's secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("channel {url}: {reason}")]
pub struct ChannelError {
    /// The URL, redacted.
    pub url: String,
    /// What is wrong with it.
    pub reason: String,
}

/// How a mail channel secures its SMTP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailTls {
    /// `mailto://`: plain SMTP (a local relay, or tests).
    None,
    /// `mailtos://` on any port but 465: STARTTLS, required.
    StartTls,
    /// `mailtos://` on port 465: TLS from the first byte.
    Wrapper,
}

/// An SMTP destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailTarget {
    /// SMTP server.
    pub host: String,
    /// SMTP port.
    pub port: u16,
    /// Transport security.
    pub tls: MailTls,
    /// Login, when the server wants one.
    pub user: Option<String>,
    /// Password for `user`.
    pub password: Option<String>,
    /// Sender address.
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
}

/// A parsed channel: where to send and in which shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Generic webhook (`json://`, `jsons://`): the whole report as JSON.
    Webhook {
        /// Endpoint.
        url: Url,
        /// Basic-auth credentials from the URL.
        auth: Option<(String, String)>,
    },
    /// Slack incoming webhook.
    Slack {
        /// Endpoint.
        url: Url,
    },
    /// Discord webhook.
    Discord {
        /// Endpoint.
        url: Url,
    },
    /// Telegram bot: one `sendMessage` per chat.
    Telegram {
        /// `…/bot<TOKEN>/sendMessage`.
        url: Url,
        /// Chat ids or `@channel` names.
        chats: Vec<String>,
    },
    /// ntfy topic, published as JSON to the server's root.
    Ntfy {
        /// Server address (with any path prefix).
        server: Url,
        /// Topic name.
        topic: String,
        /// Basic-auth credentials from the URL.
        auth: Option<(String, String)>,
    },
    /// E-mail over SMTP.
    Mail(MailTarget),
}

impl Target {
    /// Parses a channel URL.
    pub fn parse(raw: &str) -> Result<Target, ChannelError> {
        let err = |reason: &str| ChannelError {
            url: crate::config::redact_url(raw),
            reason: reason.to_string(),
        };
        let (scheme, rest) = raw
            .split_once("://")
            .ok_or_else(|| err("expected SCHEME://..."))?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let base = param("base");
        let segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect();
        match scheme {
            "json" | "jsons" => {
                let url = Url::parse(raw).map_err(|e| err(&e.to_string()))?;
                let auth = credentials(&url);
                let proto = if scheme == "jsons" { "https" } else { "http" };
                let host = url.host_str().filter(|h| !h.is_empty()).unwrap_or("");
                let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
                let server = format!("{proto}://{host}{port}");
                let mut target =
                    join(base.as_deref().unwrap_or(&server), url.path()).map_err(|e| err(&e))?;
                let kept: Vec<(String, String)> = params
                    .iter()
                    .filter(|(k, _)| k != "base")
                    .cloned()
                    .collect();
                if !kept.is_empty() {
                    target.query_pairs_mut().extend_pairs(kept);
                }
                Ok(Target::Webhook { url: target, auth })
            }
            "slack" => {
                // slack://T…/B…/XXXX (an optional trailing #channel is ignored).
                let tokens: Vec<&String> =
                    segments.iter().filter(|s| !s.starts_with('#')).collect();
                if tokens.len() < 3 {
                    return Err(err("expected slack://TOKEN_A/TOKEN_B/TOKEN_C"));
                }
                let path = format!("/services/{}/{}/{}", tokens[0], tokens[1], tokens[2]);
                let url =
                    join(base.as_deref().unwrap_or(SLACK_BASE), &path).map_err(|e| err(&e))?;
                Ok(Target::Slack { url })
            }
            "discord" => {
                if segments.len() < 2 {
                    return Err(err("expected discord://WEBHOOK_ID/WEBHOOK_TOKEN"));
                }
                let path = format!("/api/webhooks/{}/{}", segments[0], segments[1]);
                let url =
                    join(base.as_deref().unwrap_or(DISCORD_BASE), &path).map_err(|e| err(&e))?;
                Ok(Target::Discord { url })
            }
            "tgram" => {
                if segments.len() < 2 {
                    return Err(err("expected tgram://BOT_TOKEN/CHAT_ID"));
                }
                let token = segments[0].strip_prefix("bot").unwrap_or(&segments[0]);
                let path = format!("/bot{token}/sendMessage");
                let url =
                    join(base.as_deref().unwrap_or(TELEGRAM_BASE), &path).map_err(|e| err(&e))?;
                Ok(Target::Telegram {
                    url,
                    chats: segments[1..].to_vec(),
                })
            }
            "ntfy" | "ntfys" => {
                let url = Url::parse(raw).map_err(|e| err(&e.to_string()))?;
                let auth = credentials(&url);
                let host = url.host_str().unwrap_or("").to_string();
                let (server, topic) = if segments.len() <= 1 && url.port().is_none() {
                    // ntfy://TOPIC: the public server (host = topic).
                    (NTFY_BASE.to_string(), host)
                } else {
                    let proto = if scheme == "ntfys" { "https" } else { "http" };
                    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
                    let topic = segments.last().cloned().unwrap_or_default();
                    (format!("{proto}://{host}{port}"), topic)
                };
                if topic.is_empty() {
                    return Err(err("expected ntfy://[HOST/]TOPIC"));
                }
                let server = join(base.as_deref().unwrap_or(&server), "/").map_err(|e| err(&e))?;
                Ok(Target::Ntfy {
                    server,
                    topic,
                    auth,
                })
            }
            "mailto" | "mailtos" => {
                let url = Url::parse(raw).map_err(|e| err(&e.to_string()))?;
                let host = url
                    .host_str()
                    .filter(|h| !h.is_empty())
                    .ok_or_else(|| err("expected mailto://USER:PASSWORD@SMTP_HOST"))?
                    .to_string();
                let auth = credentials(&url);
                let secure = scheme == "mailtos";
                let port = url
                    .port()
                    .unwrap_or(if secure { SMTPS_PORT } else { SMTP_PORT });
                let tls = match (secure, port) {
                    (false, _) => MailTls::None,
                    (true, 465) => MailTls::Wrapper,
                    (true, _) => MailTls::StartTls,
                };
                let user = auth.as_ref().map(|(u, _)| u.clone());
                let from = param("from")
                    .or_else(|| user.clone().filter(|u| u.contains('@')))
                    .unwrap_or_else(|| format!("chiso@{host}"));
                let to: Vec<String> = param("to")
                    .map(|t| {
                        t.split(',')
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .collect()
                    })
                    .unwrap_or_else(|| vec![from.clone()]);
                Ok(Target::Mail(MailTarget {
                    host,
                    port,
                    tls,
                    password: auth.as_ref().map(|(_, p)| p.clone()),
                    user,
                    from,
                    to,
                }))
            }
            _ => Err(err(&format!("unknown channel scheme {scheme:?}"))),
        }
    }
}

/// Percent-decoded user and password of a URL, when it has a user.
fn credentials(url: &Url) -> Option<(String, String)> {
    if url.username().is_empty() {
        return None;
    }
    Some((
        percent_decode(url.username()),
        percent_decode(url.password().unwrap_or("")),
    ))
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

/// `base` (scheme, host, port and an optional path prefix) followed by `path`.
fn join(base: &str, path: &str) -> Result<Url, String> {
    let b = Url::parse(base).map_err(|e| format!("invalid base address: {e}"))?;
    if !matches!(b.scheme(), "http" | "https") {
        return Err("base address must be http:// or https://".into());
    }
    let full = format!("{}{}", base.trim_end_matches('/'), path);
    Url::parse(&full).map_err(|e| format!("invalid address: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telegram_token_with_colon_and_base_override() {
        let t = Target::parse("tgram://123456:ABC-def/-100200?base=http://127.0.0.1:9/x").unwrap();
        match t {
            Target::Telegram { url, chats } => {
                assert_eq!(
                    url.as_str(),
                    "http://127.0.0.1:9/x/bot123456:ABC-def/sendMessage"
                );
                assert_eq!(chats, vec!["-100200".to_string()]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn public_services_by_default() {
        let Target::Slack { url } = Target::parse("slack://T1/B2/C3").unwrap() else {
            panic!()
        };
        assert_eq!(url.as_str(), "https://hooks.slack.com/services/T1/B2/C3");
        let Target::Discord { url } = Target::parse("discord://42/tok").unwrap() else {
            panic!()
        };
        assert_eq!(url.as_str(), "https://discord.com/api/webhooks/42/tok");
        let Target::Ntfy { server, topic, .. } = Target::parse("ntfy://chiso-alerts").unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (server.as_str(), topic.as_str()),
            ("https://ntfy.sh/", "chiso-alerts")
        );
        let Target::Ntfy {
            server,
            topic,
            auth,
        } = Target::parse("ntfys://u:p@ntfy.example/topic").unwrap()
        else {
            panic!()
        };
        assert_eq!(server.as_str(), "https://ntfy.example/");
        assert_eq!(topic, "topic");
        assert_eq!(auth, Some(("u".into(), "p".into())));
    }

    #[test]
    fn webhook_keeps_path_and_query_drops_credentials() {
        let Target::Webhook { url, auth } =
            Target::parse("jsons://u:s3cret@hooks.example:8443/in/chiso?k=v").unwrap()
        else {
            panic!()
        };
        assert_eq!(url.as_str(), "https://hooks.example:8443/in/chiso?k=v");
        assert_eq!(auth, Some(("u".into(), "s3cret".into())));
    }

    #[test]
    fn mail_defaults() {
        let Target::Mail(m) =
            Target::parse("mailtos://alice%40example.vn:pw@smtp.example.vn?to=a@x.vn,b@y.vn")
                .unwrap()
        else {
            panic!()
        };
        assert_eq!(m.port, SMTPS_PORT);
        assert_eq!(m.tls, MailTls::StartTls);
        assert_eq!(m.from, "alice@example.vn");
        assert_eq!(m.to, vec!["a@x.vn".to_string(), "b@y.vn".to_string()]);
        let Target::Mail(m) = Target::parse("mailto://127.0.0.1:2525?from=c@z.vn").unwrap() else {
            panic!()
        };
        assert_eq!(m.tls, MailTls::None);
        assert_eq!(m.to, vec!["c@z.vn".to_string()]);
    }

    #[test]
    fn errors_do_not_leak_secrets() {
        let e = Target::parse("discord://only-one-s3cret").unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }
}
