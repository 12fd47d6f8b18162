//! Text as Telegram measures and parses it: HTML escaping and splitting at the length limit.

/// Longest message text, in UTF-16 code units after entity parsing.
pub const MAX_MESSAGE_UNITS: usize = 4096;

/// Longest caption of a document or photo, in UTF-16 code units after entity parsing.
pub const MAX_CAPTION_UNITS: usize = 1024;

/// Escapes plain text for `parse_mode=HTML`: the three characters Telegram requires.
pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// Length in UTF-16 code units, the unit of Telegram's limits and entity offsets.
pub fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// The byte index after the longest prefix of `text` that fits in `limit` UTF-16 units.
fn fitting_prefix(text: &str, limit: usize) -> usize {
    let mut units = 0;
    for (index, c) in text.char_indices() {
        units += c.len_utf16();
        if units > limit {
            return index;
        }
    }
    text.len()
}

/// Splits plain text into pieces of at most `limit` UTF-16 units, at line breaks where possible
/// (the break itself is dropped); a single longer line is cut between characters. Pieces that
/// would show as empty (Telegram trims whitespace) are left out.
pub fn split_text(text: &str, limit: usize) -> Vec<&str> {
    let limit = limit.max(2); // room for any one character
    let mut pieces = Vec::new();
    let mut rest = text;
    while utf16_len(rest) > limit {
        let cut = fitting_prefix(rest, limit);
        // A line break right after the prefix is as good as one inside it.
        let window = if rest.as_bytes().get(cut) == Some(&b'\n') {
            &rest[..=cut]
        } else {
            &rest[..cut]
        };
        let (piece, next) = match window.rfind('\n') {
            Some(newline) if newline > 0 => (&rest[..newline], &rest[newline + 1..]),
            _ => (&rest[..cut], &rest[cut..]),
        };
        if !piece.trim().is_empty() {
            pieces.push(piece);
        }
        rest = next;
    }
    if !rest.trim().is_empty() {
        pieces.push(rest);
    }
    pieces
}

/// Converts a UTF-16 offset (as in Telegram's entities) into a byte index of `text`, when it
/// falls on a character boundary inside the text.
pub fn byte_index_of_utf16(text: &str, offset: usize) -> Option<usize> {
    let mut units = 0;
    for (index, c) in text.char_indices() {
        if units == offset {
            return Some(index);
        }
        if units > offset {
            return None;
        }
        units += c.len_utf16();
    }
    (units == offset).then_some(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_three_html_specials_and_nothing_else() {
        assert_eq!(
            escape_html("a<b> & \"c\" 'd' ✓"),
            "a&lt;b&gt; &amp; \"c\" 'd' ✓"
        );
    }

    #[test]
    fn counts_characters_outside_the_bmp_as_two_units() {
        assert_eq!(utf16_len("a😀é"), 4);
    }

    #[test]
    fn short_text_stays_whole() {
        assert_eq!(split_text("hello\nworld", 4096), vec!["hello\nworld"]);
    }

    #[test]
    fn splits_on_the_last_line_break_that_fits() {
        let text = "aaaa\nbbbb\ncccc";
        assert_eq!(split_text(text, 10), vec!["aaaa\nbbbb", "cccc"]);
        assert_eq!(split_text(text, 9), vec!["aaaa\nbbbb", "cccc"]);
        assert_eq!(split_text(text, 8), vec!["aaaa", "bbbb", "cccc"]);
    }

    #[test]
    fn hard_splits_a_line_longer_than_the_limit() {
        assert_eq!(split_text("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(split_text("ab\ncdefghij", 4), vec!["ab", "cdef", "ghij"]);
    }

    #[test]
    fn never_cuts_a_surrogate_pair() {
        let text = "😀😀😀";
        let pieces = split_text(text, 3);
        assert_eq!(pieces, vec!["😀", "😀", "😀"]);
        let mixed = "a😀b😀c";
        for piece in split_text(mixed, 2) {
            assert!(utf16_len(piece) <= 2, "{piece}");
        }
        assert_eq!(split_text(mixed, 2).concat(), mixed);
    }

    #[test]
    fn drops_pieces_that_would_be_blank() {
        assert_eq!(split_text("aaa\n\n\n\n\nbbb", 3), vec!["aaa", "bbb"]);
        assert!(split_text("   ", 4096).is_empty());
    }

    #[test]
    fn every_piece_fits_and_no_text_is_lost_but_the_breaks() {
        let line = "Сніданок: вівсянка 200 г, банан 🍌, кава ☕ — 450 ккал";
        let text = vec![line; 400].join("\n");
        let pieces = split_text(&text, MAX_MESSAGE_UNITS);
        assert!(pieces.len() > 1);
        for piece in &pieces {
            assert!(utf16_len(piece) <= MAX_MESSAGE_UNITS);
            assert!(!piece.starts_with('\n') && !piece.ends_with('\n'));
        }
        assert_eq!(pieces.join("\n"), text);
    }

    #[test]
    fn maps_utf16_offsets_to_byte_indices() {
        assert_eq!(byte_index_of_utf16("/start", 6), Some(6));
        assert_eq!(byte_index_of_utf16("😀/go", 2), Some(4));
        assert_eq!(byte_index_of_utf16("😀/go", 1), None);
        assert_eq!(byte_index_of_utf16("ab", 3), None);
    }
}
