//! The texts of the morning briefing and the evening summary, in Ukrainian and English.
//! Every number comes from the composed briefing; each text is at most 6 lines.

use crate::i18n::{day_and_month, duration};
use crate::model::{Locale, Meal};
use crate::usecases::briefing::{
    BurnReport, EveningSummary, EveningTip, FoodReport, MorningBriefing, MorningTip,
    RecoveryReport, SleepReport, WorkoutLine,
};

/// The morning briefing: greeting, sleep, recovery, yesterday's food, a tip (5 lines).
pub fn morning(locale: Locale, b: &MorningBriefing) -> String {
    let date = day_and_month(locale, b.day.date());
    let name = b.first_name.trim();
    let greeting = match (locale, name.is_empty()) {
        (Locale::En, true) => format!("Good morning! Your briefing for {date}:"),
        (Locale::En, false) => format!("Good morning, {name}! Your briefing for {date}:"),
        (Locale::Uk, true) => format!("Доброго ранку! Зведення на {date}:"),
        (Locale::Uk, false) => format!("Доброго ранку, {name}! Зведення на {date}:"),
    };
    [
        greeting,
        sleep_line(locale, b.sleep),
        recovery_line(locale, b.recovery),
        yesterday_line(locale, &b.yesterday),
        morning_tip(locale, b.tip),
    ]
    .join("\n")
}

fn sleep_line(locale: Locale, s: SleepReport) -> String {
    match (locale, s) {
        (
            Locale::En,
            SleepReport::Scored {
                asleep,
                performance,
            },
        ) => {
            let perf = performance
                .map(|p| format!(", performance {p}%"))
                .unwrap_or_default();
            format!("Sleep: {} asleep{perf}.", duration(locale, asleep))
        }
        (
            Locale::Uk,
            SleepReport::Scored {
                asleep,
                performance,
            },
        ) => {
            let perf = performance
                .map(|p| format!(", ефективність {p}%"))
                .unwrap_or_default();
            format!("Сон: {}{perf}.", duration(locale, asleep))
        }
        (Locale::En, SleepReport::Missing) => "Sleep: no sleep data from WHOOP yet.".into(),
        (Locale::Uk, SleepReport::Missing) => "Сон: даних про сон з WHOOP ще немає.".into(),
        (Locale::En, SleepReport::Pending) => {
            "Sleep: WHOOP hasn't scored last night's sleep yet.".into()
        }
        (Locale::Uk, SleepReport::Pending) => "Сон: WHOOP ще не оцінив минулу ніч.".into(),
        (Locale::En, SleepReport::Unscorable) => {
            "Sleep: WHOOP couldn't score last night's sleep.".into()
        }
        (Locale::Uk, SleepReport::Unscorable) => "Сон: WHOOP не зміг оцінити минулу ніч.".into(),
    }
}

fn recovery_line(locale: Locale, r: RecoveryReport) -> String {
    match (locale, r) {
        (
            Locale::En,
            RecoveryReport::Scored {
                score,
                hrv_ms,
                resting_hr,
            },
        ) => format!(
            "Recovery: {score}% · HRV {} ms · resting HR {}.",
            hrv_ms.round(),
            resting_hr.round()
        ),
        (
            Locale::Uk,
            RecoveryReport::Scored {
                score,
                hrv_ms,
                resting_hr,
            },
        ) => format!(
            "Відновлення: {score}% · HRV {} мс · пульс спокою {}.",
            hrv_ms.round(),
            resting_hr.round()
        ),
        (Locale::En, RecoveryReport::Missing) => {
            "Recovery: no recovery from WHOOP yet today.".into()
        }
        (Locale::Uk, RecoveryReport::Missing) => {
            "Відновлення: даних з WHOOP на сьогодні ще немає.".into()
        }
        (Locale::En, RecoveryReport::Pending) => "Recovery: WHOOP hasn't scored it yet.".into(),
        (Locale::Uk, RecoveryReport::Pending) => "Відновлення: WHOOP ще не оцінив його.".into(),
        (Locale::En, RecoveryReport::Unscorable) => "Recovery: WHOOP couldn't score it.".into(),
        (Locale::Uk, RecoveryReport::Unscorable) => {
            "Відновлення: WHOOP не зміг його оцінити.".into()
        }
    }
}

