//! The WHOOP records as rows: each kind's row, its mapping both ways, and its idempotent upsert
//! on WHOOP's id (a newer `updated_at` wins; inserted or updated is told apart by `xmax`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use diesel::sql_types::Bool;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use wellness_domain::ports::{StorageError, Upserted};
use wellness_domain::{
    Cycle, CycleScore, Percent, RecordTimes, RecordedOffset, Recovery, RecoveryScore, ScoreState,
    Scored, Sleep, SleepScore, UserId, Workout, WorkoutScore,
};

use crate::error::{corrupt, from_diesel};
use crate::schema::{whoop_cycles, whoop_recovery, whoop_sleep, whoop_workouts};

pub(super) fn xmax_is_zero() -> diesel::expression::SqlLiteral<Bool> {
    // True only for rows inserted by this statement: tells inserts from updates in one trip.
    diesel::dsl::sql::<Bool>("xmax = 0")
}

pub(super) fn tally(flags: &[bool]) -> Upserted {
    let inserted = flags.iter().filter(|f| **f).count() as u64;
    Upserted {
        inserted,
        updated: flags.len() as u64 - inserted,
    }
}

pub(super) fn percent(v: Option<f64>) -> Result<Option<Percent>, StorageError> {
    v.map(Percent::new).transpose().map_err(corrupt)
}

pub(super) fn state(code: &str) -> Result<ScoreState, StorageError> {
    ScoreState::from_code(code).ok_or_else(|| corrupt(format!("score_state {code}")))
}

/// Builds a `Scored<T>` from a stored state and the score columns (all set when scored).
pub(super) fn scored<T>(code: &str, score: Option<T>) -> Result<Scored<T>, StorageError> {
    match (state(code)?, score) {
        (ScoreState::Scored, Some(s)) => Ok(Scored::Scored(s)),
        (ScoreState::Scored, None) => Err(corrupt("a SCORED record without its score")),
        (ScoreState::PendingScore, _) => Ok(Scored::PendingScore),
        (ScoreState::Unscorable, _) => Ok(Scored::Unscorable),
    }
}

pub(super) fn offset(text: &str) -> Result<RecordedOffset, StorageError> {
    RecordedOffset::parse(text).map_err(corrupt)
}

// ---------- workouts ----------

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = whoop_workouts)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub(super) struct WorkoutRow {
    whoop_id: String,
    user_id: i64,
    start_at: DateTime<Utc>,
    end_at: DateTime<Utc>,
    timezone_offset: String,
    sport_name: String,
    score_state: String,
    strain: Option<f64>,
    average_heart_rate: Option<i32>,
    max_heart_rate: Option<i32>,
    kilojoule: Option<f64>,
    distance_meter: Option<f64>,
    whoop_updated_at: DateTime<Utc>,
}

impl From<&Workout> for WorkoutRow {
    fn from(w: &Workout) -> Self {
        let s = w.score.score();
        WorkoutRow {
            whoop_id: w.whoop_id.clone(),
            user_id: w.user_id.get(),
            start_at: w.times.start,
            // A workout always has an end; WHOOP sends it as required.
            end_at: w.times.end.unwrap_or(w.times.start),
            timezone_offset: w.times.timezone_offset.to_string(),
            sport_name: w.sport_name.clone(),
            score_state: w.score.state().code().to_owned(),
            strain: s.map(|s| s.strain),
            average_heart_rate: s.map(|s| s.average_heart_rate),
            max_heart_rate: s.map(|s| s.max_heart_rate),
            kilojoule: s.map(|s| s.kilojoule),
            distance_meter: s.and_then(|s| s.distance_meter),
            whoop_updated_at: w.times.updated_at,
        }
    }
}

