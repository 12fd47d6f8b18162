//! WHOOP v2 records exactly as the API sends them: required fields always present, `score`
//! only when `score_state` is `SCORED`, times as ISO-8601 with milliseconds and `Z`.

use chrono::{DateTime, SubsecRound as _, Utc};
use serde::{Deserialize, Serialize};

/// Serialises times as `2022-04-24T11:25:44.774Z`.
pub(crate) mod millis {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) const FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3fZ";

    pub(crate) fn serialize<S: Serializer>(
        time: &DateTime<Utc>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&time.format(FORMAT))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(deserializer)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }

    /// The same for an optional time (`end` of a cycle).
    pub(crate) mod option {
        use chrono::{DateTime, Utc};
        use serde::{Deserialize, Deserializer, Serializer};

        pub(crate) fn serialize<S: Serializer>(
            time: &Option<DateTime<Utc>>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match time {
                Some(time) => super::serialize(time, serializer),
                None => serializer.serialize_none(),
            }
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            Option::<String>::deserialize(deserializer)?
                .map(|text| {
                    DateTime::parse_from_rfc3339(&text)
                        .map(|t| t.with_timezone(&Utc))
                        .map_err(serde::de::Error::custom)
                })
                .transpose()
        }
    }
}

/// A time cut to whole milliseconds, as WHOOP stores them.
pub(crate) fn ms(time: DateTime<Utc>) -> DateTime<Utc> {
    time.trunc_subsecs(3)
}

/// WHOOP's `score_state` with the `score` it allows: serialised as `"score_state"` plus
/// `"score"` only when scored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "score_state",
    content = "score",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum Score<T> {
    Scored(T),
    PendingScore,
    Unscorable,
}

/// `score_state` without the numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScoreState {
    Scored,
    PendingScore,
    Unscorable,
}

impl<T> Score<T> {
    /// The state alone.
    pub fn state(&self) -> ScoreState {
        match self {
            Score::Scored(_) => ScoreState::Scored,
            Score::PendingScore => ScoreState::PendingScore,
            Score::Unscorable => ScoreState::Unscorable,
        }
    }

    /// The numbers, when scored.
    pub fn value(&self) -> Option<&T> {
        match self {
            Score::Scored(value) => Some(value),
            _ => None,
        }
    }
}

/// Milliseconds in each heart-rate zone of a workout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneDurations {
    pub zone_zero_milli: i64,
    pub zone_one_milli: i64,
    pub zone_two_milli: i64,
    pub zone_three_milli: i64,
    pub zone_four_milli: i64,
    pub zone_five_milli: i64,
}

/// `WorkoutScore`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WorkoutScore {
    pub strain: f64,
    pub average_heart_rate: i32,
    pub max_heart_rate: i32,
    pub kilojoule: f64,
    pub percent_recorded: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_meter: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub altitude_gain_meter: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub altitude_change_meter: Option<f64>,
    pub zone_durations: ZoneDurations,
}

/// `WorkoutV2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkoutRecord {
    /// A UUID.
    pub id: String,
    pub user_id: i64,
    #[serde(with = "millis")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "millis")]
    pub updated_at: DateTime<Utc>,
    #[serde(with = "millis")]
    pub start: DateTime<Utc>,
    #[serde(with = "millis")]
    pub end: DateTime<Utc>,
    pub timezone_offset: String,
    pub sport_name: String,
    #[serde(flatten)]
    pub score: Score<WorkoutScore>,
}

/// `SleepStageSummary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageSummary {
    pub total_in_bed_time_milli: i64,
    pub total_awake_time_milli: i64,
    pub total_no_data_time_milli: i64,
    pub total_light_sleep_time_milli: i64,
    pub total_slow_wave_sleep_time_milli: i64,
    pub total_rem_sleep_time_milli: i64,
    pub sleep_cycle_count: i32,
    pub disturbance_count: i32,
}

/// `SleepNeeded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SleepNeeded {
    pub baseline_milli: i64,
    pub need_from_sleep_debt_milli: i64,
    pub need_from_recent_strain_milli: i64,
    pub need_from_recent_nap_milli: i64,
}

/// `SleepScore`: only the two summaries are required.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SleepScore {
    pub stage_summary: StageSummary,
    pub sleep_needed: SleepNeeded,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respiratory_rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sleep_performance_percentage: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sleep_consistency_percentage: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sleep_efficiency_percentage: Option<f64>,
}

/// `Sleep`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SleepRecord {
    /// A UUID.
    pub id: String,
    pub cycle_id: i64,
    pub user_id: i64,
    #[serde(with = "millis")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "millis")]
    pub updated_at: DateTime<Utc>,
    #[serde(with = "millis")]
    pub start: DateTime<Utc>,
    #[serde(with = "millis")]
    pub end: DateTime<Utc>,
    pub timezone_offset: String,
    pub nap: bool,
    #[serde(flatten)]
    pub score: Score<SleepScore>,
}

