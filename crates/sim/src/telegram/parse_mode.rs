//! Telegram's text formatting: `parse_mode` "HTML", "MarkdownV2" and legacy "Markdown".
//!
//! Each parser follows the behaviour of TDLib (which the Bot API server uses): it turns marked-up
//! text into the visible text plus [`MessageEntity`] values with UTF-16 offsets, or fails with the
//! message Telegram puts after `"Bad Request: can't parse entities: "`. Byte offsets in messages
//! are offsets into the UTF-8 input, as Telegram reports them.

use std::fmt;

use super::types::MessageEntity;

/// Why marked-up text could not be parsed; `message` is Telegram's wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EntityParseError {
    /// The text after "can't parse entities: ".
    pub message: String,
}

impl EntityParseError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// Visible text and its entities, as a message carries them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FormattedText {
    /// The text without markup.
    pub text: String,
    /// Formatting, offsets and lengths in UTF-16 code units.
    pub entities: Vec<MessageEntity>,
}

/// How strictly the HTML parser treats a `&` that does not start a known entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HtmlAmpersand {
    /// Reject it (stricter than Telegram, which keeps it as a literal `&`): catches a bot that
    /// forgets to escape user text.
    #[default]
    Reject,
    /// Keep it as a literal `&`, exactly as Telegram does.
    Literal,
}

/// Number of UTF-16 code units in `text`, the unit of Telegram's offsets and limits.
pub fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// The byte at `i`, or 0 past the end (TDLib reads a NUL-terminated string).
fn at(bytes: &[u8], i: usize) -> u8 {
    bytes.get(i).copied().unwrap_or(0)
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | 0 | 0x0b)
}

/// Accumulates the visible text and counts UTF-16 code units as bytes are appended.
#[derive(Default)]
struct Output {
    bytes: Vec<u8>,
    utf16: usize,
}

impl Output {
    fn push_byte(&mut self, c: u8) {
        if c & 0xc0 != 0x80 {
            // The first byte of a 4-byte sequence starts a surrogate pair.
            self.utf16 += if c >= 0xf0 { 2 } else { 1 };
        }
        self.bytes.push(c);
    }

    fn push_char(&mut self, ch: char) {
        let mut buffer = [0u8; 4];
        for &b in ch.encode_utf8(&mut buffer).as_bytes() {
            self.push_byte(b);
        }
    }

    fn into_text(self) -> Result<String, EntityParseError> {
        String::from_utf8(self.bytes)
            .map_err(|_| EntityParseError::new("Strings must be encoded in UTF-8"))
    }
}

fn entity(kind: &str, offset: usize, length: usize) -> MessageEntity {
    MessageEntity::new(kind, offset, length)
}

/// Accepts what Telegram turns into a `text_link`: a URL with a scheme it knows, or something
/// that looks like a domain (Telegram then prepends `http://`). Anything else yields no entity.
fn checked_link(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    let lower = url.to_ascii_lowercase();
    for scheme in ["http://", "https://", "tg://", "ton://"] {
        if lower.starts_with(scheme) {
            return (url.len() > scheme.len()).then(|| url.to_owned());
        }
    }
    let host = url.split(['/', '?', '#', ':']).next().unwrap_or_default();
    let labels: Vec<&str> = host.split('.').collect();
    let looks_like_domain = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(char::is_alphabetic));
    looks_like_domain.then(|| format!("http://{url}"))
}

fn sort_entities(entities: &mut [MessageEntity]) {
    entities.sort_by(|a, b| a.offset.cmp(&b.offset).then(b.length.cmp(&a.length)));
}

// ---------------------------------------------------------------------------------------------
// HTML

const HTML_TAGS: &[&str] = &[
    "a",
    "b",
    "strong",
    "i",
    "em",
    "s",
    "strike",
    "del",
    "u",
    "ins",
    "tg-spoiler",
    "tg-emoji",
    "tg-time",
    "span",
    "pre",
    "code",
    "blockquote",
];

/// Decodes the HTML entity at `pos` (`&lt;`, `&gt;`, `&amp;`, `&quot;`, `&apos;`, `&#NN;`,
/// `&#xNN;`); `None` when the text there is not one.
fn decode_html_entity(bytes: &[u8], pos: usize) -> Option<(char, usize)> {
    if at(bytes, pos) != b'&' {
        return None;
    }
    let mut end = pos + 1;
    let code: u32 = if at(bytes, end) == b'#' {
        end += 1;
        let mut value: u32 = 0;
        let hex = at(bytes, end) == b'x' || at(bytes, end) == b'X';
        if hex {
            end += 1;
        }
        let digits_start = end;
        loop {
            let c = at(bytes, end);
            let digit = if hex {
                (c as char).to_digit(16)
            } else {
                (c as char).to_digit(10)
            };
            let Some(digit) = digit else { break };
            value = value
                .saturating_mul(if hex { 16 } else { 10 })
                .saturating_add(digit);
            end += 1;
        }
        if end == digits_start || value == 0 || value >= 0x10ffff || end - pos >= 10 {
            return None;
        }
        value
    } else {
        while at(bytes, end).is_ascii_alphabetic() {
            end += 1;
        }
        match &bytes[pos + 1..end] {
            b"lt" => '<' as u32,
            b"gt" => '>' as u32,
            b"amp" => '&' as u32,
            b"quot" => '"' as u32,
            b"apos" => '\'' as u32,
            _ => return None,
        }
    };
    if at(bytes, end) == b';' {
        end += 1;
    }
    char::from_u32(code).map(|ch| (ch, end))
}

