//! The connection pool, migrations and readiness.

use std::time::Duration;

use diesel::sql_types::Text;
use diesel::{QueryableByName, sql_query};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_migrations::MigrationHarness;
use thiserror::Error;
use wellness_domain::ports::StorageError;

use crate::MIGRATIONS;
use crate::error::from_pool;
use crate::tls::{Connector, split_ssl_params};

/// Failures of setting up the database.
#[derive(Debug, Error)]
pub enum DatabaseError {
    /// The URL is not a PostgreSQL URL.
    #[error("DATABASE_URL must start with postgres:// or postgresql://")]
    BadUrl,
    /// The pool could not be built.
    #[error("could not build the connection pool: {0}")]
    Pool(#[source] diesel_async::pooled_connection::deadpool::BuildError),
    /// Migrations failed.
    #[error("migrations failed: {0}")]
    Migration(#[source] BoxError),
    /// `sslmode` is not one of libpq's.
    #[error(
        "sslmode in DATABASE_URL must be disable, allow, prefer, require, verify-ca or verify-full"
    )]
    BadSslMode,
    /// `verify-ca` or `verify-full` without a CA to verify against.
    #[error(
        "sslmode={0} verifies the server's certificate: add sslrootcert=<CA file, PEM> to DATABASE_URL (or sslrootcert=system with verify-full)"
    )]
    MissingSslRootCert(&'static str),
    /// `sslrootcert=system` with a mode weaker than `verify-full` (libpq refuses it too).
    #[error(
        "sslrootcert=system trusts every public CA, so it needs sslmode=verify-full (or no sslmode)"
    )]
    SystemRootsNeedVerifyFull,
    /// The `sslrootcert` file could not be read or holds no PEM certificate.
    #[error("sslrootcert {}: {reason}", path.display())]
    SslRootCert {
        /// The file named by the URL.
        path: std::path::PathBuf,
        /// Why it cannot be used.
        reason: String,
    },
    /// `sslrootcert=system` but the system has no usable root certificate.
    #[error("sslrootcert=system: no usable root certificate found on this system")]
    SystemRoots,
    /// rustls refused the TLS configuration.
    #[error("TLS setup failed: {0}")]
    Tls(String),
}

/// The cause of a failed migration: a connection, a query, a migration or the blocking task.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn migration(e: impl Into<BoxError>) -> DatabaseError {
    DatabaseError::Migration(e.into())
}

/// How the pool behaves.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    /// Most connections open at once.
    pub max_size: usize,
    /// How long a request waits for a free connection, and for a new one to connect: requests
    /// fail fast when the database is down instead of piling up.
    pub timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_size: 16,
            timeout: Duration::from_secs(2),
        }
    }
}

/// The application's database: a pool of async connections.
#[derive(Clone)]
pub struct Database {
    pool: Pool<AsyncPgConnection>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = self.pool.status();
        f.debug_struct("Database")
            .field("size", &status.size)
            .field("available", &status.available)
            .finish()
    }
}

/// What /readyz reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// The database answers and every migration is applied.
    Ready,
    /// The database answers but migrations are missing.
    NotMigrated {
        /// Migrations not applied yet.
        pending: usize,
    },
    /// The database does not answer.
    Unreachable(String),
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Text)]
    version: String,
}

/// Key of the advisory lock that serialises migrations across processes.
const MIGRATION_LOCK: i64 = 0x5745_4c4c_4e45_5353; // "WELLNESS"

fn check_url(url: &str) -> Result<(), DatabaseError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(())
    } else {
        Err(DatabaseError::BadUrl)
    }
}

/// The URL without its TLS parameters, and the connector that applies them: the pool and the
/// migrations open their connections the same way.
fn prepare(url: &str) -> Result<(String, Connector), DatabaseError> {
    check_url(url)?;
    let (url, ssl) = split_ssl_params(url)?;
    Ok((url, Connector::new(&ssl)?))
}

/// Adds to the URL what it does not set itself:
/// - a connect timeout, so a dead server fails fast;
/// - TCP keepalives after 30 s idle (every 10 s, 3 probes), so a pooled connection to a host
///   that vanished (a failover, a dropped route) is found dead in about a minute, not two hours;
/// - a TCP user timeout of 30 s, so a query sent into such a connection fails instead of
///   waiting for retransmissions for about 15 minutes.
///
/// None of them limits how long a query may run: a slow answer on a live connection is not
/// affected.
fn with_connection_options(url: &str, timeout: Duration) -> String {
    let connect = timeout.as_secs().max(1).to_string();
    let options = [
        ("connect_timeout", connect.as_str()),
        ("keepalives_idle", "30"),
        ("keepalives_interval", "10"),
        ("keepalives_retries", "3"),
        ("tcp_user_timeout", "30"),
    ];
    let mut url = url.to_owned();
    for (key, value) in options {
        let given = url
            .split_once('?')
            .is_some_and(|(_, query)| query.split('&').any(|p| p.split('=').next() == Some(key)));
        if !given {
            let sep = if url.contains('?') { '&' } else { '?' };
            url = format!("{url}{sep}{key}={value}");
        }
    }
    url
}

