//! Alerts in the library: which channels an article triggers, the outbox and its leases on both
//! backends, and delivery to real receivers on loopback (webhook shapes, signature, SMTP mail,
//! retries with backoff).

mod alert_support;
mod db_support;

use alert_support::fixtures::{self, channel, config, report_facts, seed};
use alert_support::{Behavior, HttpReceiver, SmtpReceiver};
use chiso::alert::{self, DispatchOptions};
use chiso::store::{self, Store, StoreError};
use chrono::{Duration as CDuration, Utc};
use hmac::Mac;
use std::sync::Arc;
use std::time::Duration;

fn fast(config: &chiso::config::Config, max_attempts: u32) -> DispatchOptions {
    DispatchOptions {
        max_attempts,
        backoff_base: Duration::from_millis(1),
        backoff_cap: Duration::from_millis(5),
        ..DispatchOptions::from_config(config)
    }
}

#[test]
fn outbox_rows_follow_channel_filters() {
    let (_, cfg) = config(
        "sqlite::memory:",
        &[
            channel("all", "json://127.0.0.1:9/all"),
            format!(
                "{}\nareas = [\"Kỳ Anh\"]",
                channel("area", "json://127.0.0.1:9/a")
            ),
            format!(
                "{}\nareas = [\"Cẩm Xuyên\"]",
                channel("other-area", "json://127.0.0.1:9/b")
            ),
            format!(
                "{}\nindicators = [\"budget_revenue\"]",
                channel("ind", "json://127.0.0.1:9/c")
            ),
            format!(
                "{}\nkeywords = [\"tổng kết\"]",
                channel("kw", "json://127.0.0.1:9/d")
            ),
            format!(
                "{}\nkeywords = [\"lúa gạo\"]",
                channel("kw-no", "json://127.0.0.1:9/e")
            ),
            format!(
                "{}\nmin_facts = 3",
                channel("three", "json://127.0.0.1:9/f")
            ),
            format!(
                "{}\nprovinces = [\"Nghệ An\"]",
                channel("province-no", "json://127.0.0.1:9/g")
            ),
            format!(
                "{}\nprovinces = [\"tỉnh Hà Tĩnh\"]",
                channel("province", "json://127.0.0.1:9/h")
            ),
            format!("{}\nupdates = true", channel("upd", "json://127.0.0.1:9/i")),
        ],
    );
    let a = fixtures::article(
        "https://baohatinh.example/x.html",
        "Huyện Kỳ Anh tổng kết năm",
    );
    let rows = alert::outbox_rows(&cfg, &cfg.sources[0], &a, &report_facts());
    let mut new: Vec<&str> = rows
        .iter()
        .filter(|r| r.event == "new")
        .map(|r| r.channel.as_str())
        .collect();
    new.sort();
    assert_eq!(new, ["all", "area", "ind", "kw", "province", "upd"]);
    let upd: Vec<_> = rows.iter().filter(|r| r.event == "updated").collect();
    assert_eq!(upd.len(), 1);
    assert_eq!(upd[0].channel, "upd");
    let upd_new = rows
        .iter()
        .find(|r| r.channel == "upd" && r.event == "new")
        .unwrap();
    assert_eq!(
        upd[0].dedupe_key, upd_new.dedupe_key,
        "same facts, same key"
    );
    // The payload carries the article and every fact.
    let p: alert::AlertPayload = serde_json::from_str(&upd_new.payload).unwrap();
    assert_eq!(p.facts.len(), 2);
    assert_eq!(p.areas, ["huyện Kỳ Anh"]);
    // Changed facts give a new key; no facts and min_facts 1 give no row.
    let mut changed = report_facts();
    changed[0].value = 9000.0;
    let rows2 = alert::outbox_rows(&cfg, &cfg.sources[0], &a, &changed);
    let k2 = &rows2
        .iter()
        .find(|r| r.channel == "upd")
        .unwrap()
        .dedupe_key;
    assert_ne!(k2, &upd_new.dedupe_key);
    assert!(alert::outbox_rows(&cfg, &cfg.sources[0], &a, &[]).is_empty());
}

