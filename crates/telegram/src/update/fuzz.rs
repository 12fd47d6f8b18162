//! Bounded fuzzing of update parsing with proptest: arbitrary bytes, every prefix of real-shaped
//! updates, real-shaped updates with one field replaced by arbitrary JSON, and properties every
//! update keeps. `PROPTEST_CASES` sets the run length (docs/security.md, "Fuzzing").

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

/// Ids as Telegram sends them, and the ones it never sends.
fn id() -> impl Strategy<Value = i64> {
    prop_oneof![4 => 1..10_000_000_000i64, 1 => any::<i64>()]
}

fn person() -> impl Strategy<Value = Value> {
    (
        id(),
        any::<String>(),
        prop::option::of(prop_oneof![Just("uk"), Just("en"), Just(""), Just("pt-br")]),
    )
        .prop_map(|(id, name, language)| {
            let mut user = json!({"id": id, "is_bot": false, "first_name": name});
            if let Some(language) = language {
                user["language_code"] = json!(language);
            }
            user
        })
}

fn chat() -> impl Strategy<Value = Value> {
    (
        id(),
        prop_oneof![
            4 => Just("private"),
            1 => Just("group"),
            1 => Just("supergroup"),
            1 => Just("channel")
        ],
    )
        .prop_map(|(id, kind)| json!({"id": id, "type": kind}))
}

fn entities() -> impl Strategy<Value = Value> {
    prop::collection::vec(
        (
            prop_oneof![Just("bot_command"), Just("bold"), Just("mention")],
            0..64usize,
            0..64usize,
        )
            .prop_map(
                |(kind, offset, length)| json!({"type": kind, "offset": offset, "length": length}),
            ),
        0..3,
    )
    .prop_map(Value::Array)
}

/// A message: text (maybe with entities), a voice note, or a photo.
fn message() -> impl Strategy<Value = Value> {
    let content = prop_oneof![
        (any::<String>(), entities()).prop_map(|(text, entities)| json!({
            "text": text, "entities": entities
        })),
        (
            any::<String>(),
            any::<u32>(),
            prop::option::of(any::<u64>())
        )
            .prop_map(|(file_id, duration, size)| json!({
                "voice": {"file_id": file_id, "file_unique_id": "u", "duration": duration,
                    "file_size": size}
            })),
        Just(json!({"photo": [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]})),
    ];
    (
        1..1_000_000i64,
        prop_oneof![4 => 0..4_102_444_800i64, 1 => any::<i64>()],
        chat(),
        prop::option::of(person()),
        content,
    )
        .prop_map(|(message_id, date, chat, from, content)| {
            let mut message = json!({"message_id": message_id, "date": date, "chat": chat});
            if let Some(from) = from {
                message["from"] = from;
            }
            if let (Some(message), Value::Object(content)) = (message.as_object_mut(), content) {
                message.extend(content);
            }
            message
        })
}

/// An update of the kinds the bot reads, and of some it does not.
fn update() -> impl Strategy<Value = Value> {
    let body = prop_oneof![
        4 => message().prop_map(|m| ("message", m)),
        1 => message().prop_map(|m| ("edited_message", m)),
        1 => message().prop_map(|m| ("channel_post", m)),
        2 => (
            any::<String>(),
            person(),
            prop::option::of((1..1_000_000i64, chat())),
            prop::option::of(any::<String>()),
        )
            .prop_map(|(id, from, message, data)| {
                let mut query = json!({"id": id, "from": from, "chat_instance": "c"});
                if let Some((message_id, chat)) = message {
                    query["message"] = json!({"message_id": message_id, "date": 0, "chat": chat});
                }
                if let Some(data) = data {
                    query["data"] = json!(data);
                }
                ("callback_query", query)
            }),
        1 => (chat(), person()).prop_map(|(chat, from)| ("my_chat_member", json!({
            "chat": chat, "from": from, "date": 1, "old_chat_member": {}, "new_chat_member": {}
        }))),
        1 => Just(("poll", json!({"id": "p", "question": "q", "options": []}))),
    ];
    (
        prop_oneof![4 => 0..1_000_000_000i64, 1 => any::<i64>()],
        body,
    )
        .prop_map(|(update_id, (kind, body))| json!({"update_id": update_id, kind: body}))
}

fn mutated_update() -> impl Strategy<Value = Value> {
    wellness_fuzz::mutated(update())
}