struct OpenTag {
    name: String,
    argument: String,
    expandable: bool,
    utf16_offset: usize,
    byte_len: usize,
}

/// Parses `parse_mode: "HTML"`.
pub fn parse_html(
    input: &str,
    ampersand: HtmlAmpersand,
) -> Result<FormattedText, EntityParseError> {
    let bytes = input.as_bytes();
    let size = bytes.len();
    let mut out = Output::default();
    let mut entities = Vec::new();
    let mut nested: Vec<OpenTag> = Vec::new();
    let mut i = 0;
    while i < size {
        let c = bytes[i];
        if c == b'&' {
            if let Some((ch, next)) = decode_html_entity(bytes, i) {
                out.push_char(ch);
                i = next;
                continue;
            }
            if ampersand == HtmlAmpersand::Reject {
                return Err(EntityParseError::new(format!(
                    "Unescaped \"&\" at byte offset {i}: use &amp;"
                )));
            }
        }
        if c != b'<' {
            out.push_byte(c);
            i += 1;
            continue;
        }

        let begin = i;
        i += 1;
        if at(bytes, i) != b'/' {
            while !is_space(at(bytes, i)) && at(bytes, i) != b'>' {
                i += 1;
            }
            if i >= size {
                return Err(EntityParseError::new(format!(
                    "Unclosed start tag at byte offset {begin}"
                )));
            }
            let name = String::from_utf8_lossy(&bytes[begin + 1..i]).to_lowercase();
            if !HTML_TAGS.contains(&name.as_str()) {
                return Err(EntityParseError::new(format!(
                    "Unsupported start tag \"{name}\" at byte offset {begin}"
                )));
            }
            let mut argument = String::new();
            let mut expandable = false;
            let mut unix_time = String::new();
            while at(bytes, i) != b'>' {
                while i < size && is_space(bytes[i]) {
                    i += 1;
                }
                if at(bytes, i) == b'>' {
                    break;
                }
                let attribute_begin = i;
                while !is_space(at(bytes, i)) && at(bytes, i) != b'=' && at(bytes, i) != b'>' {
                    i += 1;
                }
                let attribute = String::from_utf8_lossy(&bytes[attribute_begin..i]).to_lowercase();
                if attribute.is_empty() {
                    return Err(EntityParseError::new(format!(
                        "Empty attribute name in the tag \"{name}\" at byte offset {attribute_begin}"
                    )));
                }
                while i < size && is_space(bytes[i]) {
                    i += 1;
                }
                if at(bytes, i) != b'=' {
                    if name == "blockquote" && attribute == "expandable" {
                        expandable = true;
                        continue;
                    }
                    if i >= size {
                        return Err(EntityParseError::new(format!(
                            "Unclosed start tag at byte offset {begin}"
                        )));
                    }
                    return Err(EntityParseError::new(format!(
                        "Expected equal sign in declaration of an attribute of the tag \"{name}\" at byte offset {attribute_begin}"
                    )));
                }
                i += 1;
                while i < size && is_space(bytes[i]) {
                    i += 1;
                }
                if i >= size {
                    return Err(EntityParseError::new(format!(
                        "Unclosed start tag \"{name}\" at byte offset {begin}"
                    )));
                }
                let mut value = Vec::new();
                let quote = bytes[i];
                if quote != b'"' && quote != b'\'' {
                    let token_begin = i;
                    while at(bytes, i).is_ascii_alphanumeric()
                        || matches!(at(bytes, i), b'.' | b'-')
                    {
                        value.push(bytes[i].to_ascii_lowercase());
                        i += 1;
                    }
                    if !is_space(at(bytes, i)) && at(bytes, i) != b'>' {
                        return Err(EntityParseError::new(format!(
                            "Unexpected end of name token at byte offset {token_begin}"
                        )));
                    }
                } else {
                    i += 1;
                    while i < size && bytes[i] != quote {
                        if let Some((ch, next)) = decode_html_entity(bytes, i) {
                            let mut buffer = [0u8; 4];
                            value.extend_from_slice(ch.encode_utf8(&mut buffer).as_bytes());
                            i = next;
                            continue;
                        }
                        value.push(bytes[i]);
                        i += 1;
                    }
                    if at(bytes, i) == quote {
                        i += 1;
                    }
                }
                if i >= size {
                    return Err(EntityParseError::new(format!(
                        "Unclosed start tag at byte offset {begin}"
                    )));
                }
                let value = String::from_utf8_lossy(&value).into_owned();
                match (name.as_str(), attribute.as_str()) {
                    ("a", "href") | ("tg-emoji", "emoji-id") | ("tg-time", "format") => {
                        argument = value;
                    }
                    ("code", "class") => {
                        if let Some(language) = value.strip_prefix("language-") {
                            argument = language.to_owned();
                        }
                    }
                    ("span", "class") => {
                        if let Some(class) = value.strip_prefix("tg-") {
                            argument = class.to_owned();
                        }
                    }
                    ("tg-time", "unix") => unix_time = value,
                    _ => {}
                }
            }
            if name == "span" && argument != "spoiler" {
                return Err(EntityParseError::new(format!(
                    "Tag \"span\" must have class \"tg-spoiler\" at byte offset {begin}"
                )));
            }
            if name == "tg-time" {
                argument = format!("{unix_time}|{argument}");
            }
            nested.push(OpenTag {
                name,
                argument,
                expandable,
                utf16_offset: out.utf16,
                byte_len: out.bytes.len(),
            });
            i += 1;
        } else {
            if nested.is_empty() {
                return Err(EntityParseError::new(format!(
                    "Unexpected end tag at byte offset {begin}"
                )));
            }
            i += 1;
            let name_begin = i;
            while !is_space(at(bytes, i)) && at(bytes, i) != b'>' {
                i += 1;
            }
            let end_name = String::from_utf8_lossy(&bytes[name_begin..i]).to_lowercase();
            while i < size && is_space(bytes[i]) {
                i += 1;
            }
            if at(bytes, i) != b'>' {
                return Err(EntityParseError::new(format!(
                    "Unclosed end tag at byte offset {begin}"
                )));
            }
            let Some(open) = nested.pop() else {
                return Err(EntityParseError::new(format!(
                    "Unexpected end tag at byte offset {begin}"
                )));
            };
            if !end_name.is_empty() && end_name != open.name {
                return Err(EntityParseError::new(format!(
                    "Unmatched end tag at byte offset {begin}, expected \"</{}>\", found \"</{end_name}>\"",
                    open.name
                )));
            }
            if out.utf16 > open.utf16_offset {
                let inner = String::from_utf8_lossy(&out.bytes[open.byte_len..]).into_owned();
                close_html_tag(&open, out.utf16 - open.utf16_offset, &inner, &mut entities);
            }
            i += 1;
        }
    }
    if let Some(open) = nested.last() {
        return Err(EntityParseError::new(format!(
            "Can't find end tag corresponding to start tag \"{}\"",
            open.name
        )));
    }
    for e in &mut entities {
        if e.kind == "code" {
            // A language is kept only on pre blocks.
            e.language = None;
        }
    }
    sort_entities(&mut entities);
    Ok(FormattedText {
        text: out.into_text()?,
        entities,
    })
}

