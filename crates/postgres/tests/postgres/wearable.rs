use chrono::{DateTime, Duration, Utc};
use wellness_domain::ports::{Upserted, WearableStore};
use wellness_domain::*;
use wellness_postgres::PgWearableStore;

use crate::fixtures::{at, db, user};

fn times(start: DateTime<Utc>, hours: i64, updated: DateTime<Utc>) -> RecordTimes {
    RecordTimes {
        start,
        end: Some(start + Duration::hours(hours)),
        timezone_offset: RecordedOffset::parse("+03:00").unwrap(),
        updated_at: updated,
    }
}

fn sleep(
    id: &str,
    user: UserId,
    start: DateTime<Utc>,
    score: Scored<SleepScore>,
    updated: DateTime<Utc>,
) -> Sleep {
    Sleep {
        whoop_id: id.into(),
        cycle_id: 1,
        user_id: user,
        times: times(start, 8, updated),
        nap: false,
        score,
    }
}

fn sleep_score(perf: f64) -> SleepScore {
    SleepScore {
        in_bed_milli: 8 * 3_600_000,
        awake_milli: 1_800_000,
        light_milli: 4 * 3_600_000,
        slow_wave_milli: 3_600_000,
        rem_milli: 5_400_000,
        cycle_count: 4,
        disturbance_count: 9,
        performance: Some(Percent::new(perf).unwrap()),
        efficiency: None,
        consistency: Some(Percent::new(80.0).unwrap()),
        respiratory_rate: Some(15.5),
    }
}

#[tokio::test]
async fn upserts_insert_once_update_on_rescore_and_ignore_unchanged_records() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let store = PgWearableStore::new(db.clone());
    let night = at(2026, 5, 13, 21, 0);
    let t0 = at(2026, 5, 14, 6, 0);
    let pending = sleep("s-1", u.id, night, Scored::PendingScore, t0);

    assert_eq!(
        store
            .upsert_sleeps(std::slice::from_ref(&pending))
            .await
            .unwrap(),
        Upserted {
            inserted: 1,
            updated: 0
        }
    );
    assert_eq!(
        store
            .upsert_sleeps(std::slice::from_ref(&pending))
            .await
            .unwrap(),
        Upserted::default(),
        "same record, no write"
    );

    let scored = sleep(
        "s-1",
        u.id,
        night,
        Scored::Scored(sleep_score(91.0)),
        t0 + Duration::minutes(5),
    );
    assert_eq!(
        store
            .upsert_sleeps(std::slice::from_ref(&scored))
            .await
            .unwrap(),
        Upserted {
            inserted: 0,
            updated: 1
        }
    );

    let snap = store.snapshot(u.id, at(2026, 5, 14, 9, 0)).await.unwrap();
    assert_eq!(snap.last_sleep, Some(scored));
}

#[tokio::test]
async fn pending_and_unscorable_states_are_kept_as_such() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let store = PgWearableStore::new(db.clone());
    let now = at(2026, 5, 14, 12, 0);
    let workouts = vec![
        Workout {
            whoop_id: "w-pending".into(),
            user_id: u.id,
            times: times(at(2026, 5, 14, 7, 0), 1, now),
            sport_name: "running".into(),
            score: Scored::PendingScore,
        },
        Workout {
            whoop_id: "w-unscorable".into(),
            user_id: u.id,
            times: times(at(2026, 5, 14, 9, 0), 1, now),
            sport_name: "yoga".into(),
            score: Scored::Unscorable,
        },
        Workout {
            whoop_id: "w-scored".into(),
            user_id: u.id,
            times: times(at(2026, 5, 14, 10, 0), 1, now),
            sport_name: "cycling".into(),
            score: Scored::Scored(WorkoutScore {
                strain: 12.5,
                average_heart_rate: 140,
                max_heart_rate: 172,
                kilojoule: 2092.0,
                distance_meter: Some(20_000.0),
            }),
        },
    ];
    assert_eq!(store.upsert_workouts(&workouts).await.unwrap().inserted, 3);
    let snap = store.snapshot(u.id, now).await.unwrap();
    let states: Vec<ScoreState> = snap
        .recent_workouts
        .iter()
        .map(|w| w.score.state())
        .collect();
    assert_eq!(
        states,
        vec![
            ScoreState::Scored,
            ScoreState::Unscorable,
            ScoreState::PendingScore
        ]
    );
    assert_eq!(snap.recent_workouts[0].kcal().map(Kcal::rounded), Some(500));
    // The next sync starts at the oldest record still waiting for a score.
    assert_eq!(
        store.sync_point(u.id, WearableKind::Workout).await.unwrap(),
        Some(at(2026, 5, 14, 7, 0))
    );
}