/// Both readers of a body say the same: the fast one over bytes and the one over parsed JSON.
fn assert_routing_paths_agree(update: &Value) -> Result<(), TestCaseError> {
    let bytes = serde_json::to_vec(update).map_err(|e| TestCaseError::fail(e.to_string()))?;
    match (routing_key(&bytes), routing_key_of(update)) {
        (Ok(fast), Ok(parsed)) => prop_assert_eq!(fast, parsed),
        (Err(_), Err(_)) => {}
        (fast, parsed) => prop_assert!(false, "{fast:?} vs {parsed:?} for {update}"),
    }
    Ok(())
}

proptest! {
    #[test]
    fn arbitrary_bytes_are_refused_or_read_never_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = routing_key(&bytes);
        if let Ok(value) = serde_json::from_slice::<Value>(&bytes) {
            let _ = parse_update(&value);
        }
    }

    #[test]
    fn every_prefix_of_an_update_is_refused_or_read(update in update()) {
        let body = serde_json::to_vec(&update).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for end in 0..body.len() {
            let _ = routing_key(&body[..end]);
        }
        prop_assert!(routing_key(&body).is_ok() || update["update_id"].as_i64().is_some_and(|id| id < 0));
    }

    #[test]
    fn bytes_flipped_in_an_update_never_panic(body in wellness_fuzz::flipped_bytes(update())) {
        let _ = routing_key(&body);
        if let Ok(value) = serde_json::from_slice::<Value>(&body) {
            let _ = parse_update(&value);
        }
    }

    #[test]
    fn an_update_with_any_field_replaced_never_panics_and_both_routing_paths_agree(update in mutated_update()) {
        let _ = parse_update(&update);
        assert_routing_paths_agree(&update)?;
    }

    #[test]
    fn an_update_is_routed_by_the_chat_it_is_answered_in(update in update()) {
        assert_routing_paths_agree(&update)?;
        let bytes = serde_json::to_vec(&update).map_err(|e| TestCaseError::fail(e.to_string()))?;
        match parse_update(&update) {
            Ok(Some(message)) => {
                prop_assert_eq!(routing_key(&bytes), Ok((message.update_id, Some(message.chat))));
            }
            Ok(None) => prop_assert!(routing_key(&bytes).is_ok()),
            // Only out-of-range ids and dates are refused in an update of the right shape.
            Err(error) => prop_assert!(
                matches!(error, UpdateError::InvalidId(_) | UpdateError::InvalidDate(_)),
                "{error} for {update}"
            ),
        }
    }

    #[test]
    fn private_text_reads_back_exactly_as_sent(
        update_id in 0..i64::MAX,
        chat in 1..i64::MAX,
        sender in 1..i64::MAX,
        name in any::<String>(),
        text in any::<String>(),
        date in 0..4_102_444_800i64,
    ) {
        let update = json!({"update_id": update_id, "message": {
            "message_id": 1, "date": date, "text": text,
            "chat": {"id": chat, "type": "private"},
            "from": {"id": sender, "is_bot": false, "first_name": name}
        }});
        let read = parse_update(&update);
        let Ok(Some(read)) = read else {
            return Err(TestCaseError::fail(format!("{read:?}")));
        };
        prop_assert_eq!(read.update_id.get(), update_id);
        prop_assert_eq!(read.chat, ChatId(chat));
        prop_assert_eq!(read.sender.telegram_id.get(), sender);
        prop_assert_eq!(read.sender.first_name, name);
        prop_assert_eq!(read.sent_at.timestamp(), date);
        prop_assert_eq!(read.event, Inbound::Text(text));
    }

    #[test]
    fn a_command_reads_back_lowercased_with_trimmed_args(
        name in "[A-Za-z0-9_]{1,32}",
        bot in prop::option::of("[A-Za-z0-9_]{1,32}"),
        args in any::<String>(),
    ) {
        let command = match &bot {
            Some(bot) => format!("/{name}@{bot}"),
            None => format!("/{name}"),
        };
        let text = format!("{command} {args}");
        let update = json!({"update_id": 1, "message": {
            "message_id": 1, "date": 1, "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": command.len()}],
            "chat": {"id": 5, "type": "private"}, "from": {"id": 5, "first_name": "A"}
        }});
        let read = parse_update(&update);
        let Ok(Some(read)) = read else {
            return Err(TestCaseError::fail(format!("{read:?}")));
        };
        prop_assert_eq!(
            read.event,
            Inbound::Command(Command::parse(&name.to_lowercase(), args.trim()))
        );
    }
}