fn close_html_tag(open: &OpenTag, length: usize, inner: &str, entities: &mut Vec<MessageEntity>) {
    let offset = open.utf16_offset;
    let simple = |kind| entity(kind, offset, length);
    let new_entity = match open.name.as_str() {
        "b" | "strong" => simple("bold"),
        "i" | "em" => simple("italic"),
        "u" | "ins" => simple("underline"),
        "s" | "strike" | "del" => simple("strikethrough"),
        "tg-spoiler" | "span" => simple("spoiler"),
        "blockquote" if open.expandable => simple("expandable_blockquote"),
        "blockquote" => simple("blockquote"),
        "tg-emoji" => {
            let mut e = simple("custom_emoji");
            e.custom_emoji_id = Some(open.argument.clone());
            e
        }
        "tg-time" => {
            let (unix, format) = open.argument.split_once('|').unwrap_or_default();
            let mut e = simple("date_time");
            e.unix_time = unix.parse().ok();
            e.date_time_format = (!format.is_empty()).then(|| format.to_owned());
            e
        }
        "a" => {
            let url = if open.argument.is_empty() {
                inner
            } else {
                open.argument.as_str()
            };
            let Some(url) = checked_link(url) else { return };
            let mut e = simple("text_link");
            e.url = Some(url);
            e
        }
        "pre" => {
            // <pre><code class="language-x">…</code></pre> is one pre entity with a language.
            if let Some(last) = entities.last()
                && last.kind == "code"
                && last.offset == offset
                && last.length == length
                && last.language.is_some()
            {
                let language = last.language.clone();
                entities.pop();
                let mut e = simple("pre");
                e.language = language;
                e
            } else {
                let mut e = simple("pre");
                e.language = (!open.argument.is_empty()).then(|| open.argument.clone());
                e
            }
        }
        "code" => {
            if let Some(last) = entities.last()
                && last.kind == "pre"
                && last.offset == offset
                && last.length == length
                && !open.argument.is_empty()
            {
                entities.pop();
                let mut e = simple("pre");
                e.language = Some(open.argument.clone());
                e
            } else {
                let mut e = simple("code");
                e.language = (!open.argument.is_empty()).then(|| open.argument.clone());
                e
            }
        }
        _ => return,
    };
    entities.push(new_entity);
}

