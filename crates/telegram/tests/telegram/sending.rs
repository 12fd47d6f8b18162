//! The Messenger port: texts, buttons, edits, files, typing, button answers and downloads.

use std::time::Duration;

use serde_json::json;
use wellness_domain::ports::{
    Attachment, Button, ButtonPress, Messenger, MessengerError, OutgoingMessage,
};
use wellness_sim::telegram::{FileKind, SimConfig, silent_voice_note};

use crate::{
    ann, chat_of, client, client_at, fake_server, greeted, http_response, no_limits, start_sim,
    start_with, test_options,
};

fn with_buttons(text: &str, rows: &[&[(&str, &str)]]) -> OutgoingMessage {
    OutgoingMessage {
        text: text.to_owned(),
        buttons: rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|(label, data)| Button {
                        label: (*label).to_owned(),
                        press: ButtonPress::Callback((*data).to_owned()),
                    })
                    .collect()
            })
            .collect(),
        menu_button: None,
    }
}

#[tokio::test]
async fn sends_plain_text_escaped_as_html() {
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    let text = "1 < 2 & 3 > 0, <b>not bold</b> &amp;";

    let sent = client(&sim)
        .send(chat_of(&ann), &OutgoingMessage::text(text))
        .await
        .unwrap();

    let records = sim.sent();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].message_id, sent.message_id);
    assert_eq!(records[0].parse_mode.as_deref(), Some("HTML"));
    assert_eq!(records[0].visible_text(), text);
    assert!(records[0].entities.is_empty(), "{:?}", records[0].entities);
}

#[tokio::test]
async fn splits_a_long_reply_on_line_boundaries() {
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    let line = "Гречка 200 г — 686 ккал <&>";
    let text = vec![line; 400].join("\n"); // about 11 000 characters

    let sent = client(&sim)
        .send(chat_of(&ann), &OutgoingMessage::text(&text))
        .await
        .unwrap();

    let records = sim.sent();
    assert_eq!(records.len(), 3);
    for record in &records {
        let visible = record.visible_text();
        assert!(visible.encode_utf16().count() <= 4096);
        assert!(visible.split('\n').all(|l| l == line), "cut inside a line");
    }
    let rejoined: Vec<&str> = records.iter().map(|r| r.visible_text()).collect();
    assert_eq!(rejoined.join("\n"), text);
    assert_eq!(sent.message_id, records[2].message_id);
}

#[tokio::test]
async fn hard_splits_a_single_line_counting_emoji_as_two_units() {
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    let text = "🍎".repeat(3000); // 6000 UTF-16 units, no line break

    client(&sim)
        .send(chat_of(&ann), &OutgoingMessage::text(&text))
        .await
        .unwrap();

    let records = sim.sent();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].visible_text().chars().count(), 2048);
    let rejoined: String = records.iter().map(|r| r.visible_text()).collect();
    assert_eq!(rejoined, text);
}

#[tokio::test]
async fn puts_the_buttons_under_the_last_piece_only() {
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    let text = vec!["x".repeat(100); 50].join("\n");
    let message = with_buttons(
        &text,
        &[&[("Undo", "undo:1"), ("OK", "ok")], &[("Help", "help")]],
    );

    let sent = client(&sim).send(chat_of(&ann), &message).await.unwrap();

    let records = sim.sent();
    assert_eq!(records.len(), 2);
    assert!(records[0].reply_markup.is_none());
    assert_eq!(records[1].callback_data(), vec!["undo:1", "ok", "help"]);
    // The buttons work: pressing one reaches the bot.
    sim.press_button(&ann, sent.message_id, "undo:1").unwrap();
}

#[tokio::test]
async fn refuses_callback_data_over_64_bytes_before_calling() {
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    let message = with_buttons("Pick", &[&[("Long", &"d".repeat(65))]]);

    let error = client(&sim)
        .send(chat_of(&ann), &message)
        .await
        .unwrap_err();

    assert!(matches!(error, MessengerError::Rejected(_)), "{error:?}");
    assert!(sim.sent().is_empty());
}

#[tokio::test]
async fn refuses_an_empty_text() {
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    let error = client(&sim)
        .send(chat_of(&ann), &OutgoingMessage::text(" \n "))
        .await
        .unwrap_err();
    assert!(matches!(error, MessengerError::Rejected(_)), "{error:?}");
    assert!(sim.sent().is_empty());
}

