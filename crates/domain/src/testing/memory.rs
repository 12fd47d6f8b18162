//! In-memory doubles of the repository ports the domain's and the jobs' tests lean on. Each
//! passes the same contract suite as its PostgreSQL adapter (`testing::contracts`), so what a
//! test learns from a double holds for the real store. `down` makes every call fail as a
//! database outage does (`StorageError::Unavailable`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::conversation::PendingQuestion;
use crate::model::*;
use crate::ports::*;

pub(super) fn outage(down: &AtomicBool) -> Result<(), StorageError> {
    if down.load(Ordering::SeqCst) {
        Err(StorageError::Unavailable("connection refused".into()))
    } else {
        Ok(())
    }
}

/// `Notifications` in memory, shared like the real table.
#[derive(Debug, Default)]
pub struct MemoryNotifications {
    /// The claims: user, kind, local day.
    pub claimed: Mutex<HashSet<(UserId, NotificationKind, LocalDate)>>,
    /// The tasks [`Notifications::queue`] added, in order (a test's workers take them).
    pub queued: Mutex<Vec<DueBriefing>>,
    /// Fail every call, as an unreachable database does.
    pub down: AtomicBool,
}

#[async_trait]
impl Notifications for MemoryNotifications {
    async fn claim(
        &self,
        user: UserId,
        kind: NotificationKind,
        day: LocalDate,
        _at: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        outage(&self.down)?;
        Ok(self.claimed.lock().unwrap().insert((user, kind, day)))
    }

    async fn queue(&self, due: &[DueBriefing], _at: DateTime<Utc>) -> Result<u32, StorageError> {
        outage(&self.down)?;
        let mut claimed = self.claimed.lock().unwrap();
        let mut queued = self.queued.lock().unwrap();
        let mut n = 0;
        for d in due {
            if claimed.insert((d.user, d.kind, d.day)) {
                queued.push(*d);
                n += 1;
            }
        }
        Ok(n)
    }

    async fn release(
        &self,
        user: UserId,
        kind: NotificationKind,
        day: LocalDate,
    ) -> Result<(), StorageError> {
        outage(&self.down)?;
        self.claimed.lock().unwrap().remove(&(user, kind, day));
        Ok(())
    }
}

/// `JobRuns` in memory, shared like the real table.
#[derive(Debug, Default)]
pub struct MemoryJobRuns {
    /// The claimed ticks by job and tick.
    pub runs: Mutex<HashMap<(String, DateTime<Utc>), JobRun>>,
    /// Fail every call, as an unreachable database does.
    pub down: AtomicBool,
}

impl MemoryJobRuns {
    /// The run of a job's tick, if claimed.
    pub fn run(&self, job: &str, tick: DateTime<Utc>) -> Option<JobRun> {
        self.runs
            .lock()
            .unwrap()
            .get(&(job.to_owned(), tick))
            .cloned()
    }
}

#[async_trait]
impl JobRuns for MemoryJobRuns {
    async fn claim(
        &self,
        job: &str,
        tick: DateTime<Utc>,
        instance: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        outage(&self.down)?;
        let mut runs = self.runs.lock().unwrap();
        let key = (job.to_owned(), tick);
        if runs.contains_key(&key) {
            return Ok(false);
        }
        runs.insert(
            key,
            JobRun {
                job: job.to_owned(),
                tick,
                claimed_by: instance.to_owned(),
                started_at: at,
                finished: None,
            },
        );
        Ok(true)
    }

    async fn finish(
        &self,
        job: &str,
        tick: DateTime<Utc>,
        run: &FinishedRun,
    ) -> Result<(), StorageError> {
        outage(&self.down)?;
        match self.runs.lock().unwrap().get_mut(&(job.to_owned(), tick)) {
            Some(claimed) => {
                claimed.finished = Some(run.clone());
                Ok(())
            }
            None => Err(StorageError::Rejected(format!(
                "no claimed tick {tick} of job {job} to finish"
            ))),
        }
    }

    async fn latest(&self, job: &str) -> Result<Option<JobRun>, StorageError> {
        outage(&self.down)?;
        Ok(self
            .runs
            .lock()
            .unwrap()
            .values()
            .filter(|r| r.job == job)
            .max_by_key(|r| r.tick)
            .cloned())
    }

    async fn delete_older_than(&self, before: DateTime<Utc>) -> Result<u64, StorageError> {
        outage(&self.down)?;
        let mut runs = self.runs.lock().unwrap();
        let was = runs.len();
        runs.retain(|(_, tick), _| *tick >= before);
        Ok((was - runs.len()) as u64)
    }
}

