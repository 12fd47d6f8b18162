//! The simulator's updates, as Telegram would send them, mapped for the domain.

use serde_json::Value;
use wellness_domain::conversation::{Callback, Command, Setting};
use wellness_domain::model::{CalorieGoal, ChatId, Inbound, TelegramUserId, UpdateId};
use wellness_domain::ports::{Button, ButtonPress, Messenger, OutgoingMessage};
use wellness_sim::telegram::silent_voice_note;
use wellness_telegram::{parse_update, routing_key};

use crate::{ann, chat_of, client, start_sim};

#[tokio::test]
async fn maps_the_simulators_text_command_voice_and_button_updates() {
    let sim = start_sim().await;
    let ann = ann();
    sim.send_text(&ann, "/goal@wellness_sim_bot 1800");
    sim.send_text(&ann, "two eggs");
    let voice = sim.send_voice_message(&ann, silent_voice_note(3), 3);
    let sent = client(&sim)
        .send(
            chat_of(&ann),
            &OutgoingMessage {
                text: "Logged".to_owned(),
                buttons: vec![vec![Button {
                    label: "Undo".to_owned(),
                    press: ButtonPress::Callback("undo:9".to_owned()),
                }]],
                menu_button: None,
            },
        )
        .await
        .unwrap();
    sim.press_button(&ann, sent.message_id, "undo:9").unwrap();

    let updates: Vec<Value> = sim
        .pending_updates()
        .iter()
        .map(|update| serde_json::to_value(update).unwrap())
        .collect();
    let parsed: Vec<_> = updates
        .iter()
        .map(|update| parse_update(update).unwrap().unwrap())
        .collect();

    for (update, message) in updates.iter().zip(&parsed) {
        assert_eq!(message.chat, ChatId(1001));
        assert_eq!(
            message.sender.telegram_id,
            TelegramUserId::new(1001).unwrap()
        );
        assert_eq!(message.sender.language_code.as_deref(), Some("uk"));
        let body = serde_json::to_vec(update).unwrap();
        assert_eq!(
            routing_key(&body).unwrap(),
            (message.update_id, Some(message.chat))
        );
    }
    assert_eq!(
        parsed[0].event,
        Inbound::Command(Command::Goal(Setting::Set(CalorieGoal::new(1800).unwrap())))
    );
    assert_eq!(parsed[1].event, Inbound::Text("two eggs".to_owned()));
    let voice = voice.voice.unwrap();
    assert_eq!(
        parsed[2].event,
        Inbound::Voice {
            file_id: voice.file_id,
            duration_secs: 3,
            file_size: voice.file_size
        }
    );
    assert!(matches!(
        &parsed[3].event,
        Inbound::Button { callback: Some(Callback::Undo(update)), message_id: Some(id), .. }
            if *update == UpdateId::new(9).unwrap() && *id == sent.message_id
    ));
}