/// `RecoveryScore`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RecoveryScore {
    pub user_calibrating: bool,
    pub recovery_score: f64,
    pub resting_heart_rate: f64,
    pub hrv_rmssd_milli: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spo2_percentage: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skin_temp_celsius: Option<f64>,
}

/// `Recovery`: keyed by its cycle; it has no id of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryRecord {
    pub cycle_id: i64,
    /// The sleep it was computed from (a UUID).
    pub sleep_id: String,
    pub user_id: i64,
    #[serde(with = "millis")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "millis")]
    pub updated_at: DateTime<Utc>,
    #[serde(flatten)]
    pub score: Score<RecoveryScore>,
}

/// `CycleScore`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CycleScore {
    pub strain: f64,
    pub kilojoule: f64,
    pub average_heart_rate: i32,
    pub max_heart_rate: i32,
}

/// `Cycle`: `end` is absent while the cycle is in progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CycleRecord {
    pub id: i64,
    pub user_id: i64,
    #[serde(with = "millis")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "millis")]
    pub updated_at: DateTime<Utc>,
    #[serde(with = "millis")]
    pub start: DateTime<Utc>,
    #[serde(
        with = "millis::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub end: Option<DateTime<Utc>>,
    pub timezone_offset: String,
    #[serde(flatten)]
    pub score: Score<CycleScore>,
}

/// `UserBasicProfile`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicProfile {
    pub user_id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
}

/// `UserBodyMeasurement`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BodyMeasurement {
    pub height_meter: f64,
    pub weight_kilogram: f64,
    pub max_heart_rate: i32,
}

/// Any record, for the control surface (`{"type":"workout", ...record}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    Workout(WorkoutRecord),
    Sleep(SleepRecord),
    Recovery(RecoveryRecord),
    Cycle(CycleRecord),
}

impl Record {
    /// Whose.
    pub fn user_id(&self) -> i64 {
        match self {
            Record::Workout(r) => r.user_id,
            Record::Sleep(r) => r.user_id,
            Record::Recovery(r) => r.user_id,
            Record::Cycle(r) => r.user_id,
        }
    }

    /// How to point at it.
    pub fn reference(&self) -> RecordRef {
        match self {
            Record::Workout(r) => RecordRef::Workout(r.id.clone()),
            Record::Sleep(r) => RecordRef::Sleep(r.id.clone()),
            Record::Recovery(r) => RecordRef::Recovery(r.cycle_id),
            Record::Cycle(r) => RecordRef::Cycle(r.id),
        }
    }

    /// Its score state.
    pub fn score_state(&self) -> ScoreState {
        match self {
            Record::Workout(r) => r.score.state(),
            Record::Sleep(r) => r.score.state(),
            Record::Recovery(r) => r.score.state(),
            Record::Cycle(r) => r.score.state(),
        }
    }

    /// WHOOP's last change.
    pub fn updated_at(&self) -> DateTime<Utc> {
        match self {
            Record::Workout(r) => r.updated_at,
            Record::Sleep(r) => r.updated_at,
            Record::Recovery(r) => r.updated_at,
            Record::Cycle(r) => r.updated_at,
        }
    }
}

/// Points at one record: workouts and sleeps by UUID, recoveries and cycles by cycle id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum RecordRef {
    Workout(String),
    Sleep(String),
    Recovery(i64),
    Cycle(i64),
}

/// One member's records, newest first.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct UserRecords {
    pub cycles: Vec<CycleRecord>,
    pub sleeps: Vec<SleepRecord>,
    pub recoveries: Vec<RecoveryRecord>,
    pub workouts: Vec<WorkoutRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_appears_only_when_scored_and_times_carry_milliseconds() {
        let at = DateTime::parse_from_rfc3339("2022-04-24T11:25:44.774Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        let mut cycle = CycleRecord {
            id: 93845,
            user_id: 10129,
            created_at: at,
            updated_at: at,
            start: at,
            end: None,
            timezone_offset: "-05:00".to_owned(),
            score: Score::PendingScore,
        };
        let json = serde_json::to_value(&cycle).unwrap_or_default();
        assert_eq!(json["score_state"], "PENDING_SCORE");
        assert!(json.get("score").is_none(), "{json}");
        assert!(json.get("end").is_none(), "{json}");
        assert_eq!(json["start"], "2022-04-24T11:25:44.774Z");

        cycle.score = Score::Scored(CycleScore {
            strain: 5.5,
            kilojoule: 8000.0,
            average_heart_rate: 60,
            max_heart_rate: 150,
        });
        cycle.end = Some(at);
        let json = serde_json::to_value(&cycle).unwrap_or_default();
        assert_eq!(json["score_state"], "SCORED");
        assert_eq!(json["score"]["average_heart_rate"], 60);
        assert_eq!(json["end"], "2022-04-24T11:25:44.774Z");
        let back: CycleRecord = serde_json::from_value(json).unwrap_or(CycleRecord {
            id: 0,
            ..cycle.clone()
        });
        assert_eq!(back, cycle);
    }
}