#[tokio::test]
async fn edits_the_text_and_buttons_of_a_sent_message() {
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    let client = client(&sim);
    let sent = client
        .send(
            chat_of(&ann),
            &with_buttons("Logged 200 g", &[&[("Undo", "undo:1")]]),
        )
        .await
        .unwrap();

    client
        .edit(
            chat_of(&ann),
            sent.message_id,
            &with_buttons("Removed <200 g>", &[&[("Redo", "redo:1")]]),
        )
        .await
        .unwrap();

    let records = sim.sent();
    assert_eq!(records[1].method, "editMessageText");
    assert_eq!(records[1].message_id, sent.message_id);
    assert_eq!(records[1].visible_text(), "Removed <200 g>");
    assert_eq!(records[1].callback_data(), vec!["redo:1"]);
}

#[tokio::test]
async fn an_unchanged_edit_counts_as_done() {
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    let client = client(&sim);
    let message = with_buttons("Same", &[&[("Undo", "undo:1")]]);
    let sent = client.send(chat_of(&ann), &message).await.unwrap();

    client
        .edit(chat_of(&ann), sent.message_id, &message)
        .await
        .unwrap();
}

#[tokio::test]
async fn editing_a_message_that_does_not_exist_is_rejected() {
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    let error = client(&sim)
        .edit(chat_of(&ann), 999, &OutgoingMessage::text("x"))
        .await
        .unwrap_err();
    assert!(matches!(error, MessengerError::Rejected(_)), "{error:?}");
}

#[tokio::test]
async fn sends_a_document_from_memory_with_its_name_and_caption() {
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    let document = Attachment {
        filename: "export.json".to_owned(),
        bytes: br#"{"entries":[]}"#.to_vec(),
        caption: Some("Your data <all of it>".to_owned()),
    };

    let sent = client(&sim)
        .send_document(chat_of(&ann), &document)
        .await
        .unwrap();

    let record = &sim.sent()[0];
    assert_eq!(record.method, "sendDocument");
    assert_eq!(record.message_id, sent.message_id);
    assert_eq!(record.visible_text(), "Your data <all of it>");
    let file = record.file.as_ref().unwrap();
    assert_eq!(file.kind, FileKind::Document);
    assert_eq!(file.file_name.as_deref(), Some("export.json"));
    assert_eq!(file.bytes, document.bytes);
}

#[tokio::test]
async fn sends_a_photo_from_memory() {
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&3_u32.to_be_bytes());
    png.extend_from_slice(&2_u32.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0]);
    let photo = Attachment {
        filename: "week.png".to_owned(),
        bytes: png.clone(),
        caption: None,
    };

    client(&sim)
        .send_photo(chat_of(&ann), &photo)
        .await
        .unwrap();

    let record = &sim.sent()[0];
    assert_eq!(record.method, "sendPhoto");
    assert_eq!(record.file.as_ref().unwrap().bytes, png);
}

#[tokio::test]
async fn shows_typing() {
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    client(&sim).show_typing(chat_of(&ann)).await.unwrap();
    let actions = sim.chat_actions();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].action, "typing");
    assert_eq!(actions[0].chat_id, ann.chat_id());
}

#[tokio::test]
async fn answers_a_button_press_with_a_notice() {
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    let client = client(&sim);
    let sent = client
        .send(
            chat_of(&ann),
            &with_buttons("Undo?", &[&[("Undo", "undo:1")]]),
        )
        .await
        .unwrap();
    sim.press_button(&ann, sent.message_id, "undo:1").unwrap();
    let callback_id = sim.pending_updates()[1]
        .callback_query
        .as_ref()
        .unwrap()
        .id
        .clone();

    client
        .answer_button(&callback_id, Some("Removed".to_owned()))
        .await
        .unwrap();

    let answers = sim.callback_answers();
    assert_eq!(answers[0].callback_query_id, callback_id);
    assert_eq!(answers[0].text.as_deref(), Some("Removed"));
}

#[tokio::test]
async fn answering_a_stale_or_unknown_button_press_counts_as_done() {
    let sim = start_with(SimConfig {
        callback_query_timeout: Duration::from_millis(20),
        ..SimConfig::default()
    })
    .await;
    let ann = greeted(&sim, ann());
    let client = client(&sim);
    let sent = client
        .send(
            chat_of(&ann),
            &with_buttons("Undo?", &[&[("Undo", "undo:1")]]),
        )
        .await
        .unwrap();
    sim.press_button(&ann, sent.message_id, "undo:1").unwrap();
    let callback_id = sim.pending_updates()[1]
        .callback_query
        .as_ref()
        .unwrap()
        .id
        .clone();
    tokio::time::sleep(Duration::from_millis(50)).await;

    client.answer_button(&callback_id, None).await.unwrap();
    client.answer_button("no-such-query", None).await.unwrap();
    assert!(sim.callback_answers().is_empty());
}