// ---------------------------------------------------------------------------------------------
// MarkdownV2

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MdKind {
    Bold,
    Italic,
    Underline,
    Strikethrough,
    Spoiler,
    Code,
    Pre,
    TextUrl,
    CustomEmoji,
    BlockQuote,
    ExpandableBlockQuote,
}

impl fmt::Display for MdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Bold => "Bold",
            Self::Italic => "Italic",
            Self::Underline => "Underline",
            Self::Strikethrough => "Strikethrough",
            Self::Spoiler => "Spoiler",
            Self::Code => "Code",
            Self::Pre => "Pre",
            Self::TextUrl => "TextUrl",
            Self::CustomEmoji => "CustomEmoji",
            Self::BlockQuote => "BlockQuote",
            Self::ExpandableBlockQuote => "ExpandableBlockQuote",
        };
        f.write_str(name)
    }
}

struct OpenMd {
    kind: MdKind,
    language: String,
    utf16_offset: usize,
    byte_offset: usize,
    byte_len: usize,
}

impl OpenMd {
    fn name(&self) -> String {
        if self.kind == MdKind::Pre && !self.language.is_empty() {
            "PreCode".to_owned()
        } else {
            self.kind.to_string()
        }
    }

    fn unclosed(&self) -> EntityParseError {
        EntityParseError::new(format!(
            "Can't find end of {} entity at byte offset {}",
            self.name(),
            self.byte_offset
        ))
    }
}

fn reserved(c: u8) -> EntityParseError {
    EntityParseError::new(format!(
        "Character '{}' is reserved and must be escaped with the preceding '\\'",
        c as char
    ))
}

fn is_quote(kind: MdKind) -> bool {
    matches!(kind, MdKind::BlockQuote | MdKind::ExpandableBlockQuote)
}

/// Reads a `(url)` that starts at `i` (the `(`); returns the unescaped URL and the index of `)`.
fn read_md_url(
    bytes: &[u8],
    mut i: usize,
    what: &str,
) -> Result<(String, usize), EntityParseError> {
    i += 1;
    let begin = i;
    let mut url = Vec::new();
    while i < bytes.len() && bytes[i] != b')' {
        if bytes[i] == b'\\' && (1..=126).contains(&at(bytes, i + 1)) {
            url.push(bytes[i + 1]);
            i += 2;
            continue;
        }
        url.push(bytes[i]);
        i += 1;
    }
    if at(bytes, i) != b')' {
        return Err(EntityParseError::new(format!(
            "Can't find end of {what} at byte offset {begin}"
        )));
    }
    Ok((String::from_utf8_lossy(&url).into_owned(), i))
}

