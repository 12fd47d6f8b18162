//! Drill: `wellness` is SIGKILLed in the middle of a WHOOP sync. After a restart and a sync,
//! every WHOOP record is stored exactly once, the sync points are where WHOOP's records say,
//! and a further sync finds nothing new.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use wellness_domain::WearableKind;
use wellness_domain::ports::WearableStore;
use wellness_e2e::eventually;
use wellness_postgres::PgWearableStore;
use wellness_sim::telegram::SimUser;
use wellness_sim::whoop::{ScoreState, UserRecords, WhoopSim};

use crate::store::{pool, rows_by_whoop_id, user_id};
use crate::world::{Options, World};

/// A WHOOP record as the checks need it: id, start (for recoveries, their cycle's), end
/// (for recoveries, their sleep's), and whether it is pending or open.
type Row = (String, DateTime<Utc>, Option<DateTime<Utc>>, bool);

/// Each table with its kind and WHOOP's records of that kind.
fn kinds(records: &UserRecords) -> Vec<(&'static str, WearableKind, Vec<Row>)> {
    let sleep_times = |sleep_id: &str| {
        records
            .sleeps
            .iter()
            .find(|s| s.id == sleep_id)
            .map(|s| (s.start, s.end))
    };
    let cycle_start = |cycle_id: i64| {
        records
            .cycles
            .iter()
            .find(|c| c.id == cycle_id)
            .map(|c| c.start)
    };
    vec![
        (
            "whoop_workouts",
            WearableKind::Workout,
            records
                .workouts
                .iter()
                .map(|w| {
                    let pending = w.score.state() == ScoreState::PendingScore;
                    (w.id.clone(), w.start, Some(w.end), pending)
                })
                .collect(),
        ),
        (
            "whoop_sleep",
            WearableKind::Sleep,
            records
                .sleeps
                .iter()
                .map(|s| {
                    let pending = s.score.state() == ScoreState::PendingScore;
                    (s.id.clone(), s.start, Some(s.end), pending)
                })
                .collect(),
        ),
        (
            "whoop_recovery",
            WearableKind::Recovery,
            // WHOOP selects recoveries by their sleep's times; the sync point counts their
            // cycle's start.
            records
                .recoveries
                .iter()
                .map(|r| {
                    let (_, end) = sleep_times(&r.sleep_id).expect("a recovery has its sleep");
                    let pending = r.score.state() == ScoreState::PendingScore;
                    let cycle = cycle_start(r.cycle_id).expect("a recovery has its cycle");
                    (r.cycle_id.to_string(), cycle, Some(end), pending)
                })
                .collect(),
        ),
        (
            "whoop_cycles",
            WearableKind::Cycle,
            records
                .cycles
                .iter()
                .map(|c| {
                    let open = c.score.state() == ScoreState::PendingScore || c.end.is_none();
                    (c.id.to_string(), c.start, c.end, open)
                })
                .collect(),
        ),
    ]
}

/// Where the next sync of a kind must start: the oldest record still pending (or open), else
/// the newest start.
fn expected_point(rows: &[&Row]) -> Option<DateTime<Utc>> {
    rows.iter()
        .filter(|r| r.3)
        .map(|r| r.1)
        .min()
        .or_else(|| rows.iter().map(|r| r.1).max())
}

fn whoop(w: &World) -> &WhoopSim {
    w.whoop.as_ref().unwrap()
}

