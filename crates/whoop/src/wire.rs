//! WHOOP's JSON, and how it becomes the domain's records.
//!
//! A record maps only when every required field is there and sensible: `score` is read only
//! for `SCORED` (and then must be there), times must be RFC 3339, `timezone_offset` must parse
//! as a [`RecordedOffset`]. Unknown extra fields are ignored. Optional percentages outside
//! 0..100 are dropped rather than failing the record; a required one (recovery) fails it.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wellness_domain::model::{
    Cycle, CycleScore, Percent, RecordTimes, RecordedOffset, Recovery, RecoveryScore, Scored,
    Sleep, SleepScore, UserId, Workout, WorkoutScore,
};
use wellness_domain::ports::WearableError;

/// One page of a collection.
#[derive(Debug, Deserialize)]
pub(crate) struct Page {
    pub records: Vec<Value>,
    /// Absent, `null` or `""` on the last page.
    #[serde(default)]
    pub next_token: Option<String>,
}

impl Page {
    /// The token of the next page, if there is one.
    pub(crate) fn next(&self) -> Option<&str> {
        self.next_token.as_deref().filter(|token| !token.is_empty())
    }
}

/// The four kinds of records, each knowing its path and how to map itself.
pub(crate) trait Kind: Sized {
    /// For messages ("workout").
    const NAME: &'static str;
    /// The collection below the data root (`/v2/activity/workout`).
    const PATH: &'static str;
    /// Maps one record.
    fn map(record: Value, user: UserId) -> Result<Self, String>;
}

fn parse<T: DeserializeOwned>(record: Value) -> Result<T, String> {
    serde_json::from_value(record).map_err(|e| e.to_string())
}

fn offset(text: &str) -> Result<RecordedOffset, String> {
    RecordedOffset::parse(text).map_err(|e| format!("timezone_offset: {e}"))
}

fn optional_percent(value: Option<f64>) -> Option<Percent> {
    value.and_then(|v| Percent::new(v).ok())
}

/// `score_state` + `score` as the domain's [`Scored`].
fn scored<W: DeserializeOwned, T>(
    state: &str,
    score: Option<Value>,
    map: impl FnOnce(W) -> Result<T, String>,
) -> Result<Scored<T>, String> {
    match state {
        "SCORED" => {
            let score = score
                .filter(|s| !s.is_null())
                .ok_or("score_state is SCORED but there is no score")?;
            let wire: W = serde_json::from_value(score).map_err(|e| format!("score: {e}"))?;
            map(wire).map(Scored::Scored)
        }
        "PENDING_SCORE" => Ok(Scored::PendingScore),
        "UNSCORABLE" => Ok(Scored::Unscorable),
        other => Err(format!("unknown score_state {other:?}")),
    }
}

#[derive(Deserialize)]
struct WorkoutWire {
    id: String,
    updated_at: DateTime<Utc>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    timezone_offset: String,
    sport_name: String,
    score_state: String,
    #[serde(default)]
    score: Option<Value>,
}

#[derive(Deserialize)]
struct WorkoutScoreWire {
    strain: f64,
    average_heart_rate: i32,
    max_heart_rate: i32,
    kilojoule: f64,
    #[serde(default)]
    distance_meter: Option<f64>,
}

impl Kind for Workout {
    const NAME: &'static str = "workout";
    const PATH: &'static str = "/v2/activity/workout";

    fn map(record: Value, user: UserId) -> Result<Self, String> {
        let w: WorkoutWire = parse(record)?;
        Ok(Workout {
            whoop_id: w.id,
            user_id: user,
            times: RecordTimes {
                start: w.start,
                end: Some(w.end),
                timezone_offset: offset(&w.timezone_offset)?,
                updated_at: w.updated_at,
            },
            sport_name: w.sport_name,
            score: scored(&w.score_state, w.score, |s: WorkoutScoreWire| {
                Ok(WorkoutScore {
                    strain: s.strain,
                    average_heart_rate: s.average_heart_rate,
                    max_heart_rate: s.max_heart_rate,
                    kilojoule: s.kilojoule,
                    distance_meter: s.distance_meter,
                })
            })?,
        })
    }
}

