//! `Conversations` on PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use wellness_domain::ports::{Conversations, StorageError};
use wellness_domain::{ConversationMessage, Role, UserId};

use crate::Database;
use crate::error::{corrupt, from_diesel};
use crate::schema::conversation_messages as cm;

/// Appends messages, in one statement, in the order given.
pub async fn append(
    conn: &mut AsyncPgConnection,
    messages: &[ConversationMessage],
) -> Result<(), StorageError> {
    if messages.is_empty() {
        return Ok(());
    }
    // One multi-row insert: ids follow the order of the rows, which `recent` orders ties by.
    let rows: Vec<_> = messages
        .iter()
        .map(|m| {
            (
                cm::user_id.eq(m.user_id.get()),
                cm::role.eq(m.role.code()),
                cm::content.eq(&m.content),
                cm::intent.eq(m.intent.as_deref()),
                cm::created_at.eq(m.created_at),
            )
        })
        .collect();
    diesel::insert_into(cm::table)
        .values(&rows)
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(())
}

/// The latest `limit` messages since `since`, oldest first.
pub async fn recent(
    conn: &mut AsyncPgConnection,
    user: UserId,
    since: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<ConversationMessage>, StorageError> {
    let rows: Vec<(String, String, Option<String>, DateTime<Utc>)> = cm::table
        .filter(cm::user_id.eq(user.get()))
        .filter(cm::created_at.ge(since))
        .order((cm::created_at.desc(), cm::id.desc()))
        .limit(limit)
        .select((cm::role, cm::content, cm::intent, cm::created_at))
        .load(conn)
        .await
        .map_err(from_diesel)?;
    rows.into_iter()
        .rev()
        .map(|(role, content, intent, created_at)| {
            Ok(ConversationMessage {
                user_id: user,
                role: Role::from_code(&role).ok_or_else(|| corrupt(format!("role {role}")))?,
                content,
                intent,
                created_at,
            })
        })
        .collect()
}

/// Deletes messages older than `before`.
pub async fn delete_older_than(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let n = diesel::delete(cm::table.filter(cm::created_at.lt(before)))
        .execute(conn)
        .await
        .map_err(from_diesel)?;
    Ok(n as u64)
}

/// `Conversations` over the pool.
#[derive(Debug, Clone)]
pub struct PgConversations {
    db: Database,
}

impl PgConversations {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl Conversations for PgConversations {
    async fn append(&self, messages: &[ConversationMessage]) -> Result<(), StorageError> {
        append(&mut *self.db.conn().await?, messages).await
    }

    async fn recent(
        &self,
        user: UserId,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ConversationMessage>, StorageError> {
        recent(&mut *self.db.conn().await?, user, since, limit).await
    }

    async fn delete_older_than(&self, before: DateTime<Utc>) -> Result<u64, StorageError> {
        delete_older_than(&mut *self.db.conn().await?, before).await
    }
}
