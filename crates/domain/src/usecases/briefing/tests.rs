use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Barrier, Mutex};

use chrono::{NaiveDate, NaiveTime};
use futures_executor::block_on;

use super::*;
use crate::model::{BriefingTimes, ChatId, Locale};
use crate::ports::{
    Clock, ManualClock, MessengerError, MockFoodLog, MockMessenger, MockUsers, MockWearableStore,
    SentMessage,
};
use crate::testing::MemoryNotifications;
use crate::testing::briefing::*;
use crate::usecases::chat::ChatError;

// ---------------------------------------------------------------- composition

#[test]
fn records_from_days_ago_are_not_passed_off_as_last_night() {
    let mut data = morning_data(Locale::En);
    // The sync stopped three days ago: the latest records are old.
    data.wearable.last_sleep = Some(sleep_ending(utc(2026, 5, 12, 4, 10), 456, 91.0));
    data.wearable.latest_recovery = Some(recovery_at(utc(2026, 5, 12, 4, 15), 64.0));
    let briefing = morning_of(&data);
    assert_eq!(briefing.sleep, SleepReport::Missing);
    assert_eq!(briefing.recovery, RecoveryReport::Missing);
}

#[test]
fn yesterdays_cycle_is_not_todays_burn() {
    let mut data = evening_data(Locale::En);
    data.wearable.latest_cycle = Some(cycle_from(utc(2026, 5, 13, 4, 0), 10_000.0, 10.0));
    let summary = evening_of(&data);
    assert_eq!(summary.burn, BurnReport::Missing);
    assert_eq!(summary.net(), None);
}

// ---------------------------------------------------------------- when briefings are due

#[test]
fn a_briefing_is_due_from_its_time_for_three_hours() {
    let user = kyiv_user(Locale::En);
    let morning = NotificationKind::MorningBriefing;
    // 08:00 in Kyiv in May is 05:00 UTC.
    assert_eq!(due_day(&user, morning, utc(2026, 5, 15, 4, 59)), None);
    assert_eq!(
        due_day(&user, morning, utc(2026, 5, 15, 5, 0)),
        Some(date(2026, 5, 15))
    );
    assert_eq!(
        due_day(&user, morning, utc(2026, 5, 15, 7, 55)),
        Some(date(2026, 5, 15))
    );
    assert_eq!(
        due_day(&user, morning, utc(2026, 5, 15, 8, 0)),
        None,
        "three hours late is stale"
    );
    let off = User {
        briefings_enabled: false,
        ..user
    };
    assert_eq!(due_day(&off, morning, utc(2026, 5, 15, 5, 0)), None);
}

#[test]
fn a_late_evening_time_stays_due_past_midnight_for_the_day_it_belongs_to() {
    let mut user = kyiv_user(Locale::En);
    user.briefing_times = BriefingTimes::parse("07:00", "23:30").unwrap();
    // 00:40 on 16 May in Kyiv: the summary of 15 May is still due.
    assert_eq!(
        due_day(
            &user,
            NotificationKind::EveningSummary,
            utc(2026, 5, 15, 21, 40)
        ),
        Some(date(2026, 5, 15))
    );
}

#[test]
fn a_time_skipped_by_the_spring_forward_happens_when_the_clocks_jump() {
    // Kyiv, 29 March 2026: 03:00 EET becomes 04:00 EEST (01:00 UTC); 03:30 does not exist.
    let day = date(2026, 3, 29);
    assert_eq!(
        scheduled_instant(day, hm(3, 30), UserTimeZone::DEFAULT),
        utc(2026, 3, 29, 1, 0)
    );
    assert_eq!(
        scheduled_instant(day, hm(8, 0), UserTimeZone::DEFAULT),
        utc(2026, 3, 29, 5, 0),
        "08:00 after the change is UTC+3"
    );
    assert_eq!(
        scheduled_instant(date(2026, 3, 28), hm(8, 0), UserTimeZone::DEFAULT),
        utc(2026, 3, 28, 6, 0),
        "08:00 before the change is UTC+2"
    );
    // New York, 8 March 2026: 02:00 EST becomes 03:00 EDT (07:00 UTC); 02:30 does not exist.
    assert_eq!(
        scheduled_instant(date(2026, 3, 8), hm(2, 30), zone("America/New_York")),
        utc(2026, 3, 8, 7, 0)
    );
}

