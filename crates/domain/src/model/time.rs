use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone as _, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A name that is not in the IANA time zone database.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown time zone {0:?}: use an IANA name such as Europe/Kyiv")]
pub struct UnknownTimeZone(pub String);

/// A user's IANA time zone. Defaults to Europe/Kyiv.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserTimeZone(Tz);

impl UserTimeZone {
    /// Kyiv, where the product started.
    pub const DEFAULT: UserTimeZone = UserTimeZone(Tz::Europe__Kyiv);

    /// Parses an IANA name ("Europe/Kyiv", "America/New_York"); the old "Europe/Kiev" works too.
    pub fn parse(name: &str) -> Result<Self, UnknownTimeZone> {
        Tz::from_str(name.trim())
            .map(Self)
            .map_err(|_| UnknownTimeZone(name.to_owned()))
    }

    /// The chrono-tz zone.
    pub fn tz(self) -> Tz {
        self.0
    }

    /// The IANA name.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The wall-clock date and time of an instant in this zone.
    pub fn local(self, instant: DateTime<Utc>) -> DateTime<Tz> {
        instant.with_timezone(&self.0)
    }
}

impl Default for UserTimeZone {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TryFrom<String> for UserTimeZone {
    type Error = UnknownTimeZone;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<UserTimeZone> for String {
    fn from(zone: UserTimeZone) -> String {
        zone.name().to_owned()
    }
}

impl fmt::Display for UserTimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A calendar day as the user lives it: always computed in the user's time zone, never in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LocalDate(NaiveDate);

impl LocalDate {
    /// The user's calendar day at an instant.
    pub fn of(instant: DateTime<Utc>, zone: UserTimeZone) -> Self {
        Self(zone.local(instant).date_naive())
    }

    /// A day read back from storage or named explicitly by the user ("yesterday" resolved by the caller).
    pub fn from_calendar(date: NaiveDate) -> Self {
        Self(date)
    }

    /// The calendar date.
    pub fn date(self) -> NaiveDate {
        self.0
    }

    /// The day before.
    pub fn previous(self) -> Self {
        Self(self.0.pred_opt().unwrap_or(self.0))
    }

    /// The instants `[start, end)` this day spans in `zone` (23 or 25 hours across DST changes).
    pub fn bounds(self, zone: UserTimeZone) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = local_midnight(self.0, zone);
        let end = self
            .0
            .succ_opt()
            .map(|next| local_midnight(next, zone))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        (start, end)
    }

    /// FatSecret's `date_int`: days since 1970-01-01.
    pub fn days_since_epoch(self) -> i64 {
        (self.0 - NaiveDate::default()).num_days()
    }
}

impl fmt::Display for LocalDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.format("%Y-%m-%d").fmt(f)
    }
}

/// The first instant of a calendar day in a zone. Where midnight does not exist (a DST jump at
/// 00:00, as in some zones), the day starts at the first instant that does.
fn local_midnight(date: NaiveDate, zone: UserTimeZone) -> DateTime<Utc> {
    let mut time = date.and_time(NaiveTime::MIN);
    for _ in 0..4 {
        if let Some(instant) = zone.tz().from_local_datetime(&time).earliest() {
            return instant.with_timezone(&Utc);
        }
        time += chrono::Duration::minutes(30);
    }
    time.and_utc()
}

/// When a user gets the morning briefing and the evening summary, in local wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BriefingTimes {
    /// Morning briefing time (default 08:00).
    pub morning: NaiveTime,
    /// Evening summary time (default 21:00).
    pub evening: NaiveTime,
}

/// Briefing times were not two valid HH:MM times with the morning before the evening.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InvalidBriefingTimes {
    /// A time did not read as HH:MM.
    #[error("{0:?} is not a time in HH:MM")]
    NotATime(String),
    /// The morning time was not before the evening time.
    #[error("the morning time must come before the evening time")]
    MorningNotBeforeEvening,
}

impl BriefingTimes {
    /// Builds the pair, requiring the morning before the evening.
    pub fn new(morning: NaiveTime, evening: NaiveTime) -> Result<Self, InvalidBriefingTimes> {
        if morning < evening {
            Ok(Self { morning, evening })
        } else {
            Err(InvalidBriefingTimes::MorningNotBeforeEvening)
        }
    }

    /// Parses "07:30" and "22:00".
    pub fn parse(morning: &str, evening: &str) -> Result<Self, InvalidBriefingTimes> {
        let parse = |s: &str| {
            NaiveTime::parse_from_str(s.trim(), "%H:%M")
                .map_err(|_| InvalidBriefingTimes::NotATime(s.to_owned()))
        };
        Self::new(parse(morning)?, parse(evening)?)
    }
}

