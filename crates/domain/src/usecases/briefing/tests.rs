use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Barrier, Mutex};

use async_trait::async_trait;
use chrono::{NaiveDate, TimeZone as _};
use futures_executor::block_on;

use super::*;
use crate::model::{
    BriefingTimes, Cycle, CycleScore, EntrySource, EntryStatus, FoodEntryId, Grams, IdempotencyKey,
    Locale, Nutrients, RecordTimes, RecordedOffset, Recovery, RecoveryScore, Sleep, SleepScore,
    TelegramUserId, Workout, WorkoutScore,
};
use crate::ports::{
    Clock, ManualClock, MockFoodLog, MockMessenger, MockUsers, MockWearableStore, SentMessage,
};

// ---------------------------------------------------------------- fixtures

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn date(y: i32, mo: u32, d: u32) -> LocalDate {
    LocalDate::from_calendar(NaiveDate::from_ymd_opt(y, mo, d).unwrap())
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn zone(name: &str) -> UserTimeZone {
    UserTimeZone::parse(name).unwrap()
}

fn user_in(id: i64, time_zone: UserTimeZone, locale: Locale) -> User {
    User {
        id: UserId::new(id).unwrap(),
        telegram_id: TelegramUserId::new(1000 + id).unwrap(),
        first_name: "Olena".into(),
        locale,
        time_zone,
        calorie_goal: CalorieGoal::new(2000).unwrap(),
        briefing_times: BriefingTimes::default(),
        briefings_enabled: true,
        created_at: utc(2026, 1, 1, 0, 0),
    }
}

fn kyiv_user(locale: Locale) -> User {
    user_in(1, UserTimeZone::DEFAULT, locale)
}

fn kcal(v: f64) -> Kcal {
    Kcal::new(v).unwrap()
}

fn grams(v: f64) -> MacroGrams {
    MacroGrams::new(v).unwrap()
}

fn totals(entries: u32, energy: f64, protein: f64) -> DayTotals {
    DayTotals {
        entries,
        nutrients: Nutrients {
            kcal: kcal(energy),
            protein: grams(protein),
            ..Nutrients::default()
        },
    }
}

fn entry(n: i64, meal: Meal, energy: f64, protein: f64) -> FoodEntry {
    FoodEntry {
        id: FoodEntryId::new(n).unwrap(),
        user_id: UserId::new(1).unwrap(),
        name: format!("food {n}"),
        grams: Grams::new(100.0).unwrap(),
        nutrients: Nutrients {
            kcal: kcal(energy),
            protein: grams(protein),
            ..Nutrients::default()
        },
        meal,
        source: EntrySource::Text,
        nutrition_source: crate::model::NutritionSource::OfflineCatalogue,
        local_date: date(2026, 5, 15),
        logged_at: utc(2026, 5, 15, 6, 0),
        status: EntryStatus::Active,
        idempotency_key: IdempotencyKey::new(format!("k{n}")).unwrap(),
        catalogue_ref: None,
        diary_link: None,
    }
}

fn times(start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> RecordTimes {
    RecordTimes {
        start,
        end,
        timezone_offset: RecordedOffset::parse("+03:00").unwrap(),
        updated_at: end.unwrap_or(start),
    }
}

const MINUTE: i64 = 60_000;

fn sleep_ending(end: DateTime<Utc>, asleep_minutes: i64, performance: f64) -> Sleep {
    Sleep {
        whoop_id: "sleep-1".into(),
        cycle_id: 1,
        user_id: UserId::new(1).unwrap(),
        times: times(end - Duration::minutes(asleep_minutes + 20), Some(end)),
        nap: false,
        score: Scored::Scored(SleepScore {
            in_bed_milli: (asleep_minutes + 20) * MINUTE,
            awake_milli: 20 * MINUTE,
            light_milli: (asleep_minutes - 120) * MINUTE,
            slow_wave_milli: 60 * MINUTE,
            rem_milli: 60 * MINUTE,
            cycle_count: 4,
            disturbance_count: 10,
            performance: Percent::new(performance).ok(),
            efficiency: None,
            consistency: None,
            respiratory_rate: None,
        }),
    }
}

fn recovery_at(created_at: DateTime<Utc>, score: f64) -> Recovery {
    Recovery {
        cycle_id: 1,
        sleep_id: "sleep-1".into(),
        user_id: UserId::new(1).unwrap(),
        created_at,
        updated_at: created_at,
        score: Scored::Scored(RecoveryScore {
            recovery: Percent::new(score).unwrap(),
            resting_heart_rate: 55.2,
            hrv_rmssd_milli: 48.4,
            spo2: None,
            skin_temp_celsius: None,
            user_calibrating: false,
        }),
    }
}

fn cycle_from(start: DateTime<Utc>, kilojoule: f64, strain: f64) -> Cycle {
    Cycle {
        whoop_id: 1,
        user_id: UserId::new(1).unwrap(),
        times: times(start, None),
        score: Scored::Scored(CycleScore {
            strain,
            kilojoule,
            average_heart_rate: 70,
            max_heart_rate: 160,
        }),
    }
}

fn workout_at(start: DateTime<Utc>, sport: &str, strain: Option<f64>) -> Workout {
    Workout {
        whoop_id: format!("w-{sport}"),
        user_id: UserId::new(1).unwrap(),
        times: times(start, Some(start + Duration::minutes(45))),
        sport_name: sport.into(),
        score: match strain {
            Some(strain) => Scored::Scored(WorkoutScore {
                strain,
                average_heart_rate: 140,
                max_heart_rate: 175,
                kilojoule: 1500.0,
                distance_meter: None,
            }),
            None => Scored::PendingScore,
        },
    }
}

/// 15 May 2026 in Kyiv (UTC+3): a night's sleep ending 07:10, recovery at 07:15.
fn morning_data(locale: Locale) -> BriefingData {
    BriefingData {
        user: kyiv_user(locale),
        kind: NotificationKind::MorningBriefing,
        day: date(2026, 5, 15),
        food: totals(4, 1850.0, 95.0),
        entries: Vec::new(),
        wearable: WearableSnapshot {
            last_sleep: Some(sleep_ending(utc(2026, 5, 15, 4, 10), 456, 91.0)),
            latest_recovery: Some(recovery_at(utc(2026, 5, 15, 4, 15), 64.0)),
            latest_cycle: None,
            recent_workouts: Vec::new(),
        },
    }
}

fn evening_data(locale: Locale) -> BriefingData {
    BriefingData {
        user: kyiv_user(locale),
        kind: NotificationKind::EveningSummary,
        day: date(2026, 5, 15),
        food: totals(4, 1850.0, 102.0),
        entries: vec![
            entry(1, Meal::Breakfast, 450.0, 25.0),
            entry(2, Meal::Lunch, 700.0, 40.0),
            entry(3, Meal::Dinner, 600.0, 35.0),
            entry(4, Meal::Snack, 100.0, 2.0),
        ],
        wearable: WearableSnapshot {
            last_sleep: None,
            latest_recovery: None,
            // 10878.4 kJ is 2600 kcal.
            latest_cycle: Some(cycle_from(utc(2026, 5, 15, 4, 10), 10_878.4, 12.44)),
            recent_workouts: vec![
                workout_at(utc(2026, 5, 15, 15, 0), "yoga", None),
                workout_at(utc(2026, 5, 15, 4, 30), "running", Some(11.2)),
                // Yesterday's: not today's summary.
                workout_at(utc(2026, 5, 14, 15, 0), "cycling", Some(9.0)),
            ],
        },
    }
}

fn morning_of(data: &BriefingData) -> MorningBriefing {
    match compose(data) {
        Briefing::Morning(m) => m,
        Briefing::Evening(_) => panic!("expected a morning briefing"),
    }
}

fn evening_of(data: &BriefingData) -> EveningSummary {
    match compose(data) {
        Briefing::Evening(e) => e,
        Briefing::Morning(_) => panic!("expected an evening summary"),
    }
}

// ---------------------------------------------------------------- composition

#[test]
fn the_morning_briefing_reports_sleep_recovery_yesterday_and_a_tip_in_english() {
    let text = compose(&morning_data(Locale::En)).text(Locale::En);
    assert_eq!(
        text,
        "Good morning, Olena! Your briefing for 15 May:\n\
         Sleep: 7 h 36 min asleep, performance 91%.\n\
         Recovery: 64% · HRV 48 ms · resting HR 55.\n\
         Yesterday: 1850 of 2000 kcal — 150 under the goal.\n\
         Tip: keep a steady rhythm today — regular meals, water and some movement."
    );
}

#[test]
fn the_morning_briefing_reads_the_same_numbers_in_ukrainian() {
    let text = compose(&morning_data(Locale::Uk)).text(Locale::Uk);
    assert_eq!(
        text,
        "Доброго ранку, Olena! Зведення на 15 травня:\n\
         Сон: 7 год 36 хв, ефективність 91%.\n\
         Відновлення: 64% · HRV 48 мс · пульс спокою 55.\n\
         Учора: 1850 з 2000 ккал — на 150 менше за ціль.\n\
         Порада: тримай рівний ритм — регулярне харчування, вода й трохи руху."
    );
}

#[test]
fn a_morning_without_data_says_so_instead_of_inventing_numbers() {
    let mut data = morning_data(Locale::En);
    data.wearable = WearableSnapshot::default();
    data.food = DayTotals::default();
    let briefing = morning_of(&data);
    assert_eq!(briefing.sleep, SleepReport::Missing);
    assert_eq!(briefing.recovery, RecoveryReport::Missing);
    assert_eq!(briefing.tip, MorningTip::LogMeals);
    let en = compose(&data).text(Locale::En);
    assert!(en.contains("Sleep: no sleep data from WHOOP yet."), "{en}");
    assert!(
        en.contains("Recovery: no recovery from WHOOP yet today."),
        "{en}"
    );
    assert!(
        en.contains("Yesterday: nothing logged (goal 2000 kcal)."),
        "{en}"
    );
    let uk = compose(&data).text(Locale::Uk);
    assert!(uk.contains("Сон: даних про сон з WHOOP ще немає."), "{uk}");
    assert!(
        uk.contains("Учора: нічого не записано (ціль 2000 ккал)."),
        "{uk}"
    );
}

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
fn unscored_records_are_reported_as_unscored() {
    let mut data = morning_data(Locale::En);
    if let Some(sleep) = data.wearable.last_sleep.as_mut() {
        sleep.score = Scored::PendingScore;
    }
    if let Some(recovery) = data.wearable.latest_recovery.as_mut() {
        recovery.score = Scored::Unscorable;
    }
    let text = compose(&data).text(Locale::En);
    assert!(
        text.contains("Sleep: WHOOP hasn't scored last night's sleep yet."),
        "{text}"
    );
    assert!(
        text.contains("Recovery: WHOOP couldn't score it."),
        "{text}"
    );
}

#[test]
fn the_morning_tip_follows_the_data() {
    // Low recovery comes first.
    let mut data = morning_data(Locale::En);
    data.wearable.latest_recovery = Some(recovery_at(utc(2026, 5, 15, 4, 15), 21.0));
    data.wearable.last_sleep = Some(sleep_ending(utc(2026, 5, 15, 4, 10), 300, 60.0));
    assert!(matches!(
        morning_of(&data).tip,
        MorningTip::LighterDay { .. }
    ));
    assert!(
        compose(&data)
            .text(Locale::En)
            .contains("Tip: recovery is low (21%), so keep today lighter")
    );

    // Then short sleep.
    data.wearable.latest_recovery = Some(recovery_at(utc(2026, 5, 15, 4, 15), 50.0));
    assert_eq!(
        morning_of(&data).tip,
        MorningTip::EarlierBedtime {
            asleep: Duration::minutes(300)
        }
    );
    assert!(
        compose(&data)
            .text(Locale::Uk)
            .contains("Порада: 5 год 00 хв сну — замало")
    );

    // Then little protein yesterday: 40 g is 160 kcal of 1800.
    data.wearable.last_sleep = Some(sleep_ending(utc(2026, 5, 15, 4, 10), 480, 95.0));
    data.food = totals(3, 1800.0, 40.0);
    assert_eq!(
        morning_of(&data).tip,
        MorningTip::ProteinAtBreakfast {
            protein: grams(40.0)
        }
    );
    assert!(
        compose(&data)
            .text(Locale::En)
            .contains("Tip: protein was low yesterday (40 g) — add some at breakfast")
    );

    // A green recovery after a good day.
    data.food = totals(3, 1800.0, 120.0);
    data.wearable.latest_recovery = Some(recovery_at(utc(2026, 5, 15, 4, 15), 80.0));
    assert!(matches!(
        morning_of(&data).tip,
        MorningTip::ReadyForMore { .. }
    ));
}

#[test]
fn the_evening_summary_reports_food_burn_workouts_meals_and_a_tip_in_english() {
    let summary = evening_of(&evening_data(Locale::En));
    assert_eq!(summary.net(), Some(-750));
    let text = compose(&evening_data(Locale::En)).text(Locale::En);
    assert_eq!(
        text,
        "Your day, 15 May: eaten 1850 of 2000 kcal — 150 left.\n\
         WHOOP: burned 2600 kcal · net 750 kcal deficit · day strain 12.4.\n\
         Workouts: running (strain 11.2), yoga (not scored yet).\n\
         Meals: breakfast 450 · lunch 700 · dinner 600 · snacks 100 kcal.\n\
         For tomorrow: keep the same rhythm — you're on track."
    );
}

#[test]
fn the_evening_summary_reads_the_same_numbers_in_ukrainian() {
    let text = compose(&evening_data(Locale::Uk)).text(Locale::Uk);
    assert_eq!(
        text,
        "Підсумок дня, 15 травня: з'їдено 1850 з 2000 ккал — залишилось 150.\n\
         WHOOP: витрачено 2600 ккал · дефіцит 750 ккал · денне навантаження 12.4.\n\
         Тренування: running (навантаження 11.2), yoga (ще не оцінено).\n\
         Прийоми їжі: сніданок 450 · обід 700 · вечеря 600 · перекуси 100 ккал.\n\
         На завтра: тримай той самий ритм — ти на правильному шляху."
    );
}

#[test]
fn an_evening_without_data_says_what_is_missing() {
    let mut data = evening_data(Locale::En);
    data.wearable = WearableSnapshot::default();
    data.food = DayTotals::default();
    data.entries.clear();
    let summary = evening_of(&data);
    assert_eq!(summary.burn, BurnReport::Missing);
    assert_eq!(summary.tip, EveningTip::LogAsYouGo);
    assert_eq!(
        compose(&data).text(Locale::En),
        "Your day, 15 May: nothing logged today (goal 2000 kcal).\n\
         No WHOOP data for today yet: calories burned and strain are unknown.\n\
         For tomorrow: log meals as you go — a short text or a voice note is enough."
    );
    assert_eq!(
        compose(&data).text(Locale::Uk),
        "Підсумок дня, 15 травня: сьогодні нічого не записано (ціль 2000 ккал).\n\
         Даних WHOOP за сьогодні ще немає: витрата калорій і навантаження невідомі.\n\
         На завтра: записуй їжу одразу — достатньо короткого тексту чи голосового."
    );
}

#[test]
fn yesterdays_cycle_is_not_todays_burn() {
    let mut data = evening_data(Locale::En);
    data.wearable.latest_cycle = Some(cycle_from(utc(2026, 5, 13, 4, 0), 10_000.0, 10.0));
    let summary = evening_of(&data);
    assert_eq!(summary.burn, BurnReport::Missing);
    assert_eq!(summary.net(), None);
}

#[test]
fn the_evening_tip_follows_the_day() {
    let mut data = evening_data(Locale::En);
    data.food = totals(5, 2600.0, 120.0);
    assert_eq!(evening_of(&data).tip, EveningTip::OverGoal { over: 600 });
    assert!(
        compose(&data)
            .text(Locale::Uk)
            .contains("На завтра: сьогодні ціль перевищено на 600 ккал")
    );

    data.food = totals(4, 1850.0, 102.0);
    data.wearable.latest_cycle = Some(cycle_from(utc(2026, 5, 15, 4, 10), 14_000.0, 16.3));
    assert_eq!(
        evening_of(&data).tip,
        EveningTip::RecoverAfterStrain { strain: 16.3 }
    );

    data.wearable.latest_cycle = None;
    data.food = totals(2, 900.0, 60.0);
    assert_eq!(evening_of(&data).tip, EveningTip::EatEnough { under: 1100 });

    data.food = totals(4, 1900.0, 30.0);
    assert_eq!(
        evening_of(&data).tip,
        EveningTip::MoreProtein {
            protein: grams(30.0)
        }
    );
}

#[test]
fn every_briefing_fits_in_six_lines() {
    let wearables = [
        WearableSnapshot::default(),
        evening_data(Locale::En).wearable,
    ];
    for locale in [Locale::En, Locale::Uk] {
        for wearable in &wearables {
            for (food, entries) in [
                (DayTotals::default(), Vec::new()),
                (totals(4, 1850.0, 102.0), evening_data(locale).entries),
            ] {
                for kind in [
                    NotificationKind::MorningBriefing,
                    NotificationKind::EveningSummary,
                ] {
                    let data = BriefingData {
                        kind,
                        food,
                        entries: entries.clone(),
                        wearable: wearable.clone(),
                        ..morning_data(locale)
                    };
                    let text = compose(&data).text(locale);
                    assert!(text.lines().count() <= 6, "{text}");
                    assert!(!text.contains("NaN") && !text.contains("{"), "{text}");
                }
            }
        }
    }
}

#[test]
fn compose_briefing_reads_yesterdays_food_in_the_morning_and_todays_in_the_evening() {
    let user = kyiv_user(Locale::En);
    let day = date(2026, 5, 15);
    let now = utc(2026, 5, 15, 5, 0);
    let mut food = MockFoodLog::new();
    food.expect_day_totals()
        .withf(move |_, d| *d == day.previous())
        .times(1)
        .returning(|_, _| Ok(totals(2, 1500.0, 90.0)));
    food.expect_entries_on().never();
    let mut wearables = MockWearableStore::new();
    wearables
        .expect_snapshot()
        .withf(move |_, at| *at == now)
        .returning(|_, _| Ok(WearableSnapshot::default()));
    let briefing = block_on(compose_briefing(
        &user,
        NotificationKind::MorningBriefing,
        day,
        now,
        &food,
        &wearables,
    ))
    .unwrap();
    assert!(
        briefing
            .text(Locale::En)
            .contains("Yesterday: 1500 of 2000 kcal")
    );

    let mut food = MockFoodLog::new();
    food.expect_day_totals()
        .withf(move |_, d| *d == day)
        .times(1)
        .returning(|_, _| Ok(totals(1, 450.0, 25.0)));
    food.expect_entries_on()
        .withf(move |_, d| *d == day)
        .times(1)
        .returning(|_, _| Ok(vec![entry(1, Meal::Breakfast, 450.0, 25.0)]));
    let briefing = block_on(compose_briefing(
        &user,
        NotificationKind::EveningSummary,
        day,
        now,
        &food,
        &wearables,
    ))
    .unwrap();
    assert!(
        briefing
            .text(Locale::En)
            .contains("Meals: breakfast 450 kcal.")
    );
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

/// The `Notifications` port in memory, shared like the real table.
#[derive(Default)]
struct MemoryNotifications {
    claimed: Mutex<HashSet<(UserId, NotificationKind, LocalDate)>>,
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
        Ok(self.claimed.lock().unwrap().insert((user, kind, day)))
    }

    async fn release(
        &self,
        user: UserId,
        kind: NotificationKind,
        day: LocalDate,
    ) -> Result<(), StorageError> {
        self.claimed.lock().unwrap().remove(&(user, kind, day));
        Ok(())
    }
}

type Sent = Arc<Mutex<Vec<(ChatId, DateTime<Utc>, String)>>>;

struct World {
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
        users.expect_page().returning(move |after, limit| {
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
            users,
            food,
            wearables,
            notifications: MemoryNotifications::default(),
            messenger,
            clock,
            sent,
        }
    }

    fn ports(&self) -> BriefingPorts<'_> {
        BriefingPorts {
            users: &self.users,
            food: &self.food,
            wearables: &self.wearables,
            notifications: &self.notifications,
            messenger: &self.messenger,
        }
    }

    /// Runs the check every 5 minutes until `end`.
    fn run_every_five_minutes_until(&self, end: DateTime<Utc>) {
        while self.clock.now() < end {
            block_on(send_due_briefings(self.clock.now(), &self.ports(), 2)).unwrap();
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
            let morning = text.starts_with("Good morning") || text.starts_with("Доброго ранку");
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
                    block_on(send_due_briefings(now, &world.ports(), 2)).unwrap();
                    if barrier.wait().is_leader() {
                        world.clock.advance(Duration::minutes(5));
                    }
                }
            });
        }
    });
    assert_once_per_local_day(&world, &people, &days((2026, 3, 28), 2));
}

