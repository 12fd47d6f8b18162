//! Answers to questions about today (and, through [`crate::past`], yesterday and the last 7
//! days), by template, from the assistant's context only.

use wellness_domain::ports::AssistantContext;
use wellness_domain::{Locale, Scored};
use wellness_texts::{Texts, number, text};

use crate::text::fold_words;

/// What a question asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asked {
    Eaten,
    Left,
    Protein,
    Fat,
    Carbs,
    Entries,
    Sleep,
    Recovery,
}

/// The words that name a topic: whole words, and beginnings of words (Ukrainian inflects).
pub(crate) struct Cue {
    pub(crate) words: &'static [&'static str],
    pub(crate) beginnings: &'static [&'static str],
}

impl Cue {
    pub(crate) fn in_words(&self, words: &[String]) -> bool {
        words.iter().any(|w| {
            self.words.contains(&w.as_str()) || self.beginnings.iter().any(|b| w.starts_with(b))
        })
    }
}

/// Each topic and its words, in the order answers list them.
const CUES: [(Asked, Cue); 8] = [
    (
        Asked::Eaten,
        Cue {
            words: &[
                "kcal", "ккал", "cal", "eaten", "ate", "зїв", "зїла", "їжа", "їжі", "food",
            ],
            beginnings: &["calor", "калор"],
        },
    ),
    (
        Asked::Left,
        Cue {
            words: &[
                "left",
                "remaining",
                "remain",
                "goal",
                "target",
                "ціль",
                "цілі",
                "норма",
                "норми",
                "залишок",
            ],
            beginnings: &["залишил", "лишил"],
        },
    ),
    (
        Asked::Protein,
        Cue {
            words: &[],
            beginnings: &["protein", "білк", "білок", "протеїн"],
        },
    ),
    (
        Asked::Fat,
        Cue {
            words: &["fat", "fats", "жир", "жири", "жирів", "жиру"],
            beginnings: &[],
        },
    ),
    (
        Asked::Carbs,
        Cue {
            words: &[],
            beginnings: &["carb", "вуглевод"],
        },
    ),
    (
        Asked::Entries,
        Cue {
            words: &["entries", "entry", "logged", "items", "meals"],
            beginnings: &["запис"],
        },
    ),
    (
        Asked::Sleep,
        Cue {
            words: &["sleep", "slept", "сон", "сну", "сном", "night", "ночі"],
            beginnings: &["спав", "спал", "поспа"],
        },
    ),
    (
        Asked::Recovery,
        Cue {
            words: &["recovery", "recovered", "hrv", "пульс", "whoop"],
            beginnings: &["відновл"],
        },
    ),
];

/// "Macros": protein, fat and carbs at once.
const MACROS: Cue = Cue {
    words: &["macros", "macro", "макроси", "бжв", "бжу"],
    beginnings: &[],
};

/// "How is my day?": the food topics when nothing more precise was asked.
const TODAY: Cue = Cue {
    words: &[
        "today",
        "сьогодні",
        "day",
        "день",
        "summary",
        "підсумок",
        "doing",
        "справи",
    ],
    beginnings: &[],
};

fn asked(question: &str) -> Vec<Asked> {
    let words = fold_words(question);
    let macros = MACROS.in_words(&words);
    let mut topics: Vec<Asked> = CUES
        .iter()
        .filter(|(topic, cue)| {
            cue.in_words(&words)
                || (macros && matches!(topic, Asked::Protein | Asked::Fat | Asked::Carbs))
        })
        .map(|(topic, _)| *topic)
        .collect();
    if topics.is_empty() && TODAY.in_words(&words) {
        topics.extend([
            Asked::Eaten,
            Asked::Left,
            Asked::Protein,
            Asked::Fat,
            Asked::Carbs,
        ]);
    }
    topics
}

