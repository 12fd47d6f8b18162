//! Text folding, stemming and fuzzy comparison shared by the catalogue and the parser.

/// Latin letters people type by mistake inside Cyrillic words (a keyboard left on English).
fn cyrillic_lookalike(c: char) -> Option<char> {
    Some(match c {
        'a' => 'а',
        'c' => 'с',
        'e' => 'е',
        'i' => 'і',
        'o' => 'о',
        'p' => 'р',
        'x' => 'х',
        'y' => 'у',
        'k' => 'к',
        _ => return None,
    })
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`' | '‘' | '′')
}

/// Folds one word: lower case, apostrophes dropped ("м'ясо" = "мясо"), Russian-keyboard and
/// look-alike letters mapped to Ukrainian ones (ё→е, ы→и, э→е, ґ→г, Latin "i" inside a Cyrillic
/// word → "і").
pub(crate) fn fold_word(word: &str) -> String {
    let lower: Vec<char> = word
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !is_apostrophe(*c))
        .collect();
    let cyrillic = lower.iter().any(|c| is_cyrillic(*c));
    lower
        .into_iter()
        .filter_map(|c| match c {
            'ё' | 'э' => Some('е'),
            'ы' => Some('и'),
            'ґ' => Some('г'),
            'ъ' => None,
            c if cyrillic => Some(cyrillic_lookalike(c).unwrap_or(c)),
            c => Some(c),
        })
        .collect()
}

/// Splits a phrase into folded words: anything but letters and digits separates words.
pub(crate) fn fold_words(phrase: &str) -> Vec<String> {
    phrase
        .split(|c: char| !(c.is_alphanumeric() || is_apostrophe(c)))
        .map(fold_word)
        .filter(|w| !w.is_empty())
        .collect()
}

/// A phrase folded to its lookup key: folded words joined by single spaces.
pub(crate) fn fold_phrase(phrase: &str) -> String {
    fold_words(phrase).join(" ")
}

const UK_SUFFIXES: &[&str] = &[
    "ями", "ами", "ові", "еві", "єві", "ого", "ому", "ими", "ій", "ої", "ою", "ею", "єю", "ів",
    "їв", "ах", "ях", "ам", "ям", "ом", "ем", "єм", "ий", "их", "іх", "ім", "ую", "юю", "ая", "яя",
    "а", "я", "у", "ю", "і", "ї", "и", "е", "є", "о", "ь", "й",
];

/// The shortest stem the stemmer leaves; shorter words are compared exactly ("пив" must not be
/// taken for "пиво").
const MIN_UK_STEM: usize = 4;
const MIN_EN_STEM: usize = 3;

/// A crude stem: one case ending off a Ukrainian word, a plural ending off an English one.
/// Both the catalogue's names and the user's words go through it, so it only has to be
/// consistent, not linguistically right.
pub(crate) fn stem(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    if chars.iter().any(|c| is_cyrillic(*c)) {
        for suffix in UK_SUFFIXES {
            let n = suffix.chars().count();
            if chars.len() >= n + MIN_UK_STEM && word.ends_with(suffix) {
                return chars[..chars.len() - n].iter().collect();
            }
        }
        return word.to_owned();
    }
    let len = chars.len();
    if len <= MIN_EN_STEM {
        return word.to_owned();
    }
    if let Some(base) = word.strip_suffix("ies") {
        return format!("{base}y");
    }
    if let Some(base) = word.strip_suffix("oes") {
        return format!("{base}o");
    }
    for suffix in ["ches", "shes", "sses", "xes"] {
        if word.ends_with(suffix) {
            return word[..word.len() - 2].to_owned();
        }
    }
    if word.ends_with('s')
        && !(word.ends_with("ss") || word.ends_with("us") || word.ends_with("is"))
    {
        return word[..word.len() - 1].to_owned();
    }
    word.to_owned()
}

/// Whether a stem is long enough to stand for inflected forms.
pub(crate) fn stem_is_usable(stem: &str) -> bool {
    let n = stem.chars().count();
    if stem.chars().any(is_cyrillic) {
        n >= MIN_UK_STEM
    } else {
        n >= MIN_EN_STEM
    }
}

/// The stem key of folded words, or None when a word is too short to stem safely.
pub(crate) fn stem_key(words: &[String]) -> Option<String> {
    let mut stems = Vec::with_capacity(words.len());
    for word in words {
        let s = stem(word);
        if s != *word && !stem_is_usable(&s) {
            return None;
        }
        stems.push(s);
    }
    Some(stems.join(" "))
}

/// Levenshtein distance, bounded: stops counting past `limit`.
pub(crate) fn edit_distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        let mut row_min = current[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            current[j + 1] = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
            row_min = row_min.min(current[j + 1]);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// Whether a typed word is close enough to a catalogue word: the same stem; a shared prefix of
/// at least five letters with at most three letters more or fewer; a letter missing or extra in
/// a word of five letters or more; a wrong letter only in a word of eight or more (two edits in
/// ten or more). "борщ" and "борошно" share only "бор"; "машина" is not "малина".
#[cfg(test)]
pub(crate) fn words_are_close(typed: &str, known: &str) -> bool {
    stems_are_close(typed, &stem(typed), known, &stem(known))
}

/// `words_are_close` with the stems already known (the fuzzy pass compares thousands of names).
/// A different first letter is never close: it keeps the pass fast and typos there are rare.
pub(crate) fn stems_are_close(typed: &str, st: &str, known: &str, sk: &str) -> bool {
    if typed == known {
        return true;
    }
    if typed.chars().next() != known.chars().next() {
        return false;
    }
    if st == sk && stem_is_usable(st) {
        return true;
    }
    let (lt, lk) = (typed.chars().count(), known.chars().count());
    let common = typed
        .chars()
        .zip(known.chars())
        .take_while(|(a, b)| a == b)
        .count();
    if common >= 5 && lt.abs_diff(lk) <= 3 {
        return true;
    }
    let shorter = lt.min(lk);
    let allowed = if shorter >= 10 {
        2
    } else if shorter >= 8 || (shorter >= 5 && lt != lk) {
        1
    } else {
        0
    };
    allowed > 0 && edit_distance(typed, known, allowed) <= allowed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_unifies_apostrophes_case_and_lookalike_letters() {
        assert_eq!(fold_phrase("  М’ЯСО  "), "мясо");
        assert_eq!(fold_phrase("м'ясо"), "мясо");
        assert_eq!(fold_phrase("мʼясо"), "мясо");
        assert_eq!(
            fold_phrase("хлiб"),
            "хліб",
            "a Latin i inside a Cyrillic word"
        );
        assert_eq!(fold_phrase("Ёжик ґанок"), "ежик ганок");
        assert_eq!(fold_phrase("Chicken   Breast"), "chicken breast");
        assert_eq!(fold_phrase("хот-дог"), "хот дог");
    }

    #[test]
    fn stems_strip_one_case_ending_or_plural() {
        assert_eq!(stem("гречки"), "гречк");
        assert_eq!(stem("гречкою"), "гречк");
        assert_eq!(stem("бананів"), "банан");
        assert_eq!(stem("курячого"), "куряч");
        assert_eq!(
            stem("пиво"),
            "пиво",
            "a stem shorter than four letters is not taken"
        );
        assert_eq!(stem("cherries"), "cherry");
        assert_eq!(stem("potatoes"), "potato");
        assert_eq!(stem("eggs"), "egg");
        assert_eq!(stem("hummus"), "hummus");
    }

    #[test]
    fn close_words_allow_inflections_and_typos_but_not_other_foods() {
        assert!(words_are_close("банани", "банан"));
        assert!(words_are_close("chiken", "chicken"));
        assert!(!words_are_close("борщ", "борошно"));
        assert!(!words_are_close("cheese", "cheesecake"));
        assert!(!words_are_close("пив", "пиво"));
        assert!(!words_are_close("батон", "батат"));
        assert!(!words_are_close("машина", "малина"));
    }

    #[test]
    fn edit_distance_is_bounded() {
        assert_eq!(edit_distance("kitten", "sitting", 5), 3);
        assert_eq!(edit_distance("a", "abcdef", 2), 3);
    }
}
