use serde_json::json;

use crate::{ann, fails, ok, start_sim};

#[tokio::test]
async fn send_message_returns_the_message_and_records_it() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/start");
    let message = ok(
        &sim,
        "sendMessage",
        json!({
            "chat_id": 1001,
            "text": "Hi <i>Ann</i>",
            "parse_mode": "HTML",
            "disable_notification": true,
            "link_preview_options": {"is_disabled": true},
            "reply_parameters": {"message_id": 1},
        }),
    )
    .await;
    assert_eq!(message["message_id"], 2);
    assert_eq!(message["text"], "Hi Ann");
    assert_eq!(
        message["entities"],
        json!([{"type": "italic", "offset": 3, "length": 3}])
    );
    assert_eq!(message["reply_to_message"]["text"], "/start");

    let sent = sim.sent();
    assert_eq!(sent.len(), 1);
    let record = &sent[0];
    assert_eq!(record.method, "sendMessage");
    assert_eq!(record.chat_id, 1001);
    assert_eq!(record.message_id, 2);
    assert_eq!(record.text.as_deref(), Some("Hi <i>Ann</i>"));
    assert_eq!(record.rendered_text.as_deref(), Some("Hi Ann"));
    assert_eq!(record.parse_mode.as_deref(), Some("HTML"));
    assert_eq!(record.reply_to_message_id, Some(1));
    assert!(record.disable_notification);
    assert_eq!(
        record.link_preview_options,
        Some(json!({"is_disabled": true}))
    );
    assert_eq!(sim.bot_messages(1001).len(), 1);
    assert_eq!(sim.chat_history(1001).len(), 2);
}

#[tokio::test]
async fn rejects_empty_text() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/start");
    for text in ["", "  \n "] {
        assert_eq!(
            fails(&sim, "sendMessage", json!({"chat_id": 1001, "text": text})).await,
            (400, "Bad Request: message text is empty".to_owned())
        );
    }
}

#[tokio::test]
async fn rejects_text_over_4096_characters() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/start");
    let exactly = "a".repeat(4096);
    ok(
        &sim,
        "sendMessage",
        json!({"chat_id": 1001, "text": exactly}),
    )
    .await;
    let over = "a".repeat(4097);
    assert_eq!(
        fails(&sim, "sendMessage", json!({"chat_id": 1001, "text": over})).await,
        (400, "Bad Request: message is too long".to_owned())
    );
}

#[tokio::test]
async fn counts_length_in_utf16_code_units() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/start");
    // 2049 emoji are 2049 chars but 4098 UTF-16 code units.
    let emoji = "💪".repeat(2049);
    assert_eq!(
        fails(&sim, "sendMessage", json!({"chat_id": 1001, "text": emoji}))
            .await
            .1,
        "Bad Request: message is too long"
    );
}

#[tokio::test]
async fn checks_length_after_removing_markup() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/start");
    let text = format!("<b>{}</b>", "a".repeat(4096));
    let message = ok(
        &sim,
        "sendMessage",
        json!({"chat_id": 1001, "text": text, "parse_mode": "HTML"}),
    )
    .await;
    assert_eq!(message["entities"][0]["length"], 4096);
}

#[tokio::test]
async fn rejects_html_that_does_not_parse() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/start");
    let cases = [
        (
            "<b>unclosed",
            "Can't find end tag corresponding to start tag \"b\"",
        ),
        (
            "<blink>x</blink>",
            "Unsupported start tag \"blink\" at byte offset 0",
        ),
        ("2 < 3", "Unsupported start tag \"\" at byte offset 2"),
        (
            "<b><i>x</b></i>",
            "Unmatched end tag at byte offset 7, expected \"</i>\", found \"</b>\"",
        ),
        (
            "Fish & chips",
            "Unescaped \"&\" at byte offset 5: use &amp;",
        ),
    ];
    for (text, reason) in cases {
        assert_eq!(
            fails(
                &sim,
                "sendMessage",
                json!({"chat_id": 1001, "text": text, "parse_mode": "HTML"})
            )
            .await,
            (400, format!("Bad Request: can't parse entities: {reason}")),
            "{text}"
        );
    }
}