#[test]
fn a_failed_send_is_retried_by_a_later_check_and_a_blocked_user_is_not() {
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

    let first = block_on(send_due_briefings(world.clock.now(), &world.ports(), 10)).unwrap();
    assert_eq!((first.due, first.sent, first.failures.len()), (2, 0, 2));
    assert_eq!(first.to_retry(), 1, "{first:?}");

    world.clock.advance(Duration::minutes(5));
    let second = block_on(send_due_briefings(world.clock.now(), &world.ports(), 10)).unwrap();
    assert_eq!((second.sent, second.already_claimed), (1, 1), "{second:?}");

    world.run_every_five_minutes_until(utc(2026, 5, 15, 9, 0));
    let counts = attempts.lock().unwrap();
    assert_eq!(counts[&ChatId::private(reachable.telegram_id)], 2);
    assert_eq!(counts[&blocked_chat], 1, "not retried every five minutes");
}

#[test]
fn a_storage_failure_while_composing_gives_the_claim_back() {
    let user = kyiv_user(Locale::En);
    let mut world = World::new(vec![user.clone()], utc(2026, 5, 15, 5, 0));
    let mut food = MockFoodLog::new();
    food.expect_day_totals()
        .returning(|_, _| Err(StorageError::Unavailable("connection refused".into())));
    world.food = food;
    let round = block_on(send_due_briefings(world.clock.now(), &world.ports(), 10)).unwrap();
    assert_eq!(round.to_retry(), 1);
    assert!(
        world.notifications.claimed.lock().unwrap().is_empty(),
        "released for a later check"
    );
}
