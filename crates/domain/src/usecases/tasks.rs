//! The durable follow-up tasks: what each does, and what becomes of it (done, retried with
//! backoff, parked) by the same policy as the inbox's updates. Claiming and the worker loop
//! are the app's runtime.

use crate::model::{ChatId, Provider};
use crate::ports::{
    ClaimedTask, Clock, Messenger, Presenter, StorageError, TaskKind, Tasks, Users,
};
use crate::reply::{Reply, Say};
use crate::usecases::briefing::{Delivery, DeliveryPorts, deliver_briefing};
use crate::usecases::chat::{ChatError, deliver};
use crate::usecases::fatsecret::{ImportError, ImportPorts};
use crate::usecases::inbox::Settlement;
use crate::usecases::routine::REFRESH_AHEAD;
use crate::usecases::whoop::{SyncError, WhoopPorts};

/// What the tasks need.
pub struct FollowUps<'a> {
    /// People (a task names a user; one erased since has nothing left to do).
    pub users: &'a dyn Users,
    /// The chat.
    pub messenger: &'a dyn Messenger,
    /// The words.
    pub presenter: &'a dyn Presenter,
    /// WHOOP, when configured.
    pub whoop: Option<WhoopPorts<'a>>,
    /// What queued briefings are sent with, where this worker sends them.
    pub briefings: Option<BriefingWork<'a>>,
    /// FatSecret's diary import and token check, when configured.
    pub fatsecret: Option<ImportPorts<'a>>,
}

/// What a worker sends queued briefings with.
#[derive(Clone, Copy)]
pub struct BriefingWork<'a> {
    /// Food, WHOOP records, the (broadcast) messenger and the words.
    pub ports: DeliveryPorts<'a>,
    /// The time, for the staleness rule.
    pub clock: &'a dyn Clock,
}

impl std::fmt::Debug for BriefingWork<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BriefingWork").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for FollowUps<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FollowUps")
            .field("whoop", &self.whoop.is_some())
            .finish_non_exhaustive()
    }
}

impl FollowUps<'_> {
    /// Does the task once; for a briefing, what became of it.
    pub async fn run(&self, task: &ClaimedTask) -> Result<Option<Delivery>, ChatError> {
        let Some(user) = self.users.get(task.user).await? else {
            return Ok(None);
        };
        match &task.kind {
            TaskKind::SayConnected(provider) => {
                let said = match *provider {
                    Provider::Whoop => Say::WhoopConnected,
                    Provider::Fatsecret => Say::FatsecretConnected,
                };
                let message = self.presenter.render(user.locale, &Reply::one(said));
                let sent = self
                    .messenger
                    .send(ChatId::private(user.telegram_id), &message)
                    .await;
                deliver(sent.map(|_| ())).map(|()| None)
            }
            TaskKind::FirstWhoopSync => {
                settled(self.whoop()?.sync(&user).await.map(|_| ())).map(|()| None)
            }
            TaskKind::WhoopChange(change) => {
                settled(self.whoop()?.apply_change(&user, change).await.map(|_| ())).map(|()| None)
            }
            TaskKind::WhoopSync => {
                settled(self.whoop()?.sync(&user).await.map(|_| ())).map(|()| None)
            }
            TaskKind::WhoopTokenRefresh => settled(
                self.whoop()?
                    .refresh_one(&user, REFRESH_AHEAD)
                    .await
                    .map(|_| ()),
            )
            .map(|()| None),
            TaskKind::FatsecretImport => {
                imported(self.fatsecret()?.import(&user).await.map(|_| ())).map(|()| None)
            }
            TaskKind::FatsecretTokenCheck => {
                imported(self.fatsecret()?.check_token(&user).await.map(|_| ())).map(|()| None)
            }
            TaskKind::Briefing { kind, day } => {
                let work = self.briefings.ok_or_else(|| {
                    ChatError::Temporary("this worker does not send briefings".into())
                })?;
                let delivery =
                    deliver_briefing(&user, *kind, *day, work.clock.now(), &work.ports).await?;
                Ok(Some(delivery))
            }
        }
    }

    fn fatsecret(&self) -> Result<&ImportPorts<'_>, ChatError> {
        self.fatsecret
            .as_ref()
            .ok_or_else(|| ChatError::Permanent("FatSecret is not configured".into()))
    }

    fn whoop(&self) -> Result<&WhoopPorts<'_>, ChatError> {
        self.whoop
            .as_ref()
            .ok_or_else(|| ChatError::Permanent("WHOOP is not configured".into()))
    }
}

