//! `CredentialStore` on PostgreSQL, tokens encrypted with AES-256-GCM before they leave the process.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use wellness_domain::ports::{CredentialStore, Refreshed, StorageError, TokenRefresher};
use wellness_domain::{ConnectionStatus, Credentials, Provider, Secret, Tokens, UserId};

use diesel_async::pooled_connection::deadpool::Object;
use tracing::{error, warn};
use wellness_domain::retry::Backoff;

use crate::error::{TxError, corrupt, from_diesel};
use crate::schema::credentials as cr;
use crate::{Database, TokenCipher};

/// Associated data binding a ciphertext to its row and column.
pub(crate) fn context(user: UserId, provider: Provider, column: &str) -> String {
    format!("credentials:{user}:{}:{column}", provider.code())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = cr)]
#[diesel(check_for_backend(diesel::pg::Pg))]
struct CredentialRow {
    user_id: i64,
    provider: String,
    access_token_enc: Vec<u8>,
    refresh_token_enc: Option<Vec<u8>>,
    token_secret_enc: Option<Vec<u8>>,
    expires_at: Option<DateTime<Utc>>,
    scope: String,
    external_user_id: Option<String>,
    status: String,
    user_notified: bool,
    updated_at: DateTime<Utc>,
}

fn decode(row: CredentialRow, cipher: &TokenCipher) -> Result<Credentials, StorageError> {
    let user = UserId::new(row.user_id).map_err(corrupt)?;
    let provider = Provider::from_code(&row.provider)
        .ok_or_else(|| corrupt(format!("provider {}", row.provider)))?;
    let open = |sealed: &[u8], column: &str| {
        cipher
            .decrypt(sealed, &context(user, provider, column))
            .map(Secret::new)
            .map_err(corrupt)
    };
    let access = open(&row.access_token_enc, "access")?;
    let tokens = match provider {
        Provider::Whoop => Tokens::OAuth2 {
            access_token: access,
            refresh_token: row
                .refresh_token_enc
                .as_deref()
                .map(|s| open(s, "refresh"))
                .transpose()?,
            expires_at: row
                .expires_at
                .ok_or_else(|| corrupt("an OAuth 2 credential without expiry"))?,
            scope: row.scope,
        },
        Provider::Fatsecret => Tokens::OAuth1 {
            token: access,
            token_secret: open(
                row.token_secret_enc
                    .as_deref()
                    .ok_or_else(|| corrupt("an OAuth 1 credential without its secret"))?,
                "secret",
            )?,
        },
    };
    let status = match row.status.as_str() {
        "active" => ConnectionStatus::Active,
        "broken" => ConnectionStatus::Broken {
            user_notified: row.user_notified,
        },
        other => return Err(corrupt(format!("credential status {other}"))),
    };
    Ok(Credentials {
        user_id: user,
        provider,
        tokens,
        external_user_id: row.external_user_id,
        status,
        updated_at: row.updated_at,
    })
}

/// A connection's tokens as stored: encrypted, with their status.
struct Sealed {
    access: Vec<u8>,
    refresh: Option<Vec<u8>>,
    secret: Option<Vec<u8>>,
    expires_at: Option<DateTime<Utc>>,
    scope: String,
    status: &'static str,
    notified: bool,
}

/// Encrypts a connection's tokens for its row.
fn seal(cipher: &TokenCipher, c: &Credentials) -> Result<Sealed, StorageError> {
    let seal_one = |secret: &Secret, column: &str| {
        cipher
            .encrypt(secret.expose(), &context(c.user_id, c.provider, column))
            .map_err(|e| StorageError::Rejected(e.to_string()))
    };
    let (access, refresh, secret, expires_at, scope) = match &c.tokens {
        Tokens::OAuth2 {
            access_token,
            refresh_token,
            expires_at,
            scope,
        } => (
            seal_one(access_token, "access")?,
            refresh_token
                .as_ref()
                .map(|r| seal_one(r, "refresh"))
                .transpose()?,
            None,
            Some(*expires_at),
            scope.clone(),
        ),
        Tokens::OAuth1 {
            token,
            token_secret,
        } => (
            seal_one(token, "access")?,
            None,
            Some(seal_one(token_secret, "secret")?),
            None,
            String::new(),
        ),
    };
    let (status, notified) = match c.status {
        ConnectionStatus::Active => ("active", false),
        ConnectionStatus::Broken { user_notified } => ("broken", user_notified),
    };
    Ok(Sealed {
        access,
        refresh,
        secret,
        expires_at,
        scope,
        status,
        notified,
    })
}

