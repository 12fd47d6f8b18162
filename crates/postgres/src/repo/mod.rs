//! One module per repository port.

pub mod catalog_cache;
pub mod conversations;
pub mod credentials;
pub mod flood_gate;
pub mod food;
pub mod inbox;
pub mod job_runs;
pub mod notifications;
pub mod oauth_states;
pub mod outbox;
pub mod pending_questions;
pub mod personal;
pub mod privacy;
pub mod request_budget;
pub mod tasks;
pub mod throttle;
pub mod users;
pub mod wearable;