/// Parses `parse_mode: "MarkdownV2"`.
pub fn parse_markdown_v2(input: &str) -> Result<FormattedText, EntityParseError> {
    let bytes = input.as_bytes();
    let size = bytes.len();
    let mut out = Output::default();
    let mut entities: Vec<MessageEntity> = Vec::new();
    let mut nested: Vec<OpenMd> = Vec::new();
    let mut i = 0;
    while i < size {
        let c = bytes[i];
        if c == b'\\' && (1..=126).contains(&at(bytes, i + 1)) {
            out.push_byte(bytes[i + 1]);
            i += 2;
            continue;
        }
        let in_code = nested
            .last()
            .is_some_and(|open| matches!(open.kind, MdKind::Code | MdKind::Pre));
        let special = if in_code {
            c == b'`'
        } else {
            b"_*[]()~`>#+-=|{}.!\n".contains(&c)
        };
        if !special {
            out.push_byte(c);
            i += 1;
            continue;
        }
        let line_start = i == 0 || bytes[i - 1] == b'\n';
        let in_quote = nested.iter().any(|open| is_quote(open.kind));
        let quote_ends_here = in_quote && c == b'\n' && at(bytes, i + 1) != b'>';
        // "||" closing an expandable quote at the end of its last line.
        let expandable_end = c == b'|'
            && at(bytes, i + 1) == b'|'
            && matches!(at(bytes, i + 2), b'\n' | 0)
            && nested
                .last()
                .is_some_and(|o| o.kind == MdKind::ExpandableBlockQuote);
        let closes = match nested.last() {
            None => false,
            Some(open) => {
                quote_ends_here
                    || expandable_end
                    || match open.kind {
                        MdKind::Bold => c == b'*',
                        MdKind::Italic => c == b'_' && at(bytes, i + 1) != b'_',
                        MdKind::Underline => c == b'_' && at(bytes, i + 1) == b'_',
                        MdKind::Strikethrough => c == b'~',
                        MdKind::Spoiler => c == b'|' && at(bytes, i + 1) == b'|',
                        MdKind::Code => c == b'`',
                        MdKind::Pre => {
                            c == b'`' && at(bytes, i + 1) == b'`' && at(bytes, i + 2) == b'`'
                        }
                        MdKind::TextUrl | MdKind::CustomEmoji => c == b']',
                        MdKind::BlockQuote | MdKind::ExpandableBlockQuote => false,
                    }
            }
        };

        if !closes {
            let byte_offset = i;
            let mut language = String::new();
            let kind = match c {
                b'_' if at(bytes, i + 1) == b'_' => {
                    i += 1;
                    MdKind::Underline
                }
                b'_' => MdKind::Italic,
                b'*' if line_start
                    && !in_quote
                    && at(bytes, i + 1) == b'*'
                    && at(bytes, i + 2) == b'>' =>
                {
                    i += 2;
                    MdKind::ExpandableBlockQuote
                }
                b'*' => MdKind::Bold,
                b'~' => MdKind::Strikethrough,
                b'|' if at(bytes, i + 1) == b'|' => {
                    i += 1;
                    MdKind::Spoiler
                }
                b'[' => MdKind::TextUrl,
                b'!' if at(bytes, i + 1) == b'[' => {
                    i += 1;
                    MdKind::CustomEmoji
                }
                b'`' if at(bytes, i + 1) == b'`' && at(bytes, i + 2) == b'`' => {
                    i += 3;
                    let mut language_end = i;
                    while !is_space(at(bytes, language_end)) && at(bytes, language_end) != b'`' {
                        language_end += 1;
                    }
                    if i != language_end && language_end < size && bytes[language_end] != b'`' {
                        language = String::from_utf8_lossy(&bytes[i..language_end]).into_owned();
                        i = language_end;
                    }
                    // One line break right after the opening fence is not part of the text.
                    let first = at(bytes, i);
                    if first == b'\n' || first == b'\r' {
                        let second = at(bytes, i + 1);
                        if (second == b'\n' || second == b'\r') && first != second {
                            i += 2;
                        } else {
                            i += 1;
                        }
                    }
                    i -= 1;
                    MdKind::Pre
                }
                b'`' => MdKind::Code,
                b'\n' => {
                    out.push_byte(b'\n');
                    i += 1;
                    if in_quote && at(bytes, i) == b'>' {
                        // The quote goes on to this line: drop its marker.
                        i += 1;
                    }
                    continue;
                }
                b'>' if line_start && !in_quote => MdKind::BlockQuote,
                b'>' if line_start => {
                    i += 1;
                    continue;
                }
                other => return Err(reserved(other)),
            };
            nested.push(OpenMd {
                kind,
                language,
                utf16_offset: out.utf16,
                byte_offset,
                byte_len: out.bytes.len(),
            });
            i += 1;
            continue;
        }

        // The end of the innermost entity.
        let Some(open) = nested.pop() else {
            return Err(reserved(c));
        };
        if (quote_ends_here || expandable_end) && !is_quote(open.kind) {
            return Err(open.unclosed());
        }
        let mut skip = out.utf16 == open.utf16_offset;
        let mut new_entity = entity("", open.utf16_offset, 0);
        match open.kind {
            MdKind::Bold => new_entity.kind = "bold".into(),
            MdKind::Italic => new_entity.kind = "italic".into(),
            MdKind::Strikethrough => new_entity.kind = "strikethrough".into(),
            MdKind::Code => new_entity.kind = "code".into(),
            MdKind::Underline => {
                new_entity.kind = "underline".into();
                i += 1;
            }
            MdKind::Spoiler => {
                new_entity.kind = "spoiler".into();
                i += 1;
            }
            MdKind::Pre => {
                new_entity.kind = "pre".into();
                new_entity.language = (!open.language.is_empty()).then_some(open.language);
                i += 2;
            }
            MdKind::TextUrl => {
                let url = if at(bytes, i + 1) == b'(' {
                    let (url, end) = read_md_url(bytes, i + 1, "a URL")?;
                    i = end;
                    url
                } else {
                    String::from_utf8_lossy(&out.bytes[open.byte_len..]).into_owned()
                };
                new_entity.kind = "text_link".into();
                match checked_link(&url) {
                    Some(url) => new_entity.url = Some(url),
                    None => skip = true,
                }
            }
            MdKind::CustomEmoji => {
                if at(bytes, i + 1) != b'(' {
                    return Err(EntityParseError::new(
                        "Custom emoji entity must contain a tg://emoji URL",
                    ));
                }
                let (url, end) = read_md_url(bytes, i + 1, "a custom emoji URL")?;
                i = end;
                let id = url
                    .strip_prefix("tg://emoji?id=")
                    .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| {
                        EntityParseError::new("Invalid custom emoji identifier specified")
                    })?;
                new_entity.kind = "custom_emoji".into();
                new_entity.custom_emoji_id = Some(id.to_owned());
            }
            MdKind::BlockQuote | MdKind::ExpandableBlockQuote => {
                new_entity.kind = if open.kind == MdKind::BlockQuote {
                    "blockquote".into()
                } else {
                    "expandable_blockquote".into()
                };
                if expandable_end {
                    // "||" is markup; the line break after it stays in the text.
                    i += 1;
                } else {
                    out.push_byte(b'\n');
                }
                skip = out.utf16 == open.utf16_offset;
            }
        }
        if !skip {
            new_entity.length = out.utf16 - open.utf16_offset;
            entities.push(new_entity);
        }
        i += 1;
    }
    if let Some(open) = nested.last()
        && is_quote(open.kind)
        && nested.len() == 1
    {
        if out.utf16 > open.utf16_offset {
            let kind = if open.kind == MdKind::BlockQuote {
                "blockquote"
            } else {
                "expandable_blockquote"
            };
            entities.push(entity(
                kind,
                open.utf16_offset,
                out.utf16 - open.utf16_offset,
            ));
        }
        nested.pop();
    }
    if let Some(open) = nested.last() {
        return Err(open.unclosed());
    }
    sort_entities(&mut entities);
    Ok(FormattedText {
        text: out.into_text()?,
        entities,
    })
}

