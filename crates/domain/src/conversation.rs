//! The conversation's typed vocabulary: the commands a person can send (with their arguments
//! parsed and validated), the buttons they can press, and the question the bot is waiting for
//! an answer to. The messenger adapter parses its wire format into these at the edge; nothing
//! past it handles command names or callback strings.

use chrono::{DateTime, Utc};

use crate::model::{
    BriefingTimes, CalorieGoal, FoodEntryId, Locale, Provider, SavedProductId, UpdateId,
    UserTimeZone,
};

/// A setting command's argument: none (show the setting), a valid value, or what was typed when
/// it is not one (so the reply can say what was wrong).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting<T> {
    /// No argument: show the current value.
    Show,
    /// A valid new value.
    Set(T),
    /// Not a valid value: what was typed.
    Invalid(String),
}

impl<T> Setting<T> {
    fn parse<E>(args: &str, parse: impl FnOnce(&str) -> Result<T, E>) -> Self {
        let args = args.trim();
        if args.is_empty() {
            return Setting::Show;
        }
        match parse(args) {
            Ok(value) => Setting::Set(value),
            Err(_) => Setting::Invalid(args.to_owned()),
        }
    }
}

/// A /command, parsed and validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/start`: the greeting.
    Start,
    /// `/help`.
    Help,
    /// `/today`: the day so far.
    Today,
    /// `/goal [kcal]`.
    Goal(Setting<CalorieGoal>),
    /// `/timezone [IANA name]`.
    TimeZone(Setting<UserTimeZone>),
    /// `/language [uk|en]`: `None` switches to the other language.
    Language(Option<Locale>),
    /// `/sync`: connection states, then a WHOOP sync and a FatSecret import.
    Sync,
    /// `/connect_whoop`, `/connect_fatsecret`.
    Connect(Provider),
    /// `/briefing_time HH:MM HH:MM` (morning first).
    BriefingTime(Setting<BriefingTimes>),
    /// `/briefing_on`, `/briefing_off`.
    Briefings {
        /// Switch them on.
        on: bool,
    },
    /// `/export`: all the user's data.
    Export,
    /// `/delete`: erase everything (asks first).
    Delete,
    /// `/products`: the products the user saved, each with a delete button.
    Products,
    /// A command the bot does not know, as typed (lowercase, without "/").
    Unknown(String),
}

impl Command {
    /// Every command the bot knows, as Telegram's menu lists them (in this order).
    pub const MENU: [&'static str; 14] = [
        "today",
        "goal",
        "timezone",
        "language",
        "sync",
        "briefing_time",
        "briefing_off",
        "briefing_on",
        "connect_whoop",
        "connect_fatsecret",
        "products",
        "export",
        "delete",
        "help",
    ];

    /// Parses a command's name (lowercase, without "/" or "@bot") and its arguments.
    pub fn parse(name: &str, args: &str) -> Command {
        match name {
            "start" => Command::Start,
            "help" => Command::Help,
            "today" => Command::Today,
            "goal" => Command::Goal(Setting::parse(args, CalorieGoal::parse)),
            "timezone" => Command::TimeZone(Setting::parse(args, UserTimeZone::parse)),
            "language" => Command::Language(match args.trim().to_lowercase().as_str() {
                "uk" | "ua" | "українська" => Some(Locale::Uk),
                "en" | "english" => Some(Locale::En),
                _ => None,
            }),
            "sync" => Command::Sync,
            "connect_whoop" => Command::Connect(Provider::Whoop),
            "connect_fatsecret" => Command::Connect(Provider::Fatsecret),
            "briefing_time" => Command::BriefingTime(parse_briefing_times(args)),
            "briefing_on" => Command::Briefings { on: true },
            "briefing_off" => Command::Briefings { on: false },
            "export" => Command::Export,
            "delete" => Command::Delete,
            "products" => Command::Products,
            other => Command::Unknown(other.to_owned()),
        }
    }
}

fn parse_briefing_times(args: &str) -> Setting<BriefingTimes> {
    let mut times = args.split_whitespace();
    match (times.next(), times.next(), times.next()) {
        (None, _, _) => Setting::Show,
        (Some(morning), Some(evening), None) => match BriefingTimes::parse(morning, evening) {
            Ok(times) => Setting::Set(times),
            Err(_) => Setting::Invalid(args.trim().to_owned()),
        },
        _ => Setting::Invalid(args.trim().to_owned()),
    }
}

