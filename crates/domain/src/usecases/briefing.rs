//! The morning briefing and the evening summary: composed from data only (missing data is said,
//! never invented) and sent at most once per user, kind and local day.
//!
//! # When a briefing is due
//! A user's briefing time is a wall-clock time in their own zone. On a local day it happens at
//! [`scheduled_instant`]: when the time occurs twice (the clocks go back) the first occurrence
//! counts; when it does not exist (the clocks jump forward over it) the moment of the jump
//! counts. A briefing is due from that instant for [`STALE_AFTER`] (3 hours): a check that runs
//! later than that (the server was down, the user changed the time to one long past) sends
//! nothing for that day rather than a stale "good morning". The local day it belongs to is
//! claimed through [`Notifications::claim`](crate::ports::Notifications::claim), so however often and on however many instances the
//! check runs, each user gets each kind once per local day.

use chrono::{DateTime, Duration, Utc};

use crate::model::{
    CalorieGoal, DayTotals, FoodEntry, Kcal, LocalDate, MacroGrams, Meal, NotificationKind,
    Percent, Scored, User, UserTimeZone, WearableSnapshot,
};
use crate::ports::{FoodLog, StorageError, WearableStore};

/// How long after its time a briefing may still be sent; later, that day's is skipped.
pub const STALE_AFTER: Duration = Duration::hours(3);

/// Recovery below this (WHOOP's red zone) suggests a lighter day.
const LOW_RECOVERY: f64 = 34.0;
/// Recovery from this (WHOOP's green zone) allows a harder day.
const HIGH_RECOVERY: f64 = 67.0;
/// Less sleep than this suggests an earlier bedtime.
const SHORT_SLEEP_MINUTES: i64 = 6 * 60 + 30;
/// Protein below this share of the day's energy counts as low.
const LOW_PROTEIN_SHARE: f64 = 0.15;
/// A day strain from this is high.
const HIGH_STRAIN: f64 = 14.0;
/// Records are "last night's" or "today's" when they are at most this much older than the
/// start of the local day (a night's sleep starts the evening before).
const NIGHT_BEFORE: Duration = Duration::hours(12);

/// Everything a briefing is composed from: composing is a pure function of it.
#[derive(Debug, Clone, PartialEq)]
pub struct BriefingData {
    /// Whose briefing.
    pub user: User,
    /// Which briefing.
    pub kind: NotificationKind,
    /// The user's local day it is for.
    pub day: LocalDate,
    /// The food totals it reports: yesterday's for the morning, the day's for the evening.
    pub food: DayTotals,
    /// The day's entries (evening: meals); empty for the morning.
    pub entries: Vec<FoodEntry>,
    /// The latest WHOOP records.
    pub wearable: WearableSnapshot,
}

/// Last night's sleep, as far as WHOOP told us.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SleepReport {
    /// No sleep from last night is stored.
    Missing,
    /// Recorded, not scored yet.
    Pending,
    /// WHOOP could not score it.
    Unscorable,
    /// Scored.
    Scored {
        /// Time asleep (light + deep + REM).
        asleep: Duration,
        /// Sleep performance, when given.
        performance: Option<Percent>,
    },
}

/// Today's recovery, as far as WHOOP told us.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RecoveryReport {
    /// No recovery from today is stored.
    Missing,
    /// Recorded, not scored yet.
    Pending,
    /// WHOOP could not score it.
    Unscorable,
    /// Scored.
    Scored {
        /// Recovery score.
        score: Percent,
        /// Heart-rate variability, ms.
        hrv_ms: f64,
        /// Resting heart rate, bpm.
        resting_hr: f64,
    },
}

/// A day's food against the goal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FoodReport {
    /// Energy eaten.
    pub eaten: Kcal,
    /// Protein eaten.
    pub protein: MacroGrams,
    /// How many entries.
    pub entries: u32,
    /// The daily goal.
    pub goal: CalorieGoal,
}

