//! Fresh databases for tests: a template migrated once per schema version (shared by every test
//! process of a run, built under an advisory lock), copied per test and dropped afterwards, so
//! tests run in parallel against the real PostgreSQL.
//!
//! The server is `WELLNESS_TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432`).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;

use diesel::sql_types::Text;
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

use crate::{Database, PoolSettings, migrate};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How many migrations the repository's `migrations/` folder holds (folders with an `up.sql`).
pub fn migrations_in_repo() -> usize {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations"))
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter(|e| e.path().join("up.sql").exists())
                .count()
        })
        .unwrap_or(0)
}

/// The PostgreSQL server tests use, without a database name.
pub fn server_url() -> String {
    std::env::var("WELLNESS_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
        .trim_end_matches('/')
        .to_owned()
}

fn admin_url() -> String {
    format!("{}/postgres", server_url())
}

/// Name of the template for the current migrations (their content hashed).
fn template_name() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let mut hasher = DefaultHasher::new();
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    for file in files {
        file.hash(&mut hasher);
        std::fs::read(&file).unwrap_or_default().hash(&mut hasher);
    }
    format!("wellness_template_{:016x}", hasher.finish())
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                collect(&path, out);
            } else {
                out.push(path);
            }
        }
    }
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    datname: String,
}

async fn database_names(conn: &mut AsyncPgConnection, like: &str) -> Result<Vec<String>, BoxError> {
    Ok(
        sql_query("SELECT datname FROM pg_database WHERE datname LIKE $1")
            .bind::<Text, _>(like)
            .load::<Name>(conn)
            .await?
            .into_iter()
            .map(|n| n.datname)
            .collect(),
    )
}

async fn ensure_template() -> Result<String, BoxError> {
    let template = template_name();
    let mut admin = AsyncPgConnection::establish(&admin_url()).await?;
    if !database_names(&mut admin, &template).await?.is_empty() {
        return Ok(template);
    }
    // One process builds it; the others wait here and then find it.
    admin
        .batch_execute("SELECT pg_advisory_lock(7302944)")
        .await?;
    let result = build_template(&mut admin, &template).await;
    admin
        .batch_execute("SELECT pg_advisory_unlock(7302944)")
        .await?;
    result.map(|()| template)
}

async fn build_template(admin: &mut AsyncPgConnection, template: &str) -> Result<(), BoxError> {
    if !database_names(admin, template).await?.is_empty() {
        return Ok(());
    }
    // Templates of other schema versions are left alone: another checkout may be using one
    // right now (`make clean-test-dbs` drops them before a run).
    let building = format!("{template}_building");
    admin
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"
        ))
        .await?;
    admin
        .batch_execute(&format!("CREATE DATABASE \"{building}\""))
        .await?;
    migrate(&format!("{}/{building}", server_url())).await?;
    admin
        .batch_execute(&format!(
            "ALTER DATABASE \"{building}\" RENAME TO \"{template}\""
        ))
        .await?;
    admin
        .batch_execute(&format!("ALTER DATABASE \"{template}\" IS_TEMPLATE true"))
        .await?;
    Ok(())
}

/// A database of its own for one test, dropped when this value is.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    url: String,
}

impl TestDatabase {
    /// A fresh database with every migration applied.
    pub async fn migrated() -> Result<Self, BoxError> {
        let template = ensure_template().await?;
        Self::create(Some(&template)).await
    }

    /// A fresh, empty database (for migration tests).
    pub async fn empty() -> Result<Self, BoxError> {
        Self::create(None).await
    }

    async fn create(template: Option<&str>) -> Result<Self, BoxError> {
        let name = format!("wellness_test_{:016x}", rand::random::<u64>());
        let mut admin = AsyncPgConnection::establish(&admin_url()).await?;
        let sql = match template {
            Some(t) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{t}\""),
            None => format!("CREATE DATABASE \"{name}\""),
        };
        // Copying a template fails while another session is connected to it (briefly, while
        // another process copies it too): retry a few times.
        let mut attempt = 0;
        loop {
            match admin.batch_execute(&sql).await {
                Ok(()) => break,
                Err(e)
                    if attempt < 20 && e.to_string().contains("being accessed by other users") =>
                {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(50 * attempt)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        let url = format!("{}/{name}", server_url());
        Ok(Self { name, url })
    }

    /// Its URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A pool over it.
    pub fn pool(&self) -> Result<Database, BoxError> {
        Ok(Database::connect(&self.url, PoolSettings::default())?)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        // Drop runs inside the test's runtime: do the async work on a thread of its own.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = runtime {
                rt.block_on(async {
                    if let Ok(mut admin) = AsyncPgConnection::establish(&admin_url()).await {
                        let _ = admin.batch_execute(&sql).await;
                    }
                });
            }
        })
        .join();
    }
}
