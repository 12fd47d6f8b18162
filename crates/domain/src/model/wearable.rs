use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Kcal, Percent, RecordedOffset, UserId};

/// A WHOOP score: present only once WHOOP has scored the record.
///
/// Modelled as an enum so a "scored" record without numbers, or numbers on an unscorable
/// record, cannot be built.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "score_state",
    content = "score",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum Scored<T> {
    /// WHOOP scored it.
    Scored(T),
    /// Not scored yet: fetched again later.
    PendingScore,
    /// WHOOP could not score it (too little data).
    Unscorable,
}

impl<T> Scored<T> {
    /// WHOOP's score_state string.
    pub fn state(&self) -> ScoreState {
        match self {
            Scored::Scored(_) => ScoreState::Scored,
            Scored::PendingScore => ScoreState::PendingScore,
            Scored::Unscorable => ScoreState::Unscorable,
        }
    }

    /// The score, when there is one.
    pub fn score(&self) -> Option<&T> {
        match self {
            Scored::Scored(s) => Some(s),
            _ => None,
        }
    }
}

/// WHOOP's score_state without the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScoreState {
    /// SCORED.
    Scored,
    /// PENDING_SCORE.
    PendingScore,
    /// UNSCORABLE.
    Unscorable,
}

impl ScoreState {
    /// WHOOP's spelling, also used in storage.
    pub fn code(self) -> &'static str {
        match self {
            ScoreState::Scored => "SCORED",
            ScoreState::PendingScore => "PENDING_SCORE",
            ScoreState::Unscorable => "UNSCORABLE",
        }
    }

    /// Parses WHOOP's spelling.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "SCORED" => Some(ScoreState::Scored),
            "PENDING_SCORE" => Some(ScoreState::PendingScore),
            "UNSCORABLE" => Some(ScoreState::Unscorable),
            _ => None,
        }
    }
}

/// The times every WHOOP record carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordTimes {
    /// When it began.
    pub start: DateTime<Utc>,
    /// When it ended; `None` for the cycle in progress.
    pub end: Option<DateTime<Utc>>,
    /// The wearer's UTC offset when it was recorded.
    pub timezone_offset: RecordedOffset,
    /// WHOOP's last change of the record (a re-score moves it).
    pub updated_at: DateTime<Utc>,
}

impl RecordTimes {
    /// How long it lasted, when it has ended.
    pub fn duration(&self) -> Option<Duration> {
        self.end.map(|end| end - self.start)
    }
}

/// The numbers of a scored workout.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WorkoutScore {
    /// WHOOP strain, 0..21.
    pub strain: f64,
    /// Average heart rate, bpm.
    pub average_heart_rate: i32,
    /// Maximum heart rate, bpm.
    pub max_heart_rate: i32,
    /// Energy burned, kJ.
    pub kilojoule: f64,
    /// Distance, when the sport has one.
    pub distance_meter: Option<f64>,
}

/// A workout recorded by WHOOP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workout {
    /// WHOOP's id (a UUID).
    pub whoop_id: String,
    /// Whose.
    pub user_id: UserId,
    /// When.
    pub times: RecordTimes,
    /// The sport ("running").
    pub sport_name: String,
    /// Its score.
    pub score: Scored<WorkoutScore>,
}

impl Workout {
    /// Energy burned in kcal, when scored.
    pub fn kcal(&self) -> Option<Kcal> {
        self.score
            .score()
            .and_then(|s| Kcal::from_kilojoules(s.kilojoule).ok())
    }
}

/// The numbers of a scored sleep.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SleepScore {
    /// Time in bed, ms.
    pub in_bed_milli: i64,
    /// Awake time, ms.
    pub awake_milli: i64,
    /// Light sleep, ms.
    pub light_milli: i64,
    /// Slow-wave (deep) sleep, ms.
    pub slow_wave_milli: i64,
    /// REM sleep, ms.
    pub rem_milli: i64,
    /// Sleep cycles.
    pub cycle_count: i32,
    /// Disturbances.
    pub disturbance_count: i32,
    /// Sleep performance, %, when WHOOP gives it.
    pub performance: Option<Percent>,
    /// Sleep efficiency, %, when given.
    pub efficiency: Option<Percent>,
    /// Sleep consistency, %, when given.
    pub consistency: Option<Percent>,
    /// Breaths per minute, when given.
    pub respiratory_rate: Option<f64>,
}

impl SleepScore {
    /// Time actually asleep: light + deep + REM.
    pub fn asleep(&self) -> Duration {
        Duration::milliseconds(self.light_milli + self.slow_wave_milli + self.rem_milli)
    }
}

/// A sleep (or nap) recorded by WHOOP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sleep {
    /// WHOOP's id (a UUID).
    pub whoop_id: String,
    /// The cycle it belongs to.
    pub cycle_id: i64,
    /// Whose.
    pub user_id: UserId,
    /// When.
    pub times: RecordTimes,
    /// A nap rather than the night's sleep.
    pub nap: bool,
    /// Its score.
    pub score: Scored<SleepScore>,
}

