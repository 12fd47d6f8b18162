//! Reading a reply for what it claims: per sentence, its figures (digits or number words,
//! with their units), the days it names and the times of day it states.

use chrono::NaiveDate;

use super::words::{self, DayWord, FigureUnit, NumberWord};

/// A figure as written: its value in the unit, the decimals it was written with, the unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Figure {
    /// The value, in `unit` (kilograms already in grams; "7 h 32 min" already in minutes).
    pub value: f64,
    /// Decimals written ("7.5": 1); what rounding it may carry.
    pub decimals: u32,
    /// The unit after it, when there is one.
    pub unit: Option<FigureUnit>,
}

/// What one sentence claims.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Sentence {
    /// Its figures.
    pub figures: Vec<Figure>,
    /// The days it names, each as the dates it may mean.
    pub days: Vec<Vec<NaiveDate>>,
    /// Times of day it states, in minutes after midnight.
    pub clocks: Vec<u32>,
}

/// A piece of the text.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A word, lower case, apostrophes as `'`; `%` and `°` are words too.
    Word(String),
    /// A number in digits.
    Number { value: f64, decimals: u32 },
    /// `HH:MM`.
    Clock(u32),
    /// `YYYY-MM-DD`.
    Date(NaiveDate),
    /// Punctuation inside a sentence (a comma, a dash, a bullet).
    Break,
    /// The end of a sentence.
    End,
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`' | '‘')
}

/// Digits from `i`, and where they end.
fn digits(chars: &[char], i: usize) -> (String, usize) {
    let end = chars[i..]
        .iter()
        .position(|c| !c.is_ascii_digit())
        .map_or(chars.len(), |n| i + n);
    (chars[i..end].iter().collect(), end)
}

/// Exactly three digits at `i` that no further digit follows (a thousands group).
fn group_of_three(chars: &[char], i: usize) -> bool {
    let (group, end) = digits(chars, i);
    group.len() == 3 && !chars.get(end).is_some_and(char::is_ascii_digit)
}

/// A number starting at `i`: "1,834", "1 834", "7.5", "7,5", "23:10", "2026-12-05".
fn number(chars: &[char], i: usize) -> (Token, usize) {
    let (mut whole, mut end) = digits(chars, i);
    if let (Some(':'), true) = (chars.get(end), whole.len() <= 2) {
        let (minutes, after) = digits(chars, end + 1);
        if let (Ok(h), Ok(m), 2) = (whole.parse::<u32>(), minutes.parse::<u32>(), minutes.len())
            && h < 24
            && m < 60
        {
            return (Token::Clock(h * 60 + m), after);
        }
    }
    if whole.len() == 4
        && chars.get(end) == Some(&'-')
        && let Some(date) = iso_date(chars, i)
    {
        return (Token::Date(date), i + 10);
    }
    // Thousands groups: "1,834", "1 834" (a space, a no-break or a narrow no-break space).
    while whole.len() <= 6
        && matches!(chars.get(end), Some(',' | ' ' | '\u{a0}' | '\u{202f}'))
        && group_of_three(chars, end + 1)
    {
        let (group, after) = digits(chars, end + 1);
        whole.push_str(&group);
        end = after;
    }
    let mut decimals = 0;
    let mut text = whole;
    if matches!(chars.get(end), Some('.' | ','))
        && chars.get(end + 1).is_some_and(char::is_ascii_digit)
    {
        let (fraction, after) = digits(chars, end + 1);
        decimals = u32::try_from(fraction.len()).unwrap_or(u32::MAX);
        text = format!("{text}.{fraction}");
        end = after;
    }
    let value = text.parse::<f64>().unwrap_or(f64::NAN);
    (Token::Number { value, decimals }, end)
}

fn iso_date(chars: &[char], i: usize) -> Option<NaiveDate> {
    let text: String = chars.get(i..i + 10)?.iter().collect();
    let date = NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok()?;
    (!chars.get(i + 10).is_some_and(char::is_ascii_digit)).then_some(date)
}

/// A list marker: a number at the start of a line followed by `.` or `)` and a space.
fn list_marker(chars: &[char], i: usize) -> Option<usize> {
    let line_start = chars[..i]
        .iter()
        .rev()
        .take_while(|c| **c != '\n')
        .all(|c| c.is_whitespace());
    let (_, end) = digits(chars, i);
    (line_start
        && end - i <= 2
        && matches!(chars.get(end), Some('.' | ')'))
        && chars.get(end + 1).is_none_or(|c| c.is_whitespace()))
    .then_some(end + 1)
}

/// Whether a `.` at `i` ends a sentence (not "a.m", not "7.5").
fn ends_sentence(chars: &[char], i: usize) -> bool {
    chars
        .get(i + 1)
        .is_none_or(|c| c.is_whitespace() || *c == '"' || *c == '»')
}

fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            if let Some(after) = list_marker(&chars, i) {
                i = after;
                continue;
            }
            let (token, end) = number(&chars, i);
            out.push(token);
            i = end;
        } else if c.is_alphabetic() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphabetic()
                    || (is_apostrophe(chars[i])
                        && chars.get(i + 1).is_some_and(|c| c.is_alphabetic())))
            {
                i += 1;
            }
            let word: String = chars[start..i]
                .iter()
                .map(|c| if is_apostrophe(*c) { '\'' } else { *c })
                .collect::<String>()
                .to_lowercase();
            out.push(Token::Word(word));
        } else {
            i += 1;
            match c {
                '%' => out.push(Token::Word("%".to_owned())),
                '°' if chars
                    .get(i)
                    .is_some_and(|c| matches!(c, 'C' | 'c' | 'С' | 'с')) =>
                {
                    i += 1;
                    out.push(Token::Word("°c".to_owned()));
                }
                '°' => out.push(Token::Word("°".to_owned())),
                '!' | '?' | ';' | '\n' => out.push(Token::End),
                '.' if ends_sentence(&chars, i - 1) => out.push(Token::End),
                '.' => {}
                c if c.is_whitespace() => {}
                _ => out.push(Token::Break),
            }
        }
    }
    out
}

/// Reads a run of number words starting at `i`: its value and where it ends, or `None`.
fn number_words(tokens: &[Token], i: usize) -> Option<(f64, u32, usize)> {
    let mut total = 0.0;
    let mut group: f64 = 0.0;
    let mut seen = 0;
    let mut only_one = true;
    let mut half = false;
    let mut j = i;
    while let Some(Token::Word(word)) = tokens.get(j) {
        let read = match words::number_word(word) {
            Some(read) => read,
            // "and", "a", "з" continue a number only when a number word follows.
            None if seen > 0 && words::joins_numbers(word) => {
                // Past the joining words ("and a half"), a number word must follow.
                let after = tokens[j..]
                    .iter()
                    .position(|t| !matches!(t, Token::Word(w) if words::joins_numbers(w)))
                    .map_or(tokens.len(), |n| j + n);
                match tokens.get(after) {
                    Some(Token::Word(next)) if words::number_word(next).is_some() => {
                        j = after;
                        continue;
                    }
                    _ => break,
                }
            }
            None => break,
        };
        match read {
            NumberWord::One => group += 1.0,
            NumberWord::Add(value) => {
                group += value;
                only_one = false;
            }
            NumberWord::Times(factor) => {
                group = group.max(1.0) * factor;
                only_one = false;
            }
            NumberWord::Thousand => {
                total += group.max(1.0) * 1000.0;
                group = 0.0;
                only_one = false;
            }
            NumberWord::Half => {
                half = true;
                only_one = false;
            }
        }
        seen += 1;
        j += 1;
    }
    if seen == 0 {
        return None;
    }
    let mut value = total + group;
    if half {
        value += 0.5;
    }
    // A lone "one" is a figure only before a unit ("one hour"), not in "one more thing".
    let unit_follows = matches!(tokens.get(j), Some(Token::Word(w)) if words::unit(w).is_some());
    if only_one && !unit_follows {
        return Some((f64::NAN, 0, j));
    }
    Some((value, u32::from(half), j))
}

/// The reader's place in one sentence.
#[derive(Default)]
struct Reader {
    sentence: Sentence,
    /// The index in `figures` of an hours figure that minutes may still complete, and the
    /// token after it.
    open_hours: Option<(usize, usize)>,
}

impl Reader {
    fn figure(
        &mut self,
        tokens: &[Token],
        start: usize,
        value: f64,
        decimals: u32,
        end: usize,
    ) -> usize {
        let (unit, factor, after) = match tokens.get(end) {
            Some(Token::Word(w)) => match words::unit(w) {
                Some((unit, factor)) => (Some(unit), factor, end + 1),
                None => (None, 1.0, end),
            },
            _ => (None, 1.0, end),
        };
        let figure = Figure {
            value: value * factor,
            decimals,
            unit,
        };
        if unit == Some(FigureUnit::Minutes)
            && let Some((index, next)) = self.open_hours.take()
            && tokens[next..start]
                .iter()
                .all(|t| matches!(t, Token::Word(w) if words::joins_durations(w)))
            && let Some(hours) = self.sentence.figures.get_mut(index)
        {
            hours.value = hours.value * 60.0 + figure.value;
            hours.unit = Some(FigureUnit::Minutes);
            hours.decimals = 0;
            return after;
        }
        if unit == Some(FigureUnit::Hours) {
            self.open_hours = Some((self.sentence.figures.len(), after));
        }
        self.sentence.figures.push(figure);
        after
    }
}

/// Reads the sentences of a reply, `today` being the user's date.
pub(super) fn sentences(text: &str, today: NaiveDate) -> Vec<Sentence> {
    let tokens = tokens(text);
    let mut out = Vec::new();
    let mut reader = Reader::default();
    let mut i = 0;
    while i < tokens.len() {
        i = match &tokens[i] {
            Token::End => {
                out.push(std::mem::take(&mut reader).sentence);
                i + 1
            }
            Token::Break => i + 1,
            Token::Clock(minutes) => {
                let minutes = *minutes;
                let (clock, after) = with_half_of_day(&tokens, i + 1, minutes);
                reader.sentence.clocks.push(clock);
                after
            }
            Token::Date(date) => {
                reader.sentence.days.push(vec![*date]);
                i + 1
            }
            Token::Number { value, decimals } => {
                number_token(&mut reader, &tokens, i, *value, *decimals, today)
            }
            Token::Word(word) => word_token(&mut reader, &tokens, i, word, today),
        };
    }
    out.push(reader.sentence);
    out.retain(|s| !(s.figures.is_empty() && s.days.is_empty() && s.clocks.is_empty()));
    out
}

/// A clock time, made a 24-hour one by a following "am"/"pm".
fn with_half_of_day(tokens: &[Token], next: usize, minutes: u32) -> (u32, usize) {
    match tokens.get(next) {
        Some(Token::Word(w)) => match words::half_of_day(w) {
            Some(pm) => {
                let hour = (minutes / 60) % 12 + if pm { 12 } else { 0 };
                (hour * 60 + minutes % 60, next + 1)
            }
            None => (minutes, next),
        },
        _ => (minutes, next),
    }
}

fn number_token(
    reader: &mut Reader,
    tokens: &[Token],
    i: usize,
    value: f64,
    decimals: u32,
    today: NaiveDate,
) -> usize {
    let next = tokens.get(i + 1);
    if let Some(Token::Word(w)) = next {
        // "5 December", "5 грудня" (and a year after it).
        if let Some(month) = words::month(w)
            && decimals == 0
            && let Some(date) = whole(value).and_then(|d| words::day_of_month(today, month, d))
        {
            reader.sentence.days.push(vec![date]);
            return skip_year(tokens, i + 2);
        }
        // "7 pm", "11am".
        if let (Some(pm), Some(hour)) = (words::half_of_day(w), whole(value))
            && decimals == 0
            && (1..=12).contains(&hour)
        {
            reader
                .sentence
                .clocks
                .push((hour % 12 + if pm { 12 } else { 0 }) * 60);
            return i + 2;
        }
    }
    reader.figure(tokens, i, value, decimals, i + 1)
}

fn word_token(
    reader: &mut Reader,
    tokens: &[Token],
    i: usize,
    word: &str,
    today: NaiveDate,
) -> usize {
    let next_word = match tokens.get(i + 1) {
        Some(Token::Word(w)) => Some(w.as_str()),
        _ => None,
    };
    if let Some(day) = next_word.and_then(|next| words::day_phrase(word, next)) {
        reader.sentence.days.push(day.dates(today));
        return i + 2;
    }
    if word == "day"
        && next_word == Some("before")
        && matches!(tokens.get(i + 2), Some(Token::Word(w)) if w == "yesterday")
    {
        reader.sentence.days.push(DayWord::DayBefore.dates(today));
        return i + 3;
    }
    if let Some(day) = words::day_word(word) {
        reader.sentence.days.push(day.dates(today));
        return i + 1;
    }
    // "December 5" (not "may": a verb far more often than a month).
    if word != "may"
        && let Some(month) = words::month(word)
        && let Some(Token::Number { value, decimals: 0 }) = tokens.get(i + 1)
        && let Some(date) = whole(*value).and_then(|d| words::day_of_month(today, month, d))
    {
        reader.sentence.days.push(vec![date]);
        return skip_year(tokens, i + 2);
    }
    match number_words(tokens, i) {
        Some((value, _, end)) if value.is_nan() => end,
        Some((value, decimals, end)) => reader.figure(tokens, i, value, decimals, end),
        None => i + 1,
    }
}

/// Past a year that follows a date ("5 December 2026").
fn skip_year(tokens: &[Token], i: usize) -> usize {
    match tokens.get(i) {
        Some(Token::Number { value, decimals: 0 }) if (1900.0..=2100.0).contains(value) => i + 1,
        _ => i,
    }
}

/// A whole number between 1 and 31 as a day of a month, or an hour.
fn whole(value: f64) -> Option<u32> {
    (value.fract() == 0.0 && (1.0..=31.0).contains(&value)).then_some(value as u32)
}

/// The text with every digit masked, for a log that must not carry the user's figures.
pub(super) fn masked(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}
