//! Fixtures of the briefing tests: people, days, food and WHOOP records with known numbers.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone as _, Utc};

use crate::model::*;
use crate::usecases::briefing::*;

pub fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

pub fn date(y: i32, mo: u32, d: u32) -> LocalDate {
    LocalDate::from_calendar(NaiveDate::from_ymd_opt(y, mo, d).unwrap())
}

pub fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

pub fn zone(name: &str) -> UserTimeZone {
    UserTimeZone::parse(name).unwrap()
}

pub fn user_in(id: i64, time_zone: UserTimeZone, locale: Locale) -> User {
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

pub fn kyiv_user(locale: Locale) -> User {
    user_in(1, UserTimeZone::DEFAULT, locale)
}

pub fn kcal(v: f64) -> Kcal {
    Kcal::new(v).unwrap()
}

pub fn grams(v: f64) -> MacroGrams {
    MacroGrams::new(v).unwrap()
}

pub fn totals(entries: u32, energy: f64, protein: f64) -> DayTotals {
    DayTotals {
        entries,
        nutrients: Nutrients {
            kcal: kcal(energy),
            protein: grams(protein),
            ..Nutrients::default()
        },
    }
}

pub fn entry(n: i64, meal: Meal, energy: f64, protein: f64) -> FoodEntry {
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

pub fn times(start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> RecordTimes {
    RecordTimes {
        start,
        end,
        timezone_offset: RecordedOffset::parse("+03:00").unwrap(),
        updated_at: end.unwrap_or(start),
    }
}

const MINUTE: i64 = 60_000;

pub fn sleep_ending(end: DateTime<Utc>, asleep_minutes: i64, performance: f64) -> Sleep {
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

pub fn recovery_at(created_at: DateTime<Utc>, score: f64) -> Recovery {
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

pub fn cycle_from(start: DateTime<Utc>, kilojoule: f64, strain: f64) -> Cycle {
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

pub fn workout_at(start: DateTime<Utc>, sport: &str, strain: Option<f64>) -> Workout {
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
pub fn morning_data(locale: Locale) -> BriefingData {
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

pub fn evening_data(locale: Locale) -> BriefingData {
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

pub fn morning_of(data: &BriefingData) -> MorningBriefing {
    match compose(data) {
        Briefing::Morning(m) => m,
        Briefing::Evening(_) => panic!("expected a morning briefing"),
    }
}

pub fn evening_of(data: &BriefingData) -> EveningSummary {
    match compose(data) {
        Briefing::Evening(e) => e,
        Briefing::Morning(_) => panic!("expected an evening summary"),
    }
}
