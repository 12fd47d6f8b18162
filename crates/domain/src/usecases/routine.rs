//! The routine per-user work of the WHOOP and FatSecret ticks, handed out as durable tasks: a
//! tick (one instance's) only lists whom the work is for and queues one task each; the task
//! workers of every instance do it ([`FollowUps`](crate::usecases::tasks::FollowUps)), so an
//! hour's syncs are spread over the instances and a dead instance's share is taken over after
//! its lease.

use chrono::{DateTime, Duration};

use crate::model::{Provider, UserId};
use crate::ports::{CredentialStore, StorageError, TaskKind, Tasks};

/// What one tick queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoutineRound {
    /// Users the work is for.
    pub users: u32,
    /// Tasks added (the rest still had one open).
    pub queued: u32,
}

impl RoutineRound {
    /// A line for logs and the job's record.
    pub fn summary(&self, kind: &TaskKind) -> String {
        format!(
            "{} {} tasks queued for {} users ({} still open)",
            self.queued,
            kind.label(),
            self.users,
            self.users.saturating_sub(self.queued)
        )
    }
}

/// Queues `kind` (a sync, import or token check) for every user with a working connection to
/// `provider`, `page` users at a time.
pub async fn queue_for_connected(
    kind: &TaskKind,
    provider: Provider,
    credentials: &dyn CredentialStore,
    tasks: &dyn Tasks,
    page: i64,
) -> Result<RoutineRound, StorageError> {
    let mut round = RoutineRound::default();
    let mut after = None;
    loop {
        let users = credentials.connected(provider, after, page.max(1)).await?;
        let Some(last) = users.last() else { break };
        after = Some(*last);
        round.users += u32::try_from(users.len()).unwrap_or(u32::MAX);
        round.queued += tasks.enqueue_routine(kind, &users).await?;
        if i64::try_from(users.len()).unwrap_or(i64::MAX) < page.max(1) {
            break;
        }
    }
    Ok(round)
}

/// How far ahead a WHOOP token is refreshed (the job runs every 30 minutes).
pub const REFRESH_AHEAD: Duration = Duration::hours(1);

/// Queues a token refresh for every working WHOOP connection expiring within
/// [`REFRESH_AHEAD`] of `now`.
pub async fn queue_whoop_refreshes(
    now: DateTime<chrono::Utc>,
    credentials: &dyn CredentialStore,
    tasks: &dyn Tasks,
) -> Result<RoutineRound, StorageError> {
    let due: Vec<UserId> = credentials
        .expiring_before(Provider::Whoop, now + REFRESH_AHEAD)
        .await?;
    let queued = tasks
        .enqueue_routine(&TaskKind::WhoopTokenRefresh, &due)
        .await?;
    Ok(RoutineRound {
        users: u32::try_from(due.len()).unwrap_or(u32::MAX),
        queued,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;
    use futures_executor::block_on;

    use super::*;
    use crate::ports::{MockCredentialStore, MockTasks};

    fn ids(range: std::ops::RangeInclusive<i64>) -> Vec<UserId> {
        range.map(|n| UserId::new(n).unwrap()).collect()
    }

    #[test]
    fn every_connected_user_is_queued_page_by_page_and_open_tasks_are_not_doubled() {
        let mut credentials = MockCredentialStore::new();
        credentials
            .expect_connected()
            .withf(|p, _, limit| *p == Provider::Fatsecret && *limit == 2)
            .returning(|_, after, _| {
                Ok(match after.map(UserId::get) {
                    None => ids(1..=2),
                    Some(2) => ids(3..=4),
                    Some(4) => ids(5..=5),
                    other => panic!("asked after {other:?}"),
                })
            });
        let mut tasks = MockTasks::new();
        tasks
            .expect_enqueue_routine()
            .withf(|kind, _| *kind == TaskKind::FatsecretImport)
            .times(3)
            // User 3 still has last hour's import open.
            .returning(|_, users| Ok(users.iter().filter(|u| u.get() != 3).count() as u32));
        let round = block_on(queue_for_connected(
            &TaskKind::FatsecretImport,
            Provider::Fatsecret,
            &credentials,
            &tasks,
            2,
        ))
        .unwrap();
        assert_eq!(
            round,
            RoutineRound {
                users: 5,
                queued: 4
            }
        );
        assert_eq!(
            round.summary(&TaskKind::FatsecretImport),
            "4 fatsecret_import tasks queued for 5 users (1 still open)"
        );
    }

    #[test]
    fn only_whoop_tokens_expiring_within_the_hour_are_queued_for_a_refresh() {
        let now = chrono::Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
        let mut credentials = MockCredentialStore::new();
        credentials
            .expect_expiring_before()
            .withf(move |p, before| *p == Provider::Whoop && *before == now + REFRESH_AHEAD)
            .returning(|_, _| Ok(ids(7..=8)));
        let mut tasks = MockTasks::new();
        tasks
            .expect_enqueue_routine()
            .withf(|kind, users| *kind == TaskKind::WhoopTokenRefresh && users.len() == 2)
            .returning(|_, _| Ok(2));
        let round = block_on(queue_whoop_refreshes(now, &credentials, &tasks)).unwrap();
        assert_eq!(
            round,
            RoutineRound {
                users: 2,
                queued: 2
            }
        );
    }
}