/// Updates the tokens (and the provider's id of the user) of a connection still as it was read
/// at `read_at`; `false` when it is gone or was replaced meanwhile (a reconnect).
async fn update_tokens(
    conn: &mut AsyncPgConnection,
    cipher: &TokenCipher,
    c: &Credentials,
    read_at: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let s = seal(cipher, c)?;
    let unchanged = cr::table
        .find((c.user_id.get(), c.provider.code()))
        .filter(cr::updated_at.eq(read_at));
    let n = diesel::update(unchanged)
        .set((
            cr::external_user_id.eq(c.external_user_id.as_deref()),
            cr::access_token_enc.eq(&s.access),
            cr::refresh_token_enc.eq(s.refresh.as_ref()),
            cr::token_secret_enc.eq(s.secret.as_ref()),
            cr::expires_at.eq(s.expires_at),
            cr::scope.eq(&s.scope),
            cr::status.eq(s.status),
            cr::user_notified.eq(s.notified),
            cr::updated_at.eq(c.updated_at),
        ))
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(n == 1)
}

/// Stores (replaces) a connection, encrypting its tokens.
pub async fn save(
    conn: &mut AsyncPgConnection,
    cipher: &TokenCipher,
    c: &Credentials,
) -> Result<(), StorageError> {
    let Sealed {
        access,
        refresh,
        secret,
        expires_at,
        scope,
        status,
        notified,
    } = seal(cipher, c)?;
    diesel::insert_into(cr::table)
        .values((
            cr::user_id.eq(c.user_id.get()),
            cr::provider.eq(c.provider.code()),
            cr::access_token_enc.eq(&access),
            cr::refresh_token_enc.eq(refresh.as_ref()),
            cr::token_secret_enc.eq(secret.as_ref()),
            cr::expires_at.eq(expires_at),
            cr::scope.eq(&scope),
            cr::external_user_id.eq(c.external_user_id.as_deref()),
            cr::status.eq(status),
            cr::user_notified.eq(notified),
            cr::updated_at.eq(c.updated_at),
        ))
        .on_conflict((cr::user_id, cr::provider))
        .do_update()
        .set((
            cr::access_token_enc.eq(excluded(cr::access_token_enc)),
            cr::refresh_token_enc.eq(excluded(cr::refresh_token_enc)),
            cr::token_secret_enc.eq(excluded(cr::token_secret_enc)),
            cr::expires_at.eq(excluded(cr::expires_at)),
            cr::scope.eq(excluded(cr::scope)),
            cr::external_user_id.eq(excluded(cr::external_user_id)),
            cr::status.eq(excluded(cr::status)),
            cr::user_notified.eq(excluded(cr::user_notified)),
            cr::updated_at.eq(excluded(cr::updated_at)),
        ))
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(())
}

/// Reads a connection; `lock` takes a row lock (inside a transaction) so one process at a time
/// refreshes a rotating token.
pub async fn get(
    conn: &mut AsyncPgConnection,
    cipher: &TokenCipher,
    user: UserId,
    provider: Provider,
    lock: bool,
) -> Result<Option<Credentials>, StorageError> {
    let query = cr::table
        .find((user.get(), provider.code()))
        .select(CredentialRow::as_select());
    let row = if lock {
        query.for_update().first(conn).await
    } else {
        query.first(conn).await
    }
    .optional()
    .map_err(from_diesel)?;
    row.map(|r| decode(r, cipher)).transpose()
}

/// Deletes a connection.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    user: UserId,
    provider: Provider,
) -> Result<bool, StorageError> {
    let n = diesel::delete(cr::table.find((user.get(), provider.code())))
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(n > 0)
}

