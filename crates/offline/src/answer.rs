//! Answers to questions about today, by template, from the assistant's context only.

use wellness_domain::i18n::{duration, uk_plural};
use wellness_domain::ports::AssistantContext;
use wellness_domain::{Locale, Scored};

use crate::text::fold_words;

/// What a question asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asked {
    Eaten,
    Left,
    Protein,
    Fat,
    Carbs,
    Entries,
    Sleep,
    Recovery,
}

fn asked(question: &str) -> Vec<Asked> {
    let words = fold_words(question);
    let has = |test: &dyn Fn(&str) -> bool| words.iter().any(|w| test(w));
    let mut topics = Vec::new();
    let left = has(&|w| {
        matches!(
            w,
            "left"
                | "remaining"
                | "remain"
                | "goal"
                | "target"
                | "ціль"
                | "цілі"
                | "норма"
                | "норми"
                | "залишок"
        ) || w.starts_with("залишил")
            || w.starts_with("лишил")
    });
    let eaten = has(&|w| {
        w.starts_with("calor")
            || w.starts_with("калор")
            || matches!(
                w,
                "kcal" | "ккал" | "cal" | "eaten" | "ate" | "зїв" | "зїла" | "їжа" | "їжі" | "food"
            )
    });
    let protein = has(&|w| {
        w.starts_with("protein")
            || w.starts_with("білк")
            || w.starts_with("білок")
            || w.starts_with("протеїн")
    });
    let fat = has(&|w| matches!(w, "fat" | "fats" | "жир" | "жири" | "жирів" | "жиру"));
    let carbs = has(&|w| w.starts_with("carb") || w.starts_with("вуглевод"));
    let macros = has(&|w| matches!(w, "macros" | "macro" | "макроси" | "бжв" | "бжу"));
    let entries = has(&|w| {
        matches!(w, "entries" | "entry" | "logged" | "items" | "meals") || w.starts_with("запис")
    });
    let sleep = has(&|w| {
        matches!(
            w,
            "sleep" | "slept" | "сон" | "сну" | "сном" | "night" | "ночі"
        ) || w.starts_with("спав")
            || w.starts_with("спал")
            || w.starts_with("поспа")
    });
    let recovery = has(&|w| {
        matches!(w, "recovery" | "recovered" | "hrv" | "пульс" | "whoop")
            || w.starts_with("відновл")
    });
    let today = has(&|w| {
        matches!(
            w,
            "today" | "сьогодні" | "day" | "день" | "summary" | "підсумок" | "doing" | "справи"
        )
    });
    if eaten {
        topics.push(Asked::Eaten);
    }
    if left {
        topics.push(Asked::Left);
    }
    if protein || macros {
        topics.push(Asked::Protein);
    }
    if fat || macros {
        topics.push(Asked::Fat);
    }
    if carbs || macros {
        topics.push(Asked::Carbs);
    }
    if entries {
        topics.push(Asked::Entries);
    }
    if sleep {
        topics.push(Asked::Sleep);
    }
    if recovery {
        topics.push(Asked::Recovery);
    }
    if topics.is_empty() && today {
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

fn line(asked: Asked, context: &AssistantContext) -> String {
    let locale = context.locale;
    let totals = &context.today_totals;
    let n = &totals.nutrients;
    let eaten = n.kcal.rounded();
    let goal = i64::from(context.calorie_goal.kcal());
    let left = goal - eaten;
    let nothing_yet = totals.entries == 0;
    match (asked, locale) {
        (Asked::Eaten, Locale::En) if nothing_yet => "Nothing logged today yet: 0 kcal.".into(),
        (Asked::Eaten, Locale::Uk) if nothing_yet => {
            "Сьогодні ще нічого не записано: 0 ккал.".into()
        }
        (Asked::Eaten, Locale::En) => format!("Today you've eaten {eaten} kcal."),
        (Asked::Eaten, Locale::Uk) => format!("Сьогодні з'їдено {eaten} ккал."),
        (Asked::Left, Locale::En) if left >= 0 => {
            format!("{left} kcal left of your {goal} kcal goal.")
        }
        (Asked::Left, Locale::En) => format!("You're {} kcal over your {goal} kcal goal.", -left),
        (Asked::Left, Locale::Uk) if left >= 0 => {
            format!("До цілі {goal} ккал залишилось {left} ккал.")
        }
        (Asked::Left, Locale::Uk) => format!("Ціль {goal} ккал перевищено на {} ккал.", -left),
        (Asked::Protein, Locale::En) => format!("Protein: {} g.", n.protein),
        (Asked::Protein, Locale::Uk) => format!("Білки: {} г.", n.protein),
        (Asked::Fat, Locale::En) => format!("Fat: {} g.", n.fat),
        (Asked::Fat, Locale::Uk) => format!("Жири: {} г.", n.fat),
        (Asked::Carbs, Locale::En) => format!("Carbs: {} g.", n.carbs),
        (Asked::Carbs, Locale::Uk) => format!("Вуглеводи: {} г.", n.carbs),
        (Asked::Entries, Locale::En) => match totals.entries {
            0 => "No entries today yet.".into(),
            1 => "1 entry today.".into(),
            count => format!("{count} entries today."),
        },
        (Asked::Entries, Locale::Uk) => match totals.entries {
            0 => "Сьогодні ще немає записів.".into(),
            count => {
                let word = uk_plural(u64::from(count), "запис", "записи", "записів");
                format!("Сьогодні {count} {word}.")
            }
        },
        (Asked::Sleep, _) => sleep_line(context),
        (Asked::Recovery, _) => recovery_line(context),
    }
}

fn sleep_line(context: &AssistantContext) -> String {
    let locale = context.locale;
    let Some(sleep) = &context.wearable.last_sleep else {
        return match locale {
            Locale::En => "I have no sleep data yet (it comes from WHOOP).".into(),
            Locale::Uk => "Даних про сон у мене ще немає (вони надходять із WHOOP).".into(),
        };
    };
    match (&sleep.score, locale) {
        (Scored::Scored(score), Locale::En) => {
            let performance = score
                .performance
                .map(|p| format!(", sleep performance {p}%"))
                .unwrap_or_default();
            format!(
                "Last night you slept {}{performance}.",
                duration(locale, score.asleep())
            )
        }
        (Scored::Scored(score), Locale::Uk) => {
            let performance = score
                .performance
                .map(|p| format!(", ефективність {p}%"))
                .unwrap_or_default();
            format!(
                "Сон минулої ночі: {}{performance}.",
                duration(locale, score.asleep())
            )
        }
        (Scored::PendingScore, Locale::En) => "WHOOP hasn't scored last night's sleep yet.".into(),
        (Scored::PendingScore, Locale::Uk) => "WHOOP ще не оцінив сон минулої ночі.".into(),
        (Scored::Unscorable, Locale::En) => "WHOOP couldn't score last night's sleep.".into(),
        (Scored::Unscorable, Locale::Uk) => "WHOOP не зміг оцінити сон минулої ночі.".into(),
    }
}

fn recovery_line(context: &AssistantContext) -> String {
    let locale = context.locale;
    let Some(recovery) = &context.wearable.latest_recovery else {
        return match locale {
            Locale::En => "I have no recovery data yet (it comes from WHOOP).".into(),
            Locale::Uk => "Даних про відновлення у мене ще немає (вони надходять із WHOOP).".into(),
        };
    };
    match (&recovery.score, locale) {
        (Scored::Scored(r), Locale::En) => format!(
            "Recovery today: {}% · HRV {} ms · resting HR {}.",
            r.recovery,
            r.hrv_rmssd_milli.round(),
            r.resting_heart_rate.round()
        ),
        (Scored::Scored(r), Locale::Uk) => format!(
            "Відновлення сьогодні: {}% · HRV {} мс · пульс спокою {}.",
            r.recovery,
            r.hrv_rmssd_milli.round(),
            r.resting_heart_rate.round()
        ),
        (Scored::PendingScore, Locale::En) => "WHOOP hasn't scored today's recovery yet.".into(),
        (Scored::PendingScore, Locale::Uk) => "WHOOP ще не оцінив відновлення сьогодні.".into(),
        (Scored::Unscorable, Locale::En) => "WHOOP couldn't score today's recovery.".into(),
        (Scored::Unscorable, Locale::Uk) => "WHOOP не зміг оцінити відновлення сьогодні.".into(),
    }
}

/// What the assistant can answer, for anything else.
pub(crate) fn scope(locale: Locale) -> String {
    match locale {
        Locale::En => {
            "I can answer about today's food (calories, what's left, protein, fat, carbs), \
                       last night's sleep and today's recovery."
                .into()
        }
        Locale::Uk => "Я можу відповісти про сьогоднішню їжу (калорії, скільки залишилось, білки, \
                       жири, вуглеводи), сон минулої ночі та відновлення сьогодні."
            .into(),
    }
}

/// Answers a question from the context: one line per thing asked.
pub(crate) fn answer(question: &str, context: &AssistantContext) -> String {
    let topics = asked(question);
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
    match locale {
        Locale::En => "I log food (\"200 g buckwheat\", \"2 eggs for breakfast\"), set your goal \
                       (\"goal 1800\") and answer questions about today's food, sleep and recovery."
            .into(),
        Locale::Uk => "Я записую їжу («200 г гречки», «два яйця на сніданок»), змінюю ціль \
                       («ціль 1800») і відповідаю про сьогоднішню їжу, сон і відновлення."
            .into(),
    }
}

/// The reply when foods were named with amounts that make no sense.
pub(crate) fn bad_amount(locale: Locale) -> String {
    match locale {
        Locale::En => {
            "I couldn't make sense of that amount. Try \"200 g rice\" or \"2 eggs\".".into()
        }
        Locale::Uk => {
            "Не зрозумів кількість. Спробуй, наприклад, «200 г рису» або «2 яйця».".into()
        }
    }
}
