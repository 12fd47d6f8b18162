//! Security rules checked on the source itself (docs/security.md): raw SQL binds its values and
//! never builds SQL with `format!`; secrets are compared only in constant time. Both scan the
//! non-test code of every crate under `crates/*/src` (tests and the simulators, which are test
//! doubles, are left out) with a small Rust lexer, and every exception is listed here with
//! its reason. An exception that no longer matches anything fails too, so the lists stay true.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// A string literal's contents (escapes left as written).
    Str(String),
    Punct(&'static str),
    Other,
}

/// Tokens of Rust source, without comments; multi-character operators the rules need are one
/// token each.
fn lex(src: &str) -> Vec<Tok> {
    let chars: Vec<char> = src.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            loop {
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else if i >= chars.len() {
                    break;
                } else {
                    i += 1;
                }
            }
        } else if (c == 'r' || (c == 'b' && at(i + 1) == 'r'))
            && matches!(at(i + 1 + usize::from(c == 'b')), '"' | '#')
        {
            // Raw string: r"..", r#".."#, br"..".
            let mut j = i + 1 + usize::from(c == 'b');
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            if at(j) != '"' {
                // An identifier starting with r (r#ident is not used here).
                let start = i;
                while at(i).is_alphanumeric() || at(i) == '_' {
                    i += 1;
                }
                tokens.push(Tok::Ident(chars[start..i].iter().collect()));
                continue;
            }
            j += 1;
            let start = j;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|k| at(j + 1 + k) == '#') {
                    break;
                }
                j += 1;
            }
            tokens.push(Tok::Str(chars[start..j.min(chars.len())].iter().collect()));
            i = j + 1 + hashes;
        } else if c == '"' || (c == 'b' && at(i + 1) == '"') {
            let mut j = i + 1 + usize::from(c == 'b');
            let start = j;
            while j < chars.len() && chars[j] != '"' {
                if chars[j] == '\\' {
                    j += 1;
                }
                j += 1;
            }
            tokens.push(Tok::Str(chars[start..j.min(chars.len())].iter().collect()));
            i = j + 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if at(i + 1) == '\\' {
                let mut j = i + 2;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
                while at(i).is_alphanumeric() || at(i) == '_' {
                    i += 1;
                }
            }
            tokens.push(Tok::Other);
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
            tokens.push(Tok::Ident(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit() {
            while at(i).is_alphanumeric()
                || at(i) == '_'
                || at(i) == '.' && at(i + 1).is_ascii_digit()
            {
                i += 1;
            }
            tokens.push(Tok::Other);
        } else {
            const TWO: [&str; 9] = ["==", "!=", "=>", "&&", "||", "::", "<=", ">=", "->"];
            let pair: String = [c, at(i + 1)].iter().collect();
            if let Some(op) = TWO.iter().find(|op| **op == pair) {
                tokens.push(Tok::Punct(op));
                i += 2;
            } else {
                const ONE: [&str; 18] = [
                    ";", "{", "}", "(", ")", "[", "]", ",", ".", "!", "&", "=", "#", "<", ">", "+",
                    "|", ":",
                ];
                let one = c.to_string();
                tokens.push(match ONE.iter().find(|p| **p == one) {
                    Some(p) => Tok::Punct(p),
                    None => Tok::Other,
                });
                i += 1;
            }
        }
    }
    tokens
}

fn is_punct(token: Option<&Tok>, p: &str) -> bool {
    matches!(token, Some(Tok::Punct(q)) if *q == p)
}

fn is_ident(token: Option<&Tok>, name: &str) -> bool {
    matches!(token, Some(Tok::Ident(n)) if n == name)
}

/// The index after the bracket closing the one at `open`.
fn skip_balanced(tokens: &[Tok], open: usize) -> usize {
    let mut depth = 0i32;
    let mut i = open;
    while i < tokens.len() {
        match &tokens[i] {
            Tok::Punct("(" | "[" | "{") => depth += 1,
            Tok::Punct(")" | "]" | "}") => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    tokens.len()
}

/// The tokens without `#[cfg(test)]` items; the names of `#[cfg(test)] mod x;` files.
fn without_tests(tokens: Vec<Tok>) -> (Vec<Tok>, Vec<String>) {
    let mut kept = Vec::new();
    let mut test_files = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let cfg_test = is_punct(tokens.get(i), "#")
            && is_punct(tokens.get(i + 1), "[")
            && is_ident(tokens.get(i + 2), "cfg")
            && is_punct(tokens.get(i + 3), "(")
            && is_ident(tokens.get(i + 4), "test")
            && is_punct(tokens.get(i + 5), ")")
            && is_punct(tokens.get(i + 6), "]");
        if !cfg_test {
            kept.push(tokens[i].clone());
            i += 1;
            continue;
        }
        i += 7;
        // Further attributes of the same item.
        while is_punct(tokens.get(i), "#") && is_punct(tokens.get(i + 1), "[") {
            i = skip_balanced(&tokens, i + 1);
        }
        if is_ident(tokens.get(i), "mod") && is_punct(tokens.get(i + 2), ";") {
            if let Some(Tok::Ident(name)) = tokens.get(i + 1) {
                test_files.push(name.clone());
            }
            i += 3;
            continue;
        }
        while i < tokens.len() && !is_punct(tokens.get(i), "{") && !is_punct(tokens.get(i), ";") {
            i += 1;
        }
        i = if is_punct(tokens.get(i), "{") {
            skip_balanced(&tokens, i)
        } else {
            i + 1
        };
    }
    (kept, test_files)
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every non-test source file of the crates (the simulators are test doubles): its path from
/// the workspace root and its tokens.
fn production_sources() -> Vec<(String, Vec<Tok>)> {
    let root = root();
    let mut files = Vec::new();
    for krate in std::fs::read_dir(root.join("crates"))
        .expect("crates/")
        .flatten()
    {
        if krate.file_name() == "sim" {
            continue;
        }
        rust_files(&krate.path().join("src"), &mut files);
    }
    files.sort();
    let mut test_only: BTreeSet<PathBuf> = BTreeSet::new();
    let mut lexed = Vec::new();
    for path in &files {
        let src = std::fs::read_to_string(path).expect("source");
        let (tokens, test_mods) = without_tests(lex(&src));
        // `#[cfg(test)] mod fuzz;` in a.rs or mod.rs/lib.rs names a.rs's sibling a/fuzz.rs or fuzz.rs.
        let dir = match path.file_stem().and_then(|s| s.to_str()) {
            Some("lib" | "main" | "mod") => path.parent().map(Path::to_path_buf),
            Some(stem) => path.parent().map(|p| p.join(stem)),
            None => None,
        };
        for name in test_mods {
            if let Some(dir) = &dir {
                test_only.insert(dir.join(format!("{name}.rs")));
                test_only.insert(dir.join(&name).join("mod.rs"));
            }
        }
        lexed.push((path.clone(), tokens));
    }
    lexed
        .into_iter()
        .filter(|(path, _)| !test_only.contains(path))
        .map(|(path, tokens)| {
            let shown = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            (shown, tokens)
        })
        .collect()
}

fn show(tokens: &[Tok]) -> String {
    tokens
        .iter()
        .map(|t| match t {
            Tok::Ident(name) => name.clone(),
            Tok::Str(text) => format!("{text:?}"),
            Tok::Punct(p) => (*p).to_owned(),
            Tok::Other => "_".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks a list of findings against its exceptions: every finding excused, every exception used.
fn check(findings: &[(String, String)], exceptions: &[(&str, &str, &str)], rule: &str) {
    let mut used = vec![false; exceptions.len()];
    let mut unexcused = Vec::new();
    for (file, text) in findings {
        let excused = exceptions
            .iter()
            .position(|(f, snippet, _)| file == f && text.contains(snippet));
        match excused {
            Some(at) => used[at] = true,
            None => unexcused.push(format!("{file}: {text}")),
        }
    }
    let stale: Vec<String> = exceptions
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|((file, snippet, _), _)| format!("{file}: {snippet}"))
        .collect();
    assert!(
        unexcused.is_empty() && stale.is_empty(),
        "{rule}\nnot allowed:\n  {}\nexceptions that match nothing any more (remove them):\n  {}",
        unexcused.join("\n  "),
        stale.join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------------
// SQL

/// Raw SQL built with `format!`, allowed because what is formatted is not a value: (file, a
/// snippet of the call, why).
const SQL_BUILT_WITH_FORMAT: &[(&str, &str, &str)] = &[
    (
        "crates/postgres/src/db.rs",
        "pg_advisory_lock",
        "a compile-time integer constant (the migration lock id), nothing from outside",
    ),
    (
        "crates/postgres/src/db.rs",
        "pg_advisory_unlock",
        "the same constant",
    ),
    (
        "crates/postgres/src/test_support.rs",
        "DROP DATABASE IF EXISTS",
        "test databases' names, made by the harness (a prefix and random hex): PostgreSQL \
         cannot bind identifiers",
    ),
    (
        "crates/postgres/src/test_support.rs",
        "CREATE DATABASE",
        "a harness-made name, as above",
    ),
    (
        "crates/postgres/src/test_support.rs",
        "RENAME TO",
        "harness-made names, as above",
    ),
    (
        "crates/postgres/src/test_support.rs",
        "IS_TEMPLATE",
        "the template database's harness-made name",
    ),
    (
        "crates/postgres/src/test_support.rs",
        "admin . batch_execute ( & sql )",
        "CREATE/DROP DATABASE of a harness-made name, built a few lines above",
    ),
];

struct RawSql {
    file: String,
    call: String,
    /// The SQL texts the call may run (several for a `match` over literals).
    texts: Vec<String>,
    binds: usize,
    formatted: bool,
}

fn placeholders(sql: &str) -> usize {
    let bytes = sql.as_bytes();
    let mut max = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'$' {
            let digits: String = sql[i + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(n) = digits.parse::<usize>() {
                max = max.max(n);
            }
        }
    }
    max
}

fn is_format(tokens: &[Tok]) -> bool {
    tokens.windows(2).any(|w| {
        matches!(&w[0], Tok::Ident(n) if n == "format" || n == "concat")
            && matches!(&w[1], Tok::Punct("!"))
    }) || tokens
        .iter()
        .any(|t| matches!(t, Tok::Ident(n) if n == "push_str"))
}

/// The statement (to `;` at depth 0) defining `name` before `before`: `const NAME .. = ..;`
/// or `let name = ..;`.
fn definition(tokens: &[Tok], name: &str, before: usize) -> Option<Vec<Tok>> {
    let defines = |i: &usize| {
        (is_ident(tokens.get(*i), "const") || is_ident(tokens.get(*i), "let"))
            && is_ident(tokens.get(*i + 1), name)
    };
    // The nearest one before the use; a constant may also be defined after it.
    let start = (0..before)
        .rev()
        .find(defines)
        .or_else(|| (before..tokens.len()).find(defines))?;
    let mut i = start;
    let mut depth = 0i32;
    while i < tokens.len() {
        match &tokens[i] {
            Tok::Punct("(" | "[" | "{") => depth += 1,
            Tok::Punct(")" | "]" | "}") => depth -= 1,
            Tok::Punct(";") if depth == 0 => return Some(tokens[start..i].to_vec()),
            _ => {}
        }
        i += 1;
    }
    None
}

fn raw_sql(file: &str, tokens: &[Tok]) -> Vec<RawSql> {
    let mut found = Vec::new();
    for i in 0..tokens.len() {
        let Tok::Ident(name) = &tokens[i] else {
            continue;
        };
        let dsl_sql = name == "sql"
            && is_punct(tokens.get(i.wrapping_sub(1)), "::")
            && is_ident(tokens.get(i.wrapping_sub(2)), "dsl");
        if !(name == "sql_query" || name == "batch_execute" || dsl_sql) {
            continue;
        }
        // The argument list: `(`, or `::<T>(` for dsl::sql.
        let mut open = i + 1;
        if is_punct(tokens.get(open), "::") {
            while open < tokens.len() && !is_punct(tokens.get(open), "(") {
                open += 1;
            }
        }
        if !is_punct(tokens.get(open), "(") {
            continue; // an import or a path, not a call
        }
        let close = skip_balanced(tokens, open);
        let argument = &tokens[open + 1..close - 1];
        let mut formatted = is_format(argument);
        let mut texts: Vec<String> = argument
            .iter()
            .filter_map(|t| match t {
                Tok::Str(s) => Some(s.clone()),
                _ => None,
            })
            .collect();
        let variable = argument.iter().rev().find_map(|t| match t {
            Tok::Ident(n)
                if argument
                    .iter()
                    .all(|t| matches!(t, Tok::Ident(_) | Tok::Punct("&"))) =>
            {
                Some(n.clone())
            }
            _ => None,
        });
        if let Some(variable) = variable {
            match definition(tokens, &variable, i) {
                Some(statement) => {
                    formatted |= is_format(&statement);
                    texts.extend(statement.iter().filter_map(|t| match t {
                        Tok::Str(s) => Some(s.clone()),
                        _ => None,
                    }));
                }
                None => formatted = true, // from elsewhere: cannot be checked here
            }
        }
        // The rest of the statement: its `.bind` calls.
        let mut depth = 0i32;
        let mut binds = 0;
        let mut j = close;
        while j < tokens.len() {
            match &tokens[j] {
                Tok::Punct("(" | "[" | "{") => depth += 1,
                Tok::Punct(")" | "]" | "}") => {
                    depth -= 1;
                    if depth < 0 {
                        break;
                    }
                }
                Tok::Punct(";") if depth == 0 => break,
                Tok::Ident(n) if n == "bind" && is_punct(tokens.get(j - 1), ".") => binds += 1,
                _ => {}
            }
            j += 1;
        }
        found.push(RawSql {
            file: file.to_owned(),
            call: show(&tokens[i.saturating_sub(2)..close]),
            texts,
            binds,
            formatted,
        });
    }
    found
}

#[test]
fn raw_sql_binds_every_value_and_no_sql_is_built_with_format() {
    let statements: Vec<RawSql> = production_sources()
        .iter()
        .flat_map(|(file, tokens)| raw_sql(file, tokens))
        .collect();
    // The scan sees what it must: the known raw statements of the repositories.
    assert!(
        statements
            .iter()
            .any(|s| s.file.ends_with("repo/wearable/mod.rs") && s.binds == 1),
        "the scan missed the sync point query: {:?}",
        statements.iter().map(|s| &s.call).collect::<Vec<_>>()
    );
    assert!(
        statements.len() >= 10,
        "{} raw statements found",
        statements.len()
    );

    let formatted: Vec<(String, String)> = statements
        .iter()
        .filter(|s| s.formatted)
        .map(|s| (s.file.clone(), s.call.clone()))
        .collect();
    check(
        &formatted,
        SQL_BUILT_WITH_FORMAT,
        "raw SQL must be a literal or a constant, with every value bound (.bind), never format!",
    );

    let mut unbound = Vec::new();
    for statement in statements.iter().filter(|s| !s.formatted) {
        if statement.texts.is_empty() {
            unbound.push(format!(
                "{}: no SQL text found in {}",
                statement.file, statement.call
            ));
        }
        for text in &statement.texts {
            if placeholders(text) != statement.binds {
                unbound.push(format!(
                    "{}: {} placeholders but {} binds in {}",
                    statement.file,
                    placeholders(text),
                    statement.binds,
                    statement.call
                ));
            }
        }
    }
    assert!(unbound.is_empty(), "{}", unbound.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Constant-time comparisons

/// Words that make an identifier a secret's (`access_token`, `client_secret`, `signature`).
const SECRET_WORDS: [&str; 8] = [
    "secret",
    "token",
    "signature",
    "password",
    "verifier",
    "hmac",
    "mac",
    "nonce",
];

/// Comparisons near a secret that are not comparisons of secrets, or are constant-time by
/// type: (file, a snippet of the comparison, why).
const NOT_SECRET_COMPARISONS: &[(&str, &str, &str)] = &[
    (
        "crates/domain/src/usecases/whoop.rs",
        "stale == access_token",
        "two `Secret`s: Secret's PartialEq is constant_time_eq",
    ),
    (
        "crates/app/src/settings.rs",
        "contains ( & secret . expose ( ) . len ( ) )",
        "checks the configured secret's length, compares it with no other secret",
    ),
    (
        "crates/telegram/src/error.rs",
        "text . contains ( secret )",
        "scrubs the token out of an error text before it is shown; decides nothing",
    ),
    (
        "crates/postgres/src/repo/credentials.rs",
        "access_token_enc . eq",
        "diesel assignment of the encrypted column in an INSERT .. ON CONFLICT, not a comparison",
    ),
    (
        "crates/postgres/src/repo/credentials.rs",
        "refresh_token_enc . eq",
        "diesel assignment, as above",
    ),
    (
        "crates/postgres/src/repo/credentials.rs",
        "token_secret_enc . eq",
        "diesel assignment, as above",
    ),
    (
        "crates/postgres/src/repo/oauth_states.rs",
        "request_token_secret_enc . eq",
        "diesel assignment of the encrypted request-token secret in an INSERT",
    ),
    (
        "crates/postgres/src/rotation.rs",
        "access_token_enc . eq",
        "ciphertexts, compared in PostgreSQL (the rotation's guard that the row did not change \
         since it was read) and assigned: a ciphertext is not a secret",
    ),
    (
        "crates/postgres/src/rotation.rs",
        "refresh_token_enc . eq",
        "a diesel assignment of a resealed ciphertext, as above",
    ),
    (
        "crates/postgres/src/rotation.rs",
        "cr :: token_secret_enc . eq",
        "a diesel assignment of a resealed ciphertext, as above",
    ),
    (
        "crates/postgres/src/rotation.rs",
        "request_token_secret_enc . eq",
        "a diesel assignment of a resealed ciphertext, as above",
    ),
    (
        "crates/postgres/src/repo/oauth_states.rs",
        "request_token . eq ( token )",
        "the request token is public (FatSecret puts it in the browser's callback URL); it is \
         stored in clear to be looked up, its secret is encrypted",
    ),
];

/// Every comparison (`==`, `!=`, `.eq(`, `.ne(`, `.starts_with(`, `.ends_with(`, `.contains(`)
/// whose operands name a secret or expose one, as (file, operands).
fn secret_comparisons(file: &str, tokens: &[Tok]) -> Vec<(String, String)> {
    let boundary = |t: &Tok| {
        matches!(
            t,
            Tok::Punct(";" | "{" | "}" | "," | "=>" | "&&" | "||" | "=")
        ) || matches!(t, Tok::Ident(n) if matches!(n.as_str(), "if" | "let" | "return" | "match" | "else"))
    };
    let mut found = Vec::new();
    for i in 0..tokens.len() {
        let operator = matches!(tokens[i], Tok::Punct("==" | "!="))
            || (matches!(&tokens[i], Tok::Ident(n) if matches!(n.as_str(), "eq" | "ne" | "starts_with" | "ends_with" | "contains"))
                && is_punct(tokens.get(i.wrapping_sub(1)), ".")
                && is_punct(tokens.get(i + 1), "("));
        if !operator {
            continue;
        }
        // Left operand: back to a boundary at this depth.
        let mut start = i;
        let mut depth = 0i32;
        while start > 0 {
            let t = &tokens[start - 1];
            match t {
                Tok::Punct(")" | "]") => depth += 1,
                Tok::Punct("(" | "[") => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                }
                _ if depth == 0 && boundary(t) => break,
                _ => {}
            }
            start -= 1;
        }
        // Right operand: forward to a boundary at this depth.
        let mut end = i + 1;
        let mut depth = 0i32;
        while end < tokens.len() {
            let t = &tokens[end];
            match t {
                Tok::Punct("(" | "[") => depth += 1,
                Tok::Punct(")" | "]") => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                }
                _ if depth == 0 && boundary(t) => break,
                _ => {}
            }
            end += 1;
        }
        let window = &tokens[start..end];
        let secretive = window.iter().any(|t| match t {
            Tok::Ident(n) => n == "expose" || n.split('_').any(|word| SECRET_WORDS.contains(&word)),
            _ => false,
        });
        if secretive {
            found.push((file.to_owned(), show(window)));
        }
    }
    found
}

#[test]
fn secrets_are_compared_only_in_constant_time() {
    let sources = production_sources();
    let findings: Vec<(String, String)> = sources
        .iter()
        .flat_map(|(file, tokens)| secret_comparisons(file, tokens))
        .collect();
    check(
        &findings,
        NOT_SECRET_COMPARISONS,
        "compare secrets with wellness_domain::constant_time_eq (or compare `Secret`s, whose == is \
         constant-time), or list why this is not a comparison of secrets",
    );

    // Where secrets are checked, the constant-time way is the one used.
    let source = |file: &str| {
        sources
            .iter()
            .find(|(f, _)| f == file)
            .map(|(_, tokens)| show(tokens))
            .unwrap_or_else(|| panic!("{file} is missing"))
    };
    let telegram = source("crates/app/src/routes/telegram.rs");
    // Loose on the names around it: the route's internals may change, the comparison may not.
    let compared = telegram.split("constant_time_eq (").skip(1).any(|call| {
        call.split(';')
            .next()
            .is_some_and(|args| args.contains("webhook_secret . expose ( )"))
    });
    assert!(
        compared,
        "the Telegram webhook secret is compared with constant_time_eq"
    );
    let whoop = source("crates/whoop/src/webhook.rs");
    assert!(
        whoop.contains("mac . verify_slice ( & signature )"),
        "WHOOP signatures are checked with hmac's constant-time verify_slice"
    );
    let credentials = source("crates/domain/src/model/credentials.rs");
    assert!(
        credentials.contains(
            "impl PartialEq for Secret { fn eq ( & self , other : & Self ) -> bool { constant_time_eq ("
        ),
        "Secret's == is constant_time_eq, not derived"
    );
}

#[test]
fn the_scanners_see_comparisons_and_formatted_sql_they_must_refuse() {
    let (tokens, _) = without_tests(lex(r#"
        fn check(given: &str, secret: &Secret) -> bool { given == secret.expose() }
        fn lookup(conn: &mut Conn, name: &str) {
            diesel::sql_query(format!("SELECT * FROM users WHERE name = '{name}'")).execute(conn);
            diesel::sql_query("SELECT $1, $2").bind::<Text, _>(name).execute(conn);
        }
        #[cfg(test)]
        mod tests { fn t() { assert!(token == other_token); } }
    "#));
    let comparisons = secret_comparisons("x.rs", &tokens);
    assert_eq!(comparisons.len(), 1, "{comparisons:?}");
    assert!(comparisons[0].1.contains("given == secret . expose ( )"));
    let statements = raw_sql("x.rs", &tokens);
    assert_eq!(statements.len(), 2);
    assert!(statements[0].formatted);
    assert!(!statements[1].formatted);
    assert_eq!(
        (placeholders(&statements[1].texts[0]), statements[1].binds),
        (2, 1),
        "two placeholders, one bind: refused"
    );
}
