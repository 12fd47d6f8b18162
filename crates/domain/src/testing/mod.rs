//! Test doubles for the ports whose behaviour tests lean on (a food log, a history, pending
//! questions, notification claims and job ticks kept in memory, each held to its adapter's
//! contract: `contracts`) and a presenter that shows replies as data. For this
//! crate's tests and, with the `mock` feature, other crates' tests.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

pub mod briefing;
pub mod contexts;
pub mod contracts;
mod memory;
mod personal;

pub use memory::{MemoryConversations, MemoryJobRuns, MemoryNotifications, MemoryPending};
pub use personal::{MemoryPersonal, NoProducts};

use std::sync::Mutex;

use crate::model::*;
use crate::ports::*;
use crate::reply::Reply;

/// Renders a reply as its parts' `Debug` form, one per line, and buttons with their real
/// callback data: the domain's tests read typed replies without any language's texts.
#[derive(Debug, Default, Clone, Copy)]
pub struct DebugPresenter;

impl Presenter for DebugPresenter {
    fn render(&self, _locale: Locale, reply: &Reply) -> OutgoingMessage {
        reply.to_message(|part| format!("{part:?}"), |label| format!("{label:?}"))
    }
}

/// A food log that keeps entries in memory.
#[derive(Debug, Default)]
pub struct MemoryLog(pub Mutex<Vec<FoodEntry>>);

#[async_trait::async_trait]
impl FoodLog for MemoryLog {
    async fn log(&self, entries: &[NewFoodEntry]) -> Result<Logged, StorageError> {
        let mut all = self.0.lock().unwrap();
        let mut out = Vec::new();
        let mut created = false;
        for e in entries {
            if let Some(existing) = all.iter().find(|x| x.idempotency_key == e.idempotency_key) {
                out.push(existing.clone());
                continue;
            }
            created = true;
            let entry = FoodEntry {
                id: FoodEntryId::new(all.len() as i64 + 1).unwrap(),
                user_id: e.user_id,
                name: e.name.clone(),
                grams: e.grams,
                nutrients: e.nutrients,
                meal: e.meal,
                source: e.source,
                nutrition_source: e.nutrition_source,
                local_date: e.local_date,
                logged_at: e.logged_at,
                status: EntryStatus::Active,
                idempotency_key: e.idempotency_key.clone(),
                catalogue_ref: None,
                diary_link: None,
            };
            all.push(entry.clone());
            out.push(entry);
        }
        Ok(Logged {
            entries: out,
            created,
        })
    }
    async fn day_totals(&self, user: UserId, day: LocalDate) -> Result<DayTotals, StorageError> {
        let all = self.0.lock().unwrap();
        let active: Vec<&FoodEntry> = all
            .iter()
            .filter(|e| e.status == EntryStatus::Active && e.user_id == user && e.local_date == day)
            .collect();
        Ok(DayTotals {
            entries: active.len() as u32,
            nutrients: active.iter().map(|e| e.nutrients).sum(),
        })
    }
    async fn daily_totals(
        &self,
        user: UserId,
        from: LocalDate,
        to: LocalDate,
    ) -> Result<Vec<(LocalDate, DayTotals)>, StorageError> {
        let mut days = std::collections::BTreeMap::<LocalDate, DayTotals>::new();
        for e in self.0.lock().unwrap().iter() {
            if e.user_id == user
                && e.status == EntryStatus::Active
                && (from..=to).contains(&e.local_date)
            {
                let day = days.entry(e.local_date).or_default();
                day.entries += 1;
                day.nutrients = [day.nutrients, e.nutrients].into_iter().sum();
            }
        }
        Ok(days.into_iter().collect())
    }
    async fn entries_on(
        &self,
        user: UserId,
        day: LocalDate,
    ) -> Result<Vec<FoodEntry>, StorageError> {
        Ok(self
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.status == EntryStatus::Active && e.user_id == user && e.local_date == day)
            .cloned()
            .collect())
    }
    async fn latest(&self, _u: UserId) -> Result<Option<FoodEntry>, StorageError> {
        Ok(self
            .0
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|e| e.status == EntryStatus::Active)
            .cloned())
    }
    async fn void(&self, _u: UserId, ids: &[FoodEntryId]) -> Result<Vec<FoodEntry>, StorageError> {
        let mut out = Vec::new();
        for e in self.0.lock().unwrap().iter_mut() {
            if ids.contains(&e.id) && e.status == EntryStatus::Active {
                e.status = EntryStatus::Voided;
                out.push(e.clone());
            }
        }
        Ok(out)
    }
    async fn void_by_key_prefix(
        &self,
        _u: UserId,
        prefix: &str,
    ) -> Result<Vec<FoodEntry>, StorageError> {
        let mut out = Vec::new();
        for e in self.0.lock().unwrap().iter_mut() {
            if e.idempotency_key.as_str().starts_with(prefix) && e.status == EntryStatus::Active {
                e.status = EntryStatus::Voided;
                out.push(e.clone());
            }
        }
        Ok(out)
    }
    async fn change_portion(
        &self,
        _u: UserId,
        id: FoodEntryId,
        grams: Grams,
        n: Nutrients,
    ) -> Result<Option<FoodEntry>, StorageError> {
        let mut all = self.0.lock().unwrap();
        Ok(all
            .iter_mut()
            .find(|e| e.id == id && e.status == EntryStatus::Active)
            .map(|e| {
                e.grams = grams;
                e.nutrients = n;
                e.clone()
            }))
    }
    async fn get(&self, _u: UserId, id: FoodEntryId) -> Result<Option<FoodEntry>, StorageError> {
        Ok(self.0.lock().unwrap().iter().find(|e| e.id == id).cloned())
    }
}

/// An audit that keeps what it was told: which text and why.
#[derive(Debug, Default)]
pub struct RecordingAudit(pub Mutex<Vec<(AssistantText, crate::grounding::Ungrounded)>>);

impl AnswerAudit for RecordingAudit {
    fn ungrounded(&self, text: AssistantText, finding: &crate::grounding::Finding) {
        self.0.lock().unwrap().push((text, finding.why));
    }
}

/// Per-user limits counted in memory, in one window that never ends: the first `limit` uses
/// are allowed, the next is the first over, and so on.
#[derive(Debug, Default)]
pub struct MemoryThrottle(pub Mutex<std::collections::HashMap<(UserId, Throttled), u32>>);

#[async_trait::async_trait]
impl Throttle for MemoryThrottle {
    async fn hit(&self, user: UserId, what: Throttled, limit: Limit) -> Result<Hit, StorageError> {
        let mut counts = self.0.lock().unwrap();
        let hits = counts.entry((user, what)).or_default();
        *hits += 1;
        Ok(if *hits <= limit.limit {
            Hit::Allowed
        } else {
            Hit::Exceeded {
                first: *hits == limit.limit + 1,
                retry_after: limit.window,
            }
        })
    }
}