fn yesterday_line(locale: Locale, f: &FoodReport) -> String {
    let (eaten, goal, left) = (f.eaten, f.goal, f.remaining());
    match locale {
        Locale::En if !f.logged_anything() => {
            format!("Yesterday: nothing logged (goal {goal} kcal).")
        }
        Locale::Uk if !f.logged_anything() => {
            format!("Учора: нічого не записано (ціль {goal} ккал).")
        }
        Locale::En => {
            let balance = match left {
                0 => "right on the goal".to_owned(),
                l if l > 0 => format!("{l} under the goal"),
                l => format!("{} over the goal", -l),
            };
            format!("Yesterday: {eaten} of {goal} kcal — {balance}.")
        }
        Locale::Uk => {
            let balance = match left {
                0 => "точно в ціль".to_owned(),
                l if l > 0 => format!("на {l} менше за ціль"),
                l => format!("на {} більше за ціль", -l),
            };
            format!("Учора: {eaten} з {goal} ккал — {balance}.")
        }
    }
}

fn morning_tip(locale: Locale, tip: MorningTip) -> String {
    match (locale, tip) {
        (Locale::En, MorningTip::LighterDay { recovery }) => format!(
            "Tip: recovery is low ({recovery}%), so keep today lighter — easy movement instead of hard training."
        ),
        (Locale::Uk, MorningTip::LighterDay { recovery }) => format!(
            "Порада: відновлення низьке ({recovery}%), тож зроби день легшим — спокійний рух замість важкого тренування."
        ),
        (Locale::En, MorningTip::EarlierBedtime { asleep }) => format!(
            "Tip: {} of sleep is short — aim to be in bed 30–45 minutes earlier tonight.",
            duration(locale, asleep)
        ),
        (Locale::Uk, MorningTip::EarlierBedtime { asleep }) => format!(
            "Порада: {} сну — замало, сьогодні спробуй лягти на 30–45 хвилин раніше.",
            duration(locale, asleep)
        ),
        (Locale::En, MorningTip::ProteinAtBreakfast { protein }) => format!(
            "Tip: protein was low yesterday ({protein} g) — add some at breakfast: eggs, cottage cheese or Greek yogurt."
        ),
        (Locale::Uk, MorningTip::ProteinAtBreakfast { protein }) => format!(
            "Порада: білка вчора було мало ({protein} г) — додай його на сніданок: яйця, сир або грецький йогурт."
        ),
        (Locale::En, MorningTip::LogMeals) => {
            "Tip: send me what you eat today — a short text or a voice note is enough.".into()
        }
        (Locale::Uk, MorningTip::LogMeals) => {
            "Порада: надсилай мені сьогодні, що їси, — достатньо короткого тексту чи голосового."
                .into()
        }
        (Locale::En, MorningTip::ReadyForMore { recovery }) => {
            format!("Tip: recovery is high ({recovery}%) — a good day for a harder workout.")
        }
        (Locale::Uk, MorningTip::ReadyForMore { recovery }) => format!(
            "Порада: відновлення високе ({recovery}%) — добрий день для інтенсивнішого тренування."
        ),
        (Locale::En, MorningTip::SteadyDay) => {
            "Tip: keep a steady rhythm today — regular meals, water and some movement.".into()
        }
        (Locale::Uk, MorningTip::SteadyDay) => {
            "Порада: тримай рівний ритм — регулярне харчування, вода й трохи руху.".into()
        }
    }
}