#[tokio::test]
async fn downloads_a_voice_note() {
    let sim = start_sim().await;
    let ogg = silent_voice_note(2);
    let message = sim.send_voice_message(&ann(), ogg.clone(), 2);
    let file_id = message.voice.unwrap().file_id;

    let bytes = client(&sim).download(&file_id, 1_000_000).await.unwrap();

    assert_eq!(bytes, ogg);
}

#[tokio::test]
async fn refuses_to_download_a_file_telegram_says_is_too_big() {
    let sim = start_sim().await;
    let ogg = silent_voice_note(2);
    let message = sim.send_voice_message(&ann(), ogg.clone(), 2);
    let file_id = message.voice.unwrap().file_id;

    let error = client(&sim)
        .download(&file_id, ogg.len() as u64 - 1)
        .await
        .unwrap_err();

    assert!(matches!(error, MessengerError::Rejected(_)), "{error:?}");
}

#[tokio::test]
async fn stops_reading_a_download_that_outgrows_the_limit() {
    // getFile gives no size, and the body comes without a length: only reading tells.
    let root = fake_server(|request| {
        if request.contains("/getFile") {
            let body = json!({"ok": true, "result": {"file_id": "f", "file_unique_id": "u", "file_path": "voice/f.oga"}});
            http_response("200 OK", "application/json", &body.to_string())
        } else {
            let mut response = b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".to_vec();
            response.extend_from_slice(&[7_u8; 5000]);
            response
        }
    })
    .await;
    let client = client_at(&root, no_limits(), test_options());

    let error = client.download("f", 1000).await.unwrap_err();
    assert!(matches!(error, MessengerError::Rejected(_)), "{error:?}");

    let bytes = client.download("f", 5000).await.unwrap();
    assert_eq!(bytes.len(), 5000);
}

#[tokio::test]
async fn downloading_an_unknown_file_is_rejected() {
    let sim = start_sim().await;
    let error = client(&sim).download("nope", 1000).await.unwrap_err();
    assert!(matches!(error, MessengerError::Rejected(_)), "{error:?}");
}

/// A message that asks for it also sets its chat's own menu button to the Mini App; a failure
/// of that call leaves the message sent (it must not be sent again for it). Without a Mini App
/// URL (http) nothing is set.
#[tokio::test]
async fn a_message_can_set_its_chats_menu_button_and_a_failure_to_does_not_fail_the_message() {
    use wellness_sim::telegram::{Fault, FaultRule};
    let sim = start_sim().await;
    let ann = greeted(&sim, ann());
    let message = OutgoingMessage {
        menu_button: Some("Панель".to_owned()),
        ..OutgoingMessage::text("Привіт")
    };
    let plain = client(&sim);
    plain.send(chat_of(&ann), &message).await.unwrap();
    assert_eq!(sim.menu_button(Some(ann.id)), None, "no Mini App over http");

    let options = wellness_telegram::ClientOptions {
        mini_app_url: Some("https://wellness.example/app".to_owned()),
        ..test_options()
    };
    let app = client_at(&sim.base_url(), no_limits(), options);
    app.send(chat_of(&ann), &message).await.unwrap();
    let button = sim.menu_button(Some(ann.id)).unwrap();
    assert_eq!(button["text"], "Панель");
    assert_eq!(button["web_app"]["url"], "https://wellness.example/app");
    assert_eq!(sim.menu_button(None), None, "the default is not touched");

    sim.inject_fault(
        FaultRule::next(Fault::Status { status: 502 })
            .for_method("setChatMenuButton")
            .times(10),
    );
    let before = sim.sent_to(ann.id).len();
    app.send(
        chat_of(&ann),
        &OutgoingMessage {
            menu_button: Some("Menu".to_owned()),
            ..OutgoingMessage::text("ще раз")
        },
    )
    .await
    .unwrap();
    assert_eq!(sim.sent_to(ann.id).len(), before + 1, "sent once");
    assert_eq!(sim.menu_button(Some(ann.id)).unwrap()["text"], "Панель");
}
