//! What every request handler shares.

use std::net::SocketAddr;

use wellness_postgres::Database;

use crate::settings::Settings;

/// The application context, in `web::Data`.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Settings as loaded.
    pub settings: Settings,
    /// The database pool.
    pub db: Database,
    /// One HTTP client for outbound calls (no redirects followed).
    pub http: reqwest::Client,
    /// The address the server is bound to.
    pub bound: SocketAddr,
}