impl Default for BriefingTimes {
    fn default() -> Self {
        Self {
            morning: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN),
            evening: NaiveTime::from_hms_opt(21, 0, 0).unwrap_or(NaiveTime::MIN),
        }
    }
}

/// The UTC offset a wearable record was made at ("-05:00", "+03:00", "Z").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RecordedOffset(FixedOffset);

/// An offset that is not "Z" or "+hh:mm"/"-hh:mm".
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0:?} is not a UTC offset like +03:00 or Z")]
pub struct InvalidOffset(pub String);

impl RecordedOffset {
    /// Parses "Z", "+hh:mm", "-hh:mm" (and "+hhmm").
    pub fn parse(text: &str) -> Result<Self, InvalidOffset> {
        let err = || InvalidOffset(text.to_owned());
        let t = text.trim();
        if t == "Z" || t == "z" {
            return Ok(Self(FixedOffset::east_opt(0).ok_or_else(err)?));
        }
        let (sign, rest) = match t.as_bytes().first() {
            Some(b'+') => (1, &t[1..]),
            Some(b'-') => (-1, &t[1..]),
            _ => return Err(err()),
        };
        let digits: String = rest.chars().filter(|c| *c != ':').collect();
        if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(err());
        }
        let hours: i32 = digits[..2].parse().map_err(|_| err())?;
        let minutes: i32 = digits[2..].parse().map_err(|_| err())?;
        if hours > 14 || minutes > 59 {
            return Err(err());
        }
        FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
            .map(Self)
            .ok_or_else(err)
    }

    /// The offset.
    pub fn offset(self) -> FixedOffset {
        self.0
    }
}

impl TryFrom<String> for RecordedOffset {
    type Error = InvalidOffset;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RecordedOffset> for String {
    fn from(offset: RecordedOffset) -> String {
        offset.to_string()
    }
}

impl fmt::Display for RecordedOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.local_minus_utc();
        let sign = if secs < 0 { '-' } else { '+' };
        let secs = secs.abs();
        write!(f, "{sign}{:02}:{:02}", secs / 3600, (secs % 3600) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn local_date_is_computed_in_the_users_zone_not_utc() {
        let late_evening_utc = utc("2026-03-10T22:30:00Z");
        assert_eq!(
            LocalDate::of(late_evening_utc, UserTimeZone::DEFAULT).to_string(),
            "2026-03-11",
            "00:30 in Kyiv is already the next day"
        );
        let ny = UserTimeZone::parse("America/New_York").unwrap_or_default();
        assert_eq!(
            LocalDate::of(late_evening_utc, ny).to_string(),
            "2026-03-10"
        );
    }

    #[test]
    fn a_day_spans_23_hours_when_the_clocks_go_forward() {
        // Kyiv moved to summer time on 2026-03-29.
        let day =
            LocalDate::from_calendar(NaiveDate::from_ymd_opt(2026, 3, 29).unwrap_or_default());
        let (start, end) = day.bounds(UserTimeZone::DEFAULT);
        assert_eq!(start, utc("2026-03-28T22:00:00Z"));
        assert_eq!(end, utc("2026-03-29T21:00:00Z"));
        assert_eq!((end - start).num_hours(), 23);
    }

    #[test]
    fn time_zones_are_validated_iana_names() {
        assert!(UserTimeZone::parse("Europe/Kyiv").is_ok());
        assert!(UserTimeZone::parse("Europe/Kiev").is_ok());
        assert!(UserTimeZone::parse("Mars/Olympus").is_err());
        assert!(UserTimeZone::parse("").is_err());
    }

    #[test]
    fn briefing_times_default_to_8_and_21_and_must_be_ordered() {
        let d = BriefingTimes::default();
        assert_eq!(d.morning.to_string(), "08:00:00");
        assert_eq!(d.evening.to_string(), "21:00:00");
        assert!(BriefingTimes::parse("07:30", "22:00").is_ok());
        assert_eq!(
            BriefingTimes::parse("22:00", "07:30"),
            Err(InvalidBriefingTimes::MorningNotBeforeEvening)
        );
        assert!(matches!(
            BriefingTimes::parse("7h", "22:00"),
            Err(InvalidBriefingTimes::NotATime(_))
        ));
    }

    #[test]
    fn recorded_offsets_round_trip() {
        for (input, shown) in [("-05:00", "-05:00"), ("Z", "+00:00"), ("+0330", "+03:30")] {
            assert_eq!(
                RecordedOffset::parse(input)
                    .map(|o| o.to_string())
                    .as_deref(),
                Ok(shown)
            );
        }
        assert!(RecordedOffset::parse("05:00").is_err());
        assert!(RecordedOffset::parse("+25:00").is_err());
    }

    #[test]
    fn fatsecret_date_int_counts_days_since_epoch() {
        let day = LocalDate::from_calendar(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default());
        assert_eq!(day.days_since_epoch(), 20454);
    }
}