/// What a button under a message does when pressed. [`Callback::encode`] and
/// [`Callback::decode`] are the one place its wire format (Telegram's `callback_data`, at most
/// 64 bytes) is written and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Callback {
    /// Void everything this update logged.
    Undo(UpdateId),
    /// Ask for the new grams of this entry.
    ChangeGrams(FoodEntryId),
    /// Erase all the user's data (the confirmation of /delete).
    ConfirmDelete,
    /// Keep the data (the other answer to /delete).
    CancelDelete,
    /// Log candidate `choice` (0-based) offered for item `item` of update `update`.
    PickFood {
        /// The message that mentioned the food.
        update: UpdateId,
        /// Which of its mentions.
        item: u8,
        /// Which candidate.
        choice: u8,
    },
    /// Delete a saved product (a button of /products).
    DeleteProduct(SavedProductId),
    /// What to do with the meal estimated from the photo of update `update`.
    Meal {
        /// The photo's message.
        update: UpdateId,
        /// Log it all, or nothing.
        action: MealAction,
    },
    /// What to do with the nutrition label read from the photo of update `update`.
    Label {
        /// The photo's message.
        update: UpdateId,
        /// Save and log, only save, or cancel.
        action: LabelAction,
    },
}

/// The answers to a meal estimated from a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MealAction {
    /// Log every food of the estimate.
    LogAll,
    /// Log nothing.
    Cancel,
    /// Ask for the grams of this food of the estimate (its place, from 0).
    Edit(u8),
}

impl MealAction {
    /// Its code in button data ("log", "cancel", "edit3").
    pub fn code(self) -> String {
        match self {
            MealAction::LogAll => "log".to_owned(),
            MealAction::Cancel => "cancel".to_owned(),
            MealAction::Edit(item) => format!("edit{item}"),
        }
    }
}

/// The answers to a label read from a photo: nothing is saved or logged until one is tapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelAction {
    /// Save the product and log it.
    SaveAndLog,
    /// Save the product, log nothing.
    SaveOnly,
    /// Neither.
    Cancel,
}

impl LabelAction {
    const ALL: [LabelAction; 3] = [
        LabelAction::SaveAndLog,
        LabelAction::SaveOnly,
        LabelAction::Cancel,
    ];

    /// Its code in button data.
    pub fn code(self) -> &'static str {
        match self {
            LabelAction::SaveAndLog => "log",
            LabelAction::SaveOnly => "save",
            LabelAction::Cancel => "cancel",
        }
    }
}

impl Callback {
    /// Telegram's limit on `callback_data`, in bytes.
    pub const MAX_BYTES: usize = 64;

    /// The button's data ("undo:42", "grams:7", "delete:confirm"): the format buttons already
    /// sent carry, so buttons of older messages keep working.
    pub fn encode(&self) -> String {
        match self {
            Callback::Undo(update) => format!("undo:{update}"),
            Callback::ChangeGrams(entry) => format!("grams:{entry}"),
            Callback::ConfirmDelete => "delete:confirm".to_owned(),
            Callback::CancelDelete => "delete:cancel".to_owned(),
            Callback::PickFood {
                update,
                item,
                choice,
            } => format!("pick:{update}:{item}:{choice}"),
            Callback::DeleteProduct(id) => format!("pdel:{id}"),
            Callback::Label { update, action } => format!("label:{update}:{}", action.code()),
            Callback::Meal { update, action } => format!("meal:{update}:{}", action.code()),
        }
    }

