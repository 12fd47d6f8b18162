use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use wellness_sim::telegram::{FileKind, TelegramSim, silent_voice_note};

use crate::{ann, fails, http, ok, start_sim};

async fn download(sim: &TelegramSim, file_path: &str) -> (u16, Vec<u8>) {
    let response = http()
        .get(format!(
            "{}/file/bot{}/{file_path}",
            sim.base_url(),
            sim.token()
        ))
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.bytes().await.unwrap().to_vec(),
    )
}

async fn upload(sim: &TelegramSim, method: &str, form: Form) -> (u16, Value) {
    let response = http()
        .post(format!("{}/{method}", sim.bot_api_url()))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// A 3×2 PNG header (enough for Telegram's and the simulator's dimension probe).
fn png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&3u32.to_be_bytes());
    png.extend_from_slice(&2u32.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0]);
    png
}

#[tokio::test]
async fn voice_note_can_be_fetched_with_get_file_and_downloaded() {
    let sim = start_sim().await;
    let ogg = silent_voice_note(3);
    let message = sim.send_voice_message(&ann(), ogg.clone(), 3);
    let voice = message.voice.expect("a voice message");
    assert_eq!(voice.duration, 3);
    assert_eq!(voice.mime_type.as_deref(), Some("audio/ogg"));
    assert_eq!(voice.file_size, Some(ogg.len() as u64));

    let update = &ok(&sim, "getUpdates", json!({})).await[0];
    assert_eq!(update["message"]["voice"]["file_id"], voice.file_id);

    let file = ok(&sim, "getFile", json!({"file_id": voice.file_id})).await;
    assert_eq!(file["file_id"], voice.file_id);
    assert_eq!(file["file_unique_id"], voice.file_unique_id);
    assert_eq!(file["file_size"], ogg.len());
    let path = file["file_path"].as_str().unwrap();
    assert!(
        path.starts_with("voice/") && path.ends_with(".oga"),
        "{path}"
    );
    let (status, bytes) = download(&sim, path).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, ogg);
    assert!(bytes.starts_with(b"OggS"));
}

#[tokio::test]
async fn get_file_rejects_unknown_ids_and_files_over_20_mb() {
    let sim = start_sim().await;
    assert_eq!(
        fails(
            &sim,
            "getFile",
            json!({"file_id": "AwACAgIAAxkBAAInvented"})
        )
        .await,
        (400, "Bad Request: invalid file_id".to_owned())
    );
    let big = sim.send_voice_message(&ann(), vec![0u8; 20 * 1024 * 1024 + 1], 600);
    assert_eq!(
        fails(
            &sim,
            "getFile",
            json!({"file_id": big.voice.unwrap().file_id})
        )
        .await
        .1,
        "Bad Request: file is too big"
    );
}

