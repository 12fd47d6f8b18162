//! Plural forms, dates, durations and the command menu read right in both languages.

use chrono::{Duration, NaiveDate};
use wellness_domain::model::Locale;
use wellness_domain::ports::Presenter;
use wellness_domain::reply::{Reply, Say};
use wellness_texts::Texts;

fn say(locale: Locale, say: Say) -> String {
    Texts::load().unwrap().render(locale, &Reply::one(say)).text
}

/// CLDR's Ukrainian plural rule (one, few, many), not a hand-written one.
#[test]
fn ukrainian_plurals_follow_the_grammar() {
    let logged = |count| say(Locale::Uk, Say::Logged { count });
    assert_eq!(
        [1, 2, 4, 5, 11, 12, 21, 22, 25, 101, 111].map(logged),
        [
            "Записав:",
            "Записав 2 продукти:",
            "Записав 4 продукти:",
            "Записав 5 продуктів:",
            "Записав 11 продуктів:",
            "Записав 12 продуктів:",
            "Записав 21 продукт:",
            "Записав 22 продукти:",
            "Записав 25 продуктів:",
            "Записав 101 продукт:",
            "Записав 111 продуктів:",
        ]
    );
}

#[test]
fn english_plurals_have_one_and_other() {
    let imported = |new_entries| say(Locale::En, Say::FatsecretImported { new_entries });
    assert_eq!(imported(1), "FatSecret diary synced: 1 new entry.");
    assert_eq!(imported(0), "FatSecret diary synced: 0 new entries.");
    assert_eq!(imported(2), "FatSecret diary synced: 2 new entries.");
    assert_eq!(say(Locale::En, Say::Logged { count: 1 }), "Logged:");
    assert_eq!(say(Locale::En, Say::Logged { count: 3 }), "Logged 3 items:");
}

#[test]
fn dates_and_durations_read_naturally() {
    let texts = Texts::load().unwrap();
    let d = NaiveDate::from_ymd_opt(2026, 5, 14).unwrap();
    assert_eq!(texts.day_and_month(Locale::En, d), "14 May");
    assert_eq!(texts.day_and_month(Locale::Uk, d), "14 травня");
    let months: Vec<String> = (1..=12)
        .map(|m| texts.day_and_month(Locale::Uk, NaiveDate::from_ymd_opt(2026, m, 1).unwrap()))
        .collect();
    assert_eq!(months[0], "1 січня");
    assert_eq!(months[11], "1 грудня");
    assert_eq!(
        texts.duration(Locale::En, Duration::minutes(456)),
        "7 h 36 min"
    );
    assert_eq!(
        texts.duration(Locale::Uk, Duration::minutes(425)),
        "7 год 05 хв"
    );
    assert_eq!(
        texts.duration(Locale::En, Duration::minutes(-5)),
        "0 h 00 min"
    );
}

#[test]
fn telegram_command_menus_are_valid_and_the_same_in_both_languages() {
    let texts = Texts::load().unwrap();
    let en = texts.command_menu(Locale::En);
    let uk = texts.command_menu(Locale::Uk);
    assert_eq!(en.len(), 14);
    assert_eq!(
        en.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
        uk.iter().map(|(c, _)| *c).collect::<Vec<_>>()
    );
    for (command, description) in en.iter().chain(&uk) {
        assert!(command.len() <= 32 && command.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        // A description that fell back to its id would name the message, not the command.
        assert!(
            !description.starts_with("menu-"),
            "{command}: {description}"
        );
        assert!(!description.is_empty() && description.chars().count() <= 256);
    }
    assert_eq!(
        en[0],
        ("today", "Today's food, sleep and recovery".to_owned())
    );
    assert_eq!(uk[13], ("help", "Що я вмію".to_owned()));
}

#[test]
fn help_lists_every_command_but_itself() {
    let help = say(Locale::En, Say::Help);
    assert!(
        help.starts_with("Here's what I can do:\n/today — Today's food"),
        "{help}"
    );
    assert!(!help.contains("/help"), "{help}");
    assert_eq!(help.lines().count(), 14);
    let unknown = say(
        Locale::Uk,
        Say::UnknownCommand {
            command: "foo".into(),
        },
    );
    assert!(
        unknown.starts_with("Я не знаю команди /foo.\n\nОсь що я вмію:\n"),
        "{unknown}"
    );
}

#[test]
fn the_welcome_greets_by_name_and_welcomes_back() {
    let welcome = |name: &str, returning| {
        say(
            Locale::En,
            Say::Welcome {
                name: name.into(),
                returning,
            },
        )
    };
    assert!(welcome("Ann", false).starts_with("Hi, Ann! I'm your wellness tracker.\n• /today"));
    assert!(welcome("  ", true).starts_with("Hi! Good to see you again. I'm your"));
    assert!(welcome("Ann", false).ends_with("\n/help lists everything."));
}