/// `Conversations` in memory: every user's messages in the order appended.
#[derive(Debug, Default)]
pub struct MemoryConversations {
    /// Every message, in the order appended.
    pub messages: Mutex<Vec<ConversationMessage>>,
    /// Fail every call, as an unreachable database does.
    pub down: AtomicBool,
}

#[async_trait]
impl Conversations for MemoryConversations {
    async fn append(&self, messages: &[ConversationMessage]) -> Result<(), StorageError> {
        outage(&self.down)?;
        self.messages.lock().unwrap().extend_from_slice(messages);
        Ok(())
    }

    async fn recent(
        &self,
        user: UserId,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ConversationMessage>, StorageError> {
        outage(&self.down)?;
        // Newest first by time, then by the order appended; the latest `limit`; oldest first.
        let all = self.messages.lock().unwrap();
        let mut theirs: Vec<(usize, &ConversationMessage)> = all
            .iter()
            .enumerate()
            .filter(|(_, m)| m.user_id == user && m.created_at >= since)
            .collect();
        theirs
            .sort_by_key(|(order, m)| (std::cmp::Reverse(m.created_at), std::cmp::Reverse(*order)));
        theirs.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(theirs.into_iter().rev().map(|(_, m)| m.clone()).collect())
    }

    async fn delete_older_than(&self, before: DateTime<Utc>) -> Result<u64, StorageError> {
        outage(&self.down)?;
        let mut all = self.messages.lock().unwrap();
        let was = all.len();
        all.retain(|m| m.created_at >= before);
        Ok((was - all.len()) as u64)
    }
}

/// `PendingQuestions` in memory, one question per user.
#[derive(Debug, Default)]
pub struct MemoryPending {
    /// Each user's question.
    pub questions: Mutex<BTreeMap<UserId, PendingQuestion>>,
    /// Fail every call, as an unreachable database does.
    pub down: AtomicBool,
}

impl MemoryPending {
    /// The question waiting for `user`'s answer, without taking it.
    pub fn waiting(&self, user: UserId) -> Option<PendingQuestion> {
        self.questions.lock().unwrap().get(&user).copied()
    }
}

#[async_trait]
impl PendingQuestions for MemoryPending {
    async fn ask(
        &self,
        user: UserId,
        question: &PendingQuestion,
        _now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        outage(&self.down)?;
        self.questions.lock().unwrap().insert(user, *question);
        Ok(())
    }

    async fn take(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingQuestion>, StorageError> {
        outage(&self.down)?;
        let taken = self.questions.lock().unwrap().remove(&user);
        Ok(taken.filter(|q| q.expires_at > now))
    }
}

#[cfg(test)]
mod tests {
    use futures_executor::block_on;

    use super::*;
    use crate::testing::contracts;

    fn users() -> (UserId, UserId) {
        (UserId::new(1).unwrap(), UserId::new(2).unwrap())
    }

    fn down<T: Default>(set: impl Fn(&T) -> &AtomicBool) -> T {
        let double = T::default();
        set(&double).store(true, Ordering::SeqCst);
        double
    }

    #[test]
    fn memory_notifications_keep_the_contract() {
        let (user, other) = users();
        block_on(contracts::notifications(
            &MemoryNotifications::default(),
            user,
            other,
        ));
        let broken = down(|d: &MemoryNotifications| &d.down);
        block_on(contracts::notifications_unavailable(&broken, user));
    }

    #[test]
    fn memory_job_runs_keep_the_contract() {
        block_on(contracts::job_runs(&MemoryJobRuns::default()));
        let broken = down(|d: &MemoryJobRuns| &d.down);
        block_on(contracts::job_runs_unavailable(&broken));
    }

    #[test]
    fn memory_conversations_keep_the_contract() {
        let (user, other) = users();
        block_on(contracts::conversations(
            &MemoryConversations::default(),
            user,
            other,
        ));
        let broken = down(|d: &MemoryConversations| &d.down);
        block_on(contracts::conversations_unavailable(&broken, user));
    }

    #[test]
    fn memory_pending_questions_keep_the_contract() {
        let (user, other) = users();
        block_on(contracts::pending_questions(
            &MemoryPending::default(),
            user,
            other,
        ));
        let broken = down(|d: &MemoryPending| &d.down);
        block_on(contracts::pending_questions_unavailable(&broken, user));
    }
}