#[tokio::test]
async fn an_open_cycle_is_refetched_and_updated_when_it_ends() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let store = PgWearableStore::new(db.clone());
    let start = at(2026, 5, 14, 5, 0);
    let updated = at(2026, 5, 14, 12, 0);
    let mut cycle = Cycle {
        whoop_id: 93845,
        user_id: u.id,
        times: RecordTimes {
            start,
            end: None,
            timezone_offset: RecordedOffset::parse("Z").unwrap(),
            updated_at: updated,
        },
        score: Scored::Scored(CycleScore {
            strain: 8.0,
            kilojoule: 8368.0,
            average_heart_rate: 70,
            max_heart_rate: 150,
        }),
    };
    let older = Cycle {
        whoop_id: 93844,
        times: RecordTimes {
            start: start - Duration::days(1),
            end: Some(start),
            ..cycle.times
        },
        ..cycle.clone()
    };
    store.upsert_cycles(&[older, cycle.clone()]).await.unwrap();
    assert_eq!(
        store.sync_point(u.id, WearableKind::Cycle).await.unwrap(),
        Some(start)
    );
    cycle.times.end = Some(start + Duration::hours(24));
    assert_eq!(
        store
            .upsert_cycles(std::slice::from_ref(&cycle))
            .await
            .unwrap(),
        Upserted {
            inserted: 0,
            updated: 1
        }
    );
    let snap = store.snapshot(u.id, at(2026, 5, 15, 6, 0)).await.unwrap();
    assert_eq!(
        snap.latest_cycle
            .as_ref()
            .and_then(Cycle::kcal)
            .map(Kcal::rounded),
        Some(2000)
    );
    assert!(!snap.latest_cycle.unwrap().is_open());
}

