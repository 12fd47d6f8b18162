//! PostgreSQL adapters for every repository port of `wellness-domain`.
//!
//! Queries are free functions over `&mut AsyncPgConnection`, so one function serves both a
//! pooled connection and a transaction. The repository structs wrap the pool and call them.

mod crypto;
mod db;
mod error;
mod repo;
mod rotation;
pub mod schema;
/// Fresh databases for tests: only in tests and with the `test-support` feature, never in the
/// production binary.
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
mod tls;

pub use crypto::{CipherError, KeyId, TokenCipher};
pub use db::{Database, DatabaseError, PoolSettings, Readiness, migrate, revert_all};
pub use repo::catalog_cache::PgCatalogCache;
pub use repo::conversations::PgConversations;
pub use repo::credentials::PgCredentialStore;
pub use repo::flood_gate::PgFloodGate;
pub use repo::food::PgFoodLog;
pub use repo::inbox::{PgInbox, RawUpdate};
pub use repo::job_runs::PgJobRuns;
pub use repo::notifications::PgNotifications;
pub use repo::oauth_states::PgOAuthStates;
pub use repo::outbox::PgDiaryOutbox;
pub use repo::pending_questions::PgPendingQuestions;
pub use repo::personal::PgPersonalFoods;
pub use repo::privacy::PgUserData;
pub use repo::request_budget::PgRequestBudget;
pub use repo::tasks::PgTasks;
pub use repo::throttle::PgThrottle;
pub use repo::users::PgUsers;
pub use repo::wearable::PgWearableStore;
pub use rotation::{RotationCounts, RotationReport, rotate_keys};

/// The embedded migrations (migrations/ at the workspace root).
pub const MIGRATIONS: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("../../migrations");
