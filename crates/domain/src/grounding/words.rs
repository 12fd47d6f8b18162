//! The words the grounding check must understand, in English and Ukrainian: number words,
//! units and days. Data the reader looks words up in, not replies.

use chrono::{Datelike as _, Days, NaiveDate, Weekday};

/// A unit a number in a reply is written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureUnit {
    /// kcal, calories, ккал.
    Kcal,
    /// g, grams, г (kg are converted).
    Grams,
    /// %, percent, відсотків.
    Percent,
    /// h, hours, год.
    Hours,
    /// min, minutes, хв.
    Minutes,
    /// bpm, beats, уд/хв.
    Bpm,
    /// ms, мс.
    Ms,
    /// km, км.
    Km,
    /// °C, degrees.
    Celsius,
    /// breaths (a minute), вдихів.
    Breaths,
}

impl FigureUnit {
    /// Its name in findings and logs.
    pub fn code(self) -> &'static str {
        match self {
            FigureUnit::Kcal => "kcal",
            FigureUnit::Grams => "g",
            FigureUnit::Percent => "%",
            FigureUnit::Hours => "h",
            FigureUnit::Minutes => "min",
            FigureUnit::Bpm => "bpm",
            FigureUnit::Ms => "ms",
            FigureUnit::Km => "km",
            FigureUnit::Celsius => "°C",
            FigureUnit::Breaths => "breaths",
        }
    }
}

/// A unit word (lower case, apostrophes folded to `'`) and the factor to the unit.
pub(super) fn unit(word: &str) -> Option<(FigureUnit, f64)> {
    let found = match word {
        "kcal"
        | "kcals"
        | "kilocalories"
        | "kilocalorie"
        | "calories"
        | "calorie"
        | "cal"
        | "cals"
        | "ккал"
        | "кілокалорій"
        | "кілокалорії"
        | "калорій"
        | "калорії"
        | "калорія"
        | "калорію"
        | "кал" => FigureUnit::Kcal,
        "g" | "gr" | "gram" | "grams" | "gramme" | "grammes" | "г" | "гр" | "грам" | "грами"
        | "грамів" | "грама" => FigureUnit::Grams,
        "kg" | "kilograms" | "kilogram" | "кг" | "кілограм" | "кілограми" | "кілограмів" =>
        {
            return Some((FigureUnit::Grams, 1000.0));
        }
        "%" | "percent" | "pct" | "відсоток" | "відсотки" | "відсотків" | "відсотка"
        | "процентів" | "проценти" => FigureUnit::Percent,
        "h" | "hr" | "hrs" | "hour" | "hours" | "год" | "година" | "години" | "годин"
        | "годину" => FigureUnit::Hours,
        "min" | "mins" | "minute" | "minutes" | "хв" | "хвилина" | "хвилини" | "хвилин"
        | "хвилину" => FigureUnit::Minutes,
        "bpm" | "beats" | "уд" | "ударів" | "удари" | "удару" => FigureUnit::Bpm,
        "ms" | "millisecond" | "milliseconds" | "мс" | "мілісекунд" | "мілісекунди" => {
            FigureUnit::Ms
        }
        "km"
        | "kilometre"
        | "kilometres"
        | "kilometer"
        | "kilometers"
        | "км"
        | "кілометр"
        | "кілометри"
        | "кілометрів"
        | "кілометра" => FigureUnit::Km,
        "°" | "°c" | "°с" | "celsius" | "degrees" | "degree" | "градус" | "градуси"
        | "градусів" | "градуса" => FigureUnit::Celsius,
        "breaths" | "breath" | "вдихів" | "вдихи" | "вдих" => FigureUnit::Breaths,
        _ => return None,
    };
    Some((found, 1.0))
}

/// What a number word adds to the number being read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum NumberWord {
    /// Adds to the current group ("twenty", "п'ять", "двісті").
    Add(f64),
    /// Multiplies the current group ("hundred").
    Times(f64),
    /// Closes a group of thousands ("thousand", "тисяч").
    Thousand,
    /// "One" in any form: a number only when a unit or another number word follows ("one
    /// more thing" is not a figure).
    One,
    /// A half added ("and a half", "з половиною", "пів").
    Half,
}