#[derive(Deserialize)]
struct SleepWire {
    id: String,
    cycle_id: i64,
    updated_at: DateTime<Utc>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    timezone_offset: String,
    nap: bool,
    score_state: String,
    #[serde(default)]
    score: Option<Value>,
}

#[derive(Deserialize)]
struct StageSummaryWire {
    total_in_bed_time_milli: i64,
    total_awake_time_milli: i64,
    total_light_sleep_time_milli: i64,
    total_slow_wave_sleep_time_milli: i64,
    total_rem_sleep_time_milli: i64,
    #[serde(default)]
    sleep_cycle_count: i32,
    #[serde(default)]
    disturbance_count: i32,
}

#[derive(Deserialize)]
struct SleepScoreWire {
    stage_summary: StageSummaryWire,
    // Required by the spec; we do not use its numbers, but its absence means a broken record.
    #[allow(dead_code)]
    sleep_needed: Value,
    #[serde(default)]
    respiratory_rate: Option<f64>,
    #[serde(default)]
    sleep_performance_percentage: Option<f64>,
    #[serde(default)]
    sleep_consistency_percentage: Option<f64>,
    #[serde(default)]
    sleep_efficiency_percentage: Option<f64>,
}

impl Kind for Sleep {
    const NAME: &'static str = "sleep";
    const PATH: &'static str = "/v2/activity/sleep";

    fn map(record: Value, user: UserId) -> Result<Self, String> {
        let s: SleepWire = parse(record)?;
        Ok(Sleep {
            whoop_id: s.id,
            cycle_id: s.cycle_id,
            user_id: user,
            times: RecordTimes {
                start: s.start,
                end: Some(s.end),
                timezone_offset: offset(&s.timezone_offset)?,
                updated_at: s.updated_at,
            },
            nap: s.nap,
            score: scored(&s.score_state, s.score, |w: SleepScoreWire| {
                let stages = w.stage_summary;
                Ok(SleepScore {
                    in_bed_milli: stages.total_in_bed_time_milli,
                    awake_milli: stages.total_awake_time_milli,
                    light_milli: stages.total_light_sleep_time_milli,
                    slow_wave_milli: stages.total_slow_wave_sleep_time_milli,
                    rem_milli: stages.total_rem_sleep_time_milli,
                    cycle_count: stages.sleep_cycle_count,
                    disturbance_count: stages.disturbance_count,
                    performance: optional_percent(w.sleep_performance_percentage),
                    efficiency: optional_percent(w.sleep_efficiency_percentage),
                    consistency: optional_percent(w.sleep_consistency_percentage),
                    respiratory_rate: w.respiratory_rate,
                })
            })?,
        })
    }
}

#[derive(Deserialize)]
struct RecoveryWire {
    cycle_id: i64,
    sleep_id: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    score_state: String,
    #[serde(default)]
    score: Option<Value>,
}

#[derive(Deserialize)]
struct RecoveryScoreWire {
    user_calibrating: bool,
    recovery_score: f64,
    resting_heart_rate: f64,
    hrv_rmssd_milli: f64,
    #[serde(default)]
    spo2_percentage: Option<f64>,
    #[serde(default)]
    skin_temp_celsius: Option<f64>,
}

impl Kind for Recovery {
    const NAME: &'static str = "recovery";
    const PATH: &'static str = "/v2/recovery";

    fn map(record: Value, user: UserId) -> Result<Self, String> {
        let r: RecoveryWire = parse(record)?;
        Ok(Recovery {
            cycle_id: r.cycle_id,
            sleep_id: r.sleep_id,
            user_id: user,
            created_at: r.created_at,
            updated_at: r.updated_at,
            score: scored(&r.score_state, r.score, |s: RecoveryScoreWire| {
                Ok(RecoveryScore {
                    recovery: Percent::new(s.recovery_score)
                        .map_err(|e| format!("recovery_score: {e}"))?,
                    resting_heart_rate: s.resting_heart_rate,
                    hrv_rmssd_milli: s.hrv_rmssd_milli,
                    spo2: optional_percent(s.spo2_percentage),
                    skin_temp_celsius: s.skin_temp_celsius,
                    user_calibrating: s.user_calibrating,
                })
            })?,
        })
    }
}

