//! `OAuthStates` on PostgreSQL: single use enforced by one conditional UPDATE.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use wellness_domain::ports::{OAuthStates, StorageError};
use wellness_domain::{OAuthState, Provider, Secret, StateRejected, UserId};

use crate::error::{corrupt, from_diesel};
use crate::schema::oauth_states as os;
use crate::{Database, TokenCipher};

/// Associated data binding a request-token secret to its state.
pub(crate) fn context(state: &str) -> String {
    format!("oauth_states:{state}:request_token_secret")
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = os)]
#[diesel(check_for_backend(diesel::pg::Pg))]
struct StateRow {
    state: String,
    user_id: i64,
    provider: String,
    request_token: Option<String>,
    request_token_secret_enc: Option<Vec<u8>>,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    browser: Option<String>,
}

fn decode(row: StateRow, cipher: &TokenCipher) -> Result<OAuthState, StorageError> {
    let request_token = match (row.request_token, row.request_token_secret_enc) {
        (Some(token), Some(sealed)) => Some((
            token,
            Secret::new(
                cipher
                    .decrypt(&sealed, &context(&row.state))
                    .map_err(corrupt)?,
            ),
        )),
        _ => None,
    };
    Ok(OAuthState {
        user_id: UserId::new(row.user_id).map_err(corrupt)?,
        provider: Provider::from_code(&row.provider)
            .ok_or_else(|| corrupt(format!("provider {}", row.provider)))?,
        expires_at: row.expires_at,
        request_token,
        state: row.state,
        browser: row.browser,
    })
}

/// Stores a new state.
pub async fn create(
    conn: &mut AsyncPgConnection,
    cipher: &TokenCipher,
    s: &OAuthState,
) -> Result<(), StorageError> {
    let (token, sealed) = match &s.request_token {
        Some((token, secret)) => (
            Some(token.as_str()),
            Some(
                cipher
                    .encrypt(secret.expose(), &context(&s.state))
                    .map_err(|e| StorageError::Rejected(e.to_string()))?,
            ),
        ),
        None => (None, None),
    };
    diesel::insert_into(os::table)
        .values((
            os::state.eq(&s.state),
            os::user_id.eq(s.user_id.get()),
            os::provider.eq(s.provider.code()),
            os::request_token.eq(token),
            os::request_token_secret_enc.eq(sealed),
            os::expires_at.eq(s.expires_at),
            os::browser.eq(s.browser.as_deref()),
        ))
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(())
}

enum Key<'a> {
    State(&'a str),
    RequestToken(&'a str),
}

async fn consume_by(
    conn: &mut AsyncPgConnection,
    cipher: &TokenCipher,
    provider: Provider,
    key: Key<'_>,
    now: DateTime<Utc>,
) -> Result<Result<OAuthState, StateRejected>, StorageError> {
    // Claim it: only an unused, unexpired state of this provider is marked used, atomically.
    let claimed = match key {
        Key::State(state) => {
            diesel::update(
                os::table
                    .filter(os::state.eq(state))
                    .filter(os::provider.eq(provider.code()))
                    .filter(os::used_at.is_null())
                    .filter(os::expires_at.gt(now)),
            )
            .set(os::used_at.eq(now))
            .returning(StateRow::as_returning())
            .get_result(conn)
            .await
        }
        Key::RequestToken(token) => {
            diesel::update(
                os::table
                    .filter(os::request_token.eq(token))
                    .filter(os::provider.eq(provider.code()))
                    .filter(os::used_at.is_null())
                    .filter(os::expires_at.gt(now)),
            )
            .set(os::used_at.eq(now))
            .returning(StateRow::as_returning())
            .get_result(conn)
            .await
        }
    }
    .optional()
    .map_err(from_diesel)?;
    if let Some(row) = claimed {
        return decode(row, cipher).map(Ok);
    }
    // Not claimable: tell why.
    let existing = match key {
        Key::State(state) => {
            os::table
                .filter(os::state.eq(state))
                .filter(os::provider.eq(provider.code()))
                .select(StateRow::as_select())
                .first(conn)
                .await
        }
        Key::RequestToken(token) => {
            os::table
                .filter(os::request_token.eq(token))
                .filter(os::provider.eq(provider.code()))
                .select(StateRow::as_select())
                .first(conn)
                .await
        }
    }
    .optional()
    .map_err(from_diesel)?;
    Ok(Err(match existing {
        None => StateRejected::Unknown,
        Some(row) if row.used_at.is_some() => StateRejected::AlreadyUsed,
        Some(_) => StateRejected::Expired,
    }))
}

/// Looks a state up without using it.
pub async fn check(
    conn: &mut AsyncPgConnection,
    cipher: &TokenCipher,
    provider: Provider,
    state: &str,
    now: DateTime<Utc>,
) -> Result<Result<OAuthState, StateRejected>, StorageError> {
    let row = os::table
        .filter(os::state.eq(state))
        .filter(os::provider.eq(provider.code()))
        .select(StateRow::as_select())
        .first(conn)
        .await
        .optional()
        .map_err(from_diesel)?;
    Ok(match row {
        None => Err(StateRejected::Unknown),
        Some(row) if row.used_at.is_some() => Err(StateRejected::AlreadyUsed),
        Some(row) if row.expires_at <= now => Err(StateRejected::Expired),
        Some(row) => Ok(decode(row, cipher)?),
    })
}

/// Deletes states that expired before `before`.
pub async fn purge_expired(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let n = diesel::delete(os::table.filter(os::expires_at.lt(before)))
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(n as u64)
}

/// `OAuthStates` over the pool.
#[derive(Debug, Clone)]
pub struct PgOAuthStates {
    db: Database,
    cipher: TokenCipher,
}

impl PgOAuthStates {
    /// Over this database; OAuth 1.0a request-token secrets are encrypted with this key.
    pub fn new(db: Database, cipher: TokenCipher) -> Self {
        Self { db, cipher }
    }
}

#[async_trait]
impl OAuthStates for PgOAuthStates {
    async fn create(&self, state: &OAuthState) -> Result<(), StorageError> {
        create(&mut *self.db.conn().await?, &self.cipher, state).await
    }

    async fn consume(
        &self,
        provider: Provider,
        state: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<OAuthState, StateRejected>, StorageError> {
        consume_by(
            &mut *self.db.conn().await?,
            &self.cipher,
            provider,
            Key::State(state),
            now,
        )
        .await
    }

    async fn consume_request_token(
        &self,
        provider: Provider,
        request_token: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<OAuthState, StateRejected>, StorageError> {
        consume_by(
            &mut *self.db.conn().await?,
            &self.cipher,
            provider,
            Key::RequestToken(request_token),
            now,
        )
        .await
    }

    async fn check(
        &self,
        provider: Provider,
        state: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<OAuthState, StateRejected>, StorageError> {
        check(
            &mut *self.db.conn().await?,
            &self.cipher,
            provider,
            state,
            now,
        )
        .await
    }

    async fn purge_expired(&self, before: DateTime<Utc>) -> Result<u64, StorageError> {
        purge_expired(&mut *self.db.conn().await?, before).await
    }
}
