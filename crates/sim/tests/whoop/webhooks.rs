use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;
use wellness_sim::whoop::{
    RecordRef, WebhookNotice, WebhookSettings, WebhookType, WhoopSimConfig, sign_webhook,
};

use crate::{ANN, start_with};

/// What the receiver got: (timestamp header, signature header, body).
type Received = Arc<Mutex<Vec<(String, String, String)>>>;

struct Receiver {
    url: String,
    received: Received,
    /// Answer 500 to this many requests first.
    failures: Arc<Mutex<u32>>,
}

async fn receive(
    request: HttpRequest,
    body: web::Bytes,
    received: web::Data<Received>,
    failures: web::Data<Arc<Mutex<u32>>>,
) -> HttpResponse {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    received.lock().unwrap().push((
        header("X-WHOOP-Signature-Timestamp"),
        header("X-WHOOP-Signature"),
        String::from_utf8(body.to_vec()).unwrap(),
    ));
    let mut failures = failures.lock().unwrap();
    if *failures > 0 {
        *failures -= 1;
        HttpResponse::InternalServerError().finish()
    } else {
        HttpResponse::NoContent().finish()
    }
}

fn start_receiver(failures: u32) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/whoop/webhook", listener.local_addr().unwrap());
    let received: Received = Arc::default();
    let failures = Arc::new(Mutex::new(failures));
    let (r, f) = (received.clone(), failures.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(r.clone()))
            .app_data(web::Data::new(f.clone()))
            .default_service(web::to(receive))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    Receiver {
        url,
        received,
        failures,
    }
}

fn config(url: &str) -> WhoopSimConfig {
    WhoopSimConfig {
        webhooks: WebhookSettings {
            url: Some(url.to_owned()),
            retry_initial: Duration::from_millis(10),
            ..WebhookSettings::default()
        },
        ..WhoopSimConfig::default()
    }
}

#[tokio::test]
async fn webhooks_are_signed_over_timestamp_and_raw_body() {
    let receiver = start_receiver(0);
    let sim = start_with(config(&receiver.url)).await;
    let notice = WebhookNotice::new(
        ANN,
        WebhookType::SleepUpdated,
        "ecfc6a15-4661-442f-a9a4-f160dd7afae8",
    );
    let delivered = sim.send_webhook(notice.clone()).await.unwrap();
    assert_eq!(delivered.status, Some(204));

    let received = receiver.received.lock().unwrap().clone();
    let (timestamp, signature, body) = &received[0];
    assert_eq!(
        signature,
        &sign_webhook(sim.client_secret(), timestamp, body.as_bytes())
    );
    let millis: i64 = timestamp.parse().unwrap();
    assert!((chrono::Utc::now().timestamp_millis() - millis).abs() < 5_000);
    let json: Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["user_id"], ANN);
    assert_eq!(json["type"], "sleep.updated");
    assert_eq!(json["id"], "ecfc6a15-4661-442f-a9a4-f160dd7afae8");
    assert!(json["trace_id"].is_string());
}

#[tokio::test]
async fn failed_deliveries_are_retried() {
    let receiver = start_receiver(2);
    let sim = start_with(config(&receiver.url)).await;
    let delivered = sim
        .send_webhook(WebhookNotice::new(ANN, WebhookType::WorkoutDeleted, "x"))
        .await
        .unwrap();
    assert_eq!((delivered.attempt, delivered.status), (3, Some(204)));
    let attempts = sim.webhook_deliveries();
    assert_eq!(
        attempts.iter().map(|a| a.status).collect::<Vec<_>>(),
        vec![Some(500), Some(500), Some(204)]
    );
    assert_eq!(*receiver.failures.lock().unwrap(), 0);
}

#[tokio::test]
async fn changes_send_webhooks_for_connected_members_only() {
    let receiver = start_receiver(0);
    let sim = start_with(config(&receiver.url)).await;
    let records = sim.records(ANN).unwrap();
    let recovery = RecordRef::Recovery(records.recoveries[0].cycle_id);

    // Not connected yet: nothing is sent.
    sim.rescore(&recovery).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(sim.webhook_deliveries().is_empty());

    sim.issue_tokens(ANN).unwrap();
    sim.rescore(&recovery).unwrap();
    sim.delete(&RecordRef::Workout(records.workouts[0].id.clone()))
        .unwrap();
    sim.delete(&RecordRef::Cycle(records.cycles[1].id)).unwrap(); // no cycle webhooks
    let deliveries = sim
        .wait_for_deliveries(2, Duration::from_secs(5))
        .await
        .unwrap();
    let mut seen: Vec<(WebhookType, Value)> = deliveries
        .iter()
        .map(|d| (d.notice.kind, d.notice.id.clone()))
        .collect();
    seen.sort_by_key(|(kind, _)| kind.as_str());
    assert_eq!(
        seen,
        vec![
            (
                WebhookType::RecoveryUpdated,
                Value::from(records.recoveries[0].sleep_id.clone())
            ),
            (
                WebhookType::WorkoutDeleted,
                Value::from(records.workouts[0].id.clone())
            ),
        ]
    );

    // After revoking, webhooks stop.
    sim.revoke(ANN);
    sim.rescore(&recovery).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(sim.webhook_deliveries().len(), 2);
}