// ---------------------------------------------------------------------------------------------
// Legacy Markdown

/// Parses the legacy `parse_mode: "Markdown"`: `*bold*`, `_italic_`, `` `code` ``, ```` ```pre``` ````
/// and `[text](url)`, without nesting; only `_ * ` [` can be escaped.
pub fn parse_markdown(input: &str) -> Result<FormattedText, EntityParseError> {
    let bytes = input.as_bytes();
    let size = bytes.len();
    let mut out = Output::default();
    let mut entities = Vec::new();
    let mut i = 0;
    while i < size {
        let c = bytes[i];
        let marker = |b: u8| matches!(b, b'_' | b'*' | b'`' | b'[');
        if c == b'\\' && marker(at(bytes, i + 1)) {
            out.push_byte(bytes[i + 1]);
            i += 2;
            continue;
        }
        if !marker(c) {
            out.push_byte(c);
            i += 1;
            continue;
        }
        let begin = i;
        let end_char = if c == b'[' { b']' } else { c };
        let mut is_pre = false;
        let mut language = String::new();
        i += 1;
        if c == b'`' && at(bytes, i) == b'`' && at(bytes, i + 1) == b'`' {
            i += 2;
            is_pre = true;
            let mut language_end = i;
            while !is_space(at(bytes, language_end)) && at(bytes, language_end) != b'`' {
                language_end += 1;
            }
            if i != language_end && language_end < size && bytes[language_end] != b'`' {
                language = String::from_utf8_lossy(&bytes[i..language_end]).into_owned();
                i = language_end;
            }
            let first = at(bytes, i);
            if first == b'\n' || first == b'\r' {
                let second = at(bytes, i + 1);
                if (second == b'\n' || second == b'\r') && first != second {
                    i += 2;
                } else {
                    i += 1;
                }
            }
        }
        let offset = out.utf16;
        let content_start = out.bytes.len();
        while i < size
            && (bytes[i] != end_char
                || (is_pre && !(at(bytes, i + 1) == b'`' && at(bytes, i + 2) == b'`')))
        {
            out.push_byte(bytes[i]);
            i += 1;
        }
        if i >= size {
            return Err(EntityParseError::new(format!(
                "Can't find end of the entity starting at byte offset {begin}"
            )));
        }
        if out.utf16 > offset {
            let length = out.utf16 - offset;
            match c {
                b'_' => entities.push(entity("italic", offset, length)),
                b'*' => entities.push(entity("bold", offset, length)),
                b'[' => {
                    let url = if at(bytes, i + 1) == b'(' {
                        i += 2;
                        let url_begin = i;
                        while i < size && bytes[i] != b')' {
                            i += 1;
                        }
                        String::from_utf8_lossy(&bytes[url_begin..i.min(size)]).into_owned()
                    } else {
                        String::from_utf8_lossy(&out.bytes[content_start..]).into_owned()
                    };
                    if let Some(url) = checked_link(&url) {
                        let mut e = entity("text_link", offset, length);
                        e.url = Some(url);
                        entities.push(e);
                    }
                }
                _ if is_pre => {
                    let mut e = entity("pre", offset, length);
                    e.language = (!language.is_empty()).then_some(language);
                    entities.push(e);
                }
                _ => entities.push(entity("code", offset, length)),
            }
        }
        if is_pre {
            i += 2;
        }
        i += 1;
    }
    Ok(FormattedText {
        text: out.into_text()?,
        entities,
    })
}

/// Removes leading and trailing whitespace as Telegram does before sending, moving entity
/// offsets with the text and dropping entities left empty.
pub fn trim(formatted: FormattedText) -> FormattedText {
    let is_trimmed = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{0b}' | '\u{0c}');
    let text = formatted.text.trim_matches(is_trimmed);
    if text.len() == formatted.text.len() {
        return formatted;
    }
    let leading = formatted.text.len() - formatted.text.trim_start_matches(is_trimmed).len();
    let leading_utf16 = utf16_len(&formatted.text[..leading]);
    let total = utf16_len(text);
    let entities = formatted
        .entities
        .into_iter()
        .filter_map(|mut e| {
            let start = e.offset.saturating_sub(leading_utf16);
            let end = (e.offset + e.length)
                .saturating_sub(leading_utf16)
                .min(total);
            (end > start).then(|| {
                e.offset = start;
                e.length = end - start;
                e
            })
        })
        .collect();
    FormattedText {
        text: text.to_owned(),
        entities,
    }
}

