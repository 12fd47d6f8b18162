//! Shared strategies for the bounded fuzzing of parsers (a dev-dependency only).
//!
//! Every fuzz target is a proptest property, so it runs on stable Rust inside `cargo nextest`.
//! The number of cases comes from `PROPTEST_CASES` (proptest's default configuration reads
//! it): `make test` runs a few hundred per property, `make fuzz` tens of thousands. See
//! docs/security.md, "Fuzzing".

use proptest::prelude::*;
use serde_json::Value;

/// Cases per property as configured (`PROPTEST_CASES`, else proptest's 256).
pub fn cases() -> u32 {
    ProptestConfig::default().cases
}

/// A configuration with `1/divisor` of the configured cases (at least one), for properties
/// whose single case is expensive (a whole HTTP round trip, a database).
pub fn fewer_cases(divisor: u32) -> ProptestConfig {
    ProptestConfig::with_cases((cases() / divisor.max(1)).max(1))
}

/// Any JSON value, up to three levels deep: numbers of every range (including ones that lose
/// precision as `f64`), strings of any Unicode, arrays and objects.
pub fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        // Not finite becomes null, as serde_json writes it.
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        "[0-9.eE+-]{1,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,16}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Replaces the value at the path `choices` picks (one index per level, modulo the number of
/// children) with `replacement`; a path that reaches a leaf early replaces that leaf.
pub fn replace_somewhere(value: &mut Value, choices: &[usize], replacement: Value) {
    let Some((choice, rest)) = choices.split_first() else {
        *value = replacement;
        return;
    };
    let child = match value {
        Value::Object(map) if !map.is_empty() => {
            let key = map.keys().nth(choice % map.len()).cloned();
            key.and_then(|key| map.get_mut(&key))
        }
        Value::Array(items) if !items.is_empty() => {
            let at = choice % items.len();
            items.get_mut(at)
        }
        _ => None,
    };
    match child {
        Some(child) => replace_somewhere(child, rest, replacement),
        None => *value = replacement,
    }
}

/// Documents of `valid`, each with one value somewhere in it replaced by arbitrary JSON: the
/// shape a parser mostly meets, broken in one place at a time.
pub fn mutated(valid: impl Strategy<Value = Value>) -> impl Strategy<Value = Value> {
    (
        valid,
        prop::collection::vec(any::<usize>(), 0..6),
        any_json(),
    )
        .prop_map(|(mut document, path, replacement)| {
            replace_somewhere(&mut document, &path, replacement);
            document
        })
}

/// A JSON document serialised, with a few bytes overwritten.
pub fn flipped_bytes(valid: impl Strategy<Value = Value>) -> impl Strategy<Value = Vec<u8>> {
    (
        valid,
        prop::collection::vec((any::<usize>(), any::<u8>()), 1..6),
    )
        .prop_map(|(document, flips)| {
            let mut bytes = document.to_string().into_bytes();
            for (at, byte) in flips {
                if !bytes.is_empty() {
                    let at = at % bytes.len();
                    bytes[at] = byte;
                }
            }
            bytes
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn replaces_the_value_the_path_names_or_the_leaf_it_reaches() {
        let mut doc = json!({"a": {"b": [1, 2]}, "c": 3});
        replace_somewhere(&mut doc, &[0, 0, 1], json!("x"));
        assert_eq!(doc, json!({"a": {"b": [1, "x"]}, "c": 3}));
        replace_somewhere(&mut doc, &[1, 7, 7], json!(null));
        assert_eq!(doc, json!({"a": {"b": [1, "x"]}, "c": null}));
        replace_somewhere(&mut doc, &[], json!(0));
        assert_eq!(doc, json!(0));
    }
}
