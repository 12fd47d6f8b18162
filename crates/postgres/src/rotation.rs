//! Re-encrypts every stored secret under the current key (`wellness rotate-key`).
//!
//! Rows are read in batches in primary-key order. A row whose values are all versioned under the
//! current key is left alone; a row with a value that no configured key opens is left alone and
//! counted, so nothing that could still be recovered with the right key is overwritten. Every
//! other row is written back by one `UPDATE` (a transaction of its own) whose `WHERE` holds the
//! old ciphertext of every sealed column: a token refresh that stored new tokens meanwhile
//! (under the current key, by a `serve` already given it) makes the `UPDATE` match nothing, and
//! its tokens stay. A second run finds every row current and changes nothing.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use wellness_domain::ports::StorageError;
use wellness_domain::{Provider, UserId};

use crate::error::from_diesel;
use crate::repo::{credentials, oauth_states};
use crate::schema::credentials as cr;
use crate::schema::oauth_states as os;
use crate::{CipherError, Database, TokenCipher};

/// What a rotation did to one table, counted in rows.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RotationCounts {
    /// Rows whose values were re-encrypted under the current key.
    pub reencrypted: u64,
    /// Rows already entirely under the current key: not written.
    pub already_current: u64,
    /// Rows with a value that no configured key decrypts: not written.
    pub undecryptable: u64,
    /// Rows that changed (or went) between the read and the write: their writer's values stay.
    pub changed_meanwhile: u64,
}

/// What a rotation did, per table.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RotationReport {
    /// `credentials`: access, refresh and OAuth 1.0a token secrets.
    pub credentials: RotationCounts,
    /// `oauth_states`: OAuth 1.0a request-token secrets.
    pub oauth_states: RotationCounts,
}

impl RotationReport {
    /// Rows left as they were because a value did not decrypt with any configured key.
    pub fn undecryptable(&self) -> u64 {
        self.credentials.undecryptable + self.oauth_states.undecryptable
    }
}

/// What to do with one row.
enum Plan {
    Current,
    Undecryptable(CipherError),
    /// The new value of each sealed column, in the order given (unchanged ones as they were).
    Write(Vec<Option<Vec<u8>>>),
}

/// Reseals each `(value, context)` of a row under the current key.
fn plan(cipher: &TokenCipher, values: &[(Option<&[u8]>, String)]) -> Plan {
    let mut out = Vec::with_capacity(values.len());
    let mut stale = false;
    for (old, context) in values {
        let Some(old) = old else {
            out.push(None);
            continue;
        };
        match cipher.reseal(old, context) {
            Ok(Some(new)) => {
                stale = true;
                out.push(Some(new));
            }
            Ok(None) => out.push(Some(old.to_vec())),
            Err(e) => return Plan::Undecryptable(e),
        }
    }
    if stale {
        Plan::Write(out)
    } else {
        Plan::Current
    }
}

/// Re-encrypts every credential and OAuth-state secret not under `cipher`'s current key,
/// `batch` rows read at a time.
pub async fn rotate_keys(
    db: &Database,
    cipher: &TokenCipher,
    batch: i64,
) -> Result<RotationReport, StorageError> {
    let conn = &mut *db.conn().await?;
    let batch = batch.max(1);
    Ok(RotationReport {
        credentials: rotate_credentials(conn, cipher, batch).await?,
        oauth_states: rotate_oauth_states(conn, cipher, batch).await?,
    })
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = cr)]
#[diesel(check_for_backend(diesel::pg::Pg))]
struct SealedCredential {
    user_id: i64,
    provider: String,
    access_token_enc: Vec<u8>,
    refresh_token_enc: Option<Vec<u8>>,
    token_secret_enc: Option<Vec<u8>>,
}

impl SealedCredential {
    fn plan(&self, cipher: &TokenCipher) -> Plan {
        let (Ok(user), Some(provider)) = (
            UserId::new(self.user_id),
            Provider::from_code(&self.provider),
        ) else {
            return Plan::Undecryptable(CipherError::Undecryptable);
        };
        let ctx = |column| credentials::context(user, provider, column);
        plan(
            cipher,
            &[
                (Some(self.access_token_enc.as_slice()), ctx("access")),
                (self.refresh_token_enc.as_deref(), ctx("refresh")),
                (self.token_secret_enc.as_deref(), ctx("secret")),
            ],
        )
    }
}

