//! Everything the bot says, in Ukrainian and English. Numbers are always passed in from data.

use chrono::{Datelike, Duration};

use crate::model::{CalorieGoal, Locale, Provider, UserTimeZone};
use crate::usecases::today::DayOverview;

/// Ukrainian plural: 1 запис, 2 записи, 5 записів (one, few, many).
pub fn uk_plural<'a>(n: u64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    let (d10, d100) = (n % 10, n % 100);
    if d10 == 1 && d100 != 11 {
        one
    } else if (2..=4).contains(&d10) && !(12..=14).contains(&d100) {
        few
    } else {
        many
    }
}

fn month(locale: Locale, m: u32) -> &'static str {
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const UK: [&str; 12] = [
        "січня",
        "лютого",
        "березня",
        "квітня",
        "травня",
        "червня",
        "липня",
        "серпня",
        "вересня",
        "жовтня",
        "листопада",
        "грудня",
    ];
    let i = (m.clamp(1, 12) - 1) as usize;
    match locale {
        Locale::En => EN[i],
        Locale::Uk => UK[i],
    }
}

/// "14 May" / "14 травня".
pub fn day_and_month(locale: Locale, date: chrono::NaiveDate) -> String {
    format!("{} {}", date.day(), month(locale, date.month()))
}

/// "7 h 36 min" / "7 год 36 хв".
pub fn duration(locale: Locale, d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    let (h, m) = (minutes / 60, minutes % 60);
    match locale {
        Locale::En => format!("{h} h {m:02} min"),
        Locale::Uk => format!("{h} год {m:02} хв"),
    }
}

/// The commands shown in Telegram's menu, per language.
pub fn command_menu(locale: Locale) -> Vec<(&'static str, &'static str)> {
    match locale {
        Locale::En => vec![
            ("today", "Today's food, sleep and recovery"),
            ("goal", "Set the daily calorie goal: /goal 1800"),
            ("timezone", "Set your time zone: /timezone Europe/Kyiv"),
            ("language", "Українська / English"),
            ("sync", "Status of WHOOP and FatSecret"),
            (
                "briefing_time",
                "Briefing times: /briefing_time 08:00 21:00",
            ),
            ("briefing_off", "Stop the morning and evening briefings"),
            ("briefing_on", "Resume the briefings"),
            ("connect_whoop", "Connect WHOOP"),
            ("connect_fatsecret", "Connect FatSecret"),
            ("export", "Download all your data"),
            ("delete", "Delete all your data"),
            ("help", "What I can do"),
        ],
        Locale::Uk => vec![
            ("today", "Їжа, сон і відновлення за сьогодні"),
            ("goal", "Денна ціль калорій: /goal 1800"),
            ("timezone", "Часовий пояс: /timezone Europe/Kyiv"),
            ("language", "Українська / English"),
            ("sync", "Стан WHOOP і FatSecret"),
            ("briefing_time", "Час брифінгів: /briefing_time 08:00 21:00"),
            ("briefing_off", "Вимкнути ранкові й вечірні брифінги"),
            ("briefing_on", "Увімкнути брифінги"),
            ("connect_whoop", "Під'єднати WHOOP"),
            ("connect_fatsecret", "Під'єднати FatSecret"),
            ("export", "Завантажити всі свої дані"),
            ("delete", "Видалити всі свої дані"),
            ("help", "Що я вмію"),
        ],
    }
}

/// The greeting on /start.
pub fn welcome(locale: Locale, name: &str, is_new: bool) -> String {
    let name = name.trim();
    match locale {
        Locale::En => {
            let hello = if name.is_empty() {
                "Hi!".to_owned()
            } else {
                format!("Hi, {name}!")
            };
            let back = if is_new {
                ""
            } else {
                " Good to see you again."
            };
            format!(
                "{hello}{back} I'm your wellness tracker.\n\
                 • /today — what you've eaten today against your goal, plus sleep and recovery\n\
                 • /goal 1800 — set your daily calorie goal\n\
                 • /connect_whoop, /connect_fatsecret — link your WHOOP and FatSecret\n\
                 /help lists everything."
            )
        }
        Locale::Uk => {
            let hello = if name.is_empty() {
                "Привіт!".to_owned()
            } else {
                format!("Привіт, {name}!")
            };
            let back = if is_new {
                ""
            } else {
                " Радий знову тебе бачити."
            };
            format!(
                "{hello}{back} Я твій трекер здоров'я.\n\
                 • /today — що ти з'їв сьогодні порівняно з ціллю, а також сон і відновлення\n\
                 • /goal 1800 — денна ціль калорій\n\
                 • /connect_whoop, /connect_fatsecret — під'єднати WHOOP і FatSecret\n\
                 Усі команди — /help."
            )
        }
    }
}