/// Marks a working connection broken.
pub async fn mark_broken(
    conn: &mut AsyncPgConnection,
    user: UserId,
    provider: Provider,
) -> Result<bool, StorageError> {
    let n = diesel::update(
        cr::table
            .find((user.get(), provider.code()))
            .filter(cr::status.eq("active")),
    )
    .set((
        cr::status.eq("broken"),
        cr::user_notified.eq(false),
        cr::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await
    .map_err(from_diesel)?;
    Ok(n > 0)
}

/// Records that the user was told; `true` only the first time.
pub async fn mark_user_notified(
    conn: &mut AsyncPgConnection,
    user: UserId,
    provider: Provider,
) -> Result<bool, StorageError> {
    let n = diesel::update(
        cr::table
            .find((user.get(), provider.code()))
            .filter(cr::status.eq("broken"))
            .filter(cr::user_notified.eq(false)),
    )
    .set(cr::user_notified.eq(true))
    .execute(conn)
    .await
    .map_err(from_diesel)?;
    Ok(n > 0)
}

/// Stored user ids as `UserId`s (a non-positive one is a corrupt row).
fn user_ids(ids: Vec<i64>) -> Result<Vec<UserId>, StorageError> {
    ids.into_iter()
        .map(|id| UserId::new(id).map_err(corrupt))
        .collect()
}

/// Working connections whose access token expires before `before`.
pub async fn expiring_before(
    conn: &mut AsyncPgConnection,
    provider: Provider,
    before: DateTime<Utc>,
) -> Result<Vec<UserId>, StorageError> {
    let ids: Vec<i64> = cr::table
        .filter(cr::provider.eq(provider.code()))
        .filter(cr::status.eq("active"))
        .filter(cr::expires_at.lt(before))
        .order(cr::expires_at)
        .select(cr::user_id)
        .load(conn)
        .await
        .map_err(from_diesel)?;
    user_ids(ids)
}

/// Users with a working connection to `provider`, by id after `after`.
pub async fn connected(
    conn: &mut AsyncPgConnection,
    provider: Provider,
    after: Option<UserId>,
    limit: i64,
) -> Result<Vec<UserId>, StorageError> {
    let ids: Vec<i64> = cr::table
        .filter(cr::provider.eq(provider.code()))
        .filter(cr::status.eq("active"))
        .filter(cr::user_id.gt(after.map_or(0, UserId::get)))
        .order(cr::user_id)
        .limit(limit.max(1))
        .select(cr::user_id)
        .load(conn)
        .await
        .map_err(from_diesel)?;
    user_ids(ids)
}

/// The user a provider account belongs to.
pub async fn user_by_external_id(
    conn: &mut AsyncPgConnection,
    provider: Provider,
    external_user_id: &str,
) -> Result<Option<UserId>, StorageError> {
    cr::table
        .filter(cr::provider.eq(provider.code()))
        .filter(cr::external_user_id.eq(external_user_id))
        .select(cr::user_id)
        .first::<i64>(conn)
        .await
        .optional()
        .map_err(from_diesel)?
        .map(|id| UserId::new(id).map_err(corrupt))
        .transpose()
}

/// `CredentialStore` over the pool.
#[derive(Debug, Clone)]
pub struct PgCredentialStore {
    db: Database,
    cipher: TokenCipher,
}

impl PgCredentialStore {
    /// Over this database, encrypting with this key.
    pub fn new(db: Database, cipher: TokenCipher) -> Self {
        Self { db, cipher }
    }
}

/// Waits between attempts to store rotated tokens: about 7 s in all.
const STORE_ROTATED: Backoff = Backoff::new(
    std::time::Duration::from_millis(250),
    std::time::Duration::from_secs(4),
);
/// Attempts to store rotated tokens.
const STORE_ROTATED_ATTEMPTS: u32 = 5;

impl PgCredentialStore {
    /// Stores tokens the provider just rotated, at once, in a statement of its own on a
    /// connection of its own (`spare`, taken before the provider was asked, so a busy pool
    /// cannot leave the new tokens with nowhere to go), retried while the database is briefly
    /// away: the provider has retired the old refresh token, so these are the only ones that
    /// work. `false` when the connection was deleted or replaced meanwhile (neither is undone).
    async fn store_rotated(
        &self,
        new: &Credentials,
        read_at: DateTime<Utc>,
        mut spare: Option<Object<AsyncPgConnection>>,
    ) -> Result<bool, StorageError> {
        let mut waits = STORE_ROTATED.series();
        loop {
            let attempt = async {
                let mut conn = match spare.take() {
                    Some(conn) => conn,
                    None => self.db.conn().await?,
                };
                update_tokens(&mut conn, &self.cipher, new, read_at).await
            }
            .await;
            match attempt {
                Err(StorageError::Unavailable(e))
                    if waits.failures() + 1 < STORE_ROTATED_ATTEMPTS =>
                {
                    warn!(user = %new.user_id, provider = %new.provider, error = %e,
                        "rotated tokens not stored yet; trying again");
                    tokio::time::sleep(waits.next_wait()).await;
                }
                Err(e) => {
                    error!(user = %new.user_id, provider = %new.provider, error = %e,
                        "rotated tokens could not be stored: the user will have to reconnect");
                    return Err(e);
                }
                Ok(updated) => return Ok(updated),
            }
        }
    }
}

/// Takes the refresh lock of one connection until the transaction ends.
async fn lock_refresh(
    conn: &mut AsyncPgConnection,
    user: UserId,
    provider: Provider,
) -> Result<(), StorageError> {
    let key = format!("credentials-refresh:{}:{}", provider.code(), user.get());
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<diesel::sql_types::Text, _>(key)
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(())
}

#[async_trait]
impl CredentialStore for PgCredentialStore {
    async fn save(&self, credentials: &Credentials) -> Result<(), StorageError> {
        save(&mut *self.db.conn().await?, &self.cipher, credentials).await
    }

    async fn get(
        &self,
        user: UserId,
        provider: Provider,
    ) -> Result<Option<Credentials>, StorageError> {
        get(
            &mut *self.db.conn().await?,
            &self.cipher,
            user,
            provider,
            false,
        )
        .await
    }

    async fn delete(&self, user: UserId, provider: Provider) -> Result<bool, StorageError> {
        delete(&mut *self.db.conn().await?, user, provider).await
    }

    async fn mark_broken(&self, user: UserId, provider: Provider) -> Result<bool, StorageError> {
        mark_broken(&mut *self.db.conn().await?, user, provider).await
    }

    async fn mark_user_notified(
        &self,
        user: UserId,
        provider: Provider,
    ) -> Result<bool, StorageError> {
        mark_user_notified(&mut *self.db.conn().await?, user, provider).await
    }

    async fn user_by_external_id(
        &self,
        provider: Provider,
        external_user_id: &str,
    ) -> Result<Option<UserId>, StorageError> {
        user_by_external_id(&mut *self.db.conn().await?, provider, external_user_id).await
    }

    async fn refresh_locked(
        &self,
        user: UserId,
        provider: Provider,
        refresher: std::sync::Arc<dyn TokenRefresher>,
    ) -> Result<Refreshed, StorageError> {
        let cipher = &self.cipher;
        let mut conn = self.db.conn().await?;
        // The rotated tokens once stored: they stand whatever becomes of the lock's transaction.
        let mut stored = None;
        let locked = conn
            .transaction::<_, TxError, _>(async |tx| {
                // A second process asking to refresh the same user waits here, then reads the
                // tokens the first one stored. An advisory lock, not a row lock: the new tokens
                // are written on a connection of their own, which a row lock would block.
                lock_refresh(tx, user, provider).await?;
                let Some(current) = get(tx, cipher, user, provider, false).await? else {
                    return Ok(Refreshed::NotConnected);
                };
                let spare = self.db.conn().await?;
                match refresher.refresh(&current).await {
                    Ok(Some(new)) => {
                        if !self
                            .store_rotated(&new, current.updated_at, Some(spare))
                            .await?
                        {
                            // Deleted, or reconnected with new tokens: those stand.
                            let now = get(tx, cipher, user, provider, false).await?;
                            return Ok(now.map_or(Refreshed::NotConnected, Refreshed::Fresh));
                        }
                        stored = Some(new.clone());
                        Ok(Refreshed::Fresh(new))
                    }
                    Ok(None) => Ok(Refreshed::Fresh(current)),
                    Err(e) => Ok(Refreshed::Failed(e)),
                }
            })
            .await;
        match (stored, locked) {
            // The lock's connection may have died while the provider answered (a failover,
            // a dropped route): the tokens were stored all the same.
            (Some(new), _) => Ok(Refreshed::Fresh(new)),
            (None, locked) => locked.map_err(StorageError::from),
        }
    }

    async fn expiring_before(
        &self,
        provider: Provider,
        before: DateTime<Utc>,
    ) -> Result<Vec<UserId>, StorageError> {
        expiring_before(&mut *self.db.conn().await?, provider, before).await
    }

    async fn connected(
        &self,
        provider: Provider,
        after: Option<UserId>,
        limit: i64,
    ) -> Result<Vec<UserId>, StorageError> {
        connected(&mut *self.db.conn().await?, provider, after, limit).await
    }
}
