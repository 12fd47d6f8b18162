//! Both languages define exactly the same messages, and every message the code uses exists.

use std::collections::BTreeSet;
use std::path::Path;

use wellness_texts::Texts;

fn ids(ftl: &str) -> BTreeSet<String> {
    // A message starts a line with its id and " =" (attributes and continuations are indented).
    ftl.lines()
        .filter(|l| !l.starts_with([' ', '#', '\t']) && !l.is_empty())
        .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim().to_owned()))
        .collect()
}

fn locales() -> (String, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    (read("en.ftl"), read("uk.ftl"))
}

#[test]
fn the_resources_load() {
    Texts::load().unwrap();
}

#[test]
fn both_languages_have_exactly_the_same_message_ids() {
    let (en, uk) = locales();
    let (en, uk) = (ids(&en), ids(&uk));
    assert!(!en.is_empty());
    let only_en: Vec<_> = en.difference(&uk).collect();
    let only_uk: Vec<_> = uk.difference(&en).collect();
    assert!(
        only_en.is_empty() && only_uk.is_empty(),
        "only in en.ftl: {only_en:?}; only in uk.ftl: {only_uk:?}"
    );
}

/// Every `t(locale, "id", …)` and `plain(locale, "id")` in the code names a message both languages have.
#[test]
fn every_message_id_used_in_the_code_exists() {
    let texts = Texts::load().unwrap();
    let used = regex_lite::Regex::new(r#"\b(?:t|plain)\(\s*\w+\s*,\s*"([a-z0-9-]+)""#).unwrap();
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut count = 0;
    let mut missing = Vec::new();
    // The texts themselves and the built-in assistant, which answers from the same resources.
    let sources = ["texts/src", "offline/src"]
        .into_iter()
        .flat_map(|dir| std::fs::read_dir(crates.join(dir)).unwrap());
    for entry in sources {
        let path = entry.unwrap().path();
        let code = std::fs::read_to_string(&path).unwrap();
        for id in used.captures_iter(&code) {
            count += 1;
            if !texts.has(&id[1]) {
                missing.push(format!("{}: {}", path.display(), &id[1]));
            }
        }
    }
    assert!(
        count > 0,
        "the scan found no message ids: has the call changed shape?"
    );
    assert!(missing.is_empty(), "ids with no message: {missing:?}");
}
