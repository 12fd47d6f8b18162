//! What becomes of a claimed Telegram update once it was handled: done, tried again later, or
//! parked with its error (kept, never lost). The policy is the domain's; claiming, renewing
//! the lease while an update is handled and waking idle workers are the app's runtime.

use chrono::{DateTime, Utc};

use crate::model::UpdateId;
use crate::ports::{Inbox, StorageError};
use crate::retry::Backoff;
use crate::usecases::chat::ChatError;

/// How failed updates are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxPolicy {
    /// Attempts in all, the first included; a temporary failure at the last one parks.
    pub max_attempts: i32,
    /// The waits between attempts (2 s doubling up to 5 minutes by default).
    pub backoff: Backoff,
}

impl Default for InboxPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            backoff: Backoff::new(
                std::time::Duration::from_secs(2),
                std::time::Duration::from_secs(300),
            ),
        }
    }
}

/// The fate of one handled update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// Handled (or nothing to do): never claimed again.
    Done,
    /// Failed for a passing reason: claimable again from `at`.
    RetryAt {
        /// When.
        at: DateTime<Utc>,
        /// Why it failed.
        reason: String,
    },
    /// Failed for good (or too often): kept with its error, not claimed again.
    Parked {
        /// Why.
        reason: String,
    },
}

impl Settlement {
    /// A short name for logs and metrics: "ok", "retried", "parked".
    pub fn label(&self) -> &'static str {
        match self {
            Settlement::Done => "ok",
            Settlement::RetryAt { .. } => "retried",
            Settlement::Parked { .. } => "parked",
        }
    }
}

impl InboxPolicy {
    /// The settlement of an update handled at its `attempts`-th attempt (1: the first) with
    /// `outcome`, at `now`.
    pub fn settle(
        &self,
        attempts: i32,
        outcome: Result<(), ChatError>,
        now: DateTime<Utc>,
    ) -> Settlement {
        match outcome {
            Ok(()) => Settlement::Done,
            Err(ChatError::Temporary(reason)) if attempts < self.max_attempts => {
                let failures = u32::try_from(attempts.max(1)).unwrap_or(1);
                let wait = chrono::Duration::from_std(self.backoff.nominal(failures))
                    .unwrap_or(chrono::Duration::MAX);
                Settlement::RetryAt {
                    at: now.checked_add_signed(wait).unwrap_or(now),
                    reason,
                }
            }
            Err(e) => Settlement::Parked {
                reason: e.to_string(),
            },
        }
    }

    /// Records `settlement` of update `id`, which `worker` holds, in the inbox; `false` when
    /// the claim was lost (another worker may have the update now: nothing is changed).
    pub async fn record(
        &self,
        inbox: &dyn Inbox,
        id: UpdateId,
        worker: &str,
        settlement: &Settlement,
    ) -> Result<bool, StorageError> {
        match settlement {
            Settlement::Done => inbox.complete(id, worker).await,
            Settlement::RetryAt { at, reason } => inbox.retry_later(id, worker, reason, *at).await,
            Settlement::Parked { reason } => inbox.park(id, worker, reason).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;
    use futures_executor::block_on;
    use mockall::predicate::eq;

    use super::*;
    use crate::ports::MockInbox;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    fn policy() -> InboxPolicy {
        InboxPolicy {
            max_attempts: 3,
            ..InboxPolicy::default()
        }
    }

    #[test]
    fn a_handled_update_is_done() {
        assert_eq!(policy().settle(1, Ok(()), now()), Settlement::Done);
    }

    #[test]
    fn a_passing_failure_is_retried_after_2_4_8_seconds_until_the_last_attempt_parks_it() {
        let temporary = || Err(ChatError::Temporary("database unavailable".into()));
        let retry = |attempts| match policy().settle(attempts, temporary(), now()) {
            Settlement::RetryAt { at, reason } => {
                assert_eq!(reason, "database unavailable");
                (at - now()).num_seconds()
            }
            other => panic!("{other:?}"),
        };
        assert_eq!([retry(1), retry(2)], [2, 4]);
        assert_eq!(
            policy().settle(3, temporary(), now()),
            Settlement::Parked {
                reason: "temporary failure: database unavailable".into()
            }
        );
        // Doubling from 2 s, at most 5 minutes.
        let long = InboxPolicy {
            max_attempts: 20,
            ..InboxPolicy::default()
        };
        let wait = |attempts| match long.settle(attempts, temporary(), now()) {
            Settlement::RetryAt { at, .. } => (at - now()).num_seconds(),
            other => panic!("{other:?}"),
        };
        assert_eq!([wait(1), wait(3), wait(7), wait(12)], [2, 8, 128, 300]);
    }

    #[test]
    fn a_permanent_failure_is_parked_at_once() {
        let settled = policy().settle(1, Err(ChatError::Permanent("bad".into())), now());
        assert_eq!(settled.label(), "parked");
        assert!(matches!(settled, Settlement::Parked { reason } if reason.contains("bad")));
    }

    #[test]
    fn each_settlement_is_recorded_through_the_inbox_port() {
        let id = UpdateId::new(42).unwrap();
        let mut inbox = MockInbox::new();
        inbox
            .expect_complete()
            .with(eq(id), eq("w1"))
            .times(1)
            .returning(|_, _| Ok(true));
        inbox
            .expect_retry_later()
            .withf(move |u, w, reason, at| {
                *u == id && w == "w1" && reason == "later" && *at == now()
            })
            .times(1)
            .returning(|_, _, _, _| Ok(true));
        inbox
            .expect_park()
            .withf(move |u, w, reason| *u == id && w == "w1" && reason == "broken")
            .times(1)
            .returning(|_, _, _| Ok(false));
        let p = policy();
        assert!(block_on(p.record(&inbox, id, "w1", &Settlement::Done)).unwrap());
        let later = Settlement::RetryAt {
            at: now(),
            reason: "later".into(),
        };
        assert!(block_on(p.record(&inbox, id, "w1", &later)).unwrap());
        let parked = Settlement::Parked {
            reason: "broken".into(),
        };
        assert!(
            !block_on(p.record(&inbox, id, "w1", &parked)).unwrap(),
            "a lost claim is reported"
        );
    }
}
