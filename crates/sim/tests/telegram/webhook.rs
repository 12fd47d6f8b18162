use std::collections::VecDeque;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};
use wellness_sim::telegram::{SimConfig, WebhookDelivery};

use crate::{WAIT, ann, call, fails, ok, start_sim, start_with};

#[derive(Debug, Clone)]
struct Hit {
    secret: Option<String>,
    content_type: Option<String>,
    body: Value,
}

/// A bot's webhook endpoint that answers with the given statuses in turn (200 afterwards).
#[derive(Clone)]
struct Receiver {
    hits: Arc<Mutex<Vec<Hit>>>,
    statuses: Arc<Mutex<VecDeque<u16>>>,
    reply: Option<Value>,
}

async fn receive(
    request: HttpRequest,
    body: web::Bytes,
    receiver: web::Data<Receiver>,
) -> HttpResponse {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    receiver.hits.lock().unwrap().push(Hit {
        secret: header("x-telegram-bot-api-secret-token"),
        content_type: header("content-type"),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let status = receiver.statuses.lock().unwrap().pop_front().unwrap_or(200);
    let mut response = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap());
    match &receiver.reply {
        Some(reply) if status == 200 => response.json(reply),
        _ => response.finish(),
    }
}

async fn start_receiver(statuses: &[u16], reply: Option<Value>) -> (String, Receiver) {
    let receiver = Receiver {
        hits: Arc::default(),
        statuses: Arc::new(Mutex::new(statuses.iter().copied().collect())),
        reply,
    };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/telegram/webhook", listener.local_addr().unwrap());
    let data = web::Data::new(receiver.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/telegram/webhook", web::post().to(receive))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    (url, receiver)
}

impl Receiver {
    async fn wait_for_hits(&self, count: usize) -> Vec<Hit> {
        let started = Instant::now();
        loop {
            let hits = self.hits.lock().unwrap().clone();
            if hits.len() >= count || started.elapsed() > WAIT {
                return hits;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(started.elapsed() < WAIT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn fast_retries() -> SimConfig {
    SimConfig {
        webhook: WebhookDelivery {
            retry_initial: Duration::from_millis(20),
            retry_max: Duration::from_millis(100),
            ..WebhookDelivery::default()
        },
        ..SimConfig::default()
    }
}

#[tokio::test]
async fn delivers_updates_as_json_posts_with_the_secret_header() {
    let sim = start_sim().await;
    let (url, receiver) = start_receiver(&[], None).await;
    ok(
        &sim,
        "setWebhook",
        json!({"url": url, "secret_token": "s3cret_Token-1"}),
    )
    .await;
    let update_id = sim.send_text(&ann(), "hello");
    let hits = receiver.wait_for_hits(1).await;
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].secret.as_deref(), Some("s3cret_Token-1"));
    assert_eq!(hits[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(hits[0].body["update_id"], update_id);
    assert_eq!(hits[0].body["message"]["text"], "hello");
    eventually("the update to leave the queue", || {
        sim.pending_updates().is_empty()
    })
    .await;
    let info = ok(&sim, "getWebhookInfo", json!({})).await;
    assert_eq!(info["url"], url);
    assert_eq!(info["pending_update_count"], 0);
    assert_eq!(info["has_custom_certificate"], false);
    assert!(info.get("last_error_message").is_none());
}

#[tokio::test]
async fn no_secret_header_without_a_secret() {
    let sim = start_sim().await;
    let (url, receiver) = start_receiver(&[], None).await;
    ok(&sim, "setWebhook", json!({"url": url})).await;
    sim.send_text(&ann(), "hello");
    assert_eq!(receiver.wait_for_hits(1).await[0].secret, None);
}

#[tokio::test]
async fn retries_a_failed_delivery_and_reports_the_last_error() {
    let sim = start_with(fast_retries()).await;
    let (url, receiver) = start_receiver(&[500, 502, 200], None).await;
    ok(&sim, "setWebhook", json!({"url": url})).await;
    let update_id = sim.send_text(&ann(), "hello");
    let hits = receiver.wait_for_hits(3).await;
    assert_eq!(hits.len(), 3);
    assert!(hits.iter().all(|hit| hit.body["update_id"] == update_id));
    eventually("the update to leave the queue", || {
        sim.pending_updates().is_empty()
    })
    .await;

    let deliveries = sim.webhook_deliveries();
    let statuses: Vec<_> = deliveries.iter().map(|d| d.status).collect();
    assert_eq!(statuses, vec![Some(500), Some(502), Some(200)]);
    let info = ok(&sim, "getWebhookInfo", json!({})).await;
    assert_eq!(
        info["last_error_message"],
        "Wrong response from the webhook: 502 Bad Gateway"
    );
    assert!(info["last_error_date"].as_i64().unwrap() > 0);
}

#[tokio::test]
async fn later_updates_wait_behind_a_failing_one() {
    let sim = start_with(fast_retries()).await;
    let (url, receiver) = start_receiver(&[503, 503], None).await;
    let first = sim.send_text(&ann(), "one");
    let second = sim.send_text(&ann(), "two");
    ok(&sim, "setWebhook", json!({"url": url})).await;
    let hits = receiver.wait_for_hits(4).await;
    let order: Vec<_> = hits
        .iter()
        .map(|h| h.body["update_id"].as_i64().unwrap())
        .collect();
    assert_eq!(order, vec![first, first, first, second]);
}

#[tokio::test]
async fn an_unreachable_webhook_keeps_updates_pending() {
    let sim = start_with(fast_retries()).await;
    let closed_port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    ok(
        &sim,
        "setWebhook",
        json!({"url": format!("http://127.0.0.1:{closed_port}/hook")}),
    )
    .await;
    sim.send_text(&ann(), "hello");
    eventually("a failed delivery", || sim.webhook_deliveries().len() >= 2).await;
    let info = ok(&sim, "getWebhookInfo", json!({})).await;
    assert_eq!(info["pending_update_count"], 1);
    assert_eq!(info["last_error_message"], "Connection refused");

    ok(&sim, "deleteWebhook", json!({})).await;
    let updates = ok(&sim, "getUpdates", json!({})).await;
    assert_eq!(updates[0]["message"]["text"], "hello");
}

#[tokio::test]
async fn gives_up_after_the_configured_attempts() {
    let mut config = fast_retries();
    config.webhook.max_attempts = Some(2);
    let sim = start_with(config).await;
    let (url, receiver) = start_receiver(&[500, 500, 500], None).await;
    ok(&sim, "setWebhook", json!({"url": url})).await;
    sim.send_text(&ann(), "dropped");
    eventually("the update to be dropped", || {
        sim.pending_updates().is_empty()
    })
    .await;
    assert_eq!(receiver.wait_for_hits(2).await.len(), 2);
}

#[tokio::test]
async fn runs_a_method_returned_in_the_webhook_answer() {
    let sim = start_sim().await;
    let reply = json!({"method": "sendMessage", "chat_id": 1001, "text": "pong"});
    let (url, _receiver) = start_receiver(&[], Some(reply)).await;
    ok(&sim, "setWebhook", json!({"url": url})).await;
    sim.send_text(&ann(), "ping");
    let sent = sim.wait_for_sent(1, WAIT).await.unwrap();
    assert_eq!(sent[0].text.as_deref(), Some("pong"));
}

#[tokio::test]
async fn set_webhook_validates_its_parameters() {
    let sim = start_sim().await;
    assert_eq!(
        fails(
            &sim,
            "setWebhook",
            json!({"url": "http://x.org/h", "secret_token": "no spaces"})
        )
        .await
        .1,
        "Bad Request: secret token contains illegal characters"
    );
    assert_eq!(
        fails(&sim, "setWebhook", json!({"url": "not a url"}))
            .await
            .1,
        "Bad Request: invalid webhook URL specified"
    );
    let strict = start_with(SimConfig {
        webhook: WebhookDelivery {
            require_https: true,
            ..WebhookDelivery::default()
        },
        ..SimConfig::default()
    })
    .await;
    assert_eq!(
        fails(
            &strict,
            "setWebhook",
            json!({"url": "http://bot.example.org/h"})
        )
        .await
        .1,
        "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    );
    assert_eq!(
        fails(
            &strict,
            "setWebhook",
            json!({"url": "https://bot.example.org:9000/h"})
        )
        .await
        .1,
        "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
    );
}

#[tokio::test]
async fn set_webhook_reports_an_unchanged_webhook_and_can_drop_pending_updates() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "old");
    let params = json!({"url": "http://127.0.0.1:9/h", "drop_pending_updates": true});
    assert_eq!(
        call(&sim, "setWebhook", params.clone()).await.1["description"],
        "Webhook was set"
    );
    assert_eq!(
        call(&sim, "setWebhook", params).await.1["description"],
        "Webhook is already set"
    );
    assert!(sim.pending_updates().is_empty());
    assert_eq!(sim.webhook().unwrap().url, "http://127.0.0.1:9/h");
    assert_eq!(
        call(&sim, "setWebhook", json!({"url": ""})).await.1["description"],
        "Webhook was deleted"
    );
    assert_eq!(
        call(&sim, "deleteWebhook", json!({})).await.1["description"],
        "Webhook is already deleted"
    );
}