#[test]
fn a_time_repeated_by_the_fall_back_happens_at_its_first_occurrence() {
    // Kyiv, 25 October 2026: 04:00 EEST becomes 03:00 EET; 03:30 happens twice.
    assert_eq!(
        scheduled_instant(date(2026, 10, 25), hm(3, 30), UserTimeZone::DEFAULT),
        utc(2026, 10, 25, 0, 30)
    );
}

// ---------------------------------------------------------------- sending

type Sent = Arc<Mutex<Vec<(ChatId, DateTime<Utc>, String)>>>;

struct World {
    people: Vec<User>,
    users: MockUsers,
    food: MockFoodLog,
    wearables: MockWearableStore,
    notifications: MemoryNotifications,
    messenger: MockMessenger,
    clock: Arc<ManualClock>,
    sent: Sent,
}

impl World {
    fn new(people: Vec<User>, start: DateTime<Utc>) -> Self {
        let mut users = MockUsers::new();
        let listed = people.clone();
        users.expect_page().returning(move |after, limit| {
            let people = &listed;
            Ok(people
                .iter()
                .filter(|u| after.is_none_or(|a| u.id > a))
                .take(usize::try_from(limit).unwrap())
                .cloned()
                .collect())
        });
        let mut food = MockFoodLog::new();
        food.expect_day_totals()
            .returning(|_, _| Ok(totals(3, 1700.0, 90.0)));
        food.expect_entries_on()
            .returning(|_, _| Ok(vec![entry(1, Meal::Lunch, 700.0, 40.0)]));
        let mut wearables = MockWearableStore::new();
        wearables
            .expect_snapshot()
            .returning(|_, _| Ok(WearableSnapshot::default()));
        let clock = Arc::new(ManualClock::new(start));
        let sent: Sent = Arc::default();
        let mut messenger = MockMessenger::new();
        let (log, at) = (sent.clone(), clock.clone());
        messenger.expect_send().returning(move |chat, message| {
            log.lock()
                .unwrap()
                .push((chat, at.now(), message.text.clone()));
            Ok(SentMessage { message_id: 1 })
        });
        Self {
            people,
            users,
            food,
            wearables,
            notifications: MemoryNotifications::default(),
            messenger,
            clock,
            sent,
        }
    }

    fn delivery(&self) -> DeliveryPorts<'_> {
        DeliveryPorts {
            food: &self.food,
            wearables: &self.wearables,
            messenger: &self.messenger,
            presenter: &crate::testing::DebugPresenter,
        }
    }

    /// One check, as the scheduled job makes it.
    fn check(&self) -> BriefingRound {
        block_on(queue_due_briefings(
            self.clock.now(),
            &self.users,
            &self.notifications,
            2,
        ))
        .unwrap()
    }

    /// The task workers: every queued briefing delivered once, now; one that failed for a
    /// passing reason stays queued (its task is retried), the rest are done.
    fn work(&self) -> Vec<Result<Delivery, ChatError>> {
        let queued = std::mem::take(&mut *self.notifications.queued.lock().unwrap());
        let mut again = Vec::new();
        let mut outcomes = Vec::new();
        for due in queued {
            let user = self.people.iter().find(|u| u.id == due.user).unwrap();
            let outcome = block_on(deliver_briefing(
                user,
                due.kind,
                due.day,
                self.clock.now(),
                &self.delivery(),
            ));
            if matches!(outcome, Err(ChatError::Temporary(_))) {
                again.push(due);
            }
            outcomes.push(outcome);
        }
        self.notifications.queued.lock().unwrap().extend(again);
        outcomes
    }

    /// Checks every 5 minutes until `end`, the workers taking what each check queued.
    fn run_every_five_minutes_until(&self, end: DateTime<Utc>) {
        while self.clock.now() < end {
            self.check();
            self.work();
            self.clock.advance(Duration::minutes(5));
        }
    }

    /// (chat, local date, morning?) -> local times it was sent at.
    fn sends_by_local_day(
        &self,
        people: &[User],
    ) -> HashMap<(i64, NaiveDate, bool), Vec<NaiveTime>> {
        let mut by_day: HashMap<_, Vec<_>> = HashMap::new();
        for (chat, at, text) in self.sent.lock().unwrap().iter() {
            let user = people
                .iter()
                .find(|u| ChatId::private(u.telegram_id) == *chat)
                .unwrap();
            let local = user.time_zone.local(*at);
            // The debug presenter shows the typed reply: a morning briefing or an evening summary.
            let morning = text.starts_with("Briefing(Morning(");
            by_day
                .entry((chat.0, local.date_naive(), morning))
                .or_default()
                .push(local.time());
        }
        by_day
    }
}