/// /help, and the answer to unknown commands.
pub fn help(locale: Locale) -> String {
    let intro = match locale {
        Locale::En => "Here's what I can do:",
        Locale::Uk => "Ось що я вмію:",
    };
    let mut lines = vec![intro.to_owned()];
    for (command, description) in command_menu(locale) {
        if command != "help" {
            lines.push(format!("/{command} — {description}"));
        }
    }
    lines.join("\n")
}

/// An unknown command.
pub fn unknown_command(locale: Locale, command: &str) -> String {
    match locale {
        Locale::En => format!("I don't know /{command}.\n\n{}", help(locale)),
        Locale::Uk => format!("Я не знаю команди /{command}.\n\n{}", help(locale)),
    }
}

/// Something we cannot read (a sticker, a photo).
pub fn unsupported(locale: Locale) -> String {
    match locale {
        Locale::En => "I can only read text and voice notes. Try /today or /help.".into(),
        Locale::Uk => {
            "Я розумію лише текст і голосові повідомлення. Спробуй /today або /help.".into()
        }
    }
}

/// /goal without a number.
pub fn goal_current(locale: Locale, goal: CalorieGoal) -> String {
    match locale {
        Locale::En => format!("Your daily goal is {goal} kcal. To change it: /goal 1800"),
        Locale::Uk => format!("Твоя денна ціль — {goal} ккал. Щоб змінити: /goal 1800"),
    }
}

/// /goal N accepted.
pub fn goal_set(locale: Locale, goal: CalorieGoal) -> String {
    match locale {
        Locale::En => format!("Done: your daily goal is now {goal} kcal."),
        Locale::Uk => format!("Готово: твоя денна ціль тепер {goal} ккал."),
    }
}

/// /goal with a bad number.
pub fn goal_invalid(locale: Locale) -> String {
    let (min, max) = (CalorieGoal::MIN, CalorieGoal::MAX);
    match locale {
        Locale::En => {
            format!("The goal must be a number from {min} to {max} kcal, e.g. /goal 1800")
        }
        Locale::Uk => format!("Ціль має бути числом від {min} до {max} ккал, наприклад /goal 1800"),
    }
}

/// /timezone without a name.
pub fn timezone_current(locale: Locale, zone: UserTimeZone) -> String {
    match locale {
        Locale::En => format!("Your time zone is {zone}. To change it: /timezone Europe/Kyiv"),
        Locale::Uk => format!("Твій часовий пояс — {zone}. Щоб змінити: /timezone Europe/Kyiv"),
    }
}

/// /timezone accepted.
pub fn timezone_set(locale: Locale, zone: UserTimeZone) -> String {
    match locale {
        Locale::En => format!("Done: your time zone is now {zone}."),
        Locale::Uk => format!("Готово: твій часовий пояс тепер {zone}."),
    }
}

/// /timezone with a bad name.
pub fn timezone_invalid(locale: Locale, typed: &str) -> String {
    match locale {
        Locale::En => format!(
            "I don't know the time zone \"{typed}\". Use a name like Europe/Kyiv, Europe/London or America/New_York."
        ),
        Locale::Uk => format!(
            "Я не знаю часового поясу «{typed}». Вкажи назву на кшталт Europe/Kyiv, Europe/London або America/New_York."
        ),
    }
}

/// /language switched.
pub fn language_set(locale: Locale) -> String {
    match locale {
        Locale::En => "Done: I'll speak English.".into(),
        Locale::Uk => "Готово: говоритиму українською.".into(),
    }
}

/// A provider's state for /sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// This deployment has no credentials for the provider.
    NotConfigured,
    /// The user has not connected it.
    NotConnected,
    /// Connected and working.
    Connected,
    /// The provider refused our tokens: reconnect.
    Broken,
}

