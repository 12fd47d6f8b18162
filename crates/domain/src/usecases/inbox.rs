//! What becomes of a claimed Telegram update once it was handled: done, tried again later, or
//! parked with its error (kept, never lost), and which parked updates go back to pending once
//! an outage is over. The policy is the domain's; claiming, renewing the lease while an update
//! is handled and waking idle workers are the app's runtime.

use chrono::{DateTime, Utc};

use crate::model::{ParkCause, RedriveRule, UpdateId};
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
    /// Failed for good (or too often): kept with its error, not claimed again unless
    /// re-driven.
    Parked {
        /// Why.
        reason: String,
        /// An outage (re-driven on its own) or a fault of the update's (left to an operator).
        cause: ParkCause,
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
            Err(ChatError::Temporary(reason) | ChatError::Crashed(reason))
                if attempts < self.max_attempts =>
            {
                let failures = u32::try_from(attempts.max(1)).unwrap_or(1);
                let wait = chrono::Duration::from_std(self.backoff.nominal(failures))
                    .unwrap_or(chrono::Duration::MAX);
                Settlement::RetryAt {
                    at: now.checked_add_signed(wait).unwrap_or(now),
                    reason,
                }
            }
            // Only a passing failure outside the update is an outage: it ends, and then the
            // update succeeds. A panic or hang would happen again, as would a permanent error.
            Err(e) => Settlement::Parked {
                cause: match e {
                    ChatError::Temporary(_) => ParkCause::Outage,
                    ChatError::Permanent(_) | ChatError::Crashed(_) => ParkCause::Fault,
                },
                reason: e.to_string(),
            },
        }
    }

    /// The settlement of an update that cannot even be read: a fault, parked at once.
    pub fn unreadable(&self, reason: String) -> Settlement {
        Settlement::Parked {
            reason,
            cause: ParkCause::Fault,
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
            Settlement::Parked { reason, cause } => inbox.park(id, worker, reason, *cause).await,
        }
    }
}

/// Which parked updates go back to pending, and how often: outages only, received within the
/// window, each re-driven at most `max_redrives` times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedrivePolicy {
    /// How recent an update must be: an answer to an older message is stale, and Telegram
    /// itself gives up redelivering after 24 hours.
    pub window: chrono::Duration,
    /// Re-drives per update at most: with a re-drive every 5 minutes, 12 span an hour of an
    /// outage that keeps coming back, and an outage that never ends cannot loop for ever.
    pub max_redrives: i32,
}

impl Default for RedrivePolicy {
    fn default() -> Self {
        Self {
            window: chrono::Duration::hours(24),
            max_redrives: 12,
        }
    }
}

impl RedrivePolicy {
    /// The rule at `now`: parked by an outage (or, with `faults_too`, for any cause), received
    /// within the window, re-driven fewer than `max_redrives` times.
    pub fn rule(&self, now: DateTime<Utc>, faults_too: bool) -> RedriveRule {
        RedriveRule {
            received_after: now.checked_sub_signed(self.window).unwrap_or(now),
            max_redrives: self.max_redrives,
            faults_too,
        }
    }

    /// Re-drives what the rule at `now` admits; how many updates went back to pending.
    pub async fn redrive(
        &self,
        inbox: &dyn Inbox,
        now: DateTime<Utc>,
        faults_too: bool,
    ) -> Result<u64, StorageError> {
        inbox.redrive(&self.rule(now, faults_too)).await
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
                reason: "temporary failure: database unavailable".into(),
                cause: ParkCause::Outage,
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
        assert!(matches!(settled, Settlement::Parked { reason, .. } if reason.contains("bad")));
    }

    #[test]
    fn a_passing_failure_that_outlasts_every_attempt_is_parked_as_an_outage() {
        let outage = policy().settle(3, Err(ChatError::Temporary("Telegram: 502".into())), now());
        assert!(
            matches!(&outage, Settlement::Parked { cause: ParkCause::Outage, reason }
                if reason == "temporary failure: Telegram: 502"),
            "{outage:?}"
        );
        // Past the last attempt too (a lowered max_attempts after a restart).
        let late = policy().settle(9, Err(ChatError::Temporary("x".into())), now());
        assert!(matches!(
            late,
            Settlement::Parked {
                cause: ParkCause::Outage,
                ..
            }
        ));
    }

    #[test]
    fn a_permanent_failure_a_panic_a_hang_and_an_unreadable_update_are_parked_as_faults() {
        let permanent = policy().settle(1, Err(ChatError::Permanent("bad".into())), now());
        assert!(matches!(
            permanent,
            Settlement::Parked {
                cause: ParkCause::Fault,
                ..
            }
        ));
        // A crash is retried like a passing failure while attempts remain...
        let crashed = || Err(ChatError::Crashed("the work panicked".into()));
        assert!(matches!(
            policy().settle(2, crashed(), now()),
            Settlement::RetryAt { .. }
        ));
        // ...but once they are spent it is the update's fault, not an outage.
        assert_eq!(
            policy().settle(3, crashed(), now()),
            Settlement::Parked {
                reason: "temporary failure: the work panicked".into(),
                cause: ParkCause::Fault,
            }
        );
        assert_eq!(
            policy().unreadable("not an update".into()),
            Settlement::Parked {
                reason: "not an update".into(),
                cause: ParkCause::Fault,
            }
        );
    }

    #[test]
    fn a_redrive_admits_outages_of_the_last_24_hours_re_driven_fewer_than_12_times() {
        let rule = RedrivePolicy::default().rule(now(), false);
        assert_eq!(
            rule,
            RedriveRule {
                received_after: now() - chrono::Duration::hours(24),
                max_redrives: 12,
                faults_too: false,
            }
        );
        assert!(RedrivePolicy::default().rule(now(), true).faults_too);
    }

    #[test]
    fn a_redrive_goes_through_the_inbox_port_with_the_rule_and_reports_the_count() {
        let mut inbox = MockInbox::new();
        inbox
            .expect_redrive()
            .withf(|rule| {
                *rule
                    == RedriveRule {
                        received_after: now() - chrono::Duration::hours(2),
                        max_redrives: 3,
                        faults_too: false,
                    }
            })
            .times(1)
            .returning(|_| Ok(4));
        let policy = RedrivePolicy {
            window: chrono::Duration::hours(2),
            max_redrives: 3,
        };
        assert_eq!(block_on(policy.redrive(&inbox, now(), false)).unwrap(), 4);
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
            .withf(move |u, w, reason, cause| {
                *u == id && w == "w1" && reason == "broken" && *cause == ParkCause::Outage
            })
            .times(1)
            .returning(|_, _, _, _| Ok(false));
        let p = policy();
        assert!(block_on(p.record(&inbox, id, "w1", &Settlement::Done)).unwrap());
        let later = Settlement::RetryAt {
            at: now(),
            reason: "later".into(),
        };
        assert!(block_on(p.record(&inbox, id, "w1", &later)).unwrap());
        let parked = Settlement::Parked {
            reason: "broken".into(),
            cause: ParkCause::Outage,
        };
        assert!(
            !block_on(p.record(&inbox, id, "w1", &parked)).unwrap(),
            "a lost claim is reported"
        );
    }
}
