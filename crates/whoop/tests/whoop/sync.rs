use chrono::{Duration, Utc};
use wellness_domain::model::{ScoreState, Scored};
use wellness_domain::ports::{Wearable, WearableError};
use wellness_sim::whoop::{Record, RecordRef};

use crate::{ANN, ann, ann_access, client, start_sim};

/// Data requests to a collection, and the `limit` each asked for.
fn pages(sim: &wellness_sim::whoop::WhoopSim, path: &str) -> Vec<u32> {
    sim.requests()
        .iter()
        .filter(|r| r.path == format!("/developer/v2{path}"))
        .map(|r| r.param("limit").unwrap().parse().unwrap())
        .collect()
}

#[tokio::test]
async fn syncs_30_days_of_every_kind_page_by_page() {
    let sim = start_sim().await;
    let whoop = client(&sim);
    let access = ann_access(&sim);
    let since = Utc::now() - Duration::days(30);
    let expected = sim.records(ANN).unwrap();
    // WHOOP's `start` includes records still going on at `since`.
    let overlaps = |start: chrono::DateTime<Utc>, end: Option<chrono::DateTime<Utc>>| {
        start >= since || end.is_none_or(|end| end >= since)
    };

    let sleeps = whoop.sleeps(&access, ann(), since).await.unwrap();
    let want: Vec<_> = expected
        .sleeps
        .iter()
        .filter(|s| overlaps(s.start, Some(s.end)))
        .collect();
    assert_eq!(
        sleeps.iter().map(|s| &s.whoop_id).collect::<Vec<_>>(),
        want.iter().map(|s| &s.id).collect::<Vec<_>>()
    );
    assert!(want.len() > 25, "more than a page: {}", want.len());
    let sleep_pages = pages(&sim, "/activity/sleep");
    assert_eq!(sleep_pages.len(), want.len().div_ceil(25));
    assert!(sleep_pages.iter().all(|limit| *limit == 25));

    let cycles = whoop.cycles(&access, ann(), since).await.unwrap();
    let want = expected
        .cycles
        .iter()
        .filter(|c| overlaps(c.start, c.end))
        .count();
    assert_eq!(cycles.len(), want);
    assert_eq!(pages(&sim, "/cycle").len(), want.div_ceil(25));

    let workouts = whoop.workouts(&access, ann(), since).await.unwrap();
    let want = expected
        .workouts
        .iter()
        .filter(|w| overlaps(w.start, Some(w.end)))
        .count();
    assert_eq!(workouts.len(), want);
    assert_eq!(
        pages(&sim, "/activity/workout").len(),
        want.div_ceil(25).max(1)
    );

    let recoveries = whoop.recoveries(&access, ann(), since).await.unwrap();
    assert!(recoveries.len() >= 29, "{}", recoveries.len());
    assert!(recoveries.len() <= expected.recoveries.len());

    assert!(sim.requests().iter().all(|r| {
        r.param("limit")
            .is_some_and(|l| l.parse::<u32>().unwrap() <= 25)
    }));
    assert!(sim.requests().iter().all(|r| r.param("start").is_some()));
    assert!(sleeps.iter().chain([]).all(|s| s.user_id == ann()));
}