/// What a WHOOP call's end means for its task.
fn settled(result: Result<(), SyncError>) -> Result<(), ChatError> {
    match result {
        // Disconnected since (or revoked, and told so): nothing left to do.
        Ok(()) | Err(SyncError::NotConnected | SyncError::Revoked { .. }) => Ok(()),
        Err(SyncError::Temporary(reason)) => Err(ChatError::Temporary(reason)),
    }
}

/// What a FatSecret import's or token check's end means for its task.
fn imported(result: Result<(), ImportError>) -> Result<(), ChatError> {
    match result {
        // Disconnected since (or revoked, and told so): nothing left to do.
        Ok(()) | Err(ImportError::NotConnected | ImportError::Revoked) => Ok(()),
        Err(ImportError::Temporary(reason)) => Err(ChatError::Temporary(reason)),
    }
}

/// Records `settlement` of a task `worker` holds; `false` when its claim was lost.
pub async fn record(
    tasks: &dyn Tasks,
    task: &ClaimedTask,
    worker: &str,
    settlement: &Settlement,
) -> Result<bool, StorageError> {
    match settlement {
        Settlement::Done => tasks.complete(task.id, worker).await,
        Settlement::RetryAt { at, reason } => tasks.retry_later(task.id, worker, reason, *at).await,
        Settlement::Parked { reason, .. } => tasks.park(task.id, worker, reason).await,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone as _, Utc};
    use futures_executor::block_on;

    use super::*;
    use crate::model::{
        BriefingTimes, CalorieGoal, Locale, TelegramUserId, User, UserId, UserTimeZone,
    };
    use crate::ports::{MessengerError, MockMessenger, MockTasks, MockUsers, SentMessage};
    use crate::testing::DebugPresenter;
    use crate::usecases::inbox::InboxPolicy;

    fn olena() -> User {
        User {
            id: UserId::new(7).unwrap(),
            telegram_id: TelegramUserId::new(700).unwrap(),
            first_name: "Olena".into(),
            locale: Locale::Uk,
            time_zone: UserTimeZone::DEFAULT,
            calorie_goal: CalorieGoal::new(2000).unwrap(),
            briefing_times: BriefingTimes::default(),
            briefings_enabled: true,
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    fn task(kind: TaskKind) -> ClaimedTask {
        ClaimedTask {
            id: 1,
            user: UserId::new(7).unwrap(),
            kind,
            attempts: 1,
        }
    }

    fn users(found: bool) -> MockUsers {
        let mut users = MockUsers::new();
        users.expect_get().returning(move |_| Ok(found.then(olena)));
        users
    }

    #[test]
    fn saying_connected_sends_it_to_the_users_chat_and_a_blocked_bot_is_done() {
        let mut messenger = MockMessenger::new();
        messenger
            .expect_send()
            .withf(|chat, m| *chat == ChatId(700) && m.text.contains("FatsecretConnected"))
            .times(1)
            .returning(|_, _| Ok(SentMessage { message_id: 1 }));
        let users = users(true);
        let follow_ups = FollowUps {
            users: &users,
            messenger: &messenger,
            presenter: &DebugPresenter,
            whoop: None,
            briefings: None,
            fatsecret: None,
        };
        let say = task(TaskKind::SayConnected(Provider::Fatsecret));
        block_on(follow_ups.run(&say)).unwrap();

        let mut blocked = MockMessenger::new();
        blocked
            .expect_send()
            .returning(|_, _| Err(MessengerError::Unreachable("blocked".into())));
        let follow_ups = FollowUps {
            messenger: &blocked,
            ..follow_ups
        };
        block_on(follow_ups.run(&say)).unwrap();
    }

    #[test]
    fn an_outage_is_retried_later_and_an_erased_user_has_nothing_left_to_do() {
        let mut down = MockMessenger::new();
        down.expect_send()
            .returning(|_, _| Err(MessengerError::Unavailable("502".into())));
        let found = users(true);
        let follow_ups = FollowUps {
            users: &found,
            messenger: &down,
            presenter: &DebugPresenter,
            whoop: None,
            briefings: None,
            fatsecret: None,
        };
        let say = task(TaskKind::SayConnected(Provider::Whoop));
        let outcome = block_on(follow_ups.run(&say)).map(|_| ());
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
        assert!(matches!(
            InboxPolicy::default().settle(say.attempts, outcome, now),
            Settlement::RetryAt { .. }
        ));
        let gone = users(false);
        let follow_ups = FollowUps {
            users: &gone,
            ..follow_ups
        };
        block_on(follow_ups.run(&say)).unwrap();
        // Without WHOOP configured a sync can never run: parked, not retried.
        let sync = task(TaskKind::FirstWhoopSync);
        let outcome = block_on(
            FollowUps {
                users: &found,
                ..follow_ups
            }
            .run(&sync),
        );
        assert!(matches!(outcome, Err(ChatError::Permanent(_))));
    }

    #[test]
    fn a_briefing_task_sends_through_the_briefing_messenger_and_waits_where_it_cannot() {
        use crate::model::{LocalDate, NotificationKind, WearableSnapshot};
        use crate::ports::{ManualClock, MockFoodLog, MockWearableStore};
        use crate::usecases::briefing::DeliveryPorts;

        // 08:30 in Kyiv on 1 June: the morning briefing of that day is due.
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 5, 30, 0).unwrap();
        let day = LocalDate::of(now, UserTimeZone::DEFAULT);
        let mut food = MockFoodLog::new();
        food.expect_day_totals()
            .returning(|_, _| Ok(Default::default()));
        let mut wearables = MockWearableStore::new();
        wearables
            .expect_snapshot()
            .returning(|_, _| Ok(WearableSnapshot::default()));
        let mut interactive = MockMessenger::new();
        interactive.expect_send().never();
        let mut broadcast = MockMessenger::new();
        broadcast
            .expect_send()
            .withf(|chat, m| *chat == ChatId(700) && m.text.starts_with("Briefing(Morning("))
            .times(1)
            .returning(|_, _| Ok(SentMessage { message_id: 3 }));
        let clock = ManualClock::new(now);
        let found = users(true);
        let briefing = task(TaskKind::Briefing {
            kind: NotificationKind::MorningBriefing,
            day,
        });
        let mut follow_ups = FollowUps {
            users: &found,
            messenger: &interactive,
            presenter: &DebugPresenter,
            whoop: None,
            briefings: None,
            fatsecret: None,
        };
        // A worker that cannot send briefings leaves the task for one that can.
        assert!(matches!(
            block_on(follow_ups.run(&briefing)),
            Err(ChatError::Temporary(_))
        ));
        follow_ups.briefings = Some(BriefingWork {
            ports: DeliveryPorts {
                food: &food,
                wearables: &wearables,
                messenger: &broadcast,
                presenter: &DebugPresenter,
            },
            clock: &clock,
        });
        assert_eq!(
            block_on(follow_ups.run(&briefing)).unwrap(),
            Some(Delivery::Sent)
        );
        // Taken up after its time passed by three hours (an outage): not sent.
        clock.advance(chrono::Duration::hours(3));
        assert_eq!(
            block_on(follow_ups.run(&briefing)).unwrap(),
            Some(Delivery::Stale)
        );
    }

    #[test]
    fn routine_work_of_a_provider_this_deployment_lacks_is_a_permanent_failure() {
        let found = users(true);
        let messenger = MockMessenger::new();
        let follow_ups = FollowUps {
            users: &found,
            messenger: &messenger,
            presenter: &DebugPresenter,
            whoop: None,
            briefings: None,
            fatsecret: None,
        };
        for kind in [
            TaskKind::WhoopSync,
            TaskKind::WhoopTokenRefresh,
            TaskKind::FatsecretImport,
            TaskKind::FatsecretTokenCheck,
        ] {
            assert!(kind.is_routine());
            let outcome = block_on(follow_ups.run(&task(kind.clone())));
            assert!(matches!(outcome, Err(ChatError::Permanent(_))), "{kind:?}");
        }
        assert!(!TaskKind::FirstWhoopSync.is_routine());
    }

    #[test]
    fn a_fatsecret_import_that_failed_for_a_passing_reason_is_retried_and_a_revoked_one_is_done() {
        assert_eq!(
            imported(Err(ImportError::Temporary("502".into()))),
            Err(ChatError::Temporary("502".into()))
        );
        assert_eq!(imported(Err(ImportError::Revoked)), Ok(()));
        assert_eq!(imported(Err(ImportError::NotConnected)), Ok(()));
    }

    #[test]
    fn each_settlement_is_recorded_fenced_by_the_worker() {
        let mut tasks = MockTasks::new();
        tasks
            .expect_complete()
            .withf(|id, worker| *id == 1 && worker == "w1")
            .times(1)
            .returning(|_, _| Ok(true));
        tasks
            .expect_park()
            .withf(|id, worker, reason| *id == 1 && worker == "w1" && reason == "broken")
            .times(1)
            .returning(|_, _, _| Ok(false));
        let claimed = task(TaskKind::FirstWhoopSync);
        assert!(block_on(record(&tasks, &claimed, "w1", &Settlement::Done)).unwrap());
        let parked = Settlement::Parked {
            reason: "broken".into(),
            cause: crate::model::ParkCause::Fault,
        };
        assert!(!block_on(record(&tasks, &claimed, "w1", &parked)).unwrap());
    }
}
