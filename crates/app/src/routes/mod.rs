//! HTTP routes, one module per area, attached with `configure`.

pub mod api;
mod consent;
pub mod fatsecret;
pub mod health;
pub mod metrics;
pub mod mini_app;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod telegram;
pub mod whoop;

use actix_web::web;

/// Every route of the app.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(health::configure)
        .configure(telegram::configure)
        .configure(metrics::configure)
        .configure(whoop::configure)
        .configure(fatsecret::configure)
        .configure(api::configure)
        .configure(mini_app::configure);
    #[cfg(feature = "sandbox")]
    cfg.configure(sandbox::configure);
}
