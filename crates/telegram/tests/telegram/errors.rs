//! How failures reach the domain: 429 waited out or RateLimited, 403 Unreachable, other 4xx
//! Rejected, everything transient Unavailable; never with the token in the message.

use std::time::{Duration, Instant};

use wellness_domain::model::ChatId;
use wellness_domain::ports::{Messenger, MessengerError, OutgoingMessage};
use wellness_telegram::{ClientOptions, RetryPolicy};

use crate::{
    ann, assert_no_token, assert_unavailable, chat_of, client, client_at, closed_port, fake_server,
    greeted, http_response, no_limits, silent_server, start_sim, test_options,
};

fn hello() -> OutgoingMessage {
    OutgoingMessage::text("hello")
}

#[tokio::test]
async fn waits_retry_after_then_succeeds() {
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    sim.force_too_many_requests(1, 1);
    let started = Instant::now();

    client(&sim).send(chat_of(&ann), &hello()).await.unwrap();

    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(sim.too_many_requests_count(), 1);
    assert_eq!(sim.sent().len(), 1);
}

#[tokio::test]
async fn each_429_waited_out_is_told_to_the_retry_observer() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    let client = client(&sim);
    let retries = Arc::new(AtomicU32::new(0));
    let counted = retries.clone();
    client.observe_retries(Arc::new(move || {
        counted.fetch_add(1, Ordering::SeqCst);
    }));
    sim.force_too_many_requests(1, 1);
    client.send(chat_of(&ann), &hello()).await.unwrap();
    assert_eq!(retries.load(Ordering::SeqCst), 1);
    client.send(chat_of(&ann), &hello()).await.unwrap();
    assert_eq!(retries.load(Ordering::SeqCst), 1, "no retry without a 429");
}

#[tokio::test]
async fn gives_up_as_rate_limited_when_the_attempts_run_out() {
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    sim.force_too_many_requests(5, 1);
    let options = ClientOptions {
        retry: RetryPolicy {
            max_attempts: 2,
            max_wait: Duration::from_secs(5),
        },
        ..test_options()
    };
    let client = client_at(&sim.base_url(), no_limits(), options);

    let error = client.send(chat_of(&ann), &hello()).await.unwrap_err();

    assert_eq!(
        error,
        MessengerError::RateLimited {
            retry_after_secs: 1
        }
    );
    assert_eq!(sim.too_many_requests_count(), 2);
    assert!(sim.sent().is_empty());
}

#[tokio::test]
async fn does_not_wait_a_retry_after_longer_than_the_cap() {
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    sim.force_too_many_requests(1, 30);
    let started = Instant::now();

    let error = client(&sim)
        .send(chat_of(&ann), &hello())
        .await
        .unwrap_err();

    assert_eq!(
        error,
        MessengerError::RateLimited {
            retry_after_secs: 30
        }
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn blocked_user_is_unreachable() {
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    sim.set_blocked(&ann, true);

    let error = client(&sim)
        .send(chat_of(&ann), &hello())
        .await
        .unwrap_err();

    assert_eq!(
        error,
        MessengerError::Unreachable("Forbidden: bot was blocked by the user".to_owned())
    );
}

#[tokio::test]
async fn an_unknown_chat_is_rejected() {
    let sim = start_sim().await;
    let error = client(&sim)
        .send(ChatId(424_242), &hello())
        .await
        .unwrap_err();
    assert_eq!(
        error,
        MessengerError::Rejected("Bad Request: chat not found".to_owned())
    );
}

#[tokio::test]
async fn a_wrong_token_is_rejected_without_showing_it() {
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    let client = wellness_telegram::TelegramClient::with_options(
        &sim.base_url(),
        wellness_domain::model::Secret::new("7000000001:AAwrong"),
        no_limits(),
        test_options(),
    )
    .unwrap();

    let error = client.send(chat_of(&ann), &hello()).await.unwrap_err();

    assert_eq!(error, MessengerError::Rejected("Unauthorized".to_owned()));
}

#[tokio::test]
async fn server_errors_are_unavailable() {
    let html = fake_server(|_| {
        http_response(
            "502 Bad Gateway",
            "text/html",
            "<html><body>502 Bad Gateway</body></html>",
        )
    })
    .await;
    let json = fake_server(|_| {
        http_response(
            "500 Internal Server Error",
            "application/json",
            r#"{"ok":false,"error_code":500,"description":"Internal Server Error"}"#,
        )
    })
    .await;

    for root in [html, json] {
        let client = client_at(&root, no_limits(), test_options());
        let error = client.send(ChatId(1), &hello()).await.unwrap_err();
        assert_unavailable(&error);
        let error = client
            .send_document(ChatId(1), &attachment())
            .await
            .unwrap_err();
        assert_unavailable(&error);
    }
}

fn attachment() -> wellness_domain::ports::Attachment {
    wellness_domain::ports::Attachment {
        filename: "a.txt".to_owned(),
        bytes: b"a".to_vec(),
        caption: None,
    }
}

#[tokio::test]
async fn malformed_answers_are_unavailable() {
    let root = fake_server(|_| {
        http_response(
            "200 OK",
            "application/json",
            r#"{"ok":true,"result":{"mess"#,
        )
    })
    .await;
    let client = client_at(&root, no_limits(), test_options());

    assert_unavailable(&client.send(ChatId(1), &hello()).await.unwrap_err());
    assert_unavailable(
        &client
            .send_document(ChatId(1), &attachment())
            .await
            .unwrap_err(),
    );
    assert_unavailable(&client.get_me().await.unwrap_err());
}

#[tokio::test]
async fn timeouts_are_unavailable() {
    let root = silent_server().await;
    let options = ClientOptions {
        request_timeout: Duration::from_millis(300),
        ..test_options()
    };
    let client = client_at(&root, no_limits(), options);
    let started = Instant::now();

    let error = client.send(ChatId(1), &hello()).await.unwrap_err();

    assert_unavailable(&error);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(error.to_string().contains("timed out"), "{error}");
}

#[tokio::test]
async fn connection_failures_are_unavailable() {
    let client = client_at(&closed_port().await, no_limits(), test_options());

    assert_unavailable(&client.send(ChatId(1), &hello()).await.unwrap_err());
    assert_unavailable(&client.show_typing(ChatId(1)).await.unwrap_err());
    assert_unavailable(&client.download("f", 10).await.unwrap_err());
    assert_unavailable(
        &client
            .send_photo(ChatId(1), &attachment())
            .await
            .unwrap_err(),
    );
}

#[tokio::test]
async fn error_messages_never_show_the_token() {
    let echo = fake_server(|request| {
        // A hostile or buggy server echoing the request line (which holds the token).
        let body = serde_json::json!({"ok": false, "error_code": 400, "description": request});
        http_response("400 Bad Request", "application/json", &body.to_string())
    })
    .await;
    let client = client_at(&echo, no_limits(), test_options());

    let error = client.send(ChatId(1), &hello()).await.unwrap_err();

    assert!(matches!(error, MessengerError::Rejected(_)), "{error:?}");
    assert_no_token(&error);
    assert!(error.to_string().contains("<token>"), "{error}");
}