const ENGLISH: [(&str, f64); 28] = [
    ("zero", 0.0),
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("eleven", 11.0),
    ("twelve", 12.0),
    ("thirteen", 13.0),
    ("fourteen", 14.0),
    ("fifteen", 15.0),
    ("sixteen", 16.0),
    ("seventeen", 17.0),
    ("eighteen", 18.0),
    ("nineteen", 19.0),
    ("twenty", 20.0),
    ("thirty", 30.0),
    ("forty", 40.0),
    ("fifty", 50.0),
    ("sixty", 60.0),
    ("seventy", 70.0),
    ("eighty", 80.0),
    ("ninety", 90.0),
    ("dozen", 12.0),
];

/// Ukrainian number words in the nominative; the genitive of those ending in `ь` ("п'яти")
/// is read too.
const UKRAINIAN: [(&str, f64); 37] = [
    ("нуль", 0.0),
    ("п'ять", 5.0),
    ("шість", 6.0),
    ("сім", 7.0),
    ("вісім", 8.0),
    ("дев'ять", 9.0),
    ("десять", 10.0),
    ("одинадцять", 11.0),
    ("дванадцять", 12.0),
    ("тринадцять", 13.0),
    ("чотирнадцять", 14.0),
    ("п'ятнадцять", 15.0),
    ("шістнадцять", 16.0),
    ("сімнадцять", 17.0),
    ("вісімнадцять", 18.0),
    ("дев'ятнадцять", 19.0),
    ("двадцять", 20.0),
    ("тридцять", 30.0),
    ("сорок", 40.0),
    ("п'ятдесят", 50.0),
    ("шістдесят", 60.0),
    ("сімдесят", 70.0),
    ("вісімдесят", 80.0),
    ("дев'яносто", 90.0),
    ("сто", 100.0),
    ("двісті", 200.0),
    ("триста", 300.0),
    ("чотириста", 400.0),
    ("п'ятсот", 500.0),
    ("шістсот", 600.0),
    ("сімсот", 700.0),
    ("вісімсот", 800.0),
    ("дев'ятсот", 900.0),
    ("сорока", 40.0),
    ("ста", 100.0),
    ("семи", 7.0),
    ("восьми", 8.0),
];

/// A number word, or `None`.
pub(super) fn number_word(word: &str) -> Option<NumberWord> {
    let add = |value| Some(NumberWord::Add(value));
    match word {
        "one" | "один" | "одна" | "одне" | "одну" | "одного" | "одній" | "одним" | "одної" =>
        {
            return Some(NumberWord::One);
        }
        "two" | "два" | "дві" | "двох" | "двом" | "двома" => return add(2.0),
        "three" | "три" | "трьох" | "трьом" | "трьома" => return add(3.0),
        "four" | "чотири" | "чотирьох" | "чотирьом" => return add(4.0),
        "hundred" | "hundreds" => return Some(NumberWord::Times(100.0)),
        "thousand" | "thousands" | "тисяча" | "тисячі" | "тисяч" | "тисячу" =>
        {
            return Some(NumberWord::Thousand);
        }
        "half" | "пів" | "половиною" => return Some(NumberWord::Half),
        "півтора" | "півтори" => return add(1.5),
        _ => {}
    }
    if let Some((_, value)) = ENGLISH.iter().find(|(w, _)| *w == word) {
        return add(*value);
    }
    UKRAINIAN
        .iter()
        .find(|(w, _)| {
            *w == word
                || w.strip_suffix('ь')
                    .is_some_and(|stem| word.strip_prefix(stem) == Some("и"))
        })
        .and_then(|(_, value)| add(*value))
}

/// Words that may join number words without ending the number ("two hundred and fifty",
/// "сім з половиною").
pub(super) fn joins_numbers(word: &str) -> bool {
    matches!(word, "and" | "a" | "з" | "із")
}

/// Words that may stand between an hours figure and its minutes ("7 h and 32 min").
pub(super) fn joins_durations(word: &str) -> bool {
    matches!(word, "and" | "і" | "й" | "та")
}

/// A day a reply speaks of, relative to the user's today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DayWord {
    /// Today.
    Today,
    /// Yesterday.
    Yesterday,
    /// The day before yesterday.
    DayBefore,
    /// Tomorrow.
    Tomorrow,
    /// The night that ended this morning: yesterday and today.
    LastNight,
    /// A day of the week: its latest occurrence (today's weekday: today or a week ago).
    Weekday(Weekday),
}

