//! GET /metrics: Prometheus text format.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use wellness_domain::ports::Inbox;

use crate::metrics::Gauge;
use crate::state::AppState;

/// Attaches the route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(metrics));
}

async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let (size, available) = state.db.pool_status();
    let mut gauges = vec![Gauge {
        name: "wellness_db_pool_connections",
        help: "Database connections in the pool, by state.",
        samples: vec![
            (
                vec![("state", "in_use".into())],
                size.saturating_sub(available) as f64,
            ),
            (vec![("state", "idle".into())], available as f64),
        ],
    }];
    let depth = tokio::time::timeout(Duration::from_millis(500), state.inbox.depth()).await;
    let up = match depth {
        Ok(Ok(d)) => {
            gauges.push(Gauge {
                name: "wellness_inbox_depth",
                help: "Inbound updates not done yet, by state.",
                samples: vec![
                    (vec![("state", "pending".into())], d.pending as f64),
                    (vec![("state", "in_progress".into())], d.in_progress as f64),
                    (vec![("state", "parked".into())], d.parked as f64),
                ],
            });
            1.0
        }
        _ => 0.0,
    };
    gauges.push(Gauge {
        name: "wellness_database_up",
        help: "Whether the database answered this scrape.",
        samples: vec![(vec![], up)],
    });
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&gauges))
}