    /// Reads a button's data; `None` for data no button of ours carries.
    pub fn decode(data: &str) -> Option<Callback> {
        let number = |s: &str| -> Option<i64> {
            // Only the digits encode writes: no sign, no spaces, no leading "+" or zero.
            let canonical = s == "0" || !s.starts_with('0');
            if s.is_empty() || !canonical || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        match data {
            "delete:confirm" => Some(Callback::ConfirmDelete),
            "delete:cancel" => Some(Callback::CancelDelete),
            _ => {
                let (kind, id) = data.split_once(':')?;
                if kind == "pick" {
                    let mut parts = id.split(':');
                    let (update, item, choice) = (parts.next()?, parts.next()?, parts.next()?);
                    if parts.next().is_some() {
                        return None;
                    }
                    let small = |s: &str| number(s).and_then(|n| u8::try_from(n).ok());
                    return Some(Callback::PickFood {
                        update: UpdateId::new(number(update)?).ok()?,
                        item: small(item)?,
                        choice: small(choice)?,
                    });
                }
                if kind == "meal" {
                    let (update, action) = id.split_once(':')?;
                    let action = match action {
                        "log" => MealAction::LogAll,
                        "cancel" => MealAction::Cancel,
                        other => MealAction::Edit(
                            number(other.strip_prefix("edit")?)
                                .and_then(|n| u8::try_from(n).ok())?,
                        ),
                    };
                    return Some(Callback::Meal {
                        update: UpdateId::new(number(update)?).ok()?,
                        action,
                    });
                }
                if kind == "label" {
                    let (update, action) = id.split_once(':')?;
                    let action = LabelAction::ALL.into_iter().find(|a| a.code() == action)?;
                    return Some(Callback::Label {
                        update: UpdateId::new(number(update)?).ok()?,
                        action,
                    });
                }
                let id = number(id)?;
                match kind {
                    "undo" => UpdateId::new(id).ok().map(Callback::Undo),
                    "grams" => FoodEntryId::new(id).ok().map(Callback::ChangeGrams),
                    "pdel" => SavedProductId::new(id).ok().map(Callback::DeleteProduct),
                    _ => None,
                }
            }
        }
    }
}

/// What the bot asked and is waiting for an answer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// "How many grams of …?" after Change grams: the next number rescales this entry.
    Grams(FoodEntryId),
    /// "How many grams of …?" about a package (a barcode's product, a label's) with no grams
    /// said and no serving known: the next number logs the food offered under this message.
    /// Nothing is logged before: 100 g would be a guess that can be far off.
    PackageGrams(UpdateId),
    /// "How many grams of …?" about one food of a meal estimated from a photo: the next number
    /// changes that food's grams in the estimate (nothing is logged yet).
    MealGrams {
        /// The photo's message.
        update: UpdateId,
        /// The food's place in the estimate.
        item: u8,
    },
}

