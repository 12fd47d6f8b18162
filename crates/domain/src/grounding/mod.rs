//! Grounding: a reply written by a language model may state only figures that are in the
//! user's data. Checked, not trusted: every figure in the reply (digits or number words, in
//! English or Ukrainian, with its unit: kcal, g, %, hours and minutes, bpm, ms, km, °C), every
//! day it names ("yesterday", "on Monday", "5 December") and every time of day is looked up
//! in the facts of the context the model was given.
//!
//! A figure matches a fact of the same kind (a unitless figure: of any kind) when it is the
//! fact rounded to the decimals it is written with ("8.4 hours" for 504 minutes), hours
//! truncated or to a quarter ("over 7 hours", "7.5 hours" for 7 h 36 min), or rounded to a step of 5, 10, 50, 100, 500 or 1000 and
//! within 5 % of it ("about 1,800 kcal" for 1,834). A sentence that names days may state only
//! figures of those days (the calorie goal belongs to every day); a day in the past or today
//! that the context has no data for is not grounded either. Numbers the user wrote in the
//! question, or that are part of a food's or a sport's name, may be repeated.
//!
//! Why a check and not structured output that names facts by key: answers are free text in
//! two languages with inflected words around the numbers ("3 записи", "5 записів"); a model
//! filling slots writes stilted text and still needs a check for the numbers it writes
//! outside them. The check also covers the replies of the interpretation call, the same way.

mod claims;
mod facts;
mod words;

#[cfg(test)]
mod tests;

use std::fmt;

pub use words::FigureUnit;

use crate::ports::AssistantContext;
use facts::{Fact, Facts, Kind};

/// Why a reply is not grounded in the user's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ungrounded {
    /// A figure that no fact of the context has (in this unit, when it has one).
    Figure {
        /// Its unit, when written with one.
        unit: Option<FigureUnit>,
    },
    /// A figure the context has, but for another day than the sentence names.
    OtherDay {
        /// Its unit, when written with one.
        unit: Option<FigureUnit>,
    },
    /// A day the context has no data for.
    Day,
    /// A time of day the context does not hold.
    Clock,
}

impl Ungrounded {
    /// A label for the metric.
    pub fn code(self) -> &'static str {
        match self {
            Ungrounded::Figure { .. } => "figure",
            Ungrounded::OtherDay { .. } => "other_day",
            Ungrounded::Day => "day",
            Ungrounded::Clock => "clock",
        }
    }
}

impl fmt::Display for Ungrounded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = |unit: &Option<FigureUnit>| unit.map_or("no unit", FigureUnit::code);
        match self {
            Ungrounded::Figure { unit: u } => {
                write!(f, "a figure ({}) that is not in the data", unit(u))
            }
            Ungrounded::OtherDay { unit: u } => {
                write!(
                    f,
                    "a figure ({}) of another day than the one named",
                    unit(u)
                )
            }
            Ungrounded::Day => f.write_str("a day the data has nothing for"),
            Ungrounded::Clock => f.write_str("a time of day that is not in the data"),
        }
    }
}

/// A reply that failed the check: why, and the reply with its digits masked (for a log that
/// must not carry the user's figures).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The first thing that is not grounded.
    pub why: Ungrounded,
    /// The reply, every digit replaced by `#`.
    pub masked: String,
}

/// Checks that `reply`, written for `question` from `context`, states only what the context
/// holds.
pub fn check(reply: &str, question: &str, context: &AssistantContext) -> Result<(), Finding> {
    let facts = facts::of(context, question);
    for sentence in claims::sentences(reply, facts.today) {
        if let Err(why) = sentence_grounded(&sentence, &facts) {
            return Err(Finding {
                why,
                masked: claims::masked(reply),
            });
        }
    }
    Ok(())
}

fn sentence_grounded(sentence: &claims::Sentence, facts: &Facts) -> Result<(), Ungrounded> {
    let future = facts::after(facts.today);
    for dates in &sentence.days {
        let known = dates.iter().any(|d| *d >= future || facts.days.contains(d));
        if !known {
            return Err(Ungrounded::Day);
        }
    }
    let named: Vec<_> = sentence.days.iter().flatten().copied().collect();
    for figure in &sentence.figures {
        if facts.echoes.iter().any(|e| (e - figure.value).abs() < 1e-9) {
            continue;
        }
        let same: Vec<&Fact> = facts
            .figures
            .iter()
            .filter(|fact| matches(figure, fact))
            .collect();
        if same.is_empty() {
            return Err(Ungrounded::Figure { unit: figure.unit });
        }
        if !same.iter().any(|fact| facts::on_days(&fact.days, &named)) {
            return Err(Ungrounded::OtherDay { unit: figure.unit });
        }
    }
    for clock in &sentence.clocks {
        let near = facts.clocks.iter().any(|c| {
            let apart = clock.abs_diff(*c);
            apart.min(24 * 60 - apart.min(24 * 60)) <= 10
        });
        if !near {
            return Err(Ungrounded::Clock);
        }
    }
    Ok(())
}

/// Whether a written figure states this fact.
fn matches(figure: &claims::Figure, fact: &Fact) -> bool {
    let (value, hours) = match figure.unit {
        None => (fact.value, false),
        Some(unit) => {
            let (kind, factor) = Kind::of(unit);
            if kind != fact.kind {
                return false;
            }
            (fact.value * factor, unit == FigureUnit::Hours)
        }
    };
    close(figure.value, figure.decimals, value, hours)
}

/// Whether `written` (with `decimals`) is `value` as a reply may round it; `hours` allows
/// what people do with hours: truncate them ("over 7 hours") and round them to a quarter.
fn close(written: f64, decimals: u32, value: f64, hours: bool) -> bool {
    let scale = 10f64.powi(i32::try_from(decimals).unwrap_or(i32::MAX));
    let apart = (written - value).abs();
    if apart <= 0.5 / scale + 1e-9 {
        return true;
    }
    if hours
        && (((value * scale).trunc() / scale - written).abs() < 1e-9
            || ((written * 4.0).fract() == 0.0 && apart <= 0.25))
    {
        return true;
    }
    decimals == 0
        && written != 0.0
        && [5.0, 10.0, 50.0, 100.0, 500.0, 1000.0]
            .iter()
            .any(|step| written % step == 0.0 && apart <= step / 2.0 && apart <= value.abs() * 0.05)
}