#[tokio::test]
async fn rejects_markdown_v2_with_unescaped_reserved_characters() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/start");
    assert_eq!(
        fails(
            &sim,
            "sendMessage",
            json!({"chat_id": 1001, "text": "Calories: 2.5k!", "parse_mode": "MarkdownV2"})
        )
        .await
        .1,
        "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'"
    );
    assert_eq!(
        fails(
            &sim,
            "sendMessage",
            json!({"chat_id": 1001, "text": "*bold", "parse_mode": "MarkdownV2"})
        )
        .await
        .1,
        "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0"
    );
    let message = ok(
        &sim,
        "sendMessage",
        json!({"chat_id": 1001, "text": "*Calories:* 2\\.5k\\!", "parse_mode": "MarkdownV2"}),
    )
    .await;
    assert_eq!(message["text"], "Calories: 2.5k!");
}

#[tokio::test]
async fn rejects_an_unknown_parse_mode() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/start");
    assert_eq!(
        fails(
            &sim,
            "sendMessage",
            json!({"chat_id": 1001, "text": "x", "parse_mode": "Markdown3"})
        )
        .await
        .1,
        "Bad Request: unsupported parse_mode"
    );
}

#[tokio::test]
async fn validates_inline_keyboards() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/start");
    let keyboard = |data: &str| {
        json!({"chat_id": 1001, "text": "pick",
               "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": data}]]}})
    };
    ok(&sim, "sendMessage", keyboard(&"x".repeat(64))).await;
    assert_eq!(
        fails(&sim, "sendMessage", keyboard(&"x".repeat(65)))
            .await
            .1,
        "Bad Request: BUTTON_DATA_INVALID"
    );
    // 33 two-byte letters are 66 bytes.
    assert_eq!(
        fails(&sim, "sendMessage", keyboard(&"ї".repeat(33)))
            .await
            .1,
        "Bad Request: BUTTON_DATA_INVALID"
    );
    assert_eq!(
        fails(
            &sim,
            "sendMessage",
            json!({"chat_id": 1001, "text": "pick",
                   "reply_markup": {"inline_keyboard": [[{"text": "A"}]]}})
        )
        .await
        .1,
        "Bad Request: text buttons are unallowed in the inline keyboard"
    );
    assert_eq!(
        fails(
            &sim,
            "sendMessage",
            json!({"chat_id": 1001, "text": "pick", "reply_markup": "{not json"})
        )
        .await
        .1,
        "Bad Request: can't parse reply keyboard markup JSON object"
    );
}

#[tokio::test]
async fn web_apps_open_only_over_https_from_buttons_and_the_menu() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/start");
    let app = |url: &str| {
        json!({"chat_id": 1001, "text": "pick",
               "reply_markup": {"inline_keyboard": [[{"text": "App", "web_app": {"url": url}}]]}})
    };
    ok(&sim, "sendMessage", app("https://example.org/app")).await;
    assert_eq!(
        fails(&sim, "sendMessage", app("http://example.org/app")).await,
        (
            400,
            "Bad Request: inline keyboard button Web App URL 'http://example.org/app' is invalid: \
             Only HTTPS links are allowed"
                .to_owned()
        )
    );
    let menu = |url: &str| json!({"menu_button": {"type": "web_app", "text": "Dashboard", "web_app": {"url": url}}});
    assert_eq!(
        ok(&sim, "getChatMenuButton", json!({})).await,
        json!({"type": "default"})
    );
    assert_eq!(
        fails(&sim, "setChatMenuButton", menu("http://example.org/app"))
            .await
            .0,
        400
    );
    ok(&sim, "setChatMenuButton", menu("https://example.org/app")).await;
    let set = ok(&sim, "getChatMenuButton", json!({})).await;
    assert_eq!(set["web_app"]["url"], "https://example.org/app");
    assert_eq!(sim.menu_button(None), Some(set));
    // A chat without its own button: none of its own.
    assert_eq!(
        ok(&sim, "getChatMenuButton", json!({"chat_id": 1001})).await,
        json!({"type": "default"})
    );
    assert_eq!(
        fails(
            &sim,
            "setChatMenuButton",
            json!({"menu_button": {"type": "game"}})
        )
        .await
        .0,
        400
    );
}

#[tokio::test]
async fn a_reply_to_a_missing_message_fails_unless_allowed() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/start");
    assert_eq!(
        fails(
            &sim,
            "sendMessage",
            json!({"chat_id": 1001, "text": "x", "reply_parameters": {"message_id": 99}})
        )
        .await
        .1,
        "Bad Request: message to be replied not found"
    );
    ok(
        &sim,
        "sendMessage",
        json!({"chat_id": 1001, "text": "x",
               "reply_parameters": {"message_id": 99, "allow_sending_without_reply": true}}),
    )
    .await;
}