#[derive(Deserialize)]
struct CycleWire {
    id: i64,
    updated_at: DateTime<Utc>,
    start: DateTime<Utc>,
    #[serde(default)]
    end: Option<DateTime<Utc>>,
    timezone_offset: String,
    score_state: String,
    #[serde(default)]
    score: Option<Value>,
}

#[derive(Deserialize)]
struct CycleScoreWire {
    strain: f64,
    kilojoule: f64,
    average_heart_rate: i32,
    max_heart_rate: i32,
}

impl Kind for Cycle {
    const NAME: &'static str = "cycle";
    const PATH: &'static str = "/v2/cycle";

    fn map(record: Value, user: UserId) -> Result<Self, String> {
        let c: CycleWire = parse(record)?;
        Ok(Cycle {
            whoop_id: c.id,
            user_id: user,
            times: RecordTimes {
                start: c.start,
                end: c.end,
                timezone_offset: offset(&c.timezone_offset)?,
                updated_at: c.updated_at,
            },
            score: scored(&c.score_state, c.score, |s: CycleScoreWire| {
                Ok(CycleScore {
                    strain: s.strain,
                    kilojoule: s.kilojoule,
                    average_heart_rate: s.average_heart_rate,
                    max_heart_rate: s.max_heart_rate,
                })
            })?,
        })
    }
}

/// How a record is named in logs and errors: its id (or cycle id), never its contents.
pub(crate) fn record_label(record: &Value) -> String {
    ["id", "cycle_id"]
        .iter()
        .find_map(|key| match record.get(*key) {
            Some(Value::String(id)) => Some(id.clone()),
            Some(Value::Number(id)) => Some(id.to_string()),
            _ => None,
        })
        .unwrap_or_else(|| "without an id".to_owned())
}

/// The profile: only the id is read (the rest is personal data we do not keep).
#[derive(Debug, Deserialize)]
pub(crate) struct ProfileWire {
    pub user_id: i64,
}

/// An id from a webhook as one path segment: WHOOP's ids are UUIDs or numbers, anything else
/// is refused rather than sent (it could otherwise walk to another path).
pub(crate) fn path_segment(id: &str) -> Result<&str, WearableError> {
    if !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        Ok(id)
    } else {
        Err(WearableError::Unavailable(format!(
            "not a WHOOP record id: {:?}",
            id.chars().take(70).collect::<String>()
        )))
    }
}