/// The numbers of a scored recovery.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RecoveryScore {
    /// Recovery, 0..100 %.
    pub recovery: Percent,
    /// Resting heart rate, bpm.
    pub resting_heart_rate: f64,
    /// Heart-rate variability (RMSSD), ms.
    pub hrv_rmssd_milli: f64,
    /// Blood oxygen, % (WHOOP 4.0+).
    pub spo2: Option<Percent>,
    /// Skin temperature, °C (WHOOP 4.0+).
    pub skin_temp_celsius: Option<f64>,
    /// Still calibrating: the first days' numbers are rough.
    pub user_calibrating: bool,
}

/// A morning's recovery, keyed by its cycle (it has no id of its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recovery {
    /// The cycle it belongs to (unique).
    pub cycle_id: i64,
    /// The sleep it was computed from.
    pub sleep_id: String,
    /// Whose.
    pub user_id: UserId,
    /// When WHOOP made it.
    pub created_at: DateTime<Utc>,
    /// WHOOP's last change.
    pub updated_at: DateTime<Utc>,
    /// Its score.
    pub score: Scored<RecoveryScore>,
}

/// The numbers of a scored physiological cycle (a WHOOP "day").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CycleScore {
    /// Day strain, 0..21.
    pub strain: f64,
    /// Energy burned, kJ.
    pub kilojoule: f64,
    /// Average heart rate, bpm.
    pub average_heart_rate: i32,
    /// Maximum heart rate, bpm.
    pub max_heart_rate: i32,
}

/// A WHOOP physiological cycle; open (no end) while in progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cycle {
    /// WHOOP's id.
    pub whoop_id: i64,
    /// Whose.
    pub user_id: UserId,
    /// When.
    pub times: RecordTimes,
    /// Its score.
    pub score: Scored<CycleScore>,
}

impl Cycle {
    /// Energy burned in kcal, when scored.
    pub fn kcal(&self) -> Option<Kcal> {
        self.score
            .score()
            .and_then(|s| Kcal::from_kilojoules(s.kilojoule).ok())
    }

    /// Still in progress: fetched again by the next sync.
    pub fn is_open(&self) -> bool {
        self.times.end.is_none()
    }
}

/// The kinds of WHOOP records we keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WearableKind {
    /// Workouts.
    Workout,
    /// Sleeps and naps.
    Sleep,
    /// Recoveries.
    Recovery,
    /// Cycles.
    Cycle,
}

impl WearableKind {
    /// Every kind.
    pub const ALL: [WearableKind; 4] = [
        WearableKind::Workout,
        WearableKind::Sleep,
        WearableKind::Recovery,
        WearableKind::Cycle,
    ];
}

/// One WHOOP record of any kind.
#[derive(Debug, Clone, PartialEq)]
pub enum WearableRecord {
    /// A workout.
    Workout(Workout),
    /// A sleep or nap.
    Sleep(Sleep),
    /// A recovery.
    Recovery(Recovery),
    /// A cycle.
    Cycle(Cycle),
}

/// WHOOP said a record changed (a webhook): fetch it again, or forget it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WearableChange {
    /// Which collection.
    pub kind: WearableKind,
    /// WHOOP's id: a UUID for workouts and sleeps; for a recovery the sleep's UUID (v2) or
    /// the cycle id (v1).
    pub id: String,
    /// The record was deleted at WHOOP.
    pub deleted: bool,
}

/// What the bot knows of a user's body lately: for /today, answers and briefings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WearableSnapshot {
    /// Last night's sleep (the latest non-nap sleep).
    pub last_sleep: Option<Sleep>,
    /// The latest recovery.
    pub latest_recovery: Option<Recovery>,
    /// The latest cycle.
    pub latest_cycle: Option<Cycle>,
    /// Recent workouts, newest first.
    pub recent_workouts: Vec<Workout>,
}

/// One scored number of a WHOOP record and the instant that places it on a day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreAt {
    /// A sleep's end, a recovery's creation, a cycle's start.
    pub at: DateTime<Utc>,
    /// The score.
    pub value: f64,
}

/// The scored numbers of a span of time, for charts: only scored records count.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WearableHistory {
    /// Sleep performance (%) of non-nap sleeps, at their end.
    pub sleep_performance: Vec<ScoreAt>,
    /// Recovery scores (%), at their creation (the morning they describe).
    pub recovery: Vec<ScoreAt>,
    /// Day strain of cycles, at their start.
    pub strain: Vec<ScoreAt>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_state_follows_the_variant() {
        let s: Scored<WorkoutScore> = Scored::PendingScore;
        assert_eq!(s.state().code(), "PENDING_SCORE");
        assert!(s.score().is_none());
        assert_eq!(
            ScoreState::from_code("UNSCORABLE"),
            Some(ScoreState::Unscorable)
        );
        assert_eq!(ScoreState::from_code("scored"), None);
    }

    #[test]
    fn asleep_time_excludes_awake_time() {
        let score = SleepScore {
            in_bed_milli: 30_272_735,
            awake_milli: 1_403_507,
            light_milli: 14_905_851,
            slow_wave_milli: 6_630_370,
            rem_milli: 5_879_573,
            cycle_count: 3,
            disturbance_count: 12,
            performance: Percent::new(98.0).ok(),
            efficiency: None,
            consistency: None,
            respiratory_rate: Some(16.1),
        };
        assert_eq!(score.asleep().num_minutes(), 456);
    }
}
