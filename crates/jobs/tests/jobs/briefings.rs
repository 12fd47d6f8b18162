//! The briefings job: each due briefing is queued once, as a durable task, however many
//! instances check; the tasks are then worked by every instance.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use wellness_domain::ports::{ManualClock, MessengerError, MockUsers, RunOutcome, SentMessage};
use wellness_domain::retry::Backoff;
use wellness_domain::{
    BriefingTimes, CalorieGoal, Locale, NotificationKind, TelegramUserId, User, UserId,
    UserTimeZone,
};
use wellness_jobs::tasks::{self, BriefingJobPorts};
use wellness_jobs::{JobRunner, RetryPolicy, StandardJob, TickReport};
use wellness_texts::Texts;

use wellness_domain::testing::{MemoryJobRuns, MemoryNotifications};

use crate::fakes::at;

fn user() -> User {
    User {
        id: UserId::new(1).unwrap(),
        telegram_id: TelegramUserId::new(100).unwrap(),
        first_name: "Olena".into(),
        locale: Locale::Uk,
        time_zone: UserTimeZone::DEFAULT,
        calorie_goal: CalorieGoal::DEFAULT,
        briefing_times: BriefingTimes::default(),
        briefings_enabled: true,
        created_at: at(2026, 1, 1, 0, 0),
    }
}

#[tokio::test(start_paused = true)]
async fn the_tick_queues_each_due_briefing_once_and_a_storage_outage_is_retried_within_it() {
    let mut users = MockUsers::new();
    let calls = Arc::new(AtomicU32::new(0));
    let counter = calls.clone();
    users.expect_page().returning(move |after, _| {
        // The first listing fails as an unreachable database does.
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            return Err(wellness_domain::ports::StorageError::Unavailable(
                "connection refused".into(),
            ));
        }
        Ok(if after.is_none() {
            vec![user()]
        } else {
            vec![]
        })
    });
    let notifications = Arc::new(MemoryNotifications::default());
    let job = StandardJob::Briefings
        .job(tasks::briefings(BriefingJobPorts {
            users: Arc::new(users),
            notifications: notifications.clone(),
            page_size: 100,
        }))
        .unwrap()
        .with_retry(RetryPolicy {
            backoff: Backoff::new(Duration::from_secs(5), Duration::from_secs(60)),
            ..RetryPolicy::default()
        });
    // 08:00 in Kyiv in May.
    let tick = at(2026, 5, 15, 5, 0);
    let runner = JobRunner::new(
        "a",
        Arc::new(MemoryJobRuns::default()),
        Arc::new(ManualClock::new(tick)),
    );

    let report = runner.run_tick(&job, tick).await;
    let TickReport::Ran {
        outcome,
        attempts: tries,
        detail,
        ..
    } = report
    else {
        panic!("{report:?}");
    };
    assert_eq!((outcome, tries), (RunOutcome::Ok, 2), "{detail}");
    assert!(detail.contains("1 due, 1 queued"), "{detail}");
    let queued = notifications.queued.lock().unwrap().clone();
    assert_eq!(queued.len(), 1);
    assert_eq!(
        (queued[0].user, queued[0].kind),
        (user().id, NotificationKind::MorningBriefing)
    );

    // The next tick finds it claimed: queued once.
    let report = runner
        .run_tick(&job, tick + chrono::Duration::minutes(5))
        .await;
    assert!(
        matches!(&report, TickReport::Ran { outcome: RunOutcome::Ok, detail, .. } if detail.contains("0 queued, 1 already claimed")),
        "{report:?}"
    );
    assert_eq!(notifications.queued.lock().unwrap().len(), 1);
}

/// A messenger that records who got what.
#[derive(Default)]
struct Recorder(Mutex<Vec<(i64, String)>>);

#[async_trait]
impl wellness_domain::ports::Messenger for Recorder {
    async fn send(
        &self,
        chat: wellness_domain::ChatId,
        m: &wellness_domain::ports::OutgoingMessage,
    ) -> Result<SentMessage, MessengerError> {
        self.0.lock().unwrap().push((chat.0, m.text.clone()));
        Ok(SentMessage { message_id: 1 })
    }
    async fn edit(
        &self,
        _: wellness_domain::ChatId,
        _: i64,
        _: &wellness_domain::ports::OutgoingMessage,
    ) -> Result<(), MessengerError> {
        Ok(())
    }
    async fn send_document(
        &self,
        _: wellness_domain::ChatId,
        _: &wellness_domain::ports::Attachment,
    ) -> Result<SentMessage, MessengerError> {
        Ok(SentMessage { message_id: 1 })
    }
    async fn send_photo(
        &self,
        _: wellness_domain::ChatId,
        _: &wellness_domain::ports::Attachment,
    ) -> Result<SentMessage, MessengerError> {
        Ok(SentMessage { message_id: 1 })
    }
    async fn show_typing(&self, _: wellness_domain::ChatId) -> Result<(), MessengerError> {
        Ok(())
    }
    async fn answer_button(&self, _: &str, _: Option<String>) -> Result<(), MessengerError> {
        Ok(())
    }
    async fn download(&self, _: &str, _: u64) -> Result<Vec<u8>, MessengerError> {
        Ok(Vec::new())
    }
    async fn set_menu_button(
        &self,
        _: wellness_domain::ChatId,
        _: &str,
    ) -> Result<(), MessengerError> {
        Ok(())
    }
}