#[tokio::test]
async fn download_of_an_unknown_path_or_with_a_wrong_token_is_404() {
    let sim = start_sim().await;
    assert_eq!(download(&sim, "voice/file_999.oga").await.0, 404);
    let message = sim.send_voice_message(&ann(), silent_voice_note(1), 1);
    let file = ok(
        &sim,
        "getFile",
        json!({"file_id": message.voice.unwrap().file_id}),
    )
    .await;
    let response = http()
        .get(format!(
            "{}/file/bot1:wrong/{}",
            sim.base_url(),
            file["file_path"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn send_document_accepts_a_multipart_upload_and_records_the_bytes() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/export");
    let csv = b"date,kcal\n2024-06-01,1850\n".to_vec();
    let form = Form::new()
        .text("chat_id", "1001")
        .text("caption", "<b>Your week</b>")
        .text("parse_mode", "HTML")
        .text(
            "reply_markup",
            r#"{"inline_keyboard":[[{"text":"Again","callback_data":"export"}]]}"#,
        )
        .part(
            "document",
            Part::bytes(csv.clone())
                .file_name("week.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
    let (status, body) = upload(&sim, "sendDocument", form).await;
    assert_eq!(status, 200, "{body}");
    let message = &body["result"];
    assert_eq!(message["document"]["file_name"], "week.csv");
    assert_eq!(message["document"]["mime_type"], "text/csv");
    assert_eq!(message["document"]["file_size"], csv.len());
    assert_eq!(message["caption"], "Your week");
    assert_eq!(message["caption_entities"][0]["type"], "bold");

    let record = &sim.sent()[0];
    assert_eq!(record.method, "sendDocument");
    assert_eq!(record.text.as_deref(), Some("<b>Your week</b>"));
    assert_eq!(record.callback_data(), vec!["export".to_owned()]);
    let file = record.file.as_ref().unwrap();
    assert_eq!(file.kind, FileKind::Document);
    assert_eq!(file.bytes, csv);
    assert_eq!(file.file_name.as_deref(), Some("week.csv"));

    let fetched = ok(&sim, "getFile", json!({"file_id": file.file_id})).await;
    let (_, bytes) = download(&sim, fetched["file_path"].as_str().unwrap()).await;
    assert_eq!(bytes, csv);
}

#[tokio::test]
async fn send_document_resolves_attach_references() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/export");
    let form = Form::new()
        .text("chat_id", "1001")
        .text("document", "attach://report")
        .part("report", Part::bytes(b"{}".to_vec()).file_name("r.json"));
    let (status, body) = upload(&sim, "sendDocument", form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["document"]["mime_type"], "application/json");
}

#[tokio::test]
async fn send_photo_reports_the_image_size() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/chart");
    let form = Form::new()
        .text("chat_id", "1001")
        .part("photo", Part::bytes(png()).file_name("chart.png"));
    let (status, body) = upload(&sim, "sendPhoto", form).await;
    assert_eq!(status, 200, "{body}");
    let photo = &body["result"]["photo"][0];
    assert_eq!(
        (photo["width"].clone(), photo["height"].clone()),
        (json!(3), json!(2))
    );
    assert_eq!(sim.sent()[0].file.as_ref().unwrap().bytes, png());

    let form = Form::new().text("chat_id", "1001").part(
        "photo",
        Part::bytes(b"not an image".to_vec()).file_name("x.png"),
    );
    let (status, body) = upload(&sim, "sendPhoto", form).await;
    assert_eq!(status, 400);
    assert_eq!(body["description"], "Bad Request: IMAGE_PROCESS_FAILED");
}

#[tokio::test]
async fn files_can_be_sent_again_by_file_id_or_by_url() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/chart");
    let form = Form::new()
        .text("chat_id", "1001")
        .part("photo", Part::bytes(png()).file_name("chart.png"));
    let (_, body) = upload(&sim, "sendPhoto", form).await;
    let file_id = body["result"]["photo"][0]["file_id"].clone();

    let again = ok(
        &sim,
        "sendPhoto",
        json!({"chat_id": 1001, "photo": file_id}),
    )
    .await;
    assert_eq!(again["photo"][0]["file_id"], file_id);
    assert_eq!(
        fails(
            &sim,
            "sendDocument",
            json!({"chat_id": 1001, "document": file_id})
        )
        .await
        .1,
        "Bad Request: can't use file of type Photo as Document"
    );
    assert_eq!(
        fails(
            &sim,
            "sendDocument",
            json!({"chat_id": 1001, "document": "BQACinvented"})
        )
        .await
        .1,
        "Bad Request: wrong file identifier/HTTP URL specified"
    );
    let by_url = ok(
        &sim,
        "sendDocument",
        json!({"chat_id": 1001, "document": "https://example.org/files/guide.pdf"}),
    )
    .await;
    assert_eq!(by_url["document"]["file_name"], "guide.pdf");
    assert_eq!(
        sim.sent()
            .last()
            .unwrap()
            .file
            .as_ref()
            .unwrap()
            .url
            .as_deref(),
        Some("https://example.org/files/guide.pdf")
    );
    assert_eq!(
        fails(&sim, "sendDocument", json!({"chat_id": 1001}))
            .await
            .1,
        "Bad Request: there is no document in the request"
    );
}

#[tokio::test]
async fn rejects_captions_over_1024_characters() {
    let sim = start_sim().await;
    sim.send_text(&ann(), "/chart");
    let form = Form::new()
        .text("chat_id", "1001")
        .text("caption", "c".repeat(1025))
        .part("document", Part::bytes(b"x".to_vec()).file_name("x.txt"));
    let (status, body) = upload(&sim, "sendDocument", form).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["description"],
        "Bad Request: message caption is too long"
    );
}

#[tokio::test]
async fn a_photo_comes_in_sizes_each_fetched_and_downloaded_with_its_caption() {
    let sim = start_sim().await;
    let mut big = png();
    big[16..20].copy_from_slice(&1280u32.to_be_bytes());
    big[20..24].copy_from_slice(&960u32.to_be_bytes());
    let message = sim.send_photo_message(&ann(), vec![png(), big.clone()], Some("200 г"));
    assert_eq!(message.caption.as_deref(), Some("200 г"));
    let sizes = message.photo.expect("a photo message");
    assert_eq!(sizes.len(), 2);
    assert_eq!((sizes[0].width, sizes[0].height), (3, 2));
    assert_eq!((sizes[1].width, sizes[1].height), (1280, 960));
    assert_eq!(sizes[1].file_size, Some(big.len() as u64));
    assert_ne!(sizes[0].file_id, sizes[1].file_id);
    assert_ne!(sizes[0].file_unique_id, sizes[1].file_unique_id);

    let update = &ok(&sim, "getUpdates", json!({})).await[0];
    assert_eq!(update["message"]["photo"][1]["file_id"], sizes[1].file_id);
    assert_eq!(update["message"]["caption"], "200 г");
    let file = ok(&sim, "getFile", json!({"file_id": sizes[1].file_id})).await;
    let path = file["file_path"].as_str().unwrap();
    assert!(
        path.starts_with("photos/") && path.ends_with(".png"),
        "{path}"
    );
    assert_eq!(download(&sim, path).await, (200, big));

    let mut huge = png();
    huge.resize(20 * 1024 * 1024 + 1, 0);
    let too_big = sim.send_photo_message(&ann(), vec![huge], None);
    let file_id = too_big.photo.unwrap()[0].file_id.clone();
    assert_eq!(
        fails(&sim, "getFile", json!({ "file_id": file_id }))
            .await
            .1,
        "Bad Request: file is too big"
    );
}