async fn outbox_leases(store: Arc<dyn Store>) {
    let (_, cfg) = config(
        "sqlite::memory:",
        &[channel("hook", "json://127.0.0.1:9/h")],
    );
    let saved = seed(store.as_ref(), &cfg, 3).await;
    assert_eq!(saved.len(), 3);
    // Saving the same article again (unchanged) queues nothing more.
    let a = fixtures::article(
        "https://baohatinh.example/bao-cao-0.html",
        "Huyện Kỳ Anh tổng kết năm, báo cáo số 0",
    );
    fixtures::save(store.as_ref(), &cfg, &a, &report_facts()).await;
    assert_eq!(store.counts().await.unwrap().alerts, 3);

    let now = Utc::now();
    let lease = now + CDuration::seconds(60);
    let a_claim = store.claim_alerts("A", now, lease, 2).await.unwrap();
    assert_eq!(a_claim.len(), 2);
    let b_claim = store.claim_alerts("B", now, lease, 10).await.unwrap();
    assert_eq!(b_claim.len(), 1, "B gets only what A did not lease");
    assert!(a_claim.iter().all(|x| x.id != b_claim[0].id));
    assert!(store
        .claim_alerts("B", now, lease, 10)
        .await
        .unwrap()
        .is_empty());

    // A dies; once its lease has expired B takes its alerts over, and A can no longer record.
    let later = now + CDuration::seconds(120);
    let taken = store
        .claim_alerts("B", later, later + CDuration::seconds(60), 10)
        .await
        .unwrap();
    let mut ids: Vec<i64> = taken.iter().map(|x| x.id).collect();
    ids.sort();
    let mut expected: Vec<i64> = a_claim
        .iter()
        .map(|x| x.id)
        .chain([b_claim[0].id])
        .collect();
    expected.sort();
    assert_eq!(ids, expected, "B reclaims A's expired leases and its own");
    assert!(!store
        .mark_alert_sent(a_claim[0].id, "A", now)
        .await
        .unwrap());
    assert!(!store
        .renew_alert_lease(a_claim[0].id, "A", lease)
        .await
        .unwrap());
    assert!(store
        .mark_alert_sent(a_claim[0].id, "B", now)
        .await
        .unwrap());
    assert!(store
        .mark_alert_attempt_failed(a_claim[1].id, "B", "HTTP 500", None)
        .await
        .unwrap());
    assert!(store
        .mark_alert_attempt_failed(b_claim[0].id, "B", "HTTP 503", Some(later))
        .await
        .unwrap());

    let failed = store.list_alerts(Some("failed"), 10).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].id, a_claim[1].id);
    assert_eq!(failed[0].last_error.as_deref(), Some("HTTP 500"));
    assert_eq!(failed[0].attempts, 1);
    let sent = store.list_alerts(Some("sent"), 10).await.unwrap();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].sent_at.is_some());
    assert_eq!(store.list_alerts(None, 10).await.unwrap().len(), 3);
    let counts = store.alert_status_counts().await.unwrap();
    assert_eq!(
        counts,
        vec![
            ("failed".into(), 1),
            ("pending".into(), 1),
            ("sent".into(), 1)
        ]
    );

    // Retry: failed goes back to pending with fresh attempts; sent is left alone; unknown id.
    assert!(store.retry_alert(a_claim[1].id, now).await.unwrap());
    assert!(!store.retry_alert(a_claim[0].id, now).await.unwrap());
    assert!(matches!(
        store.retry_alert(999_999, now).await,
        Err(StoreError::NotFound)
    ));
    let pending = store.list_alerts(Some("pending"), 10).await.unwrap();
    assert_eq!(pending.len(), 2);
    // The retried one is due now, the backed-off one only at `later`.
    let due = store
        .claim_alerts("C", now + CDuration::seconds(1), lease, 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].id, a_claim[1].id);
    assert_eq!(due[0].attempts, 0);
    // A restarted "C" releases what the dead "C" leased; anyone may claim it at once.
    assert_eq!(store.release_alert_leases("C").await.unwrap(), 1);
    assert_eq!(store.release_alert_leases("C").await.unwrap(), 0);
    let again = store
        .claim_alerts("E", now + CDuration::seconds(1), lease, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].id, again[0].attempts), (a_claim[1].id, 0));

    // The feed lists the reports with facts.
    let feed = alert::atom_feed(store.as_ref(), "http://127.0.0.1:9464", 10)
        .await
        .unwrap();
    assert_eq!(feed.matches("<entry>").count(), 3);
    assert!(feed.contains("8.850,26 tỷ đồng (đạt 107,79% KH, tăng 14,62%)"));
    assert!(feed.contains("<link href=\"https://baohatinh.example/bao-cao-2.html\"/>"));
}

