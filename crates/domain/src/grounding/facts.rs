//! The facts a reply may state: every figure of the assistant's context, with its kind and
//! the days it belongs to, and the times of day the context holds.

use std::collections::BTreeSet;

use chrono::{DateTime, Days, FixedOffset, NaiveDate, Offset as _, Timelike as _, Utc};

use super::words::FigureUnit;
use crate::model::{RecordTimes, Scored};
use crate::ports::AssistantContext;

/// What a figure measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// kcal.
    Energy,
    /// Grams.
    Mass,
    /// A percentage.
    Percent,
    /// A duration, in minutes.
    Minutes,
    /// Beats a minute.
    HeartRate,
    /// Milliseconds (HRV).
    Millis,
    /// Kilometres.
    Distance,
    /// Degrees Celsius.
    Celsius,
    /// Breaths a minute.
    Breaths,
    /// A count or a score without a unit (entries, strain, disturbances).
    Plain,
}

impl Kind {
    /// The kind a unit measures, and the factor from the kind's figures to the unit's.
    pub(super) fn of(unit: FigureUnit) -> (Kind, f64) {
        match unit {
            FigureUnit::Kcal => (Kind::Energy, 1.0),
            FigureUnit::Grams => (Kind::Mass, 1.0),
            FigureUnit::Percent => (Kind::Percent, 1.0),
            FigureUnit::Hours => (Kind::Minutes, 1.0 / 60.0),
            FigureUnit::Minutes => (Kind::Minutes, 1.0),
            FigureUnit::Bpm => (Kind::HeartRate, 1.0),
            FigureUnit::Ms => (Kind::Millis, 1.0),
            FigureUnit::Km => (Kind::Distance, 1.0),
            FigureUnit::Celsius => (Kind::Celsius, 1.0),
            FigureUnit::Breaths => (Kind::Breaths, 1.0),
        }
    }
}

/// One figure of the context.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Fact {
    /// What it measures.
    pub kind: Kind,
    /// Its value, in the kind's unit.
    pub value: f64,
    /// The days it belongs to; empty: any day (the calorie goal).
    pub days: Vec<NaiveDate>,
}

/// Everything a reply may state.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Facts {
    /// The user's date.
    pub today: NaiveDate,
    /// The figures.
    pub figures: Vec<Fact>,
    /// Numbers the user wrote or that are part of a name ("Coca-Cola 330"): a reply may
    /// repeat them in any unit.
    pub echoes: Vec<f64>,
    /// Times of day, in minutes after midnight.
    pub clocks: Vec<u32>,
    /// Every day some figure belongs to.
    pub days: BTreeSet<NaiveDate>,
}

impl Facts {
    fn add(&mut self, kind: Kind, value: f64, days: &[NaiveDate]) {
        if value.is_finite() {
            self.days.extend(days.iter().copied());
            self.figures.push(Fact {
                kind,
                value,
                days: days.to_vec(),
            });
        }
    }

    fn clock(&mut self, instant: DateTime<Utc>, offset: FixedOffset) {
        let local = instant.with_timezone(&offset);
        self.clocks.push(local.hour() * 60 + local.minute());
    }
}

/// The local date of an instant in a record's offset.
fn date(instant: DateTime<Utc>, offset: FixedOffset) -> NaiveDate {
    instant.with_timezone(&offset).date_naive()
}

/// The days a record spans: from its start to its end (or today, while it is open).
fn span(times: &RecordTimes, today: NaiveDate) -> Vec<NaiveDate> {
    let offset = times.timezone_offset.offset();
    let first = date(times.start, offset);
    let last = times.end.map_or(today, |end| date(end, offset)).max(first);
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .take(7)
        .collect()
}

/// Numbers written in digits inside a text ("Coca-Cola 330 ml" → 330).
fn numbers_in(text: &str) -> impl Iterator<Item = f64> + '_ {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .filter_map(|n| n.replace(',', ".").trim_matches('.').parse::<f64>().ok())
}

/// The facts of a context, with the numbers of the user's question as echoes.
pub(super) fn of(context: &AssistantContext, question: &str) -> Facts {
    let today = context.local_now.date();
    let mut facts = Facts {
        today,
        ..Facts::default()
    };
    facts
        .clocks
        .push(context.local_now.hour() * 60 + context.local_now.minute());
    facts.echoes.extend(numbers_in(question));
    food(&mut facts, context);
    past_food(&mut facts, context);
    wearable(&mut facts, context);
    facts
}