/// A question the bot asked, until it is answered, superseded or expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingQuestion {
    /// What was asked.
    pub question: Question,
    /// When it stops waiting.
    pub expires_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn commands_parse_their_arguments() {
        assert_eq!(
            Command::parse("goal", "1800"),
            Command::Goal(Setting::Set(CalorieGoal::new(1800).unwrap()))
        );
        assert_eq!(Command::parse("goal", ""), Command::Goal(Setting::Show));
        assert_eq!(
            Command::parse("goal", "12000"),
            Command::Goal(Setting::Invalid("12000".into()))
        );
        assert_eq!(
            Command::parse("timezone", " Europe/Kyiv "),
            Command::TimeZone(Setting::Set(UserTimeZone::parse("Europe/Kyiv").unwrap()))
        );
        assert_eq!(
            Command::parse("timezone", "Mars/Olympus"),
            Command::TimeZone(Setting::Invalid("Mars/Olympus".into()))
        );
        assert_eq!(
            Command::parse("briefing_time", "07:30 21:45"),
            Command::BriefingTime(Setting::Set(
                BriefingTimes::parse("07:30", "21:45").unwrap()
            ))
        );
        for bad in ["22:00 07:00", "07:30", "07:30 21:00 23:00", "7.30 21"] {
            assert!(
                matches!(
                    Command::parse("briefing_time", bad),
                    Command::BriefingTime(Setting::Invalid(_))
                ),
                "{bad}"
            );
        }
        assert_eq!(
            Command::parse("language", "English"),
            Command::Language(Some(Locale::En))
        );
        assert_eq!(Command::parse("language", ""), Command::Language(None));
        assert_eq!(
            Command::parse("connect_fatsecret", ""),
            Command::Connect(Provider::Fatsecret)
        );
        assert_eq!(
            Command::parse("dance", "now"),
            Command::Unknown("dance".into())
        );
    }

    #[test]
    fn every_command_in_the_menu_is_known() {
        for name in Command::MENU {
            assert!(
                !matches!(Command::parse(name, ""), Command::Unknown(_)),
                "{name}"
            );
            // Telegram: 1-32 characters, lowercase letters, digits and underscores.
            assert!(
                (1..=32).contains(&name.len())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{name}"
            );
        }
    }

    fn any_callback() -> impl Strategy<Value = Callback> {
        prop_oneof![
            (0..=i64::MAX).prop_map(|u| Callback::Undo(UpdateId::new(u).unwrap())),
            (1..=i64::MAX).prop_map(|e| Callback::ChangeGrams(FoodEntryId::new(e).unwrap())),
            Just(Callback::ConfirmDelete),
            Just(Callback::CancelDelete),
            (0..=i64::MAX, any::<u8>(), any::<u8>()).prop_map(|(u, item, choice)| {
                Callback::PickFood {
                    update: UpdateId::new(u).unwrap(),
                    item,
                    choice,
                }
            }),
            (1..=i64::MAX).prop_map(|p| Callback::DeleteProduct(SavedProductId::new(p).unwrap())),
            (0..=i64::MAX, any::<u8>(), 0..3usize).prop_map(|(u, item, a)| Callback::Meal {
                update: UpdateId::new(u).unwrap(),
                action: [
                    MealAction::LogAll,
                    MealAction::Cancel,
                    MealAction::Edit(item)
                ][a],
            }),
            (0..=i64::MAX, 0..3usize).prop_map(|(u, a)| Callback::Label {
                update: UpdateId::new(u).unwrap(),
                action: LabelAction::ALL[a],
            }),
        ]
    }

    proptest! {
        #[test]
        fn fuzz_callbacks_round_trip_and_fit_telegrams_64_bytes(callback in any_callback()) {
            let data = callback.encode();
            prop_assert!(data.len() <= Callback::MAX_BYTES, "{data}");
            prop_assert_eq!(Callback::decode(&data), Some(callback));
        }

        #[test]
        fn fuzz_decoding_never_panics_and_only_accepts_what_encode_writes(data in ".{0,80}") {
            if let Some(callback) = Callback::decode(&data) {
                prop_assert_eq!(callback.encode(), data);
            }
        }
    }

    #[test]
    fn the_longest_callbacks_fit_telegrams_limit() {
        let longest = [
            Callback::Undo(UpdateId::new(i64::MAX).unwrap()),
            Callback::ChangeGrams(FoodEntryId::new(i64::MAX).unwrap()),
            Callback::ConfirmDelete,
            Callback::CancelDelete,
            Callback::PickFood {
                update: UpdateId::new(i64::MAX).unwrap(),
                item: u8::MAX,
                choice: u8::MAX,
            },
            Callback::DeleteProduct(SavedProductId::new(i64::MAX).unwrap()),
            Callback::Label {
                update: UpdateId::new(i64::MAX).unwrap(),
                action: LabelAction::Cancel,
            },
            Callback::Meal {
                update: UpdateId::new(i64::MAX).unwrap(),
                action: MealAction::Edit(u8::MAX),
            },
        ];
        for callback in longest {
            assert!(callback.encode().len() <= Callback::MAX_BYTES);
        }
    }

    #[test]
    fn foreign_or_malformed_data_is_no_callback() {
        for data in [
            "",
            "ok",
            "undo:",
            "undo:-1",
            "undo:+1",
            "undo: 1",
            "grams:0",
            "grams:x",
            "delete:",
            "delete:maybe",
            "help",
            "undo:99999999999999999999",
            "undo:01",
            "pick:1:2",
            "pick:1:2:3:4",
            "pick:1:256:0",
            "pick:1:-1:0",
            "pick::0:0",
            "pdel:0",
            "pdel:x",
            "label:1",
            "label:1:eat",
            "label:x:log",
            "label:1:log:2",
            "meal:1:save",
            "meal:-1:log",
            "meal:1:edit",
            "meal:1:edit256",
            "meal:1:edit01",
        ] {
            assert_eq!(Callback::decode(data), None, "{data}");
        }
    }
}