async fn rotate_credentials(
    conn: &mut AsyncPgConnection,
    cipher: &TokenCipher,
    batch: i64,
) -> Result<RotationCounts, StorageError> {
    let mut counts = RotationCounts::default();
    let mut after: Option<(i64, String)> = None;
    loop {
        let mut query = cr::table
            .select(SealedCredential::as_select())
            .order((cr::user_id, cr::provider))
            .limit(batch)
            .into_boxed();
        if let Some((user, provider)) = &after {
            query = query.filter(
                cr::user_id
                    .gt(*user)
                    .or(cr::user_id.eq(*user).and(cr::provider.gt(provider.clone()))),
            );
        }
        let rows: Vec<SealedCredential> = query.load(conn).await.map_err(from_diesel)?;
        for row in &rows {
            rotate_credential(conn, cipher, row, &mut counts).await?;
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == batch => {
                after = Some((last.user_id, last.provider.clone()));
            }
            _ => return Ok(counts),
        }
    }
}

/// Reseals one credentials row as it was read, unless it changed since.
async fn rotate_credential(
    conn: &mut AsyncPgConnection,
    cipher: &TokenCipher,
    row: &SealedCredential,
    counts: &mut RotationCounts,
) -> Result<(), StorageError> {
    let new = match row.plan(cipher) {
        Plan::Current => {
            counts.already_current += 1;
            return Ok(());
        }
        Plan::Undecryptable(e) => {
            tracing::warn!(user_id = row.user_id, provider = %row.provider, error = %e,
                "credentials left as they are: no configured key decrypts them");
            counts.undecryptable += 1;
            return Ok(());
        }
        Plan::Write(new) => new,
    };
    let [access, refresh, secret] = <[Option<Vec<u8>>; 3]>::try_from(new)
        .map_err(|_| StorageError::Corrupt("a resealed row lost a column".into()))?;
    let access = access.unwrap_or_else(|| row.access_token_enc.clone());
    // Every old ciphertext in the WHERE: a row rewritten meanwhile matches nothing.
    let written = diesel::update(
        cr::table
            .find((row.user_id, &row.provider))
            .filter(cr::access_token_enc.eq(&row.access_token_enc))
            .filter(cr::refresh_token_enc.is_not_distinct_from(&row.refresh_token_enc))
            .filter(cr::token_secret_enc.is_not_distinct_from(&row.token_secret_enc)),
    )
    .set((
        cr::access_token_enc.eq(access),
        cr::refresh_token_enc.eq(refresh),
        cr::token_secret_enc.eq(secret),
    ))
    .execute(conn)
    .await
    .map_err(from_diesel)?;
    count_write(counts, written);
    Ok(())
}

fn count_write(counts: &mut RotationCounts, written: usize) {
    if written == 1 {
        counts.reencrypted += 1;
    } else {
        counts.changed_meanwhile += 1;
    }
}

async fn rotate_oauth_states(
    conn: &mut AsyncPgConnection,
    cipher: &TokenCipher,
    batch: i64,
) -> Result<RotationCounts, StorageError> {
    let mut counts = RotationCounts::default();
    let mut after: Option<String> = None;
    loop {
        let mut query = os::table
            .filter(os::request_token_secret_enc.is_not_null())
            .select((os::state, os::user_id, os::request_token_secret_enc))
            .order(os::state)
            .limit(batch)
            .into_boxed();
        if let Some(state) = &after {
            query = query.filter(os::state.gt(state.clone()));
        }
        let rows: Vec<(String, i64, Option<Vec<u8>>)> =
            query.load(conn).await.map_err(from_diesel)?;
        for (state, user_id, old) in &rows {
            let context = oauth_states::context(state);
            let new = match plan(cipher, &[(old.as_deref(), context)]) {
                Plan::Current => {
                    counts.already_current += 1;
                    continue;
                }
                Plan::Undecryptable(e) => {
                    // The state itself guards a pending connection: only its user is named.
                    tracing::warn!(user_id, error = %e,
                        "an OAuth state left as it is: no configured key decrypts it");
                    counts.undecryptable += 1;
                    continue;
                }
                Plan::Write(mut new) => new.pop().flatten(),
            };
            let written = diesel::update(
                os::table
                    .filter(os::state.eq(state))
                    .filter(os::request_token_secret_enc.is_not_distinct_from(old)),
            )
            .set(os::request_token_secret_enc.eq(new))
            .execute(conn)
            .await
            .map_err(from_diesel)?;
            count_write(&mut counts, written);
        }
        match rows.last() {
            Some((last, _, _)) if rows.len() as i64 == batch => after = Some(last.clone()),
            _ => return Ok(counts),
        }
    }
}

#[cfg(test)]
mod tests;