impl TryFrom<WorkoutRow> for Workout {
    type Error = StorageError;
    fn try_from(r: WorkoutRow) -> Result<Self, StorageError> {
        let score = match (
            r.strain,
            r.average_heart_rate,
            r.max_heart_rate,
            r.kilojoule,
        ) {
            (Some(strain), Some(average_heart_rate), Some(max_heart_rate), Some(kilojoule)) => {
                Some(WorkoutScore {
                    strain,
                    average_heart_rate,
                    max_heart_rate,
                    kilojoule,
                    distance_meter: r.distance_meter,
                })
            }
            _ => None,
        };
        Ok(Workout {
            whoop_id: r.whoop_id,
            user_id: UserId::new(r.user_id).map_err(corrupt)?,
            times: RecordTimes {
                start: r.start_at,
                end: Some(r.end_at),
                timezone_offset: offset(&r.timezone_offset)?,
                updated_at: r.whoop_updated_at,
            },
            sport_name: r.sport_name,
            score: scored(&r.score_state, score)?,
        })
    }
}

/// Upserts workouts: new ones inserted, changed ones (re-scored, later updated_at) updated.
pub async fn upsert_workouts(
    conn: &mut AsyncPgConnection,
    records: &[Workout],
) -> Result<Upserted, StorageError> {
    if records.is_empty() {
        return Ok(Upserted::default());
    }
    let rows: Vec<WorkoutRow> = records.iter().map(WorkoutRow::from).collect();
    use whoop_workouts as t;
    let upsert = diesel::insert_into(t::table)
        .values(&rows)
        .on_conflict(t::whoop_id)
        .do_update()
        .set((
            t::start_at.eq(excluded(t::start_at)),
            t::end_at.eq(excluded(t::end_at)),
            t::timezone_offset.eq(excluded(t::timezone_offset)),
            t::sport_name.eq(excluded(t::sport_name)),
            t::score_state.eq(excluded(t::score_state)),
            t::strain.eq(excluded(t::strain)),
            t::average_heart_rate.eq(excluded(t::average_heart_rate)),
            t::max_heart_rate.eq(excluded(t::max_heart_rate)),
            t::kilojoule.eq(excluded(t::kilojoule)),
            t::distance_meter.eq(excluded(t::distance_meter)),
            t::whoop_updated_at.eq(excluded(t::whoop_updated_at)),
            t::synced_at.eq(diesel::dsl::now),
        ));
    let flags: Vec<bool> = diesel::query_dsl::methods::FilterDsl::filter(
        upsert,
        t::user_id.eq(excluded(t::user_id)).and(
            t::whoop_updated_at
                .lt(excluded(t::whoop_updated_at))
                .or(t::score_state.ne(excluded(t::score_state))),
        ),
    )
    .returning(xmax_is_zero())
    .get_results(conn)
    .await
    .map_err(from_diesel)?;
    Ok(tally(&flags))
}

// ---------- sleep ----------

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = whoop_sleep)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub(super) struct SleepRow {
    whoop_id: String,
    cycle_id: i64,
    user_id: i64,
    start_at: DateTime<Utc>,
    end_at: DateTime<Utc>,
    timezone_offset: String,
    nap: bool,
    score_state: String,
    in_bed_milli: Option<i64>,
    awake_milli: Option<i64>,
    light_milli: Option<i64>,
    slow_wave_milli: Option<i64>,
    rem_milli: Option<i64>,
    cycle_count: Option<i32>,
    disturbance_count: Option<i32>,
    performance_pct: Option<f64>,
    efficiency_pct: Option<f64>,
    consistency_pct: Option<f64>,
    respiratory_rate: Option<f64>,
    whoop_updated_at: DateTime<Utc>,
}

impl From<&Sleep> for SleepRow {
    fn from(s: &Sleep) -> Self {
        let sc = s.score.score();
        SleepRow {
            whoop_id: s.whoop_id.clone(),
            cycle_id: s.cycle_id,
            user_id: s.user_id.get(),
            start_at: s.times.start,
            end_at: s.times.end.unwrap_or(s.times.start),
            timezone_offset: s.times.timezone_offset.to_string(),
            nap: s.nap,
            score_state: s.score.state().code().to_owned(),
            in_bed_milli: sc.map(|x| x.in_bed_milli),
            awake_milli: sc.map(|x| x.awake_milli),
            light_milli: sc.map(|x| x.light_milli),
            slow_wave_milli: sc.map(|x| x.slow_wave_milli),
            rem_milli: sc.map(|x| x.rem_milli),
            cycle_count: sc.map(|x| x.cycle_count),
            disturbance_count: sc.map(|x| x.disturbance_count),
            performance_pct: sc.and_then(|x| x.performance).map(Percent::get),
            efficiency_pct: sc.and_then(|x| x.efficiency).map(Percent::get),
            consistency_pct: sc.and_then(|x| x.consistency).map(Percent::get),
            respiratory_rate: sc.and_then(|x| x.respiratory_rate),
            whoop_updated_at: s.times.updated_at,
        }
    }
}