fn people() -> Vec<User> {
    let mut early = user_in(2, UserTimeZone::DEFAULT, Locale::Uk);
    // 03:30 does not exist on 29 March and happens twice on 25 October in Kyiv.
    early.briefing_times = BriefingTimes::parse("03:30", "22:15").unwrap();
    let new_york = user_in(3, zone("America/New_York"), Locale::En);
    let off = User {
        briefings_enabled: false,
        ..user_in(4, UserTimeZone::DEFAULT, Locale::En)
    };
    let mut late = user_in(5, zone("America/New_York"), Locale::En);
    late.briefing_times = BriefingTimes::parse("02:30", "23:45").unwrap();
    vec![kyiv_user(Locale::En), early, new_york, off, late]
}

/// Every enabled user gets exactly one morning and one evening briefing on each full local day
/// of the run, at the local time they chose (or the moment the clocks jumped over it).
fn assert_once_per_local_day(world: &World, people: &[User], days: &[NaiveDate]) {
    let sends = world.sends_by_local_day(people);
    for user in people {
        let chat = ChatId::private(user.telegram_id).0;
        for day in days {
            for (morning, time) in [
                (true, user.briefing_times.morning),
                (false, user.briefing_times.evening),
            ] {
                let sent = sends.get(&(chat, *day, morning));
                if !user.briefings_enabled {
                    assert!(sent.is_none(), "user {} opted out", user.id);
                    continue;
                }
                let sent = sent.unwrap_or_else(|| panic!("nothing for {} on {day}", user.id));
                assert_eq!(sent.len(), 1, "user {} on {day}: {sent:?}", user.id);
                let expected = user
                    .time_zone
                    .local(scheduled_instant(
                        LocalDate::from_calendar(*day),
                        time,
                        user.time_zone,
                    ))
                    .time();
                assert!(
                    sent[0] >= expected && sent[0] - expected < Duration::minutes(5),
                    "user {} on {day}: sent at {}, due at {expected}",
                    user.id,
                    sent[0]
                );
            }
        }
    }
    let per_key: HashSet<_> = sends.keys().collect();
    assert_eq!(
        per_key.len(),
        sends.values().map(Vec::len).sum::<usize>(),
        "no key was sent twice"
    );
}

fn days(from: (i32, u32, u32), count: u32) -> Vec<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(from.0, from.1, from.2).unwrap();
    (0..count)
        .map(|i| first + Duration::days(i64::from(i)))
        .collect()
}

#[test]
fn each_briefing_is_sent_once_per_local_day_across_the_spring_forward() {
    let people = people();
    // Kyiv springs forward on 29 March; New York did on 8 March.
    let world = World::new(people.clone(), utc(2026, 3, 27, 0, 0));
    world.run_every_five_minutes_until(utc(2026, 3, 31, 12, 0));
    assert_once_per_local_day(&world, &people, &days((2026, 3, 28), 3));
    // 03:30 did not exist in Kyiv on 29 March: sent when the clocks jumped, at 04:00.
    let sends = world.sends_by_local_day(&people);
    assert_eq!(
        sends[&(1002, NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(), true)],
        vec![hm(4, 0)]
    );
}