#[tokio::test]
async fn two_instances_against_one_database_send_each_briefing_once_across_the_dst_change() {
    use wellness_domain::ports::Users as _;
    use wellness_domain::ports::{TaskKind, Tasks as _};
    use wellness_domain::usecases::briefing::{
        Delivery, DeliveryPorts, deliver_briefing, queue_due_briefings,
    };
    use wellness_postgres::{PgFoodLog, PgNotifications, PgTasks, PgUsers, PgWearableStore};

    let test_db = wellness_postgres::test_support::TestDatabase::migrated()
        .await
        .unwrap();
    let db = test_db.pool().unwrap();
    let users = PgUsers::new(db.clone());
    for (tg, zone) in [
        (501, "Europe/Kyiv"),
        (502, "Europe/Kyiv"),
        (503, "America/New_York"),
    ] {
        let reg = users
            .register(&wellness_domain::NewUser {
                telegram_id: TelegramUserId::new(tg).unwrap(),
                first_name: "U".into(),
                locale: Locale::En,
            })
            .await
            .unwrap();
        users
            .change(
                reg.user.id,
                &wellness_domain::UserSettingChange::TimeZone(UserTimeZone::parse(zone).unwrap()),
            )
            .await
            .unwrap();
    }
    let (food, wearables) = (PgFoodLog::new(db.clone()), PgWearableStore::new(db.clone()));
    // Two instances: separate pools and claims objects over one database, one shared recorder.
    let (n1, n2) = (
        PgNotifications::new(db.clone()),
        PgNotifications::new(test_db.pool().unwrap()),
    );
    let (t1, t2) = (
        PgTasks::new(db.clone()),
        PgTasks::new(test_db.pool().unwrap()),
    );
    let sent = Recorder::default();
    let texts = Texts::load().unwrap();
    let delivery = DeliveryPorts {
        food: &food,
        wearables: &wearables,
        messenger: &sent,
        presenter: &texts,
    };
    // Each instance's task worker: takes queued briefings until none is left.
    let work = async |tasks: &PgTasks, name: &str, now| {
        while let Some(task) = tasks
            .claim(name, chrono::Duration::minutes(1))
            .await
            .unwrap()
        {
            let TaskKind::Briefing { kind, day } = task.kind else {
                panic!("{task:?}");
            };
            let user = users.get(task.user).await.unwrap().unwrap();
            let delivered = deliver_briefing(&user, kind, day, now, &delivery).await;
            assert_eq!(delivered, Ok(Delivery::Sent));
            assert!(tasks.complete(task.id, name).await.unwrap());
        }
    };
    // Kyiv leaves summer time on 25 October 2026 (04:00 -> 03:00); check every 5 minutes for a
    // whole day, both instances at once, both working the queue.
    let mut now = at(2026, 10, 24, 22, 0);
    while now < at(2026, 10, 26, 4, 0) {
        let (a, b) = tokio::join!(
            queue_due_briefings(now, &users, &n1, 50),
            queue_due_briefings(now, &users, &n2, 50)
        );
        a.unwrap();
        b.unwrap();
        tokio::join!(work(&t1, "one", now), work(&t2, "two", now));
        now += chrono::Duration::minutes(5);
    }
    let sent = sent.0.lock().unwrap();
    for chat in [501, 502] {
        let got: Vec<&String> = sent
            .iter()
            .filter(|(c, _)| *c == chat)
            .map(|(_, t)| t)
            .collect();
        // The morning and evening of 25 October in Kyiv, once each (no more: the 26th's morning
        // comes after the window).
        assert_eq!(got.len(), 2, "chat {chat}: {got:?}");
    }
    let ny: Vec<&String> = sent
        .iter()
        .filter(|(c, _)| *c == 503)
        .map(|(_, t)| t)
        .collect();
    // New York (no change that day): the evening of the 24th (01:00 UTC), then the morning and
    // the evening of the 25th — three briefings, each once.
    assert_eq!(ny.len(), 3, "New York: {ny:?}");
}
