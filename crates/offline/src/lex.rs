//! The words and numbers of a message: digits ("2", "2,5", "1/2"), number words ("два",
//! "half", "a"), words as typed and folded, list separators and a question mark.

use crate::text::fold_word;

/// Messages longer than this are read only this far (Telegram allows 4096 characters).
const MAX_CHARS: usize = 4096;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    /// A number: digits (`digits` > 0) or a number word (`digits` == 0).
    Num {
        value: f64,
        digits: usize,
        /// "a"/"an": a count of one only when nothing else is said.
        article: bool,
        /// A half word ("half", "пів"), for "one and a half".
        half: bool,
    },
    /// A word: as typed and folded.
    Word { raw: String, norm: String },
    /// A list separator: `,` `;` `+` `&` or a line break.
    Sep,
}

fn number_word(norm: &str) -> Option<(f64, bool)> {
    Some(match norm {
        "один" | "одна" | "одне" | "одну" | "одного" | "одної" | "one" => {
            (1.0, false)
        }
        "два" | "дві" | "двоє" | "двох" | "two" => (2.0, false),
        "три" | "троє" | "трьох" | "three" => (3.0, false),
        "чотири" | "четверо" | "four" => (4.0, false),
        "пять" | "five" => (5.0, false),
        "шість" | "six" => (6.0, false),
        "сім" | "seven" => (7.0, false),
        "вісім" | "eight" => (8.0, false),
        "девять" | "nine" => (9.0, false),
        "десять" | "ten" => (10.0, false),
        "eleven" => (11.0, false),
        "twelve" | "dozen" | "дюжина" | "дюжину" => (12.0, false),
        "couple" | "пара" | "пару" | "парочка" | "парочку" => (2.0, false),
        "півтора" | "півтори" => (1.5, false),
        "half"
        | "пів"
        | "половина"
        | "половину"
        | "половинка"
        | "половинку"
        | "половиною"
        | "половинкою" => (0.5, true),
        _ => return None,
    })
}

pub(crate) fn lex(text: &str) -> (Vec<Token>, bool) {
    let chars: Vec<char> = text.chars().take(MAX_CHARS).collect();
    let mut tokens = Vec::new();
    let mut question = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            if let Some(number) = lex_number(&chars, &mut i) {
                tokens.push(number);
            }
        } else if c.is_alphabetic() {
            tokens.push(lex_word(&chars, &mut i));
        } else {
            match c {
                '½' => tokens.push(half_token()),
                '¼' | '¾' => tokens.push(Token::Num {
                    value: if c == '¼' { 0.25 } else { 0.75 },
                    digits: 0,
                    article: false,
                    half: false,
                }),
                ',' | ';' | '+' | '&' | '\n' => tokens.push(Token::Sep),
                '?' => question = true,
                _ => {}
            }
            i += 1;
        }
    }
    (tokens, question)
}

/// Advances `i` over the digits at `i` (`2`, `2.5`, `2,5`, `1/2`, `-3`); `None` for a fat
/// content ("молоко 2,5%", "кефір 1%"), which is not an amount.
fn lex_number(chars: &[char], i: &mut usize) -> Option<Token> {
    let digits_from = |i: &mut usize| {
        let from = *i;
        while *i < chars.len() && chars[*i].is_ascii_digit() {
            *i += 1;
        }
        from
    };
    let start = *i;
    let negative =
        start > 0 && chars[start - 1] == '-' && (start < 2 || !chars[start - 2].is_alphanumeric());
    digits_from(i);
    let digits = *i - start;
    let mut literal: String = chars[start..*i].iter().collect();
    if *i + 1 < chars.len() && matches!(chars[*i], '.' | ',') && chars[*i + 1].is_ascii_digit() {
        literal.push('.');
        *i += 1;
        let from = digits_from(i);
        literal.extend(&chars[from..*i]);
    }
    let mut value: f64 = literal.parse().unwrap_or(f64::NAN);
    if *i + 1 < chars.len() && chars[*i] == '/' && chars[*i + 1].is_ascii_digit() {
        *i += 1;
        let from = digits_from(i);
        let divisor: f64 = chars[from..*i]
            .iter()
            .collect::<String>()
            .parse()
            .unwrap_or(f64::NAN);
        value /= divisor;
    }
    if negative {
        value = -value;
    }
    if chars.get(*i).is_some_and(|c| *c == '%')
        || (chars.get(*i) == Some(&' ') && chars.get(*i + 1) == Some(&'%'))
    {
        return None;
    }
    Some(Token::Num {
        value,
        digits,
        article: false,
        half: false,
    })
}

/// Advances `i` over the word at `i` (apostrophes inside it included): a number word
/// ("два", "half", "a") or a word.
fn lex_word(chars: &[char], i: &mut usize) -> Token {
    let start = *i;
    while *i < chars.len()
        && (chars[*i].is_alphabetic()
            || (matches!(chars[*i], '\'' | '’' | 'ʼ' | '`')
                && *i + 1 < chars.len()
                && chars[*i + 1].is_alphabetic()))
    {
        *i += 1;
    }
    let raw: String = chars[start..*i].iter().collect();
    let norm = fold_word(&raw);
    match (norm.as_str(), number_word(&norm)) {
        ("a" | "an", _) => Token::Num {
            value: 1.0,
            digits: 0,
            article: true,
            half: false,
        },
        (_, Some((value, half))) => Token::Num {
            value,
            digits: 0,
            article: false,
            half,
        },
        _ => Token::Word { raw, norm },
    }
}

pub(crate) fn half_token() -> Token {
    Token::Num {
        value: 0.5,
        digits: 0,
        article: false,
        half: true,
    }
}

pub(crate) fn word(token: &Token) -> Option<&str> {
    match token {
        Token::Word { norm, .. } => Some(norm),
        _ => None,
    }
}