/// The evening summary: food vs goal, WHOOP's burn and strain, workouts, meals, a tip for
/// tomorrow (at most 5 lines).
pub fn evening(locale: Locale, s: &EveningSummary) -> String {
    let mut lines = vec![evening_food_line(locale, s)];
    lines.push(burn_line(locale, s));
    if let Some(line) = workouts_line(locale, s) {
        lines.push(line);
    }
    if !s.meals.is_empty() {
        lines.push(meals_line(locale, s));
    }
    lines.push(evening_tip(locale, s.tip));
    lines.join("\n")
}

fn evening_food_line(locale: Locale, s: &EveningSummary) -> String {
    let date = day_and_month(locale, s.day.date());
    let f = &s.food;
    let (eaten, goal, left) = (f.eaten, f.goal, f.remaining());
    match locale {
        Locale::En if !f.logged_anything() => {
            format!("Your day, {date}: nothing logged today (goal {goal} kcal).")
        }
        Locale::Uk if !f.logged_anything() => {
            format!("Підсумок дня, {date}: сьогодні нічого не записано (ціль {goal} ккал).")
        }
        Locale::En => {
            let balance = if left >= 0 {
                format!("{left} left")
            } else {
                format!("{} over", -left)
            };
            format!("Your day, {date}: eaten {eaten} of {goal} kcal — {balance}.")
        }
        Locale::Uk => {
            let balance = if left >= 0 {
                format!("залишилось {left}")
            } else {
                format!("перевищено на {}", -left)
            };
            format!("Підсумок дня, {date}: з'їдено {eaten} з {goal} ккал — {balance}.")
        }
    }
}

fn burn_line(locale: Locale, s: &EveningSummary) -> String {
    match (locale, s.burn, s.net()) {
        (Locale::En, BurnReport::Scored { burned, strain }, Some(net)) => {
            let net = match net {
                0 => "net balanced".to_owned(),
                n if n < 0 => format!("net {} kcal deficit", -n),
                n => format!("net {n} kcal surplus"),
            };
            format!("WHOOP: burned {burned} kcal · {net} · day strain {strain:.1}.")
        }
        (Locale::Uk, BurnReport::Scored { burned, strain }, Some(net)) => {
            let net = match net {
                0 => "баланс нульовий".to_owned(),
                n if n < 0 => format!("дефіцит {} ккал", -n),
                n => format!("профіцит {n} ккал"),
            };
            format!("WHOOP: витрачено {burned} ккал · {net} · денне навантаження {strain:.1}.")
        }
        (Locale::En, BurnReport::Pending, _) => {
            "WHOOP hasn't scored today yet: calories burned and strain come later.".into()
        }
        (Locale::Uk, BurnReport::Pending, _) => {
            "WHOOP ще не оцінив сьогоднішній день: витрата калорій і навантаження будуть пізніше."
                .into()
        }
        (Locale::En, BurnReport::Unscorable, _) => {
            "WHOOP couldn't score today: calories burned and strain are unknown.".into()
        }
        (Locale::Uk, BurnReport::Unscorable, _) => {
            "WHOOP не зміг оцінити сьогоднішній день: витрата калорій і навантаження невідомі."
                .into()
        }
        (Locale::En, _, _) => {
            "No WHOOP data for today yet: calories burned and strain are unknown.".into()
        }
        (Locale::Uk, _, _) => {
            "Даних WHOOP за сьогодні ще немає: витрата калорій і навантаження невідомі.".into()
        }
    }
}

fn workout(locale: Locale, w: &WorkoutLine) -> String {
    match (locale, w.strain) {
        (Locale::En, Some(strain)) => format!("{} (strain {strain:.1})", w.sport),
        (Locale::Uk, Some(strain)) => format!("{} (навантаження {strain:.1})", w.sport),
        (Locale::En, None) => format!("{} (not scored yet)", w.sport),
        (Locale::Uk, None) => format!("{} (ще не оцінено)", w.sport),
    }
}