impl FoodReport {
    fn of(totals: &DayTotals, goal: CalorieGoal) -> Self {
        Self {
            eaten: totals.nutrients.kcal,
            protein: totals.nutrients.protein,
            entries: totals.entries,
            goal,
        }
    }

    /// kcal left to the goal (negative when over it).
    pub fn remaining(&self) -> i64 {
        i64::from(self.goal.kcal()) - self.eaten.rounded()
    }

    /// Whether anything was logged.
    pub fn logged_anything(&self) -> bool {
        self.entries > 0
    }

    /// Whether protein gave less than 15% of the energy eaten.
    pub fn protein_low(&self) -> bool {
        self.logged_anything()
            && self.eaten.get() > 0.0
            && self.protein.get() * 4.0 < LOW_PROTEIN_SHARE * self.eaten.get()
    }
}

/// The tip of the morning, chosen from the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MorningTip {
    /// Recovery is low: a lighter day.
    LighterDay {
        /// The recovery score.
        recovery: Percent,
    },
    /// Sleep was short: an earlier bedtime.
    EarlierBedtime {
        /// Time asleep.
        asleep: Duration,
    },
    /// Protein was low yesterday: protein at breakfast.
    ProteinAtBreakfast {
        /// Yesterday's protein.
        protein: MacroGrams,
    },
    /// Nothing was logged yesterday.
    LogMeals,
    /// Recovery is high: room for a harder workout.
    ReadyForMore {
        /// The recovery score.
        recovery: Percent,
    },
    /// Nothing stands out.
    SteadyDay,
}

/// The morning briefing.
#[derive(Debug, Clone, PartialEq)]
pub struct MorningBriefing {
    /// The local day.
    pub day: LocalDate,
    /// Who it greets.
    pub first_name: String,
    /// Last night's sleep.
    pub sleep: SleepReport,
    /// Today's recovery.
    pub recovery: RecoveryReport,
    /// Yesterday's food.
    pub yesterday: FoodReport,
    /// The tip.
    pub tip: MorningTip,
}

/// What WHOOP says the day burned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BurnReport {
    /// No cycle of the day is stored.
    Missing,
    /// The day's cycle is not scored yet.
    Pending,
    /// WHOOP could not score it.
    Unscorable,
    /// Scored.
    Scored {
        /// Energy burned (kJ / 4.184).
        burned: Kcal,
        /// Day strain, 0..21.
        strain: f64,
    },
}

/// One workout of the day.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkoutLine {
    /// The sport, as WHOOP names it.
    pub sport: String,
    /// Its strain, when scored.
    pub strain: Option<f64>,
}

/// The energy of one meal of the day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MealLine {
    /// Which meal.
    pub meal: Meal,
    /// Its energy.
    pub kcal: Kcal,
}

/// The tip for tomorrow, chosen from the day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EveningTip {
    /// Well over the goal today.
    OverGoal {
        /// kcal over.
        over: i64,
    },
    /// Nothing logged today.
    LogAsYouGo,
    /// A high-strain day: rest.
    RecoverAfterStrain {
        /// The day strain.
        strain: f64,
    },
    /// Far under the goal today.
    EatEnough {
        /// kcal under.
        under: i64,
    },
    /// Protein was low today.
    MoreProtein {
        /// Today's protein.
        protein: MacroGrams,
    },
    /// Nothing stands out.
    KeepRhythm,
}

/// The evening summary.
#[derive(Debug, Clone, PartialEq)]
pub struct EveningSummary {
    /// The local day.
    pub day: LocalDate,
    /// The day's food.
    pub food: FoodReport,
    /// What WHOOP says the day burned.
    pub burn: BurnReport,
    /// The day's workouts.
    pub workouts: Vec<WorkoutLine>,
    /// kcal per meal, in the order of the day; meals with nothing logged are left out.
    pub meals: Vec<MealLine>,
    /// The tip for tomorrow.
    pub tip: EveningTip,
}