pub(crate) fn line(asked: Asked, context: &AssistantContext) -> String {
    let texts = Texts::embedded();
    let locale = context.locale;
    let totals = &context.today_totals;
    let n = &totals.nutrients;
    let eaten = n.kcal.rounded();
    let goal = i64::from(context.calorie_goal.kcal());
    let left = goal - eaten;
    let grams = |g: wellness_domain::MacroGrams| [text("grams", g.to_string())];
    match asked {
        Asked::Eaten if totals.entries == 0 => texts.plain(locale, "answer-eaten-nothing"),
        Asked::Eaten => texts.t(locale, "answer-eaten", &[text("kcal", eaten.to_string())]),
        Asked::Left if left >= 0 => texts.t(
            locale,
            "answer-left",
            &[
                text("left", left.to_string()),
                text("goal", goal.to_string()),
            ],
        ),
        Asked::Left => texts.t(
            locale,
            "answer-over",
            &[
                text("over", (-left).to_string()),
                text("goal", goal.to_string()),
            ],
        ),
        Asked::Protein => texts.t(locale, "answer-protein", &grams(n.protein)),
        Asked::Fat => texts.t(locale, "answer-fat", &grams(n.fat)),
        Asked::Carbs => texts.t(locale, "answer-carbs", &grams(n.carbs)),
        Asked::Entries => texts.t(locale, "answer-entries", &[number("count", totals.entries)]),
        Asked::Sleep => sleep_line(texts, context),
        Asked::Recovery => recovery_line(texts, context),
    }
}

fn sleep_line(texts: &Texts, context: &AssistantContext) -> String {
    let locale = context.locale;
    let Some(sleep) = &context.wearable.last_sleep else {
        return texts.plain(locale, "answer-sleep-missing");
    };
    match &sleep.score {
        Scored::Scored(score) => {
            let asleep = text("asleep", texts.duration(locale, score.asleep()));
            match score.performance {
                Some(p) => texts.t(
                    locale,
                    "answer-sleep-performance",
                    &[asleep, text("performance", p.to_string())],
                ),
                None => texts.t(locale, "answer-sleep", &[asleep]),
            }
        }
        Scored::PendingScore => texts.plain(locale, "answer-sleep-pending"),
        Scored::Unscorable => texts.plain(locale, "answer-sleep-unscorable"),
    }
}

fn recovery_line(texts: &Texts, context: &AssistantContext) -> String {
    let locale = context.locale;
    let Some(recovery) = &context.wearable.latest_recovery else {
        return texts.plain(locale, "answer-recovery-missing");
    };
    match &recovery.score {
        Scored::Scored(r) => texts.t(
            locale,
            "answer-recovery",
            &[
                text("recovery", r.recovery.to_string()),
                text("hrv", r.hrv_rmssd_milli.round().to_string()),
                text("rhr", r.resting_heart_rate.round().to_string()),
            ],
        ),
        Scored::PendingScore => texts.plain(locale, "answer-recovery-pending"),
        Scored::Unscorable => texts.plain(locale, "answer-recovery-unscorable"),
    }
}

/// What the assistant can answer, for anything else.
pub(crate) fn scope(locale: Locale) -> String {
    Texts::embedded().plain(locale, "answer-scope")
}

/// Answers a question from the context: one line per thing asked, about today unless the
/// question names yesterday or the week ([`crate::past`]).
pub(crate) fn answer(question: &str, context: &AssistantContext) -> String {
    let topics = asked(question);
    if let Some(period) = crate::past::period(&fold_words(question)) {
        return crate::past::answer(period, &topics, context);
    }
    if topics.is_empty() {
        return scope(context.locale);
    }
    topics
        .into_iter()
        .map(|t| line(t, context))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The reply to a message that is not food, a goal, a deletion or a question.
pub(crate) fn help(locale: Locale) -> String {
    Texts::embedded().plain(locale, "answer-help")
}

/// The reply when foods were named with amounts that make no sense.
pub(crate) fn bad_amount(locale: Locale) -> String {
    Texts::embedded().plain(locale, "answer-bad-amount")
}