#[test]
fn each_briefing_is_sent_once_per_local_day_across_the_fall_back() {
    let people = people();
    // Kyiv falls back on 25 October, New York on 1 November.
    let world = World::new(people.clone(), utc(2026, 10, 23, 0, 0));
    world.run_every_five_minutes_until(utc(2026, 10, 27, 12, 0));
    assert_once_per_local_day(&world, &people, &days((2026, 10, 24), 3));
    let world = World::new(people.clone(), utc(2026, 10, 30, 0, 0));
    world.run_every_five_minutes_until(utc(2026, 11, 3, 12, 0));
    assert_once_per_local_day(&world, &people, &days((2026, 10, 31), 3));
}

#[test]
fn a_new_york_user_gets_briefings_at_new_york_time() {
    let people = vec![user_in(3, zone("America/New_York"), Locale::En)];
    let world = World::new(people.clone(), utc(2026, 6, 1, 4, 0));
    world.run_every_five_minutes_until(utc(2026, 6, 2, 6, 0));
    let sent = world.sent.lock().unwrap().clone();
    let times: Vec<DateTime<Utc>> = sent.iter().map(|(_, at, _)| *at).collect();
    // 08:00 and 21:00 EDT are 12:00 and 01:00 (next day) UTC.
    assert_eq!(times, vec![utc(2026, 6, 1, 12, 0), utc(2026, 6, 2, 1, 0)]);
}

#[test]
fn a_check_long_after_the_time_sends_nothing_stale() {
    let people = vec![kyiv_user(Locale::En)];
    // The server was down all morning: first check at 11:05 Kyiv (08:05 UTC).
    let world = World::new(people, utc(2026, 5, 15, 8, 5));
    world.run_every_five_minutes_until(utc(2026, 5, 15, 12, 0));
    assert!(world.sent.lock().unwrap().is_empty());
}

#[test]
fn two_instances_checking_at_once_send_each_briefing_once() {
    let people = people();
    let world = World::new(people.clone(), utc(2026, 3, 28, 0, 0));
    let end = utc(2026, 3, 30, 6, 0);
    let barrier = Barrier::new(2);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    // Both instances check at the same instant, then the clock moves on.
                    barrier.wait();
                    let now = world.clock.now();
                    if now >= end {
                        break;
                    }
                    block_on(queue_due_briefings(
                        now,
                        &world.users,
                        &world.notifications,
                        2,
                    ))
                    .unwrap();
                    if barrier.wait().is_leader() {
                        world.work();
                        world.clock.advance(Duration::minutes(5));
                    }
                }
            });
        }
    });
    assert_once_per_local_day(&world, &people, &days((2026, 3, 28), 2));
}

