//! `PendingQuestions` on PostgreSQL: one row per user, replaced by the next question, deleted
//! by the next message (and with the user).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use wellness_domain::conversation::{PendingQuestion, Question};
use wellness_domain::ports::{PendingQuestions, StorageError};
use wellness_domain::{FoodEntryId, UpdateId, UserId};

use crate::Database;
use crate::error::{corrupt, from_diesel};
use crate::schema::pending_questions as pq;

/// The stored form of a question: its kind, the entry (or message) it is about, and the item.
fn columns(question: Question) -> (&'static str, Option<i64>, Option<i16>) {
    match question {
        Question::Grams(entry) => ("grams", Some(entry.get()), None),
        // The id column holds the message's update id for a package's and a meal's grams.
        Question::PackageGrams(update) => ("package_grams", Some(update.get()), None),
        Question::MealGrams { update, item } => {
            ("meal_grams", Some(update.get()), Some(i16::from(item)))
        }
    }
}

fn question(
    kind: &str,
    entry_id: Option<i64>,
    item: Option<i16>,
) -> Result<Question, StorageError> {
    if kind == "meal_grams" {
        let update = entry_id.and_then(|id| UpdateId::new(id).ok());
        let item = item.and_then(|i| u8::try_from(i).ok());
        return match (update, item) {
            (Some(update), Some(item)) => Ok(Question::MealGrams { update, item }),
            _ => Err(corrupt(
                "pending meal_grams without its message or item".to_owned(),
            )),
        };
    }
    let entry = || {
        entry_id
            .and_then(|id| FoodEntryId::new(id).ok())
            .ok_or_else(|| corrupt(format!("pending question {kind} without an entry")))
    };
    match kind {
        "grams" => Ok(Question::Grams(entry()?)),
        "package_grams" => entry_id
            .and_then(|id| UpdateId::new(id).ok())
            .map(Question::PackageGrams)
            .ok_or_else(|| corrupt("pending package_grams without an update".to_owned())),
        other => Err(corrupt(format!("pending question kind {other}"))),
    }
}

/// `PendingQuestions` over the pool.
#[derive(Debug, Clone)]
pub struct PgPendingQuestions {
    db: Database,
}

impl PgPendingQuestions {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl PendingQuestions for PgPendingQuestions {
    async fn ask(
        &self,
        user: UserId,
        asked: &PendingQuestion,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let (kind, entry, item) = columns(asked.question);
        diesel::insert_into(pq::table)
            .values((
                pq::user_id.eq(user.get()),
                pq::kind.eq(kind),
                pq::entry_id.eq(entry),
                pq::item.eq(item),
                pq::asked_at.eq(now),
                pq::expires_at.eq(asked.expires_at),
            ))
            .on_conflict(pq::user_id)
            .do_update()
            .set((
                pq::kind.eq(excluded(pq::kind)),
                pq::entry_id.eq(excluded(pq::entry_id)),
                pq::item.eq(excluded(pq::item)),
                pq::asked_at.eq(excluded(pq::asked_at)),
                pq::expires_at.eq(excluded(pq::expires_at)),
            ))
            .execute(&mut *self.db.conn().await?)
            .await
            .map_err(from_diesel)?;
        Ok(())
    }

    async fn take(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingQuestion>, StorageError> {
        let taken: Option<(String, Option<i64>, Option<i16>, DateTime<Utc>)> =
            diesel::delete(pq::table.find(user.get()))
                .returning((pq::kind, pq::entry_id, pq::item, pq::expires_at))
                .get_result(&mut *self.db.conn().await?)
                .await
                .optional()
                .map_err(from_diesel)?;
        let Some((kind, entry, item, expires_at)) = taken else {
            return Ok(None);
        };
        if expires_at <= now {
            return Ok(None);
        }
        Ok(Some(PendingQuestion {
            question: question(&kind, entry, item)?,
            expires_at,
        }))
    }
}