impl TryFrom<SleepRow> for Sleep {
    type Error = StorageError;
    fn try_from(r: SleepRow) -> Result<Self, StorageError> {
        let score = match (
            r.in_bed_milli,
            r.awake_milli,
            r.light_milli,
            r.slow_wave_milli,
            r.rem_milli,
            r.cycle_count,
            r.disturbance_count,
        ) {
            (
                Some(in_bed_milli),
                Some(awake_milli),
                Some(light_milli),
                Some(slow_wave_milli),
                Some(rem_milli),
                Some(cycle_count),
                Some(disturbance_count),
            ) => Some(SleepScore {
                in_bed_milli,
                awake_milli,
                light_milli,
                slow_wave_milli,
                rem_milli,
                cycle_count,
                disturbance_count,
                performance: percent(r.performance_pct)?,
                efficiency: percent(r.efficiency_pct)?,
                consistency: percent(r.consistency_pct)?,
                respiratory_rate: r.respiratory_rate,
            }),
            _ => None,
        };
        Ok(Sleep {
            whoop_id: r.whoop_id,
            cycle_id: r.cycle_id,
            user_id: UserId::new(r.user_id).map_err(corrupt)?,
            times: RecordTimes {
                start: r.start_at,
                end: Some(r.end_at),
                timezone_offset: offset(&r.timezone_offset)?,
                updated_at: r.whoop_updated_at,
            },
            nap: r.nap,
            score: scored(&r.score_state, score)?,
        })
    }
}

/// Upserts sleeps by WHOOP id.
pub async fn upsert_sleeps(
    conn: &mut AsyncPgConnection,
    records: &[Sleep],
) -> Result<Upserted, StorageError> {
    if records.is_empty() {
        return Ok(Upserted::default());
    }
    let rows: Vec<SleepRow> = records.iter().map(SleepRow::from).collect();
    use whoop_sleep as t;
    let upsert = diesel::insert_into(t::table)
        .values(&rows)
        .on_conflict(t::whoop_id)
        .do_update()
        .set((
            (
                t::cycle_id.eq(excluded(t::cycle_id)),
                t::start_at.eq(excluded(t::start_at)),
                t::end_at.eq(excluded(t::end_at)),
                t::timezone_offset.eq(excluded(t::timezone_offset)),
                t::nap.eq(excluded(t::nap)),
                t::score_state.eq(excluded(t::score_state)),
                t::in_bed_milli.eq(excluded(t::in_bed_milli)),
                t::awake_milli.eq(excluded(t::awake_milli)),
                t::light_milli.eq(excluded(t::light_milli)),
            ),
            (
                t::slow_wave_milli.eq(excluded(t::slow_wave_milli)),
                t::rem_milli.eq(excluded(t::rem_milli)),
                t::cycle_count.eq(excluded(t::cycle_count)),
                t::disturbance_count.eq(excluded(t::disturbance_count)),
                t::performance_pct.eq(excluded(t::performance_pct)),
                t::efficiency_pct.eq(excluded(t::efficiency_pct)),
                t::consistency_pct.eq(excluded(t::consistency_pct)),
                t::respiratory_rate.eq(excluded(t::respiratory_rate)),
                t::whoop_updated_at.eq(excluded(t::whoop_updated_at)),
                t::synced_at.eq(diesel::dsl::now),
            ),
        ));
    let flags: Vec<bool> = diesel::query_dsl::methods::FilterDsl::filter(
        upsert,
        t::user_id.eq(excluded(t::user_id)).and(
            t::whoop_updated_at
                .lt(excluded(t::whoop_updated_at))
                .or(t::score_state.ne(excluded(t::score_state))),
        ),
    )
    .returning(xmax_is_zero())
    .get_results(conn)
    .await
    .map_err(from_diesel)?;
    Ok(tally(&flags))
}