/// The days before today a question's context holds: each day's totals (and its share of the
/// goal and what was left), yesterday's entries, and the daily averages over the last 7 days
/// (today included) with the number of days they average.
fn past_food(facts: &mut Facts, context: &AssistantContext) {
    if context.past_days.is_empty() && context.yesterday_entries.is_empty() {
        return;
    }
    let goal = f64::from(context.calorie_goal.kcal());
    for (day, totals) in &context.past_days {
        let day = [day.date()];
        let eaten = totals.nutrients.kcal.get();
        facts.add(Kind::Energy, eaten, &day);
        facts.add(Kind::Energy, (goal - eaten.round()).abs(), &day);
        facts.add(Kind::Percent, eaten / goal * 100.0, &day);
        facts.add(Kind::Plain, f64::from(totals.entries), &day);
        for value in [
            totals.nutrients.protein.get(),
            totals.nutrients.fat.get(),
            totals.nutrients.carbs.get(),
        ] {
            facts.add(Kind::Mass, value, &day);
        }
    }
    let yesterday = facts.today.checked_sub_days(Days::new(1));
    for entry in &context.yesterday_entries {
        let day: Vec<NaiveDate> = yesterday.into_iter().collect();
        let n = &entry.nutrients;
        facts.add(Kind::Mass, entry.grams.get(), &day);
        facts.add(Kind::Energy, n.kcal.get(), &day);
        for value in [n.protein.get(), n.fat.get(), n.carbs.get()] {
            facts.add(Kind::Mass, value, &day);
        }
        facts.echoes.extend(numbers_in(&entry.name));
    }
    let logged = context.week_logged();
    let days: Vec<NaiveDate> = logged.iter().map(|(d, _)| d.date()).collect();
    let count = logged.len() as f64;
    // The window itself ("the last 7 days") and how many of its days had entries.
    facts.add(Kind::Plain, 7.0, &[]);
    facts.add(Kind::Plain, count, &days);
    if count > 0.0 {
        let average = |f: fn(&crate::model::DayTotals) -> f64| {
            logged.iter().map(|(_, t)| f(t)).sum::<f64>() / count
        };
        facts.add(Kind::Energy, average(|t| t.nutrients.kcal.get()), &days);
        facts.add(Kind::Mass, average(|t| t.nutrients.protein.get()), &days);
        facts.add(Kind::Mass, average(|t| t.nutrients.fat.get()), &days);
        facts.add(Kind::Mass, average(|t| t.nutrients.carbs.get()), &days);
    }
}

fn food(facts: &mut Facts, context: &AssistantContext) {
    let today = [facts.today];
    let goal = f64::from(context.calorie_goal.kcal());
    facts.add(Kind::Energy, goal, &[]);
    let totals = &context.today_totals;
    let eaten = totals.nutrients.kcal.get();
    facts.add(Kind::Energy, eaten, &today);
    // What is left (or over) is computed from the rounded figures, as the context shows it.
    let left = goal - eaten.round();
    facts.add(Kind::Energy, left.abs(), &today);
    facts.add(Kind::Percent, eaten / goal * 100.0, &today);
    facts.add(Kind::Plain, f64::from(totals.entries), &today);
    for (kind, value) in [
        (Kind::Mass, totals.nutrients.protein.get()),
        (Kind::Mass, totals.nutrients.fat.get()),
        (Kind::Mass, totals.nutrients.carbs.get()),
    ] {
        facts.add(kind, value, &today);
    }
    for entry in &context.today_entries {
        let n = &entry.nutrients;
        facts.add(Kind::Mass, entry.grams.get(), &today);
        facts.add(Kind::Energy, n.kcal.get(), &today);
        for value in [n.protein.get(), n.fat.get(), n.carbs.get()] {
            facts.add(Kind::Mass, value, &today);
        }
        facts.echoes.extend(numbers_in(&entry.name));
    }
}