impl DayWord {
    /// The dates it may mean.
    pub(super) fn dates(self, today: NaiveDate) -> Vec<NaiveDate> {
        let back = |days| today.checked_sub_days(Days::new(days));
        let dates = match self {
            DayWord::Today => vec![Some(today)],
            DayWord::Yesterday => vec![back(1)],
            DayWord::DayBefore => vec![back(2)],
            DayWord::Tomorrow => vec![today.checked_add_days(Days::new(1))],
            DayWord::LastNight => vec![back(1), Some(today)],
            DayWord::Weekday(day) => {
                let ago =
                    (7 + today.weekday().num_days_from_monday() - day.num_days_from_monday()) % 7;
                if ago == 0 {
                    vec![Some(today), back(7)]
                } else {
                    vec![back(u64::from(ago))]
                }
            }
        };
        dates.into_iter().flatten().collect()
    }
}

/// A single word naming a day.
pub(super) fn day_word(word: &str) -> Option<DayWord> {
    if word.starts_with("сьогодн") {
        return Some(DayWord::Today);
    }
    if word.starts_with("вчора") || word.starts_with("учора") {
        return Some(DayWord::Yesterday);
    }
    let day = match word {
        "today" | "tonight" | "today's" => DayWord::Today,
        "yesterday" | "yesterday's" => DayWord::Yesterday,
        "позавчора" => DayWord::DayBefore,
        "tomorrow" | "tomorrow's" | "завтра" => DayWord::Tomorrow,
        "overnight" | "вночі" | "уночі" => DayWord::LastNight,
        _ => return weekday(word).map(DayWord::Weekday),
    };
    Some(day)
}

/// Two words naming a day ("last night", "минулої ночі").
pub(super) fn day_phrase(first: &str, second: &str) -> Option<DayWord> {
    match (first, second) {
        ("last", "night") | ("минулої", "ночі") | ("цієї", "ночі") | ("this", "morning") => {
            Some(if second == "morning" {
                DayWord::Today
            } else {
                DayWord::LastNight
            })
        }
        _ => None,
    }
}

fn weekday(word: &str) -> Option<Weekday> {
    let day = match word {
        "monday" | "понеділок" | "понеділка" | "понеділку" => {
            Weekday::Mon
        }
        "tuesday" | "вівторок" | "вівторка" | "вівторку" => Weekday::Tue,
        "wednesday" | "середа" | "середу" | "середи" => Weekday::Wed,
        "thursday" | "четвер" | "четверга" | "четвергу" => Weekday::Thu,
        "friday" | "п'ятниця" | "п'ятницю" | "п'ятниці" => Weekday::Fri,
        "saturday" | "субота" | "суботу" | "суботи" => Weekday::Sat,
        "sunday" | "неділя" | "неділю" | "неділі" => Weekday::Sun,
        _ => return None,
    };
    Some(day)
}

/// A month's number from its name ("december", "dec", "грудня").
pub(super) fn month(word: &str) -> Option<u32> {
    const MONTHS: [(&str, &str, &str); 12] = [
        ("january", "jan", "січня"),
        ("february", "feb", "лютого"),
        ("march", "mar", "березня"),
        ("april", "apr", "квітня"),
        ("may", "may", "травня"),
        ("june", "jun", "червня"),
        ("july", "jul", "липня"),
        ("august", "aug", "серпня"),
        ("september", "sep", "вересня"),
        ("october", "oct", "жовтня"),
        ("november", "nov", "листопада"),
        ("december", "dec", "грудня"),
    ];
    MONTHS
        .iter()
        .position(|(long, short, uk)| word == *long || word == *short || word == *uk)
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// The latest date on or before `today` with this day and month (a date a reply names
/// without a year is a past one).
pub(super) fn day_of_month(today: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let this_year = NaiveDate::from_ymd_opt(today.year(), month, day);
    match this_year {
        Some(date) if date <= today => Some(date),
        _ => NaiveDate::from_ymd_opt(today.year() - 1, month, day),
    }
}

/// "am"/"pm" after a clock time.
pub(super) fn half_of_day(word: &str) -> Option<bool> {
    match word {
        "am" | "a.m" => Some(false),
        "pm" | "p.m" => Some(true),
        _ => None,
    }
}