// ---------- recovery ----------

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = whoop_recovery)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub(super) struct RecoveryRow {
    cycle_id: i64,
    sleep_id: String,
    user_id: i64,
    score_state: String,
    recovery_score: Option<f64>,
    resting_heart_rate: Option<f64>,
    hrv_rmssd_milli: Option<f64>,
    spo2_pct: Option<f64>,
    skin_temp_celsius: Option<f64>,
    user_calibrating: Option<bool>,
    whoop_created_at: DateTime<Utc>,
    whoop_updated_at: DateTime<Utc>,
}

impl From<&Recovery> for RecoveryRow {
    fn from(r: &Recovery) -> Self {
        let s = r.score.score();
        RecoveryRow {
            cycle_id: r.cycle_id,
            sleep_id: r.sleep_id.clone(),
            user_id: r.user_id.get(),
            score_state: r.score.state().code().to_owned(),
            recovery_score: s.map(|s| s.recovery.get()),
            resting_heart_rate: s.map(|s| s.resting_heart_rate),
            hrv_rmssd_milli: s.map(|s| s.hrv_rmssd_milli),
            spo2_pct: s.and_then(|s| s.spo2).map(Percent::get),
            skin_temp_celsius: s.and_then(|s| s.skin_temp_celsius),
            user_calibrating: s.map(|s| s.user_calibrating),
            whoop_created_at: r.created_at,
            whoop_updated_at: r.updated_at,
        }
    }
}

impl TryFrom<RecoveryRow> for Recovery {
    type Error = StorageError;
    fn try_from(r: RecoveryRow) -> Result<Self, StorageError> {
        let score = match (
            r.recovery_score,
            r.resting_heart_rate,
            r.hrv_rmssd_milli,
            r.user_calibrating,
        ) {
            (
                Some(rec),
                Some(resting_heart_rate),
                Some(hrv_rmssd_milli),
                Some(user_calibrating),
            ) => Some(RecoveryScore {
                recovery: Percent::new(rec).map_err(corrupt)?,
                resting_heart_rate,
                hrv_rmssd_milli,
                spo2: percent(r.spo2_pct)?,
                skin_temp_celsius: r.skin_temp_celsius,
                user_calibrating,
            }),
            _ => None,
        };
        Ok(Recovery {
            cycle_id: r.cycle_id,
            sleep_id: r.sleep_id,
            user_id: UserId::new(r.user_id).map_err(corrupt)?,
            created_at: r.whoop_created_at,
            updated_at: r.whoop_updated_at,
            score: scored(&r.score_state, score)?,
        })
    }
}

/// Upserts recoveries by cycle id.
pub async fn upsert_recoveries(
    conn: &mut AsyncPgConnection,
    records: &[Recovery],
) -> Result<Upserted, StorageError> {
    if records.is_empty() {
        return Ok(Upserted::default());
    }
    let rows: Vec<RecoveryRow> = records.iter().map(RecoveryRow::from).collect();
    use whoop_recovery as t;
    let upsert = diesel::insert_into(t::table)
        .values(&rows)
        .on_conflict(t::cycle_id)
        .do_update()
        .set((
            t::sleep_id.eq(excluded(t::sleep_id)),
            t::score_state.eq(excluded(t::score_state)),
            t::recovery_score.eq(excluded(t::recovery_score)),
            t::resting_heart_rate.eq(excluded(t::resting_heart_rate)),
            t::hrv_rmssd_milli.eq(excluded(t::hrv_rmssd_milli)),
            t::spo2_pct.eq(excluded(t::spo2_pct)),
            t::skin_temp_celsius.eq(excluded(t::skin_temp_celsius)),
            t::user_calibrating.eq(excluded(t::user_calibrating)),
            t::whoop_created_at.eq(excluded(t::whoop_created_at)),
            t::whoop_updated_at.eq(excluded(t::whoop_updated_at)),
            t::synced_at.eq(diesel::dsl::now),
        ));
    let flags: Vec<bool> = diesel::query_dsl::methods::FilterDsl::filter(
        upsert,
        t::user_id.eq(excluded(t::user_id)).and(
            t::whoop_updated_at
                .lt(excluded(t::whoop_updated_at))
                .or(t::score_state.ne(excluded(t::score_state))),
        ),
    )
    .returning(xmax_is_zero())
    .get_results(conn)
    .await
    .map_err(from_diesel)?;
    Ok(tally(&flags))
}