/// /sync.
pub fn sync_status(locale: Locale, states: &[(Provider, ConnectionState)]) -> String {
    let mut lines = vec![match locale {
        Locale::En => "Connections:".to_owned(),
        Locale::Uk => "Під'єднання:".to_owned(),
    }];
    for (provider, state) in states {
        let command = match provider {
            Provider::Whoop => "/connect_whoop",
            Provider::Fatsecret => "/connect_fatsecret",
        };
        let text = match (locale, state) {
            (Locale::En, ConnectionState::NotConfigured) => {
                "not available on this server yet".to_owned()
            }
            (Locale::En, ConnectionState::NotConnected) => format!("not connected — {command}"),
            (Locale::En, ConnectionState::Connected) => "connected".to_owned(),
            (Locale::En, ConnectionState::Broken) => {
                format!("access was revoked — reconnect with {command}")
            }
            (Locale::Uk, ConnectionState::NotConfigured) => {
                "на цьому сервері ще недоступно".to_owned()
            }
            (Locale::Uk, ConnectionState::NotConnected) => format!("не під'єднано — {command}"),
            (Locale::Uk, ConnectionState::Connected) => "під'єднано".to_owned(),
            (Locale::Uk, ConnectionState::Broken) => {
                format!("доступ відкликано — під'єднай знову: {command}")
            }
        };
        lines.push(format!("• {provider}: {text}"));
    }
    lines.join("\n")
}

/// /connect_* when this deployment cannot connect the provider.
pub fn connect_not_configured(locale: Locale, provider: Provider) -> String {
    match locale {
        Locale::En => format!("Connecting {provider} isn't available on this server yet."),
        Locale::Uk => format!("Під'єднати {provider} на цьому сервері поки не можна."),
    }
}

/// /connect_* with a link.
pub fn connect_link(locale: Locale, provider: Provider, url: &str) -> String {
    match locale {
        Locale::En => {
            format!("Open this link to connect {provider} (valid for 10 minutes, once):\n{url}")
        }
        Locale::Uk => format!(
            "Відкрий посилання, щоб під'єднати {provider} (діє 10 хвилин, один раз):\n{url}"
        ),
    }
}

/// /briefing_time accepted.
pub fn briefing_times_set(locale: Locale, t: crate::model::BriefingTimes) -> String {
    let (m, e) = (t.morning.format("%H:%M"), t.evening.format("%H:%M"));
    match locale {
        Locale::En => format!(
            "Done: the morning briefing comes at {m} and the evening summary at {e}, your time."
        ),
        Locale::Uk => {
            format!("Готово: ранковий брифінг о {m}, вечірній підсумок о {e} за твоїм часом.")
        }
    }
}

/// /briefing_time with bad arguments.
pub fn briefing_times_usage(locale: Locale) -> String {
    match locale {
        Locale::En => "Send two times, morning first: /briefing_time 07:30 21:30".into(),
        Locale::Uk => "Надішли два часи, спершу ранковий: /briefing_time 07:30 21:30".into(),
    }
}

/// /briefing_on and /briefing_off.
pub fn briefings_switched(locale: Locale, on: bool, t: crate::model::BriefingTimes) -> String {
    let (m, e) = (t.morning.format("%H:%M"), t.evening.format("%H:%M"));
    match (locale, on) {
        (Locale::En, true) => format!("Briefings are on: {m} and {e}, your time."),
        (Locale::En, false) => "Briefings are off. /briefing_on turns them back on.".into(),
        (Locale::Uk, true) => format!("Брифінги ввімкнено: о {m} і {e} за твоїм часом."),
        (Locale::Uk, false) => "Брифінги вимкнено. /briefing_on увімкне їх знову.".into(),
    }
}

/// /export and /delete before their issue lands.
pub fn not_available_yet(locale: Locale, command: &str) -> String {
    match locale {
        Locale::En => format!("/{command} isn't available yet."),
        Locale::Uk => format!("/{command} поки що недоступна."),
    }
}

