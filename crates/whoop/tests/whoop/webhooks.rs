use chrono::{Duration, Utc};
use wellness_domain::model::{Secret, WearableKind};
use wellness_sim::whoop::{WebhookNotice, WebhookType};
use wellness_whoop::{WebhookError, parse_webhook, verify_webhook};

use crate::{ANN, start_sim};

const MAX_AGE: Duration = Duration::minutes(5);

#[tokio::test]
async fn verifies_whoop_signatures_and_refuses_tampering_wrong_keys_and_old_or_future_timestamps() {
    let sim = start_sim().await;
    let secret = Secret::new(sim.client_secret());
    let notice = WebhookNotice::new(
        ANN,
        WebhookType::RecoveryUpdated,
        "123e4567-e89b-12d3-a456-426614174000",
    );
    let now = Utc::now();
    let signed = sim.signed_webhook(&notice, now);
    let verify = |secret: &Secret, body: &[u8], timestamp: &str, signature: &str| {
        verify_webhook(secret, timestamp, body, signature, now, MAX_AGE)
    };

    assert_eq!(
        verify(
            &secret,
            signed.body.as_bytes(),
            &signed.timestamp,
            &signed.signature
        ),
        Ok(())
    );
    let tampered = signed.body.replace("10129", "10130");
    assert_eq!(
        verify(
            &secret,
            tampered.as_bytes(),
            &signed.timestamp,
            &signed.signature
        ),
        Err(WebhookError::BadSignature)
    );
    assert_eq!(
        verify(
            &Secret::new("another-app"),
            signed.body.as_bytes(),
            &signed.timestamp,
            &signed.signature
        ),
        Err(WebhookError::BadSignature)
    );
    // A replayed timestamp does not match the signature either.
    let later = (now.timestamp_millis() + 1).to_string();
    assert_eq!(
        verify(&secret, signed.body.as_bytes(), &later, &signed.signature),
        Err(WebhookError::BadSignature)
    );

    let stale = sim.signed_webhook(&notice, now - Duration::minutes(10));
    assert!(matches!(
        verify(
            &secret,
            stale.body.as_bytes(),
            &stale.timestamp,
            &stale.signature
        ),
        Err(WebhookError::Stale { age_secs: 600 })
    ));
    let future = sim.signed_webhook(&notice, now + Duration::minutes(10));
    assert!(matches!(
        verify(
            &secret,
            future.body.as_bytes(),
            &future.timestamp,
            &future.signature
        ),
        Err(WebhookError::FromTheFuture { .. })
    ));
    assert_eq!(
        verify(
            &secret,
            signed.body.as_bytes(),
            "yesterday",
            &signed.signature
        ),
        Err(WebhookError::MalformedTimestamp)
    );

    let event = parse_webhook(signed.body.as_bytes()).unwrap();
    assert_eq!(
        (event.user_id, event.kind, event.deleted),
        (ANN, WearableKind::Recovery, false)
    );
    assert_eq!(event.id, "123e4567-e89b-12d3-a456-426614174000");
    assert_eq!(event.trace_id.as_deref(), Some(notice.trace_id.as_str()));
}
