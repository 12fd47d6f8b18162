//! Dates, durations and times as the bot writes them.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use wellness_domain::model::Locale;

use crate::bundle::{Texts, text};

impl Texts {
    /// "14 May" / "14 травня".
    pub fn day_and_month(&self, locale: Locale, date: NaiveDate) -> String {
        let month = match date.month() {
            1 => self.plain(locale, "month-1"),
            2 => self.plain(locale, "month-2"),
            3 => self.plain(locale, "month-3"),
            4 => self.plain(locale, "month-4"),
            5 => self.plain(locale, "month-5"),
            6 => self.plain(locale, "month-6"),
            7 => self.plain(locale, "month-7"),
            8 => self.plain(locale, "month-8"),
            9 => self.plain(locale, "month-9"),
            10 => self.plain(locale, "month-10"),
            11 => self.plain(locale, "month-11"),
            _ => self.plain(locale, "month-12"),
        };
        self.t(
            locale,
            "day-and-month",
            &[text("day", date.day().to_string()), text("month", month)],
        )
    }

    /// "7 h 36 min" / "7 год 36 хв" (negative durations read as zero).
    pub fn duration(&self, locale: Locale, d: Duration) -> String {
        let minutes = d.num_minutes().max(0);
        self.t(
            locale,
            "duration",
            &[
                text("hours", (minutes / 60).to_string()),
                text("minutes", format!("{:02}", minutes % 60)),
            ],
        )
    }
}

/// "07:30".
pub(crate) fn clock(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}