/// /today.
pub fn today(locale: Locale, o: &DayOverview, whoop_connected: bool) -> String {
    let n = &o.totals.nutrients;
    let eaten = n.kcal.rounded();
    let goal = o.goal.kcal();
    let left = o.remaining_kcal();
    let date = day_and_month(locale, o.day.date());
    let mut lines = Vec::new();
    match locale {
        Locale::En => {
            let balance = if left >= 0 {
                format!("{left} left")
            } else {
                format!("{} over", -left)
            };
            lines.push(format!(
                "Today, {date}: {eaten} of {goal} kcal — {balance}."
            ));
            if o.totals.entries == 0 {
                lines.push("Nothing logged yet.".to_owned());
            } else {
                let entries = if o.totals.entries == 1 {
                    "entry"
                } else {
                    "entries"
                };
                lines.push(format!(
                    "Protein {} g · fat {} g · carbs {} g ({} {entries})",
                    n.protein, n.fat, n.carbs, o.totals.entries
                ));
            }
        }
        Locale::Uk => {
            let balance = if left >= 0 {
                format!("залишилось {left}")
            } else {
                format!("перевищено на {}", -left)
            };
            lines.push(format!(
                "Сьогодні, {date}: {eaten} з {goal} ккал — {balance}."
            ));
            if o.totals.entries == 0 {
                lines.push("Ще нічого не записано.".to_owned());
            } else {
                let count = u64::from(o.totals.entries);
                let entries = uk_plural(count, "запис", "записи", "записів");
                lines.push(format!(
                    "Білки {} г · жири {} г · вуглеводи {} г ({count} {entries})",
                    n.protein, n.fat, n.carbs
                ));
            }
        }
    }
    lines.extend(wearable_lines(locale, o, whoop_connected));
    lines.join("\n")
}

fn wearable_lines(locale: Locale, o: &DayOverview, whoop_connected: bool) -> Vec<String> {
    let w = &o.wearable;
    let mut lines = Vec::new();
    if let Some(sleep) = &w.last_sleep {
        lines.push(match (sleep.score.score(), locale) {
            (Some(s), Locale::En) => {
                let perf = s
                    .performance
                    .map(|p| format!(", performance {p}%"))
                    .unwrap_or_default();
                format!("Sleep last night: {}{perf}.", duration(locale, s.asleep()))
            }
            (Some(s), Locale::Uk) => {
                let perf = s
                    .performance
                    .map(|p| format!(", ефективність {p}%"))
                    .unwrap_or_default();
                format!("Сон минулої ночі: {}{perf}.", duration(locale, s.asleep()))
            }
            (None, Locale::En) => "Sleep last night: WHOOP hasn't scored it yet.".to_owned(),
            (None, Locale::Uk) => "Сон минулої ночі: WHOOP ще не оцінив його.".to_owned(),
        });
    }
    if let Some(recovery) = &w.latest_recovery {
        lines.push(match (recovery.score.score(), locale) {
            (Some(r), Locale::En) => format!(
                "Recovery: {}% · HRV {} ms · resting HR {}.",
                r.recovery,
                r.hrv_rmssd_milli.round(),
                r.resting_heart_rate.round()
            ),
            (Some(r), Locale::Uk) => format!(
                "Відновлення: {}% · HRV {} мс · пульс спокою {}.",
                r.recovery,
                r.hrv_rmssd_milli.round(),
                r.resting_heart_rate.round()
            ),
            (None, Locale::En) => "Recovery: not scored yet.".to_owned(),
            (None, Locale::Uk) => "Відновлення: ще не оцінено.".to_owned(),
        });
    }
    if w.last_sleep.is_none() && w.latest_recovery.is_none() {
        lines.push(match (locale, whoop_connected) {
            (Locale::En, true) => "No sleep or recovery from WHOOP yet.".to_owned(),
            (Locale::Uk, true) => "Даних про сон і відновлення з WHOOP ще немає.".to_owned(),
            (Locale::En, false) => {
                "Sleep and recovery appear here once WHOOP is connected: /connect_whoop".to_owned()
            }
            (Locale::Uk, false) => {
                "Сон і відновлення з'являться тут, коли під'єднаєш WHOOP: /connect_whoop".to_owned()
            }
        });
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ukrainian_plurals_follow_the_grammar() {
        let f = |n| uk_plural(n, "запис", "записи", "записів");
        assert_eq!(
            [
                f(1),
                f(2),
                f(4),
                f(5),
                f(11),
                f(12),
                f(21),
                f(22),
                f(25),
                f(101),
                f(111)
            ],
            [
                "запис",
                "записи",
                "записи",
                "записів",
                "записів",
                "записів",
                "запис",
                "записи",
                "записів",
                "запис",
                "записів"
            ]
        );
    }

    #[test]
    fn dates_and_durations_read_naturally() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 5, 14).unwrap();
        assert_eq!(day_and_month(Locale::En, d), "14 May");
        assert_eq!(day_and_month(Locale::Uk, d), "14 травня");
        assert_eq!(duration(Locale::En, Duration::minutes(456)), "7 h 36 min");
        assert_eq!(duration(Locale::Uk, Duration::minutes(425)), "7 год 05 хв");
    }

    #[test]
    fn telegram_command_menus_are_valid() {
        for locale in [Locale::En, Locale::Uk] {
            for (command, description) in command_menu(locale) {
                assert!(
                    command.len() <= 32
                        && command.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                );
                assert!(!description.is_empty() && description.chars().count() <= 256);
            }
        }
    }
}