#[tokio::test]
async fn recoveries_upsert_by_cycle_and_delete_by_cycle_or_sleep_id() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let store = PgWearableStore::new(db.clone());
    let rec = |cycle: i64, sleep: &str| Recovery {
        cycle_id: cycle,
        sleep_id: sleep.into(),
        user_id: u.id,
        created_at: at(2026, 5, 14, 6, 0),
        updated_at: at(2026, 5, 14, 6, 0),
        score: Scored::Scored(RecoveryScore {
            recovery: Percent::new(44.0).unwrap(),
            resting_heart_rate: 64.0,
            hrv_rmssd_milli: 31.8,
            spo2: None,
            skin_temp_celsius: None,
            user_calibrating: false,
        }),
    };
    store
        .upsert_recoveries(&[rec(1, "a"), rec(2, "b")])
        .await
        .unwrap();
    assert!(
        store
            .delete(u.id, WearableKind::Recovery, "1")
            .await
            .unwrap()
    );
    assert!(
        store
            .delete(u.id, WearableKind::Recovery, "b")
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete(u.id, WearableKind::Recovery, "b")
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn a_record_is_never_moved_to_another_user() {
    let (_guard, db) = db().await;
    let a = user(&db, 1).await;
    let b = user(&db, 2).await;
    let store = PgWearableStore::new(db.clone());
    let t = at(2026, 5, 14, 6, 0);
    store
        .upsert_sleeps(&[sleep("s", a.id, t, Scored::PendingScore, t)])
        .await
        .unwrap();
    let hijack = sleep("s", b.id, t, Scored::Unscorable, t + Duration::hours(1));
    assert_eq!(
        store.upsert_sleeps(&[hijack]).await.unwrap(),
        Upserted::default()
    );
    assert!(
        store
            .snapshot(b.id, t + Duration::days(1))
            .await
            .unwrap()
            .last_sleep
            .is_none()
    );
}

#[tokio::test]
async fn history_places_scored_numbers_in_the_span_in_time_order_and_no_one_elses() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let other = user(&db, 2).await;
    let store = PgWearableStore::new(db.clone());
    let upd = at(2026, 5, 20, 0, 0);
    let mut nap = sleep(
        "nap",
        u.id,
        at(2026, 5, 3, 13, 0),
        Scored::Scored(sleep_score(50.0)),
        upd,
    );
    nap.nap = true;
    let sleeps = vec![
        // Starts before the span, ends inside it: counted, at its end.
        sleep(
            "s1",
            u.id,
            at(2026, 5, 1, 22, 0),
            Scored::Scored(sleep_score(91.0)),
            upd,
        ),
        sleep(
            "s0",
            u.id,
            at(2026, 4, 30, 22, 0),
            Scored::Scored(sleep_score(70.0)),
            upd,
        ),
        sleep("s2", u.id, at(2026, 5, 2, 22, 0), Scored::PendingScore, upd),
        // Ends after the span.
        sleep(
            "s3",
            u.id,
            at(2026, 5, 3, 22, 0),
            Scored::Scored(sleep_score(99.0)),
            upd,
        ),
        sleep(
            "x1",
            other.id,
            at(2026, 5, 1, 23, 0),
            Scored::Scored(sleep_score(10.0)),
            upd,
        ),
        nap,
    ];
    store.upsert_sleeps(&sleeps).await.unwrap();
    let cycle = |id: i64, user: UserId, start: DateTime<Utc>, strain: f64| Cycle {
        whoop_id: id,
        user_id: user,
        times: times(start, 24, upd),
        score: Scored::Scored(CycleScore {
            strain,
            kilojoule: 8000.0,
            average_heart_rate: 65,
            max_heart_rate: 150,
        }),
    };
    store
        .upsert_cycles(&[
            cycle(2, u.id, at(2026, 5, 2, 6, 0), 12.5),
            cycle(1, u.id, at(2026, 4, 30, 6, 0), 3.0),
            cycle(3, u.id, at(2026, 5, 3, 6, 0), 9.0),
            cycle(9, other.id, at(2026, 5, 2, 7, 0), 20.0),
        ])
        .await
        .unwrap();
    let recovery =
        |cycle: i64, sleep: &str, user: UserId, created: DateTime<Utc>, score: f64| Recovery {
            cycle_id: cycle,
            sleep_id: sleep.into(),
            user_id: user,
            created_at: created,
            updated_at: created,
            score: Scored::Scored(RecoveryScore {
                recovery: Percent::new(score).unwrap(),
                resting_heart_rate: 55.0,
                hrv_rmssd_milli: 40.0,
                spo2: None,
                skin_temp_celsius: None,
                user_calibrating: false,
            }),
        };
    store
        .upsert_recoveries(&[
            recovery(3, "s2", u.id, at(2026, 5, 3, 7, 0), 66.0),
            recovery(2, "s1", u.id, at(2026, 5, 2, 7, 0), 40.0),
            recovery(9, "x1", other.id, at(2026, 5, 2, 8, 0), 1.0),
        ])
        .await
        .unwrap();

    let history = store
        .history(u.id, at(2026, 5, 1, 0, 0), at(2026, 5, 4, 0, 0))
        .await
        .unwrap();
    let points = |scores: &[ScoreAt]| -> Vec<(DateTime<Utc>, f64)> {
        scores.iter().map(|s| (s.at, s.value)).collect()
    };
    assert_eq!(
        points(&history.sleep_performance),
        vec![(at(2026, 5, 1, 6, 0), 70.0), (at(2026, 5, 2, 6, 0), 91.0)]
    );
    assert_eq!(
        points(&history.recovery),
        vec![(at(2026, 5, 2, 7, 0), 40.0), (at(2026, 5, 3, 7, 0), 66.0)]
    );
    assert_eq!(
        points(&history.strain),
        vec![(at(2026, 5, 2, 6, 0), 12.5), (at(2026, 5, 3, 6, 0), 9.0)]
    );
}