/// Workouts are listed when there are any; "none" is said only when WHOOP has data for the day
/// (without it, the burn line already says WHOOP data is missing).
fn workouts_line(locale: Locale, s: &EveningSummary) -> Option<String> {
    if s.workouts.is_empty() {
        return match (locale, s.burn) {
            (_, BurnReport::Missing) => None,
            (Locale::En, _) => Some("Workouts: none recorded today.".into()),
            (Locale::Uk, _) => Some("Тренування: сьогодні не записано жодного.".into()),
        };
    }
    let list: Vec<String> = s.workouts.iter().map(|w| workout(locale, w)).collect();
    Some(match locale {
        Locale::En => format!("Workouts: {}.", list.join(", ")),
        Locale::Uk => format!("Тренування: {}.", list.join(", ")),
    })
}

fn meal_name(locale: Locale, meal: Meal) -> &'static str {
    match (locale, meal) {
        (Locale::En, Meal::Breakfast) => "breakfast",
        (Locale::En, Meal::Lunch) => "lunch",
        (Locale::En, Meal::Dinner) => "dinner",
        (Locale::En, Meal::Snack) => "snacks",
        (Locale::Uk, Meal::Breakfast) => "сніданок",
        (Locale::Uk, Meal::Lunch) => "обід",
        (Locale::Uk, Meal::Dinner) => "вечеря",
        (Locale::Uk, Meal::Snack) => "перекуси",
    }
}

fn meals_line(locale: Locale, s: &EveningSummary) -> String {
    let list: Vec<String> = s
        .meals
        .iter()
        .map(|m| format!("{} {}", meal_name(locale, m.meal), m.kcal))
        .collect();
    match locale {
        Locale::En => format!("Meals: {} kcal.", list.join(" · ")),
        Locale::Uk => format!("Прийоми їжі: {} ккал.", list.join(" · ")),
    }
}

fn evening_tip(locale: Locale, tip: EveningTip) -> String {
    match (locale, tip) {
        (Locale::En, EveningTip::OverGoal { over }) => format!(
            "For tomorrow: today ended {over} kcal over the goal — start with a protein breakfast and keep portions modest."
        ),
        (Locale::Uk, EveningTip::OverGoal { over }) => format!(
            "На завтра: сьогодні ціль перевищено на {over} ккал — почни з білкового сніданку й тримай помірні порції."
        ),
        (Locale::En, EveningTip::LogAsYouGo) => {
            "For tomorrow: log meals as you go — a short text or a voice note is enough.".into()
        }
        (Locale::Uk, EveningTip::LogAsYouGo) => {
            "На завтра: записуй їжу одразу — достатньо короткого тексту чи голосового.".into()
        }
        (Locale::En, EveningTip::RecoverAfterStrain { strain }) => format!(
            "For tomorrow: today's strain was high ({strain:.1}) — get to bed early and keep tomorrow easier."
        ),
        (Locale::Uk, EveningTip::RecoverAfterStrain { strain }) => format!(
            "На завтра: навантаження сьогодні високе ({strain:.1}) — лягай раніше й зроби завтрашній день легшим."
        ),
        (Locale::En, EveningTip::EatEnough { under }) => {
            format!("For tomorrow: today ended {under} kcal under the goal — don't skip meals.")
        }
        (Locale::Uk, EveningTip::EatEnough { under }) => format!(
            "На завтра: сьогодні з'їдено на {under} ккал менше за ціль — не пропускай прийоми їжі."
        ),
        (Locale::En, EveningTip::MoreProtein { protein }) => format!(
            "For tomorrow: protein was low today ({protein} g) — add a protein source to each meal."
        ),
        (Locale::Uk, EveningTip::MoreProtein { protein }) => format!(
            "На завтра: білка сьогодні було мало ({protein} г) — додай джерело білка до кожного прийому їжі."
        ),
        (Locale::En, EveningTip::KeepRhythm) => {
            "For tomorrow: keep the same rhythm — you're on track.".into()
        }
        (Locale::Uk, EveningTip::KeepRhythm) => {
            "На завтра: тримай той самий ритм — ти на правильному шляху.".into()
        }
    }
}