/// Food-logging texts.
pub mod food {
    use crate::model::{CalorieGoal, DayTotals, FoodEntry, Locale, NutritionSource};

    /// One logged item: "• eggs — 100 g: 143 kcal (P 12.6 · F 9.5 · C 0.7 g)".
    pub fn item(locale: Locale, e: &FoodEntry) -> String {
        let n = &e.nutrients;
        match locale {
            Locale::En => format!(
                "• {} — {} g: {} kcal (P {} · F {} · C {} g)",
                e.name, e.grams, n.kcal, n.protein, n.fat, n.carbs
            ),
            Locale::Uk => format!(
                "• {} — {} г: {} ккал (Б {} · Ж {} · В {} г)",
                e.name, e.grams, n.kcal, n.protein, n.fat, n.carbs
            ),
        }
    }

    /// The day's total after a change.
    pub fn day_total(locale: Locale, totals: &DayTotals, goal: CalorieGoal) -> String {
        let eaten = totals.nutrients.kcal.rounded();
        let goal = goal.kcal();
        let left = i64::from(goal) - eaten;
        match locale {
            Locale::En => {
                let balance = if left >= 0 {
                    format!("{left} left")
                } else {
                    format!("{} over", -left)
                };
                format!("Today: {eaten} of {goal} kcal — {balance}.")
            }
            Locale::Uk => {
                let balance = if left >= 0 {
                    format!("залишилось {left}")
                } else {
                    format!("перевищено на {}", -left)
                };
                format!("Сьогодні: {eaten} з {goal} ккал — {balance}.")
            }
        }
    }

    /// Heading of a logging reply.
    pub fn logged(locale: Locale, count: usize) -> String {
        match locale {
            Locale::En => {
                if count == 1 {
                    "Logged:".into()
                } else {
                    format!("Logged {count} items:")
                }
            }
            Locale::Uk => {
                let word = super::uk_plural(count as u64, "продукт", "продукти", "продуктів");
                if count == 1 {
                    "Записав:".into()
                } else {
                    format!("Записав {count} {word}:")
                }
            }
        }
    }

    /// An item the catalogue does not know.
    pub fn not_found(locale: Locale, said: &str) -> String {
        match locale {
            Locale::En => format!(
                "• \"{said}\": I couldn't find it, so I didn't log it. Try another name or add the grams."
            ),
            Locale::Uk => format!(
                "• «{said}»: не знайшов такого продукту, тож не записав. Спробуй іншу назву або вкажи грами."
            ),
        }
    }

    /// A portion we cannot weigh.
    pub fn unknown_portion(locale: Locale, said: &str) -> String {
        match locale {
            Locale::En => format!(
                "• \"{said}\": I don't know how much a portion weighs — tell me the grams, e.g. \"150 g {said}\"."
            ),
            Locale::Uk => format!(
                "• «{said}»: не знаю, скільки важить порція — вкажи грами, наприклад «150 г {said}»."
            ),
        }
    }

    /// Where the numbers came from.
    pub fn source(locale: Locale, sources: &[NutritionSource]) -> String {
        let names: Vec<&str> = sources
            .iter()
            .map(|s| match (s, locale) {
                (NutritionSource::Fatsecret, _) => "FatSecret",
                (NutritionSource::OfflineCatalogue, Locale::En) => {
                    "built-in catalogue (USDA FoodData Central)"
                }
                (NutritionSource::OfflineCatalogue, Locale::Uk) => {
                    "вбудований довідник (USDA FoodData Central)"
                }
            })
            .collect();
        match locale {
            Locale::En => format!("Numbers from: {}.", names.join(", ")),
            Locale::Uk => format!("Дані: {}.", names.join(", ")),
        }
    }