impl EveningSummary {
    /// Eaten minus burned (negative: a deficit), when WHOOP scored the day.
    pub fn net(&self) -> Option<i64> {
        match self.burn {
            BurnReport::Scored { burned, .. } => Some(self.food.eaten.rounded() - burned.rounded()),
            _ => None,
        }
    }
}

/// A composed briefing.
#[derive(Debug, Clone, PartialEq)]
pub enum Briefing {
    /// The morning briefing.
    Morning(MorningBriefing),
    /// The evening summary.
    Evening(EveningSummary),
}

impl Briefing {
    /// Which kind it is.
    pub fn kind(&self) -> NotificationKind {
        match self {
            Briefing::Morning(_) => NotificationKind::MorningBriefing,
            Briefing::Evening(_) => NotificationKind::EveningSummary,
        }
    }
}

/// Composes the briefing `data.kind` from the data alone.
pub fn compose(data: &BriefingData) -> Briefing {
    match data.kind {
        NotificationKind::MorningBriefing => Briefing::Morning(morning_briefing(data)),
        NotificationKind::EveningSummary => Briefing::Evening(evening_summary(data)),
    }
}

/// The earliest instant that still belongs to "last night" or "today" of `day`.
fn recent_since(day: LocalDate, zone: UserTimeZone) -> DateTime<Utc> {
    day.bounds(zone).0 - NIGHT_BEFORE
}

/// The morning briefing of `data.day`.
pub fn morning_briefing(data: &BriefingData) -> MorningBriefing {
    let since = recent_since(data.day, data.user.time_zone);
    let w = &data.wearable;
    let sleep = match w
        .last_sleep
        .as_ref()
        .filter(|s| !s.nap && s.times.end.unwrap_or(s.times.start) >= since)
    {
        None => SleepReport::Missing,
        Some(s) => match &s.score {
            Scored::Scored(score) => SleepReport::Scored {
                asleep: score.asleep(),
                performance: score.performance,
            },
            Scored::PendingScore => SleepReport::Pending,
            Scored::Unscorable => SleepReport::Unscorable,
        },
    };
    let recovery = match w.latest_recovery.as_ref().filter(|r| r.created_at >= since) {
        None => RecoveryReport::Missing,
        Some(r) => match &r.score {
            Scored::Scored(score) => RecoveryReport::Scored {
                score: score.recovery,
                hrv_ms: score.hrv_rmssd_milli,
                resting_hr: score.resting_heart_rate,
            },
            Scored::PendingScore => RecoveryReport::Pending,
            Scored::Unscorable => RecoveryReport::Unscorable,
        },
    };
    let yesterday = FoodReport::of(&data.food, data.user.calorie_goal);
    let tip = morning_tip(sleep, recovery, &yesterday);
    MorningBriefing {
        day: data.day,
        first_name: data.user.first_name.clone(),
        sleep,
        recovery,
        yesterday,
        tip,
    }
}

/// The first rule that applies: recovery, then sleep, then food, then encouragement.
fn morning_tip(sleep: SleepReport, recovery: RecoveryReport, yesterday: &FoodReport) -> MorningTip {
    if let RecoveryReport::Scored { score, .. } = recovery
        && score.get() < LOW_RECOVERY
    {
        return MorningTip::LighterDay { recovery: score };
    }
    if let SleepReport::Scored { asleep, .. } = sleep
        && asleep.num_minutes() < SHORT_SLEEP_MINUTES
    {
        return MorningTip::EarlierBedtime { asleep };
    }
    if yesterday.protein_low() {
        return MorningTip::ProteinAtBreakfast {
            protein: yesterday.protein,
        };
    }
    if !yesterday.logged_anything() {
        return MorningTip::LogMeals;
    }
    if let RecoveryReport::Scored { score, .. } = recovery
        && score.get() >= HIGH_RECOVERY
    {
        return MorningTip::ReadyForMore { recovery: score };
    }
    MorningTip::SteadyDay
}