fn wearable(facts: &mut Facts, context: &AssistantContext) {
    let today = facts.today;
    let snapshot = &context.wearable;
    let mut sleep_days = Vec::new();
    if let Some(sleep) = &snapshot.last_sleep {
        let offset = sleep.times.timezone_offset.offset();
        sleep_days = span(&sleep.times, today);
        facts.clock(sleep.times.start, offset);
        if let Some(end) = sleep.times.end {
            facts.clock(end, offset);
        }
        if let Scored::Scored(s) = &sleep.score {
            facts.add(Kind::Minutes, s.asleep().num_minutes() as f64, &sleep_days);
            facts.add(Kind::Minutes, (s.in_bed_milli / 60_000) as f64, &sleep_days);
            for p in [s.performance, s.efficiency, s.consistency]
                .into_iter()
                .flatten()
            {
                facts.add(Kind::Percent, p.get(), &sleep_days);
            }
            if let Some(rate) = s.respiratory_rate {
                facts.add(Kind::Breaths, rate, &sleep_days);
            }
            facts.add(Kind::Plain, f64::from(s.disturbance_count), &sleep_days);
            facts.add(Kind::Plain, f64::from(s.cycle_count), &sleep_days);
        }
    }
    if let Some(recovery) = &snapshot.latest_recovery {
        // Its day: when it was scored, on the clock of its sleep (or its cycle), and the
        // morning its sleep ended.
        let sleep = snapshot
            .last_sleep
            .as_ref()
            .filter(|s| s.whoop_id == recovery.sleep_id);
        let offset = sleep
            .map(|s| s.times.timezone_offset.offset())
            .or_else(|| {
                snapshot
                    .latest_cycle
                    .as_ref()
                    .filter(|c| c.whoop_id == recovery.cycle_id)
                    .map(|c| c.times.timezone_offset.offset())
            })
            .unwrap_or_else(|| Utc.fix());
        let mut days = vec![date(recovery.created_at, offset)];
        if sleep.is_some() {
            days.extend(sleep_days.last().copied());
        }
        if let Scored::Scored(r) = &recovery.score {
            facts.add(Kind::Percent, r.recovery.get(), &days);
            facts.add(Kind::HeartRate, r.resting_heart_rate, &days);
            facts.add(Kind::Millis, r.hrv_rmssd_milli, &days);
            if let Some(spo2) = r.spo2 {
                facts.add(Kind::Percent, spo2.get(), &days);
            }
            if let Some(t) = r.skin_temp_celsius {
                facts.add(Kind::Celsius, t, &days);
            }
        }
    }
    if let Some(cycle) = &snapshot.latest_cycle {
        let days = span(&cycle.times, today);
        facts.clock(cycle.times.start, cycle.times.timezone_offset.offset());
        if let Some(kcal) = cycle.kcal() {
            facts.add(Kind::Energy, kcal.get(), &days);
        }
        if let Scored::Scored(s) = &cycle.score {
            facts.add(Kind::Plain, s.strain, &days);
            facts.add(Kind::HeartRate, f64::from(s.average_heart_rate), &days);
            facts.add(Kind::HeartRate, f64::from(s.max_heart_rate), &days);
        }
    }
    workouts(facts, context, today);
}

fn workouts(facts: &mut Facts, context: &AssistantContext, today: NaiveDate) {
    let workouts = &context.wearable.recent_workouts;
    let shown: Vec<_> = workouts.iter().take(5).collect();
    let all_days: Vec<NaiveDate> = shown.iter().flat_map(|w| span(&w.times, today)).collect();
    facts.add(Kind::Plain, shown.len() as f64, &all_days);
    for workout in shown {
        let days = span(&workout.times, today);
        let offset = workout.times.timezone_offset.offset();
        facts.clock(workout.times.start, offset);
        if let Some(end) = workout.times.end {
            facts.clock(end, offset);
        }
        if let Some(minutes) = workout.times.duration().map(|d| d.num_minutes()) {
            facts.add(Kind::Minutes, minutes as f64, &days);
        }
        if let Some(kcal) = workout.kcal() {
            facts.add(Kind::Energy, kcal.get(), &days);
        }
        facts.echoes.extend(numbers_in(&workout.sport_name));
        if let Scored::Scored(s) = &workout.score {
            facts.add(Kind::Plain, s.strain, &days);
            facts.add(Kind::HeartRate, f64::from(s.average_heart_rate), &days);
            facts.add(Kind::HeartRate, f64::from(s.max_heart_rate), &days);
            if let Some(m) = s.distance_meter {
                facts.add(Kind::Distance, m / 1000.0, &days);
            }
        }
    }
}

/// Whether `days` (those a sentence names) leave room for a fact of `fact_days`.
pub(super) fn on_days(fact_days: &[NaiveDate], named: &[NaiveDate]) -> bool {
    named.is_empty() || fact_days.is_empty() || fact_days.iter().any(|d| named.contains(d))
}

/// Tomorrow, for telling future days from past ones.
pub(super) fn after(today: NaiveDate) -> NaiveDate {
    today.checked_add_days(Days::new(1)).unwrap_or(today)
}