    /// Nothing in the message could be logged.
    pub fn nothing_logged(locale: Locale) -> String {
        match locale {
            Locale::En => "Nothing was logged.".into(),
            Locale::Uk => "Нічого не записано.".into(),
        }
    }

    /// The Undo button.
    pub fn undo_button(locale: Locale) -> String {
        match locale {
            Locale::En => "↩ Undo".into(),
            Locale::Uk => "↩ Скасувати".into(),
        }
    }

    /// The Change grams button (one entry) or "✎ name" (several).
    pub fn change_button(locale: Locale, name: Option<&str>) -> String {
        match (locale, name) {
            (_, Some(name)) => format!("✎ {name}"),
            (Locale::En, None) => "✎ Change grams".into(),
            (Locale::Uk, None) => "✎ Змінити грами".into(),
        }
    }

    /// After Undo.
    pub fn undone(locale: Locale, names: &[String]) -> String {
        match locale {
            Locale::En => format!("Undone: {}.", names.join(", ")),
            Locale::Uk => format!("Скасовано: {}.", names.join(", ")),
        }
    }

    /// Undo of something already undone.
    pub fn nothing_to_undo(locale: Locale) -> String {
        match locale {
            Locale::En => "That was already undone.".into(),
            Locale::Uk => "Це вже скасовано.".into(),
        }
    }

    /// "delete the last entry".
    pub fn deleted(locale: Locale, e: &FoodEntry) -> String {
        match locale {
            Locale::En => format!(
                "Deleted: {} ({} g, {} kcal).",
                e.name, e.grams, e.nutrients.kcal
            ),
            Locale::Uk => format!(
                "Видалено: {} ({} г, {} ккал).",
                e.name, e.grams, e.nutrients.kcal
            ),
        }
    }

    /// Nothing to delete.
    pub fn nothing_to_delete(locale: Locale) -> String {
        match locale {
            Locale::En => "There's nothing to delete.".into(),
            Locale::Uk => "Немає що видаляти.".into(),
        }
    }

    /// Asking for new grams.
    pub fn ask_grams(locale: Locale, e: &FoodEntry) -> String {
        match locale {
            Locale::En => format!(
                "How many grams of {} (now {} g)? Send a number, e.g. 150.",
                e.name, e.grams
            ),
            Locale::Uk => format!(
                "Скільки грамів {} (зараз {} г)? Надішли число, наприклад 150.",
                e.name, e.grams
            ),
        }
    }

    /// After a portion change.
    pub fn portion_changed(locale: Locale) -> String {
        match locale {
            Locale::En => "Changed:".into(),
            Locale::Uk => "Змінено:".into(),
        }
    }

    /// The entry to change is gone.
    pub fn entry_gone(locale: Locale) -> String {
        match locale {
            Locale::En => "That entry is no longer there.".into(),
            Locale::Uk => "Цього запису вже немає.".into(),
        }
    }
}

/// Texts about the assistant and voice notes.
pub mod assistant {
    use crate::model::Locale;
    use crate::ports::{AssistantError, TranscriptionError};

    /// Why the assistant could not help, said plainly; the message itself was kept.
    pub fn failed(locale: Locale, e: &AssistantError) -> String {
        match (locale, e) {
            (Locale::En, AssistantError::QuotaExceeded) => {
                "The AI assistant is out of quota right now, so I couldn't understand that. Your message is saved; try again later or use /today.".into()
            }
            (Locale::Uk, AssistantError::QuotaExceeded) => {
                "У ШІ-помічника зараз вичерпано ліміт, тож я не зрозумів повідомлення. Воно збережене; спробуй пізніше або скористайся /today.".into()
            }
            (Locale::En, AssistantError::Refused(_)) => "The AI assistant declined to answer that. Try rephrasing.".into(),
            (Locale::Uk, AssistantError::Refused(_)) => "ШІ-помічник відмовився відповідати. Спробуй сформулювати інакше.".into(),
            (Locale::En, AssistantError::Malformed(_)) => {
                "The AI assistant gave an answer I couldn't read. Please send it again.".into()
            }
            (Locale::Uk, AssistantError::Malformed(_)) => {
                "ШІ-помічник дав відповідь, яку я не зміг прочитати. Надішли, будь ласка, ще раз.".into()
            }
            (Locale::En, AssistantError::Unavailable(_)) => {
                "I can't reach the AI assistant right now. Your message is saved; try again in a minute.".into()
            }
            (Locale::Uk, AssistantError::Unavailable(_)) => {
                "Зараз не можу зв'язатися з ШІ-помічником. Повідомлення збережене; спробуй за хвилину.".into()
            }
        }
    }

