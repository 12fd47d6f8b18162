//! Answers about yesterday and the last 7 days ("what did I eat yesterday?", "how much
//! protein yesterday", "average calories this week", "що я їла вчора?"), by template, from the
//! days the context holds: every figure is the data's, and a day with nothing logged is said,
//! not guessed.

use wellness_domain::ports::AssistantContext;
use wellness_domain::{DayTotals, LocalDate};
use wellness_texts::{Texts, number, text};

use crate::answer::{Asked, Cue};

/// The days a question is about, when not today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Period {
    /// The local day before today.
    Yesterday,
    /// The last 7 local days, today included.
    Week,
}

const YESTERDAY: Cue = Cue {
    words: &["yesterday", "вчора", "учора"],
    beginnings: &["вчорашн", "учорашн"],
};

const WEEK: Cue = Cue {
    words: &[
        "week",
        "weekly",
        "average",
        "avg",
        "days",
        "тиждень",
        "тижня",
        "тижні",
        "днів",
    ],
    beginnings: &["середн", "тижнев"],
};

/// The period the words name, if any (yesterday wins: "average yesterday" is yesterday).
pub(crate) fn period(words: &[String]) -> Option<Period> {
    if YESTERDAY.in_words(words) {
        Some(Period::Yesterday)
    } else if WEEK.in_words(words) {
        Some(Period::Week)
    } else {
        None
    }
}

/// How many foods of yesterday are named before the rest is left out.
const NAMED: usize = 8;

fn today(context: &AssistantContext) -> LocalDate {
    LocalDate::from_calendar(context.local_now.date())
}

fn totals_on(context: &AssistantContext, day: LocalDate) -> Option<&DayTotals> {
    context
        .past_days
        .iter()
        .find(|(d, _)| *d == day)
        .map(|(_, t)| t)
        .filter(|t| t.entries > 0)
}

/// The answer about `period`: one line per food topic asked (what was eaten when none was),
/// and today's lines for sleep and recovery (last night is the only night the context holds).
pub(crate) fn answer(period: Period, topics: &[Asked], context: &AssistantContext) -> String {
    if topics.is_empty() {
        return eaten(period, context);
    }
    let mut lines = Vec::new();
    let mut said_eaten = false;
    for topic in topics {
        let line = match topic {
            Asked::Sleep | Asked::Recovery => crate::answer::line(*topic, context),
            Asked::Eaten | Asked::Entries | Asked::Left if said_eaten => continue,
            Asked::Eaten | Asked::Entries | Asked::Left => {
                said_eaten = true;
                eaten(period, context)
            }
            Asked::Protein | Asked::Fat | Asked::Carbs => nutrient(period, *topic, context),
        };
        lines.push(line);
    }
    lines.join("\n")
}

/// What was eaten: yesterday's foods and total, or the last 7 days' daily average.
fn eaten(period: Period, context: &AssistantContext) -> String {
    let texts = Texts::embedded();
    let locale = context.locale;
    let goal = text("goal", context.calorie_goal.kcal().to_string());
    match period {
        Period::Yesterday => {
            let Some(totals) = totals_on(context, today(context).previous()) else {
                return texts.plain(locale, "answer-yesterday-nothing");
            };
            let mut foods: Vec<String> = context
                .yesterday_entries
                .iter()
                .take(NAMED)
                .map(|e| {
                    texts.t(
                        locale,
                        "answer-food-item",
                        &[
                            text("name", e.name.as_str()),
                            text("grams", format!("{:.0}", e.grams.get())),
                        ],
                    )
                })
                .collect();
            if context.yesterday_entries.len() > NAMED {
                foods.push("…".to_owned());
            }
            texts.t(
                locale,
                "answer-yesterday-eaten",
                &[
                    text("kcal", totals.nutrients.kcal.rounded().to_string()),
                    number("count", totals.entries),
                    text("foods", foods.join("; ")),
                    goal,
                ],
            )
        }
        Period::Week => match week(context) {
            None => texts.plain(locale, "answer-week-nothing"),
            Some((days, sum)) => texts.t(
                locale,
                "answer-week-kcal",
                &[
                    text("kcal", format!("{:.0}", sum.nutrients.kcal.get() / days)),
                    number("days", days),
                    goal,
                ],
            ),
        },
    }
}

/// Protein, fat or carbs: yesterday's, or the last 7 days' daily average.
fn nutrient(period: Period, topic: Asked, context: &AssistantContext) -> String {
    let texts = Texts::embedded();
    let locale = context.locale;
    let grams = |t: &DayTotals| match topic {
        Asked::Fat => t.nutrients.fat,
        Asked::Carbs => t.nutrients.carbs,
        _ => t.nutrients.protein,
    };
    let which = match topic {
        Asked::Fat => "fat",
        Asked::Carbs => "carbs",
        _ => "protein",
    };
    match period {
        Period::Yesterday => match totals_on(context, today(context).previous()) {
            None => texts.plain(locale, "answer-yesterday-nothing"),
            Some(t) => texts.t(
                locale,
                &format!("answer-yesterday-{which}"),
                // As the day's log shows it: "16.9", "60".
                &[text("grams", grams(t).to_string())],
            ),
        },
        Period::Week => match week(context) {
            None => texts.plain(locale, "answer-week-nothing"),
            Some((days, sum)) => texts.t(
                locale,
                &format!("answer-week-{which}"),
                &[
                    text("grams", format!("{:.0}", grams(&sum).get() / days)),
                    number("days", days),
                ],
            ),
        },
    }
}

/// The last 7 local days, today included: how many had entries, and their sum; `None` when
/// none had any.
fn week(context: &AssistantContext) -> Option<(f64, DayTotals)> {
    let logged = context.week_logged();
    let sum = logged.iter().fold(DayTotals::default(), |mut sum, (_, t)| {
        sum.entries += t.entries;
        sum.nutrients = sum.nutrients + t.nutrients;
        sum
    });
    (!logged.is_empty()).then_some((logged.len() as f64, sum))
}