// ---------- cycles ----------

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = whoop_cycles)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub(super) struct CycleRow {
    whoop_id: i64,
    user_id: i64,
    start_at: DateTime<Utc>,
    end_at: Option<DateTime<Utc>>,
    timezone_offset: String,
    score_state: String,
    strain: Option<f64>,
    kilojoule: Option<f64>,
    average_heart_rate: Option<i32>,
    max_heart_rate: Option<i32>,
    whoop_updated_at: DateTime<Utc>,
}

impl From<&Cycle> for CycleRow {
    fn from(c: &Cycle) -> Self {
        let s = c.score.score();
        CycleRow {
            whoop_id: c.whoop_id,
            user_id: c.user_id.get(),
            start_at: c.times.start,
            end_at: c.times.end,
            timezone_offset: c.times.timezone_offset.to_string(),
            score_state: c.score.state().code().to_owned(),
            strain: s.map(|s| s.strain),
            kilojoule: s.map(|s| s.kilojoule),
            average_heart_rate: s.map(|s| s.average_heart_rate),
            max_heart_rate: s.map(|s| s.max_heart_rate),
            whoop_updated_at: c.times.updated_at,
        }
    }
}

impl TryFrom<CycleRow> for Cycle {
    type Error = StorageError;
    fn try_from(r: CycleRow) -> Result<Self, StorageError> {
        let score = match (
            r.strain,
            r.kilojoule,
            r.average_heart_rate,
            r.max_heart_rate,
        ) {
            (Some(strain), Some(kilojoule), Some(average_heart_rate), Some(max_heart_rate)) => {
                Some(CycleScore {
                    strain,
                    kilojoule,
                    average_heart_rate,
                    max_heart_rate,
                })
            }
            _ => None,
        };
        Ok(Cycle {
            whoop_id: r.whoop_id,
            user_id: UserId::new(r.user_id).map_err(corrupt)?,
            times: RecordTimes {
                start: r.start_at,
                end: r.end_at,
                timezone_offset: offset(&r.timezone_offset)?,
                updated_at: r.whoop_updated_at,
            },
            score: scored(&r.score_state, score)?,
        })
    }
}

/// Upserts cycles by WHOOP id; an open cycle that ended, or was re-scored, is updated.
pub async fn upsert_cycles(
    conn: &mut AsyncPgConnection,
    records: &[Cycle],
) -> Result<Upserted, StorageError> {
    if records.is_empty() {
        return Ok(Upserted::default());
    }
    let rows: Vec<CycleRow> = records.iter().map(CycleRow::from).collect();
    use whoop_cycles as t;
    let upsert = diesel::insert_into(t::table)
        .values(&rows)
        .on_conflict(t::whoop_id)
        .do_update()
        .set((
            t::start_at.eq(excluded(t::start_at)),
            t::end_at.eq(excluded(t::end_at)),
            t::timezone_offset.eq(excluded(t::timezone_offset)),
            t::score_state.eq(excluded(t::score_state)),
            t::strain.eq(excluded(t::strain)),
            t::kilojoule.eq(excluded(t::kilojoule)),
            t::average_heart_rate.eq(excluded(t::average_heart_rate)),
            t::max_heart_rate.eq(excluded(t::max_heart_rate)),
            t::whoop_updated_at.eq(excluded(t::whoop_updated_at)),
            t::synced_at.eq(diesel::dsl::now),
        ));
    let flags: Vec<bool> = diesel::query_dsl::methods::FilterDsl::filter(
        upsert,
        t::user_id.eq(excluded(t::user_id)).and(
            t::whoop_updated_at
                .lt(excluded(t::whoop_updated_at))
                .or(t::score_state.ne(excluded(t::score_state)))
                .or(t::end_at.is_distinct_from(excluded(t::end_at))),
        ),
    )
    .returning(xmax_is_zero())
    .get_results(conn)
    .await
    .map_err(from_diesel)?;
    Ok(tally(&flags))
}
