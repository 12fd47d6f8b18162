//! /healthz (alive), /readyz (database answers and is migrated), /ip (our outside address).

use std::net::IpAddr;
use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use wellness_postgres::Readiness;

use crate::state::AppState;

/// Attaches the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/ip", web::get().to(ip));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    // Readiness must answer fast even when the database hangs.
    let readiness = tokio::time::timeout(Duration::from_secs(1), state.db.readiness())
        .await
        .unwrap_or_else(|_| {
            Readiness::Unreachable("the database did not answer within 1 s".into())
        });
    match readiness {
        Readiness::Ready => HttpResponse::Ok().json(json!({"status": "ready", "database": "ok"})),
        Readiness::NotMigrated { pending } => HttpResponse::ServiceUnavailable().json(json!({
            "status": "not ready",
            "database": "reachable",
            "reason": format!("{pending} migration(s) not applied yet"),
        })),
        Readiness::Unreachable(reason) => {
            // The cause names hosts, users and server messages: the log has it, not whoever
            // asks (/readyz answers anyone who can reach the port).
            tracing::warn!(%reason, "not ready: the database is unreachable");
            HttpResponse::ServiceUnavailable().json(json!({
                "status": "not ready",
                "database": "unreachable",
                "reason": "the database cannot be reached",
            }))
        }
    }
}

#[derive(Deserialize)]
struct EchoJson {
    ip: String,
}

/// Reads an address from an echo service's answer: `{"ip": "..."}` or the bare address.
fn parse_echo(body: &str) -> Option<IpAddr> {
    let text =
        serde_json::from_str::<EchoJson>(body).map_or_else(|_| body.trim().to_owned(), |j| j.ip);
    text.trim().parse().ok()
}

async fn ip(state: web::Data<AppState>) -> HttpResponse {
    let source = state.settings.ip_echo_url.clone();
    let listening = state.bound.to_string();
    let answer = async {
        let response = state
            .http
            .get(source.clone())
            .timeout(Duration::from_secs(3))
            .send()
            .await
            .map_err(|e| {
                format!(
                    "could not reach {}: {}",
                    source.host_str().unwrap_or("?"),
                    without_url(&e)
                )
            })?;
        if !response.status().is_success() {
            return Err(format!(
                "{} answered {}",
                source.host_str().unwrap_or("?"),
                response.status()
            ));
        }
        let body = response
            .text()
            .await
            .map_err(|e| format!("unreadable answer: {}", without_url(&e)))?;
        parse_echo(&body).ok_or_else(|| "the answer was not an IP address".to_owned())
    }
    .await;
    match answer {
        Ok(address) => HttpResponse::Ok().json(json!({
            "ip": address.to_string(),
            "source": source.as_str(),
            "listening_on": listening,
        })),
        Err(reason) => HttpResponse::Ok().json(json!({
            "ip": null,
            "reason": format!("the outside address could not be learned: {reason}"),
            "source": source.as_str(),
            "listening_on": listening,
        })),
    }
}

/// reqwest's errors print the URL; keep only the cause.
fn without_url(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else {
        std::error::Error::source(e).map_or_else(|| "request failed".into(), ToString::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_answers_in_json_or_plain_text_are_read_and_garbage_is_not() {
        assert_eq!(
            parse_echo(r#"{"ip":"203.0.113.7"}"#),
            "203.0.113.7".parse().ok()
        );
        assert_eq!(parse_echo("2001:db8::1\n"), "2001:db8::1".parse().ok());
        assert_eq!(parse_echo("<html>nope</html>"), None);
    }
}