#[tokio::test]
async fn pending_unscorable_and_open_records_map_faithfully() {
    let sim = start_sim().await;
    let whoop = client(&sim);
    let access = ann_access(&sim);
    let since = Utc::now() - Duration::days(30);
    let expected = sim.records(ANN).unwrap();

    let cycles = whoop.cycles(&access, ann(), since).await.unwrap();
    assert!(cycles[0].is_open());
    assert_eq!(cycles[0].whoop_id, expected.cycles[0].id);
    assert!(cycles[1..].iter().all(|c| !c.is_open()));
    for cycle in &cycles {
        let theirs = expected
            .cycles
            .iter()
            .find(|c| c.id == cycle.whoop_id)
            .unwrap();
        assert_eq!(
            cycle.score.state().code(),
            serde_json::to_value(theirs.score.state()).unwrap()
        );
        assert_eq!(cycle.times.timezone_offset.to_string(), "+05:30");
        assert_eq!(cycle.times.start, theirs.start);
        assert_eq!(cycle.times.updated_at, theirs.updated_at);
    }
    assert!(cycles.iter().any(|c| c.score == Scored::Unscorable));
    assert!(cycles.iter().any(|c| c.score == Scored::PendingScore));

    let sleeps = whoop.sleeps(&access, ann(), since).await.unwrap();
    assert!(
        sleeps
            .iter()
            .any(|s| s.score.state() == ScoreState::PendingScore)
    );
    assert!(
        sleeps
            .iter()
            .any(|s| s.score.state() == ScoreState::Unscorable)
    );
    assert!(sleeps.iter().any(|s| s.nap));
    let scored = sleeps.iter().find(|s| s.score.score().is_some()).unwrap();
    let theirs = expected
        .sleeps
        .iter()
        .find(|s| s.id == scored.whoop_id)
        .unwrap();
    let (ours, theirs_score) = (scored.score.score().unwrap(), theirs.score.value().unwrap());
    assert_eq!(
        ours.in_bed_milli,
        theirs_score.stage_summary.total_in_bed_time_milli
    );
    assert_eq!(
        ours.rem_milli,
        theirs_score.stage_summary.total_rem_sleep_time_milli
    );
    assert_eq!(
        ours.performance.map(|p| p.get()),
        theirs_score.sleep_performance_percentage
    );

    let recoveries = whoop.recoveries(&access, ann(), since).await.unwrap();
    let scored = recoveries
        .iter()
        .find(|r| r.score.score().is_some())
        .unwrap();
    let theirs = expected
        .recoveries
        .iter()
        .find(|r| r.cycle_id == scored.cycle_id)
        .unwrap();
    assert_eq!(scored.sleep_id, theirs.sleep_id);
    assert_eq!(
        scored.score.score().unwrap().recovery.get(),
        theirs.score.value().unwrap().recovery_score
    );
    assert!(recoveries.iter().any(|r| r.score == Scored::Unscorable));

    let workouts = whoop.workouts(&access, ann(), since).await.unwrap();
    assert_eq!(workouts[0].score, Scored::PendingScore);
    assert!(workouts.iter().any(|w| w.score == Scored::Unscorable));
    assert!(workouts.iter().filter_map(|w| w.kcal()).count() >= 3);
}

#[tokio::test]
async fn a_rescored_record_comes_back_scored_with_a_later_updated_at() {
    let sim = start_sim().await;
    let whoop = client(&sim);
    let access = ann_access(&sim);
    let since = Utc::now() - Duration::days(30);
    let before = whoop.workouts(&access, ann(), since).await.unwrap();
    let pending = &before[0];
    sim.rescore(&RecordRef::Workout(pending.whoop_id.clone()))
        .unwrap();
    let after = whoop.workouts(&access, ann(), since).await.unwrap();
    let rescored = after
        .iter()
        .find(|w| w.whoop_id == pending.whoop_id)
        .unwrap();
    assert!(rescored.score.score().is_some());
    assert!(rescored.times.updated_at > pending.times.updated_at);
}

#[tokio::test]
async fn one_malformed_record_is_skipped_two_fail_the_fetch() {
    let sim = start_sim().await;
    let whoop = client(&sim);
    let access = ann_access(&sim);
    let since = Utc::now() - Duration::days(30);
    let workouts = sim.records(ANN).unwrap().workouts;
    let count = whoop.workouts(&access, ann(), since).await.unwrap().len();
    let mut broken = workouts[1].clone();
    broken.timezone_offset = "somewhere".to_owned();
    sim.upsert(Record::Workout(broken.clone())).unwrap();

    let fetched = whoop.workouts(&access, ann(), since).await.unwrap();
    assert_eq!(fetched.len(), count - 1);
    assert!(fetched.iter().all(|w| w.whoop_id != broken.id));

    let mut second = workouts[2].clone();
    second.timezone_offset = "+99:00".to_owned();
    sim.upsert(Record::Workout(second)).unwrap();
    let failed = whoop.workouts(&access, ann(), since).await;
    assert!(
        matches!(&failed, Err(WearableError::Unavailable(m)) if m.contains("2 malformed workout records")),
        "{failed:?}"
    );
}