/// The evening summary of `data.day`.
pub fn evening_summary(data: &BriefingData) -> EveningSummary {
    let zone = data.user.time_zone;
    let (start, end) = data.day.bounds(zone);
    let since = recent_since(data.day, zone);
    let w = &data.wearable;
    let burn = match w
        .latest_cycle
        .as_ref()
        .filter(|c| c.times.start >= since && c.times.start < end)
    {
        None => BurnReport::Missing,
        Some(c) => match &c.score {
            Scored::Scored(score) => match c.kcal() {
                Some(burned) => BurnReport::Scored {
                    burned,
                    strain: score.strain,
                },
                None => BurnReport::Unscorable,
            },
            Scored::PendingScore => BurnReport::Pending,
            Scored::Unscorable => BurnReport::Unscorable,
        },
    };
    let mut workouts: Vec<_> = w
        .recent_workouts
        .iter()
        .filter(|wk| wk.times.start >= start && wk.times.start < end)
        .collect();
    workouts.sort_by_key(|wk| wk.times.start);
    let workouts = workouts
        .into_iter()
        .map(|wk| WorkoutLine {
            sport: wk.sport_name.clone(),
            strain: wk.score.score().map(|s| s.strain),
        })
        .collect();
    let meals = Meal::ALL
        .into_iter()
        .filter_map(|meal| {
            let mut of_meal = data.entries.iter().filter(|e| e.meal == meal).peekable();
            of_meal.peek()?;
            Some(MealLine {
                meal,
                kcal: of_meal.map(|e| e.nutrients.kcal).sum(),
            })
        })
        .collect();
    let food = FoodReport::of(&data.food, data.user.calorie_goal);
    let tip = evening_tip(&food, burn);
    EveningSummary {
        day: data.day,
        food,
        burn,
        workouts,
        meals,
        tip,
    }
}

/// The first rule that applies: overeating, nothing logged, strain, undereating, protein.
fn evening_tip(food: &FoodReport, burn: BurnReport) -> EveningTip {
    let goal = i64::from(food.goal.kcal());
    let left = food.remaining();
    if -left * 10 > goal {
        return EveningTip::OverGoal { over: -left };
    }
    if !food.logged_anything() {
        return EveningTip::LogAsYouGo;
    }
    if let BurnReport::Scored { strain, .. } = burn
        && strain >= HIGH_STRAIN
    {
        return EveningTip::RecoverAfterStrain { strain };
    }
    if left * 10 > goal * 3 {
        return EveningTip::EatEnough { under: left };
    }
    if food.protein_low() {
        return EveningTip::MoreProtein {
            protein: food.protein,
        };
    }
    EveningTip::KeepRhythm
}

/// Gathers a briefing's data through the ports.
pub async fn gather_briefing_data(
    user: &User,
    kind: NotificationKind,
    day: LocalDate,
    now: DateTime<Utc>,
    food: &dyn FoodLog,
    wearables: &dyn WearableStore,
) -> Result<BriefingData, StorageError> {
    let (food_day, entries) = match kind {
        NotificationKind::MorningBriefing => (day.previous(), Vec::new()),
        NotificationKind::EveningSummary => (day, food.entries_on(user.id, day).await?),
    };
    let totals = food.day_totals(user.id, food_day).await?;
    let wearable = wearables.snapshot(user.id, now).await?;
    Ok(BriefingData {
        user: user.clone(),
        kind,
        day,
        food: totals,
        entries,
        wearable,
    })
}

/// Composes a user's briefing of `kind` for their local `day`, as known at `now`.
pub async fn compose_briefing(
    user: &User,
    kind: NotificationKind,
    day: LocalDate,
    now: DateTime<Utc>,
    food: &dyn FoodLog,
    wearables: &dyn WearableStore,
) -> Result<Briefing, StorageError> {
    let data = gather_briefing_data(user, kind, day, now, food, wearables).await?;
    Ok(compose(&data))
}

mod delivery;

pub use delivery::{
    BriefingRound, Delivery, DeliveryPorts, briefing_retries, deliver_briefing, due_day,
    queue_due_briefings, scheduled_instant,
};

#[cfg(test)]
mod tests;
