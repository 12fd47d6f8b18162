use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{BriefingTimes, CalorieGoal, TelegramUserId, UserId, UserTimeZone};

/// The language the bot speaks with a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// Ukrainian.
    Uk,
    /// English, for everyone else.
    #[default]
    En,
}

impl Locale {
    /// Telegram's `language_code` "uk" (or "uk-UA") means Ukrainian; anything else English.
    pub fn from_language_code(code: Option<&str>) -> Self {
        match code {
            Some(c)
                if c.eq_ignore_ascii_case("uk") || c.to_ascii_lowercase().starts_with("uk-") =>
            {
                Locale::Uk
            }
            _ => Locale::En,
        }
    }

    /// The two-letter code used in storage.
    pub fn code(self) -> &'static str {
        match self {
            Locale::Uk => "uk",
            Locale::En => "en",
        }
    }

    /// Parses the storage code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "uk" => Some(Locale::Uk),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// The other language, for /language.
    pub fn other(self) -> Self {
        match self {
            Locale::Uk => Locale::En,
            Locale::En => Locale::Uk,
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A person using the bot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// Our key.
    pub id: UserId,
    /// Their Telegram account.
    pub telegram_id: TelegramUserId,
    /// The first name Telegram gave us.
    pub first_name: String,
    /// The language the bot speaks with them.
    pub locale: Locale,
    /// Their time zone: every "today" is computed in it.
    pub time_zone: UserTimeZone,
    /// Their daily calorie goal.
    pub calorie_goal: CalorieGoal,
    /// When briefings arrive, local time.
    pub briefing_times: BriefingTimes,
    /// Whether briefings are sent at all.
    pub briefings_enabled: bool,
    /// When they first wrote to the bot.
    pub created_at: DateTime<Utc>,
}

/// What we learn of a person from their first message; everything else starts at its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Their Telegram account.
    pub telegram_id: TelegramUserId,
    /// Their first name.
    pub first_name: String,
    /// From Telegram's language_code.
    pub locale: Locale,
}

/// One change to a user's settings.
#[derive(Debug, Clone, PartialEq)]
pub enum UserSettingChange {
    /// A new daily calorie goal.
    CalorieGoal(CalorieGoal),
    /// A new time zone.
    TimeZone(UserTimeZone),
    /// A new language.
    Locale(Locale),
    /// New briefing times.
    BriefingTimes(BriefingTimes),
    /// Briefings on or off.
    BriefingsEnabled(bool),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ukrainian_language_codes_map_to_ukrainian_and_the_rest_to_english() {
        assert_eq!(Locale::from_language_code(Some("uk")), Locale::Uk);
        assert_eq!(Locale::from_language_code(Some("uk-UA")), Locale::Uk);
        assert_eq!(Locale::from_language_code(Some("en-GB")), Locale::En);
        assert_eq!(Locale::from_language_code(Some("ru")), Locale::En);
        assert_eq!(Locale::from_language_code(None), Locale::En);
    }
}