    /// A note when the built-in parser stood in for the AI assistant.
    pub fn used_fallback(locale: Locale) -> String {
        match locale {
            Locale::En => {
                "(The AI assistant is unavailable: I used the built-in food list.)".into()
            }
            Locale::Uk => {
                "(ШІ-помічник недоступний: я скористався вбудованим списком продуктів.)".into()
            }
        }
    }

    /// What was heard in a voice note.
    pub fn heard(locale: Locale, text: &str) -> String {
        match locale {
            Locale::En => format!("🎙 I heard: “{text}”"),
            Locale::Uk => format!("🎙 Почув: «{text}»"),
        }
    }

    /// A voice note over the limit.
    pub fn voice_too_long(locale: Locale, secs: u32, max: u32) -> String {
        match locale {
            Locale::En => format!(
                "That voice note is {secs} s long; I can take up to {max} s. Please send a shorter one."
            ),
            Locale::Uk => format!(
                "Голосове триває {secs} с, а я приймаю до {max} с. Надішли, будь ласка, коротше."
            ),
        }
    }

    /// Voice when no transcriber is configured.
    pub fn voice_unavailable(locale: Locale) -> String {
        match locale {
            Locale::En => "I can't listen to voice notes on this server (no OpenAI key). Please type it instead.".into(),
            Locale::Uk => "На цьому сервері я не можу слухати голосові (немає ключа OpenAI). Напиши, будь ласка, текстом.".into(),
        }
    }

    /// Transcription failed.
    pub fn transcription_failed(locale: Locale, e: &TranscriptionError) -> String {
        match (locale, e) {
            (Locale::En, TranscriptionError::QuotaExceeded) => {
                "Voice recognition is out of quota right now. Please type it instead.".into()
            }
            (Locale::Uk, TranscriptionError::QuotaExceeded) => {
                "Розпізнавання голосу зараз вичерпало ліміт. Напиши, будь ласка, текстом.".into()
            }
            (Locale::En, _) => {
                "I couldn't make out that voice note. Please try again or type it.".into()
            }
            (Locale::Uk, _) => {
                "Не вдалося розібрати голосове. Спробуй ще раз або напиши текстом.".into()
            }
        }
    }

    /// Nothing was said in the voice note.
    pub fn heard_nothing(locale: Locale) -> String {
        match locale {
            Locale::En => "I couldn't hear any words in that voice note.".into(),
            Locale::Uk => "Я не почув жодного слова в цьому голосовому.".into(),
        }
    }

    /// The voice note could not be downloaded.
    pub fn voice_download_failed(locale: Locale) -> String {
        match locale {
            Locale::En => {
                "I couldn't download that voice note (it may be too large). Please try again."
                    .into()
            }
            Locale::Uk => {
                "Не вдалося завантажити голосове (можливо, воно завелике). Спробуй ще раз.".into()
            }
        }
    }
}

/// WHOOP texts.
pub mod whoop {
    use crate::model::Locale;
    use crate::usecases::whoop::SyncReport;

    /// WHOOP refused our tokens.
    pub fn reconnect(locale: Locale) -> String {
        match locale {
            Locale::En => "WHOOP access was revoked, so I can't sync your sleep and recovery. Reconnect with /connect_whoop.".into(),
            Locale::Uk => "Доступ до WHOOP відкликано, тож я не можу синхронізувати сон і відновлення. Під'єднай знову: /connect_whoop.".into(),
        }
    }

    /// Connected, in the chat.
    pub fn connected(locale: Locale) -> String {
        match locale {
            Locale::En => "WHOOP is connected ✓ I'm fetching your last 30 days of sleep, recovery and workouts.".into(),
            Locale::Uk => "WHOOP під'єднано ✓ Завантажую сон, відновлення й тренування за останні 30 днів.".into(),
        }
    }

    /// After a sync.
    pub fn synced(locale: Locale, r: &SyncReport) -> String {
        let n = |u: crate::ports::Upserted| u.inserted + u.updated;
        match locale {
            Locale::En => format!(
                "WHOOP synced: {} sleeps, {} recoveries, {} workouts, {} days updated.",
                n(r.sleeps),
                n(r.recoveries),
                n(r.workouts),
                n(r.cycles)
            ),
            Locale::Uk => format!(
                "WHOOP синхронізовано: снів — {}, відновлень — {}, тренувань — {}, днів — {}.",
                n(r.sleeps),
                n(r.recoveries),
                n(r.workouts),
                n(r.cycles)
            ),
        }
    }