#[tokio::test]
async fn outbox_leases_sqlite() {
    let (_dir, url) = db_support::sqlite_url();
    outbox_leases(store::open(&url, 2).await.unwrap()).await;
}

#[tokio::test]
async fn outbox_leases_postgres() {
    let Some(url) = db_support::postgres_url("outbox_leases").await else {
        return;
    };
    outbox_leases(store::open(&url, 4).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_claims_never_share_an_alert_postgres() {
    let Some(url) = db_support::postgres_url("concurrent_claims").await else {
        return;
    };
    let store = store::open(&url, 8).await.unwrap();
    let (_, cfg) = config(
        "sqlite::memory:",
        &[channel("hook", "json://127.0.0.1:9/h")],
    );
    seed(store.as_ref(), &cfg, 20).await;
    let now = Utc::now();
    let mut tasks = Vec::new();
    for i in 0..4 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let c = s
                    .claim_alerts(&format!("i{i}"), now, now + CDuration::seconds(60), 3)
                    .await
                    .unwrap();
                if c.is_empty() {
                    return got;
                }
                got.extend(c.into_iter().map(|x| x.id));
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(n, 20, "every alert claimed once");
    assert_eq!(all.len(), 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_shapes_on_loopback() {
    let rx = HttpReceiver::start().await;
    let b = &rx.base;
    let host = b.trim_start_matches("http://");
    let (_dir, url) = db_support::sqlite_url();
    let (_, cfg) = config(
        &url,
        &[
            format!(
                "{}\nsecret = \"s3cret-key\"",
                channel("hook", &format!("json://{host}/hook?k=v"))
            ),
            channel("slack", &format!("slack://T000/B111/XXXX?base={b}")),
            channel("discord", &format!("discord://4242/tok-en?base={b}")),
            channel("tg", &format!("tgram://bot123456%3AABC-def/-1001?base={b}")),
            channel("ntfy", &format!("ntfy://{host}/chiso-topic")),
        ],
    );
    let store = store::open(&url, 2).await.unwrap();
    seed(store.as_ref(), &cfg, 1).await;
    let r = alert::dispatch_once(store.as_ref(), &cfg, "t")
        .await
        .unwrap();
    assert_eq!((r.claimed, r.sent, r.failed), (5, 5, 0), "{r:?}");

    let hook = rx.under("/hook");
    assert_eq!(hook.len(), 1);
    let h = &hook[0];
    assert_eq!(h.path, "/hook?k=v");
    let body = h.json();
    assert_eq!(body["event"], "new");
    assert_eq!(
        body["article"]["url"],
        "https://baohatinh.example/bao-cao-0.html"
    );
    assert_eq!(body["article"]["source"], "baohatinh");
    assert_eq!(body["facts"].as_array().unwrap().len(), 2);
    assert_eq!(body["facts"][0]["indicator"], "gross_output");
    assert_eq!(
        h.header("idempotency-key"),
        body["idempotency_key"].as_str()
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"s3cret-key").unwrap();
    mac.update(&h.body);
    let want: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect();
    assert_eq!(
        h.header("x-chiso-signature"),
        Some(format!("sha256={want}").as_str())
    );
    assert!(body["text"]
        .as_str()
        .unwrap()
        .contains("8.850,26 tỷ đồng (đạt 107,79% KH, tăng 14,62%)"));

    let slack = rx.under("/services/");
    assert_eq!(slack.len(), 1);
    assert_eq!(slack[0].path, "/services/T000/B111/XXXX");
    let text = slack[0].json()["text"].as_str().unwrap().to_string();
    assert!(
        text.starts_with("*Báo cáo mới: <https://baohatinh.example/bao-cao-0.html|"),
        "{text}"
    );

    let discord = rx.under("/api/webhooks/");
    assert_eq!(discord.len(), 1);
    assert_eq!(discord[0].path, "/api/webhooks/4242/tok-en");
    let content = discord[0].json()["content"].as_str().unwrap().to_string();
    assert!(
        content.contains("](https://baohatinh.example/bao-cao-0.html)**"),
        "{content}"
    );
    assert!(content.chars().count() <= 2000);

    let tg = rx.under("/bot");
    assert_eq!(tg.len(), 1);
    assert_eq!(tg[0].path, "/bot123456:ABC-def/sendMessage");
    let tb = tg[0].json();
    assert_eq!(tb["chat_id"], "-1001");
    assert!(tb["text"].as_str().unwrap().contains("huyện Kỳ Anh"));

    let ntfy: Vec<_> = rx
        .requests()
        .into_iter()
        .filter(|r| r.path == "/")
        .collect();
    assert_eq!(ntfy.len(), 1);
    let nb = ntfy[0].json();
    assert_eq!(nb["topic"], "chiso-topic");
    assert_eq!(nb["click"], "https://baohatinh.example/bao-cao-0.html");
    assert!(nb["title"]
        .as_str()
        .unwrap()
        .contains("Huyện Kỳ Anh tổng kết năm"));

    // Nothing is sent twice.
    let again = alert::dispatch_once(store.as_ref(), &cfg, "t")
        .await
        .unwrap();
    assert_eq!(again.claimed, 0);
    assert_eq!(rx.requests().len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_arrives_with_utf8_subject_and_body() {
    let smtp = SmtpReceiver::start().await;
    let (_dir, url) = db_support::sqlite_url();
    let (_, cfg) = config(
        &url,
        &[channel(
            "mail",
            &format!(
                "mailto://127.0.0.1:{}?from=chiso@example.vn&to=analyst@example.vn,lead@example.vn",
                smtp.port
            ),
        )],
    );
    let store = store::open(&url, 2).await.unwrap();
    seed(store.as_ref(), &cfg, 1).await;
    let r = alert::dispatch_once(store.as_ref(), &cfg, "t")
        .await
        .unwrap();
    assert_eq!((r.sent, r.failed), (1, 0), "{r:?}");
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1);
    let m = &mails[0];
    assert_eq!(m.from, "chiso@example.vn");
    assert_eq!(m.to, ["analyst@example.vn", "lead@example.vn"]);
    assert_eq!(
        m.subject,
        "[chiso] Báo cáo mới: Huyện Kỳ Anh tổng kết năm, báo cáo số 0"
    );
    assert!(m.body.contains("tổng giá trị sản phẩm (huyện Kỳ Anh, 2023): 8.850,26 tỷ đồng (đạt 107,79% KH, tăng 14,62%)"), "{}", m.body);
    assert!(m.body.contains("https://baohatinh.example/bao-cao-0.html"));
    assert!(m
        .headers
        .get("message-id")
        .is_some_and(|v| v.ends_with("@chiso>")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receiver_failing_three_times_gets_the_alert_once() {
    let rx = HttpReceiver::start().await;
    rx.set("/flaky", Behavior::FailTimes(3, 503));
    let host = rx.base.trim_start_matches("http://").to_string();
    let (_dir, url) = db_support::sqlite_url();
    let (_, cfg) = config(&url, &[channel("flaky", &format!("json://{host}/flaky"))]);
    let store = store::open(&url, 2).await.unwrap();
    seed(store.as_ref(), &cfg, 1).await;
    let opts = fast(&cfg, 8);
    let mut passes = 0;
    loop {
        passes += 1;
        let r = alert::dispatch_with(store.as_ref(), &cfg, "t", &opts)
            .await
            .unwrap();
        if r.sent == 1 || passes > 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let reqs = rx.under("/flaky");
    assert_eq!(reqs.len(), 4, "three failures, then the success");
    assert_eq!(reqs.iter().filter(|r| r.acked).count(), 1);
    let keys: Vec<_> = reqs
        .iter()
        .map(|r| r.header("idempotency-key").unwrap().to_string())
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0] == w[1]),
        "one key across retries"
    );
    let sent = store.list_alerts(Some("sent"), 10).await.unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].attempts, 4);
    // No more deliveries afterwards.
    let r = alert::dispatch_with(store.as_ref(), &cfg, "t", &opts)
        .await
        .unwrap();
    assert_eq!(r.claimed, 0);
}