#[tokio::test]
async fn edits_the_bots_own_message() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/start");
    let sent = ok(
        &sim,
        "sendMessage",
        json!({"chat_id": 1001, "text": "Saving…",
               "reply_markup": {"inline_keyboard": [[{"text": "Undo", "callback_data": "undo"}]]}}),
    )
    .await;
    let id = sent["message_id"].clone();
    let edited = ok(
        &sim,
        "editMessageText",
        json!({"chat_id": 1001, "message_id": id, "text": "Saved <b>100 g</b>", "parse_mode": "HTML"}),
    )
    .await;
    assert_eq!(edited["text"], "Saved 100 g");
    assert!(edited["edit_date"].is_i64());
    // Without reply_markup the keyboard is removed, as in Telegram.
    assert!(edited.get("reply_markup").is_none());
    assert_eq!(
        sim.bot_messages(1001)[0].text.as_deref(),
        Some("Saved 100 g")
    );
    assert_eq!(sim.sent()[1].method, "editMessageText");
}

#[tokio::test]
async fn editing_with_the_same_content_is_not_modified() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/start");
    let sent = ok(
        &sim,
        "sendMessage",
        json!({"chat_id": 1001, "text": "Same"}),
    )
    .await;
    assert_eq!(
        fails(
            &sim,
            "editMessageText",
            json!({"chat_id": 1001, "message_id": sent["message_id"], "text": "Same"})
        )
        .await
        .1,
        "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
    );
}

#[tokio::test]
async fn editing_a_missing_or_foreign_message_fails() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/start");
    assert_eq!(
        fails(
            &sim,
            "editMessageText",
            json!({"chat_id": 1001, "message_id": 77, "text": "x"})
        )
        .await
        .1,
        "Bad Request: message to edit not found"
    );
    assert_eq!(
        fails(
            &sim,
            "editMessageText",
            json!({"chat_id": 1001, "message_id": 1, "text": "x"})
        )
        .await
        .1,
        "Bad Request: message can't be edited"
    );
}

#[tokio::test]
async fn send_chat_action_validates_the_action() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/start");
    assert_eq!(
        ok(
            &sim,
            "sendChatAction",
            json!({"chat_id": 1001, "action": "typing"})
        )
        .await,
        json!(true)
    );
    assert_eq!(
        fails(
            &sim,
            "sendChatAction",
            json!({"chat_id": 1001, "action": "dancing"})
        )
        .await
        .1,
        "Bad Request: wrong parameter action in request"
    );
    let actions = sim.chat_actions();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].action, "typing");
}

#[tokio::test]
async fn set_my_commands_validates_and_records_per_scope_and_language() {
    let sim = start_sim().await;
    let commands = json!([{"command": "start", "description": "Почати"}, {"command": "log_food", "description": "Записати їжу"}]);
    ok(
        &sim,
        "setMyCommands",
        json!({"commands": commands, "language_code": "uk"}),
    )
    .await;
    ok(
        &sim,
        "setMyCommands",
        json!({"commands": [{"command": "start", "description": "Start"}],
               "scope": {"type": "all_private_chats"}}),
    )
    .await;
    assert_eq!(
        ok(&sim, "getMyCommands", json!({"language_code": "uk"})).await,
        commands
    );
    assert_eq!(ok(&sim, "getMyCommands", json!({})).await, json!([]));
    let recorded = sim.commands();
    assert_eq!(recorded.len(), 2);
    assert!(recorded.iter().any(|list| list.language_code == "uk"
        && list.scope == json!({"type": "default"})
        && list.commands.len() == 2));

    let bad = |command: &str, description: &str| json!({"commands": [{"command": command, "description": description}]});
    for (params, reason) in [
        (bad("Start", "x"), "BOT_COMMAND_INVALID"),
        (bad("log-food", "x"), "BOT_COMMAND_INVALID"),
        (
            bad(&"a".repeat(33), "x"),
            "command length must not exceed 32",
        ),
        (bad("start", ""), "command description must be non-empty"),
        (
            bad("start", &"d".repeat(257)),
            "command description length must not exceed 256",
        ),
    ] {
        assert_eq!(
            fails(&sim, "setMyCommands", params).await.1,
            format!("Bad Request: {reason}")
        );
    }
}