/// Maps a page's records. Malformed ones are logged and collected in `skipped`; once there are
/// more than `max_skipped`, the fetch fails.
pub(crate) fn map_records<T: Kind>(
    page: Vec<Value>,
    user: UserId,
    skipped: &mut Vec<String>,
    max_skipped: usize,
) -> Result<Vec<T>, WearableError> {
    let mut mapped = Vec::with_capacity(page.len());
    for record in page {
        let label = record_label(&record);
        match T::map(record, user) {
            Ok(record) => mapped.push(record),
            Err(reason) => {
                tracing::warn!(kind = T::NAME, id = %label, %reason, "skipping a malformed WHOOP record");
                skipped.push(format!("{} {label}: {reason}", T::NAME));
                if skipped.len() > max_skipped {
                    return Err(WearableError::Unavailable(format!(
                        "{} malformed {} records from WHOOP, e.g. {}",
                        skipped.len(),
                        T::NAME,
                        skipped.first().map(String::as_str).unwrap_or_default()
                    )));
                }
            }
        }
    }
    Ok(mapped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use wellness_domain::model::ScoreState;

    fn user() -> UserId {
        UserId::new(1).unwrap_or_else(|_| unreachable!())
    }

    fn workout(extra: Value) -> Value {
        let mut record = json!({
            "id": "ecfc6a15-4661-442f-a9a4-f160dd7afae8", "v1_id": 1043, "user_id": 9012,
            "created_at": "2022-04-24T11:25:44.774Z", "updated_at": "2022-04-24T14:25:44.774Z",
            "start": "2022-04-24T02:25:44.774Z", "end": "2022-04-24T10:25:44.774Z",
            "timezone_offset": "-05:00", "sport_name": "running", "sport_id": 1,
            "score_state": "SCORED",
            "score": {"strain": 8.2463, "average_heart_rate": 123, "max_heart_rate": 146,
                "kilojoule": 1569.34033203125, "percent_recorded": 100.0,
                "distance_meter": 1772.77035916, "altitude_gain_meter": 46.64384460449,
                "altitude_change_meter": -0.781372010707855,
                "zone_durations": {"zone_zero_milli": 300000, "zone_one_milli": 600000,
                    "zone_two_milli": 900000, "zone_three_milli": 900000,
                    "zone_four_milli": 600000, "zone_five_milli": 300000}}
        });
        if let (Some(record), Value::Object(extra)) = (record.as_object_mut(), extra) {
            record.extend(extra);
        }
        record
    }

    #[test]
    fn maps_the_documented_workout_example() {
        let mapped = Workout::map(workout(json!({"brand_new_field": true})), user());
        let Ok(w) = mapped else { panic!("{mapped:?}") };
        assert_eq!(w.sport_name, "running");
        assert_eq!(w.times.timezone_offset.to_string(), "-05:00");
        assert_eq!(w.score.score().map(|s| s.max_heart_rate), Some(146));
        assert_eq!(w.user_id, user());
    }

    #[test]
    fn score_is_read_only_when_scored_and_required_then() {
        let pending = Workout::map(
            workout(json!({"score_state": "PENDING_SCORE", "score": "garbage"})),
            user(),
        );
        assert_eq!(
            pending.map(|w| w.score.state()),
            Ok(ScoreState::PendingScore)
        );
        let broken = Workout::map(workout(json!({"score": null})), user());
        assert!(broken.is_err_and(|e| e.contains("no score")));
        let unknown = Workout::map(workout(json!({"score_state": "MAYBE"})), user());
        assert!(unknown.is_err());
    }

    #[test]
    fn an_open_cycle_has_no_end_and_an_offset_of_z_is_utc() {
        let cycle = Cycle::map(
            json!({"id": 93845, "user_id": 10129, "created_at": "2022-04-24T11:25:44.774Z",
                "updated_at": "2022-04-24T14:25:44.774Z", "start": "2022-04-24T02:25:44.774Z",
                "timezone_offset": "Z", "score_state": "SCORED",
                "score": {"strain": 5.29, "kilojoule": 8288.3, "average_heart_rate": 68,
                    "max_heart_rate": 141}}),
            user(),
        );
        let Ok(cycle) = cycle else {
            panic!("{cycle:?}")
        };
        assert!(cycle.is_open());
        assert_eq!(cycle.times.timezone_offset.to_string(), "+00:00");
    }

    #[test]
    fn a_recovery_over_100_percent_is_malformed_but_a_stray_optional_percentage_is_dropped() {
        let recovery = |score: f64, spo2: f64| {
            Recovery::map(
                json!({"cycle_id": 1, "sleep_id": "123e4567-e89b-12d3-a456-426614174000",
                    "user_id": 10129, "created_at": "2022-04-24T11:25:44.774Z",
                    "updated_at": "2022-04-24T11:25:44.774Z", "score_state": "SCORED",
                    "score": {"user_calibrating": false, "recovery_score": score,
                        "resting_heart_rate": 64.0, "hrv_rmssd_milli": 31.8,
                        "spo2_percentage": spo2}}),
                user(),
            )
        };
        assert!(recovery(144.0, 95.0).is_err());
        let mapped = recovery(44.0, 101.0);
        assert_eq!(
            mapped.map(|r| r.score.score().map(|s| s.spo2)),
            Ok(Some(None))
        );
    }

    #[test]
    fn labels_name_records_by_id() {
        assert_eq!(record_label(&json!({"id": 5})), "5");
        assert_eq!(record_label(&json!({"cycle_id": 7})), "7");
        assert_eq!(record_label(&json!({})), "without an id");
    }
}