/// Finds `/command` and `/command@bot` entities the way Telegram marks them in incoming text.
pub fn bot_command_entities(text: &str) -> Vec<MessageEntity> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let is_command_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut result = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        if chars[k].1 != '/' {
            k += 1;
            continue;
        }
        if k > 0 {
            let prev = chars[k - 1].1;
            if is_word(prev) || matches!(prev, '/' | '<' | '>') {
                k += 1;
                continue;
            }
        }
        let start = k;
        let mut j = k + 1;
        while j < chars.len() && is_command_char(chars[j].1) {
            j += 1;
        }
        let name_length = j - start - 1;
        k = j.max(k + 1);
        if !(1..=64).contains(&name_length) {
            continue;
        }
        if j < chars.len() && chars[j].1 == '@' {
            let mut m = j + 1;
            while m < chars.len() && is_command_char(chars[m].1) {
                m += 1;
            }
            if !(3..=32).contains(&(m - j - 1)) {
                continue;
            }
            j = m;
            k = m;
        }
        if let Some(&(_, next)) = chars.get(j)
            && (is_word(next) || matches!(next, '/' | '<' | '>'))
        {
            continue;
        }
        let begin_byte = chars[start].0;
        let end_byte = chars.get(j).map_or(text.len(), |&(b, _)| b);
        result.push(entity(
            "bot_command",
            utf16_len(&text[..begin_byte]),
            utf16_len(&text[begin_byte..end_byte]),
        ));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(input: &str) -> Result<FormattedText, String> {
        parse_html(input, HtmlAmpersand::Reject).map_err(|e| e.message)
    }

    fn md(input: &str) -> Result<FormattedText, String> {
        parse_markdown_v2(input).map_err(|e| e.message)
    }

    fn kinds(text: &FormattedText) -> Vec<(String, usize, usize)> {
        text.entities
            .iter()
            .map(|e| (e.kind.clone(), e.offset, e.length))
            .collect()
    }

    #[test]
    fn html_turns_tags_into_entities_with_utf16_offsets() {
        let parsed = html("👋 <b>Hi <i>there</i></b> &lt;3").unwrap();
        assert_eq!(parsed.text, "👋 Hi there <3");
        assert_eq!(
            kinds(&parsed),
            vec![("bold".into(), 3, 8), ("italic".into(), 6, 5)]
        );
    }

    #[test]
    fn html_accepts_every_documented_tag() {
        let input = "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>\
            <strike>k</strike><del>d</del><span class=\"tg-spoiler\">p</span><tg-spoiler>t</tg-spoiler>\
            <a href=\"https://example.com\">a</a><code>c</code><pre>p</pre><blockquote>q</blockquote>\
            <blockquote expandable>x</blockquote><pre><code class=\"language-rust\">fn</code></pre>";
        let parsed = html(input).unwrap();
        assert_eq!(parsed.entities.len(), 17);
        let pre = parsed.entities.last().unwrap();
        assert_eq!(pre.kind, "pre");
        assert_eq!(pre.language.as_deref(), Some("rust"));
        assert!(
            parsed
                .entities
                .iter()
                .any(|e| e.kind == "expandable_blockquote")
        );
    }

    #[test]
    fn html_decodes_named_and_numeric_entities() {
        let parsed = html("&lt;&gt;&amp;&quot;&#65;&#x42;").unwrap();
        assert_eq!(parsed.text, "<>&\"AB");
    }

    #[test]
    fn html_rejects_unknown_tags() {
        assert_eq!(
            html("a <br> b").unwrap_err(),
            "Unsupported start tag \"br\" at byte offset 2"
        );
    }

    #[test]
    fn html_rejects_a_bare_less_than_sign() {
        assert_eq!(
            html("1 < 2").unwrap_err(),
            "Unsupported start tag \"\" at byte offset 2"
        );
        assert_eq!(
            html("x <b").unwrap_err(),
            "Unclosed start tag at byte offset 2"
        );
    }

    #[test]
    fn html_rejects_unclosed_tags() {
        assert_eq!(
            html("<b>bold").unwrap_err(),
            "Can't find end tag corresponding to start tag \"b\""
        );
    }

    #[test]
    fn html_rejects_misnested_tags() {
        assert_eq!(
            html("<b><i>x</b></i>").unwrap_err(),
            "Unmatched end tag at byte offset 7, expected \"</i>\", found \"</b>\""
        );
        assert_eq!(
            html("x</b>").unwrap_err(),
            "Unexpected end tag at byte offset 1"
        );
    }

    #[test]
    fn html_rejects_a_bare_ampersand_unless_configured_like_telegram() {
        assert_eq!(
            html("Tom & Jerry").unwrap_err(),
            "Unescaped \"&\" at byte offset 4: use &amp;"
        );
        let parsed = parse_html("Tom & Jerry &nbsp;", HtmlAmpersand::Literal).unwrap();
        assert_eq!(parsed.text, "Tom & Jerry &nbsp;");
    }

    #[test]
    fn html_requires_the_spoiler_class_on_span() {
        assert_eq!(
            html("<span class=\"x\">a</span>").unwrap_err(),
            "Tag \"span\" must have class \"tg-spoiler\" at byte offset 0"
        );
    }

    #[test]
    fn html_link_keeps_its_url() {
        let parsed = html("<a href='https://t.me/x?a=1&amp;b=2'>go</a>").unwrap();
        assert_eq!(parsed.entities[0].kind, "text_link");
        assert_eq!(
            parsed.entities[0].url.as_deref(),
            Some("https://t.me/x?a=1&b=2")
        );
    }

    #[test]
    fn markdown_v2_parses_nested_entities() {
        let parsed = md("*bold _italic_* __under__ ~s~ ||sp|| `c` [l](https://x.org)").unwrap();
        assert_eq!(parsed.text, "bold italic under s sp c l");
        assert_eq!(
            kinds(&parsed),
            vec![
                ("bold".into(), 0, 11),
                ("italic".into(), 5, 6),
                ("underline".into(), 12, 5),
                ("strikethrough".into(), 18, 1),
                ("spoiler".into(), 20, 2),
                ("code".into(), 23, 1),
                ("text_link".into(), 25, 1),
            ]
        );
    }

    #[test]
    fn markdown_v2_requires_reserved_characters_to_be_escaped() {
        for c in ['.', '!', '-', '(', ')', '#', '+', '=', '{', '}', ']'] {
            let input = format!("Total: 5{c}");
            assert_eq!(
                md(&input).unwrap_err(),
                format!("Character '{c}' is reserved and must be escaped with the preceding '\\'")
            );
        }
        let parsed = md("Total: 5\\.0 \\(ok\\) 1\\-2 \\#3 \\| \\> \\\\").unwrap();
        assert_eq!(parsed.text, "Total: 5.0 (ok) 1-2 #3 | > \\");
    }

    #[test]
    fn markdown_v2_rejects_unbalanced_markers() {
        assert_eq!(
            md("*bold").unwrap_err(),
            "Can't find end of Bold entity at byte offset 0"
        );
        assert_eq!(
            md("a _it").unwrap_err(),
            "Can't find end of Italic entity at byte offset 2"
        );
        assert_eq!(
            md("```rust\nfn").unwrap_err(),
            "Can't find end of PreCode entity at byte offset 0"
        );
        assert_eq!(
            md("[a](https://x.org").unwrap_err(),
            "Can't find end of a URL at byte offset 4"
        );
    }

    #[test]
    fn markdown_v2_code_only_needs_backticks_and_backslashes_escaped() {
        let parsed = md("`a.b-c!` ```py\nx = 1 + 2.\n```").unwrap();
        assert_eq!(parsed.text, "a.b-c! x = 1 + 2.\n");
        assert_eq!(parsed.entities[1].kind, "pre");
        assert_eq!(parsed.entities[1].language.as_deref(), Some("py"));
    }

    #[test]
    fn markdown_v2_parses_block_quotes() {
        let parsed = md(">first\n>second\nafter").unwrap();
        assert_eq!(parsed.text, "first\nsecond\nafter");
        assert_eq!(kinds(&parsed), vec![("blockquote".into(), 0, 13)]);
        let parsed = md("**>hidden\n>more||\nafter").unwrap();
        assert_eq!(parsed.text, "hidden\nmore\nafter");
        assert_eq!(
            kinds(&parsed),
            vec![("expandable_blockquote".into(), 0, 11)]
        );
        assert!(md("a > b").is_err());
    }

    #[test]
    fn markdown_v2_entity_cannot_span_the_end_of_a_quote() {
        assert_eq!(
            md(">*bold\nplain*").unwrap_err(),
            "Can't find end of Bold entity at byte offset 1"
        );
    }

    #[test]
    fn legacy_markdown_needs_closed_markers() {
        assert_eq!(
            parse_markdown("snake_case").unwrap_err().message,
            "Can't find end of the entity starting at byte offset 5"
        );
        let parsed = parse_markdown("*b* _i_ [t](https://x.org)").unwrap();
        assert_eq!(parsed.text, "b i t");
        assert_eq!(parsed.entities.len(), 3);
    }

    #[test]
    fn trimming_moves_entities_with_the_text() {
        let parsed = trim(html("\n  <b>hi</b>  \n").unwrap());
        assert_eq!(parsed.text, "hi");
        assert_eq!(kinds(&parsed), vec![("bold".into(), 0, 2)]);
    }

    #[test]
    fn finds_bot_commands_like_telegram() {
        let found = bot_command_entities("/start now, then /log@wellness_bot 100g and a/b");
        assert_eq!(
            found
                .iter()
                .map(|e| (e.offset, e.length))
                .collect::<Vec<_>>(),
            vec![(0, 6), (17, 17)]
        );
        assert!(bot_command_entities("http://x /").is_empty());
    }

    #[test]
    fn counts_utf16_code_units() {
        assert_eq!(utf16_len("a😀é"), 4);
    }
}
