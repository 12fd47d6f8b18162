//! Assistant contexts with known figures, for tests of answers and of their grounding.

use chrono::{DateTime, NaiveDate, Utc};

use crate::model::*;
use crate::ports::AssistantContext;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// A context with nothing logged and no wearable data, on 2026-05-14 (a Thursday) at 13:00.
pub fn empty_context(locale: Locale) -> AssistantContext {
    AssistantContext {
        locale,
        local_now: NaiveDate::from_ymd_opt(2026, 5, 14)
            .unwrap()
            .and_hms_opt(13, 0, 0)
            .unwrap(),
        history: Vec::new(),
        today_entries: Vec::new(),
        today_totals: DayTotals::default(),
        calorie_goal: CalorieGoal::new(2000).unwrap(),
        wearable: WearableSnapshot::default(),
        yesterday_entries: Vec::new(),
        past_days: Vec::new(),
    }
}

/// A day with three entries (1250 kcal, 85.5 g protein, 40 g fat, 150 g carbs) against a
/// 2000 kcal goal, a scored sleep of 7 h 36 min at 98 % (01:00 to 09:00 at +03:00 on the 14th)
/// and a recovery of 64 % (HRV 45.2 ms, resting heart rate 55) scored on the 14th.
pub fn busy_context(locale: Locale) -> AssistantContext {
    let user = UserId::new(1).unwrap();
    let times = RecordTimes {
        start: at("2026-05-13T22:00:00Z"),
        end: Some(at("2026-05-14T06:00:00Z")),
        timezone_offset: RecordedOffset::parse("+03:00").unwrap(),
        updated_at: at("2026-05-14T06:30:00Z"),
    };
    let sleep = Sleep {
        whoop_id: "sleep-1".into(),
        cycle_id: 7,
        user_id: user,
        times,
        nap: false,
        score: Scored::Scored(SleepScore {
            in_bed_milli: 30_272_735,
            awake_milli: 1_403_507,
            light_milli: 14_905_851,
            slow_wave_milli: 6_630_370,
            rem_milli: 5_879_573,
            cycle_count: 3,
            disturbance_count: 12,
            performance: Some(Percent::new(98.0).unwrap()),
            efficiency: None,
            consistency: None,
            respiratory_rate: Some(16.1),
        }),
    };
    let recovery = Recovery {
        cycle_id: 7,
        sleep_id: "sleep-1".into(),
        user_id: user,
        created_at: at("2026-05-14T06:30:00Z"),
        updated_at: at("2026-05-14T06:30:00Z"),
        score: Scored::Scored(RecoveryScore {
            recovery: Percent::new(64.0).unwrap(),
            resting_heart_rate: 55.0,
            hrv_rmssd_milli: 45.2,
            spo2: None,
            skin_temp_celsius: None,
            user_calibrating: false,
        }),
    };
    AssistantContext {
        today_totals: DayTotals {
            entries: 3,
            nutrients: Nutrients {
                kcal: Kcal::new(1250.0).unwrap(),
                protein: MacroGrams::new(85.5).unwrap(),
                fat: MacroGrams::new(40.0).unwrap(),
                carbs: MacroGrams::new(150.0).unwrap(),
            },
        },
        wearable: WearableSnapshot {
            last_sleep: Some(sleep),
            latest_recovery: Some(recovery),
            ..WearableSnapshot::default()
        },
        ..empty_context(locale)
    }
}

/// [`busy_context`] with today's open cycle (strain 11.4, 2,150 kcal burned so far) and a
/// 45-minute run on Monday the 11th (strain 9.2, 6.3 km, average heart rate 148).
pub fn athletic_context(locale: Locale) -> AssistantContext {
    let user = UserId::new(1).unwrap();
    let offset = RecordedOffset::parse("+03:00").unwrap();
    let cycle = Cycle {
        whoop_id: 7,
        user_id: user,
        times: RecordTimes {
            start: at("2026-05-13T22:00:00Z"),
            end: None,
            timezone_offset: offset,
            updated_at: at("2026-05-14T09:00:00Z"),
        },
        score: Scored::Scored(CycleScore {
            strain: 11.4,
            kilojoule: 2150.0 * 4.184,
            average_heart_rate: 68,
            max_heart_rate: 171,
        }),
    };
    let run = Workout {
        whoop_id: "run-1".into(),
        user_id: user,
        times: RecordTimes {
            start: at("2026-05-11T15:00:00Z"),
            end: Some(at("2026-05-11T15:45:00Z")),
            timezone_offset: offset,
            updated_at: at("2026-05-11T16:00:00Z"),
        },
        sport_name: "running".into(),
        score: Scored::Scored(WorkoutScore {
            strain: 9.2,
            average_heart_rate: 148,
            max_heart_rate: 176,
            kilojoule: 1900.0,
            distance_meter: Some(6300.0),
        }),
    };
    let mut context = busy_context(locale);
    context.wearable.latest_cycle = Some(cycle);
    context.wearable.recent_workouts = vec![run];
    context
}