#[test]
fn a_failed_send_is_retried_by_its_task_and_a_blocked_user_is_not() {
    let reachable = kyiv_user(Locale::En);
    let blocked = user_in(7, UserTimeZone::DEFAULT, Locale::En);
    let people = vec![reachable.clone(), blocked.clone()];
    let mut world = World::new(people, utc(2026, 5, 15, 5, 0));
    let attempts: Arc<Mutex<HashMap<ChatId, u32>>> = Arc::default();
    let mut messenger = MockMessenger::new();
    let blocked_chat = ChatId::private(blocked.telegram_id);
    let counter = attempts.clone();
    messenger.expect_send().returning(move |chat, _| {
        let mut counts = counter.lock().unwrap();
        let n = counts.entry(chat).or_default();
        *n += 1;
        if chat == blocked_chat {
            Err(MessengerError::Unreachable(
                "bot was blocked by the user".into(),
            ))
        } else if *n == 1 {
            Err(MessengerError::Unavailable("Telegram is down".into()))
        } else {
            Ok(SentMessage { message_id: 2 })
        }
    });
    world.messenger = messenger;

    let first = world.check();
    assert_eq!((first.due, first.queued), (2, 2), "{first:?}");
    let outcomes = world.work();
    assert!(
        matches!(outcomes[0], Err(ChatError::Temporary(_))),
        "{outcomes:?}"
    );
    assert!(
        matches!(outcomes[1], Ok(Delivery::Undeliverable(_))),
        "{outcomes:?}"
    );

    world.clock.advance(Duration::minutes(5));
    // The next check queues nothing again: both are claimed, one still queued for its retry.
    let second = world.check();
    assert_eq!(
        (second.queued, second.already_claimed()),
        (0, 2),
        "{second:?}"
    );
    assert_eq!(world.work(), vec![Ok(Delivery::Sent)]);

    world.run_every_five_minutes_until(utc(2026, 5, 15, 9, 0));
    let counts = attempts.lock().unwrap();
    assert_eq!(counts[&ChatId::private(reachable.telegram_id)], 2);
    assert_eq!(counts[&blocked_chat], 1, "not retried every five minutes");
}

#[test]
fn a_storage_failure_while_composing_keeps_the_claim_and_the_task_retries_it() {
    let user = kyiv_user(Locale::En);
    let mut world = World::new(vec![user.clone()], utc(2026, 5, 15, 5, 0));
    let mut food = MockFoodLog::new();
    food.expect_day_totals()
        .returning(|_, _| Err(StorageError::Unavailable("connection refused".into())));
    world.food = food;
    assert_eq!(world.check().queued, 1);
    let outcomes = world.work();
    assert!(
        matches!(outcomes[..], [Err(ChatError::Temporary(_))]),
        "{outcomes:?}"
    );
    // Still claimed, so no other check queues it a second time; the task tries again.
    assert_eq!(world.notifications.claimed.lock().unwrap().len(), 1);
    assert_eq!(world.check().queued, 0);
    let mut food = MockFoodLog::new();
    food.expect_day_totals()
        .returning(|_, _| Ok(totals(3, 1700.0, 90.0)));
    world.food = food;
    world.clock.advance(Duration::minutes(1));
    assert_eq!(world.work(), vec![Ok(Delivery::Sent)]);
    assert_eq!(world.sent.lock().unwrap().len(), 1);
}

#[test]
fn a_task_taken_up_too_late_or_after_briefings_were_turned_off_sends_nothing() {
    let user = kyiv_user(Locale::En);
    let world = World::new(vec![user.clone()], utc(2026, 5, 15, 5, 0));
    assert_eq!(world.check().queued, 1);
    let due = world.notifications.queued.lock().unwrap()[0];
    // An outage kept every worker away until 11:00 in Kyiv: a "good morning" at 11 is stale.
    let late = world.clock.now() + STALE_AFTER;
    let stale = block_on(deliver_briefing(
        &user,
        due.kind,
        due.day,
        late,
        &world.delivery(),
    ));
    assert_eq!(stale, Ok(Delivery::Stale));
    let off = User {
        briefings_enabled: false,
        ..user
    };
    let turned_off = block_on(deliver_briefing(
        &off,
        due.kind,
        due.day,
        world.clock.now(),
        &world.delivery(),
    ));
    assert_eq!(turned_off, Ok(Delivery::TurnedOff));
    assert!(world.sent.lock().unwrap().is_empty());
}

#[test]
fn a_briefings_task_is_retried_for_as_long_as_the_briefing_can_still_be_sent() {
    let policy = briefing_retries();
    let waited: Duration = (1..u32::try_from(policy.max_attempts).unwrap())
        .map(|failures| Duration::from_std(policy.backoff.nominal(failures)).unwrap())
        .sum();
    assert!(waited >= STALE_AFTER, "{waited:?}");
    // And not for a day longer: about the staleness limit, at most an hour more.
    assert!(waited < STALE_AFTER + Duration::hours(1), "{waited:?}");
}