    /// A sync that failed for now.
    pub fn sync_failed(locale: Locale) -> String {
        match locale {
            Locale::En => "I couldn't reach WHOOP just now; I'll try again on the next hourly sync.".into(),
            Locale::Uk => "Зараз не вдалося зв'язатися з WHOOP; спробую знову під час щогодинної синхронізації.".into(),
        }
    }
}

/// FatSecret texts.
pub mod fatsecret {
    use crate::model::Locale;

    /// Connected, in the chat.
    pub fn connected(locale: Locale) -> String {
        match locale {
            Locale::En => "FatSecret is connected ✓ The food you log here will also go to your FatSecret diary.".into(),
            Locale::Uk => "FatSecret під'єднано ✓ Їжа, яку ти записуєш тут, потраплятиме й у щоденник FatSecret.".into(),
        }
    }

    /// After /sync read the FatSecret diary.
    pub fn imported(locale: Locale, new_entries: usize) -> String {
        match locale {
            Locale::En => {
                let word = if new_entries == 1 { "entry" } else { "entries" };
                format!("FatSecret diary synced: {new_entries} new {word}.")
            }
            Locale::Uk => {
                format!("Щоденник FatSecret синхронізовано: нових записів — {new_entries}.")
            }
        }
    }

    /// The FatSecret diary could not be read.
    pub fn import_failed(locale: Locale) -> String {
        match locale {
            Locale::En => {
                "I couldn't read your FatSecret diary right now; I'll try again later.".into()
            }
            Locale::Uk => "Зараз не вдалося прочитати щоденник FatSecret; спробую пізніше.".into(),
        }
    }

    /// FatSecret refused our tokens.
    pub fn reconnect(locale: Locale) -> String {
        match locale {
            Locale::En => "FatSecret access was revoked, so your food no longer goes to your FatSecret diary (it is still logged here). Reconnect with /connect_fatsecret.".into(),
            Locale::Uk => "Доступ до FatSecret відкликано, тож їжа більше не потрапляє в щоденник FatSecret (тут вона записується й далі). Під'єднай знову: /connect_fatsecret.".into(),
        }
    }
}

/// Export and deletion texts.
pub mod privacy {
    use crate::model::Locale;

    /// Caption of the export.
    pub fn export_caption(locale: Locale) -> String {
        match locale {
            Locale::En => "All your data: profile, food, WHOOP records, conversation and connections (without tokens). Food entries follow as CSV.".into(),
            Locale::Uk => "Усі твої дані: профіль, їжа, записи WHOOP, розмова й під'єднання (без токенів). Далі записи їжі у CSV.".into(),
        }
    }

    /// Asking before deleting.
    pub fn confirm_delete(locale: Locale) -> String {
        match locale {
            Locale::En => "Delete everything I keep about you — food, WHOOP records, conversation, connections? This cannot be undone.".into(),
            Locale::Uk => "Видалити все, що я зберігаю про тебе, — їжу, записи WHOOP, розмову, під'єднання? Це не можна скасувати.".into(),
        }
    }

    /// The delete button.
    pub fn delete_button(locale: Locale) -> String {
        match locale {
            Locale::En => "Delete everything".into(),
            Locale::Uk => "Видалити все".into(),
        }
    }

    /// The keep button.
    pub fn keep_button(locale: Locale) -> String {
        match locale {
            Locale::En => "Keep my data".into(),
            Locale::Uk => "Залишити дані".into(),
        }
    }

    /// After deletion.
    pub fn deleted(locale: Locale) -> String {
        match locale {
            Locale::En => "Done: all your data is deleted and WHOOP access revoked. Send /start if you ever want to begin again.".into(),
            Locale::Uk => "Готово: усі твої дані видалено, доступ до WHOOP відкликано. Надішли /start, якщо захочеш почати знову.".into(),
        }
    }

    /// After "keep".
    pub fn kept(locale: Locale) -> String {
        match locale {
            Locale::En => "Nothing was deleted.".into(),
            Locale::Uk => "Нічого не видалено.".into(),
        }
    }
}