/// Kills `wellness` each time WHOOP has served `kills[i]` more data requests (a sync is always
/// running: the first, then one asked with /sync after each restart), then lets a sync finish
/// and checks the records and sync points.
async fn drill(kills: &[u64]) {
    let mut w = World::start(Options {
        whoop: true,
        ..Options::default()
    })
    .await;
    let member = whoop(&w).users()[0].user_id;
    // Each data request takes 300 ms: the first sync (about 7 pages) is long enough to cut.
    whoop(&w).set_response_delay(Duration::from_millis(300));
    let ann = SimUser::new(9101, "Ann").with_language("en");
    let first_sync_from = Utc::now() - chrono::Duration::days(30);
    w.connect_whoop(&ann).await;
    let db = pool(&w.db_url);
    let user = user_id(&db, ann.id).await;
    let mut stored_at_kill = Vec::new();
    let mut requests_at_kill = Vec::new();
    let mut late = Vec::new();
    for (n, more) in kills.iter().enumerate() {
        if n > 0 {
            w.tg.send_text(&ann, "/sync");
        }
        let target = whoop(&w).stats().data_requests + more;
        eventually("a sync is under way", Duration::from_secs(15), || {
            whoop(&w).stats().data_requests >= target
        })
        .await;
        w.kill();
        requests_at_kill.push(whoop(&w).stats().data_requests);
        let mut stored = 0;
        for (table, _, _) in kinds(&whoop(&w).records(member).unwrap()) {
            stored += rows_by_whoop_id(&db, table, user).await.len();
        }
        stored_at_kill.push(stored);
        // While we are down, WHOOP records a new workout.
        let now = Utc::now() - chrono::Duration::minutes(10 * n as i64);
        let workout = whoop(&w)
            .add_workout(
                member,
                now - chrono::Duration::minutes(9),
                now - chrono::Duration::minutes(4),
                "running",
            )
            .unwrap();
        late.push(workout.id);
        w.restart().await;
    }
    whoop(&w).set_response_delay(Duration::ZERO);
    let synced = w.say(&ann, "/sync").await;
    assert!(synced.contains("WHOOP synced:"), "{synced}");
    let second_sync_from = Utc::now() - chrono::Duration::days(30);

    let records = whoop(&w).records(member).unwrap();
    let mut total = 0;
    for (table, kind, rows) in kinds(&records) {
        let stored = rows_by_whoop_id(&db, table, user).await;
        let doubled: Vec<_> = stored.iter().filter(|(_, n)| **n != 1).collect();
        assert!(
            doubled.is_empty(),
            "{table}: stored more than once: {doubled:?}"
        );
        // Every record overlapping the 30 days is stored, and nothing WHOOP does not have; a
        // record ending between the first and the second sync's 30-day boundaries may be
        // either way.
        let ids: BTreeSet<&String> = stored.keys().collect();
        let must: BTreeSet<&String> = rows
            .iter()
            .filter(|r| r.2.is_none_or(|end| end > second_sync_from))
            .map(|r| &r.0)
            .collect();
        let may: BTreeSet<&String> = rows
            .iter()
            .filter(|r| r.2.is_none_or(|end| end > first_sync_from))
            .map(|r| &r.0)
            .collect();
        let missing: Vec<_> = must.difference(&ids).collect();
        assert!(missing.is_empty(), "{table}: missing {missing:?}");
        let unknown: Vec<_> = ids.difference(&may).collect();
        assert!(unknown.is_empty(), "{table}: not WHOOP's {unknown:?}");
        total += ids.len();

        let point = PgWearableStore::new(db.clone())
            .sync_point(user, kind)
            .await
            .unwrap();
        let stored_rows: Vec<&Row> = rows.iter().filter(|r| ids.contains(&r.0)).collect();
        assert_eq!(point, expected_point(&stored_rows), "{table}: sync point");
    }
    assert!(
        stored_at_kill.iter().all(|n| *n < total),
        "a kill came after the sync was done (after {requests_at_kill:?} requests, \
         {stored_at_kill:?} of {total} records stored): it proves nothing"
    );
    eprintln!(
        "drill whoop_sigkill: killed after {requests_at_kill:?} WHOOP requests with \
         {stored_at_kill:?} of {total} records stored; after the restart all {total} once"
    );
    let workouts = rows_by_whoop_id(&db, "whoop_workouts", user).await;
    for id in &late {
        assert_eq!(
            workouts.get(id),
            Some(&1),
            "a workout made while we were down"
        );
    }

    // The sync points are right: one more sync finds nothing new.
    let again = w.say(&ann, "/sync").await;
    assert!(
        again.contains("WHOOP synced: 0 sleeps, 0 recoveries, 0 workouts, 0 days updated."),
        "{again}"
    );
}

#[tokio::test]
async fn sigkill_mid_whoop_sync_then_restart_stores_every_record_exactly_once() {
    drill(&[4]).await;
}

#[tokio::test]
#[ignore = "long drill (25 s): make test-long"]
async fn sigkill_at_every_stage_of_whoop_syncs_then_restart_stores_every_record_exactly_once() {
    // The first sync cut early, the /sync after it in its middle, the next later still.
    drill(&[2, 3, 5, 6]).await;
}