impl Database {
    /// Builds the pool. No connection is made until one is needed, so this succeeds while the
    /// database is down; a bad `sslmode` or `sslrootcert` fails here.
    pub fn connect(url: &str, settings: PoolSettings) -> Result<Self, DatabaseError> {
        let (url, connector) = prepare(url)?;
        let mut config = ManagerConfig::default();
        config.custom_setup = connector.setup_callback();
        let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
            with_connection_options(&url, settings.timeout),
            config,
        );
        let pool = Pool::builder(manager)
            .max_size(settings.max_size)
            .wait_timeout(Some(settings.timeout))
            .create_timeout(Some(settings.timeout))
            .recycle_timeout(Some(settings.timeout))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(DatabaseError::Pool)?;
        Ok(Self { pool })
    }

    /// A pooled connection.
    pub async fn conn(&self) -> Result<Object<AsyncPgConnection>, StorageError> {
        self.pool.get().await.map_err(from_pool)
    }

    /// Connections open and idle, for metrics.
    pub fn pool_status(&self) -> (usize, usize) {
        let status = self.pool.status();
        (status.size, status.available)
    }

    /// Whether the database answers and has every migration applied.
    pub async fn readiness(&self) -> Readiness {
        let mut conn = match self.pool.get().await {
            Ok(conn) => conn,
            Err(e) => return Readiness::Unreachable(e.to_string()),
        };
        let applied = sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
            .load::<Version>(&mut conn)
            .await;
        match applied {
            Ok(applied) => {
                let pending = pending_count(applied.iter().map(|v| v.version.as_str()));
                if pending == 0 {
                    Readiness::Ready
                } else {
                    Readiness::NotMigrated { pending }
                }
            }
            Err(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("does not exist") =>
            {
                Readiness::NotMigrated {
                    pending: embedded_versions().len(),
                }
            }
            Err(e) => Readiness::Unreachable(e.to_string()),
        }
    }
}

fn embedded_versions() -> Vec<String> {
    diesel::migration::MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
        .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect())
        .unwrap_or_default()
}

fn pending_count<'a>(applied: impl Iterator<Item = &'a str>) -> usize {
    let applied: std::collections::HashSet<&str> = applied.collect();
    embedded_versions()
        .iter()
        .filter(|v| !applied.contains(v.as_str()))
        .count()
}

/// Applies pending migrations, holding an advisory lock so concurrent starts do not race.
/// Returns the versions applied now (empty when the schema was up to date).
pub async fn migrate(url: &str) -> Result<Vec<String>, DatabaseError> {
    let (url, connector) = prepare(url)?;
    let url = with_connection_options(&url, Duration::from_secs(5));
    let conn = connector.establish(&url).await.map_err(migration)?;
    tokio::task::spawn_blocking(move || {
        use diesel::connection::SimpleConnection as _;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::from(conn);
        conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
            .map_err(migration)?;
        let result = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(ToString::to_string).collect::<Vec<_>>())
            .map_err(migration);
        let _ = conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
        result
    })
    .await
    .map_err(migration)?
}

/// Reverts every migration (tests of the down migrations).
pub async fn revert_all(url: &str) -> Result<usize, DatabaseError> {
    let (url, connector) = prepare(url)?;
    let conn = connector.establish(&url).await.map_err(migration)?;
    tokio::task::spawn_blocking(move || {
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::from(conn);
        conn.revert_all_migrations(MIGRATIONS)
            .map(|v| v.len())
            .map_err(migration)
    })
    .await
    .map_err(migration)?
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULTS: &str =
        "keepalives_idle=30&keepalives_interval=10&keepalives_retries=3&tcp_user_timeout=30";

    #[test]
    fn connection_options_are_added_once() {
        let d = Duration::from_secs(2);
        assert_eq!(
            with_connection_options("postgres://h/db", d),
            format!("postgres://h/db?connect_timeout=2&{DEFAULTS}")
        );
        assert_eq!(
            with_connection_options("postgres://h/db?sslmode=disable", d),
            format!("postgres://h/db?sslmode=disable&connect_timeout=2&{DEFAULTS}")
        );
        assert_eq!(
            with_connection_options("postgres://h/db?connect_timeout=9", d),
            format!("postgres://h/db?connect_timeout=9&{DEFAULTS}")
        );
        // The operator's own values win, and a name inside another value is not a match.
        assert_eq!(
            with_connection_options(
                "postgres://h/db?application_name=tcp_user_timeout&tcp_user_timeout=5&keepalives_idle=60&keepalives_interval=10&keepalives_retries=3&connect_timeout=1",
                d
            ),
            "postgres://h/db?application_name=tcp_user_timeout&tcp_user_timeout=5&keepalives_idle=60&keepalives_interval=10&keepalives_retries=3&connect_timeout=1"
        );
    }

    /// tokio-postgres reads every option added: an unknown name would fail every connection.
    #[test]
    fn tokio_postgres_accepts_the_options() {
        let url = with_connection_options("postgres://u@h:5432/db", Duration::from_secs(3));
        let config: tokio_postgres::Config = url.parse().unwrap();
        assert_eq!(config.get_connect_timeout(), Some(&Duration::from_secs(3)));
        assert_eq!(config.get_keepalives_idle(), Duration::from_secs(30));
        assert_eq!(
            config.get_tcp_user_timeout(),
            Some(&Duration::from_secs(30))
        );
    }

    #[test]
    fn non_postgres_urls_are_refused() {
        assert!(matches!(
            Database::connect("mysql://x/y", PoolSettings::default()),
            Err(DatabaseError::BadUrl)
        ));
    }

    #[test]
    fn every_migration_is_embedded() {
        let in_repo = crate::test_support::migrations_in_repo();
        assert!(in_repo > 0);
        assert_eq!(embedded_versions().len(), in_repo);
    }
}
