//! Photos of nutrition labels through the whole conversation, read in the words the user sees:
//! the label reader's answer is shown with its numbers and nothing is saved or logged until a
//! button says so.
use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use futures_executor::block_on;

use wellness_domain::conversation::{Callback, LabelAction, MealAction};
use wellness_domain::model::*;
use wellness_domain::ports::*;
use wellness_domain::testing::{
    MemoryConversations, MemoryLog, MemoryPending, MemoryPersonal, MemoryThrottle, RecordingAudit,
};
use wellness_domain::usecases::chat::{ChatError, ChatPorts, ChatService, UserLimits};
use wellness_domain::usecases::food::{BarcodePhotos, VoiceLimits};
use wellness_texts::Texts;

use super::{nutrients, user};

fn facts(name: &str, kcal: f64, alternatives: Vec<FoodFacts>) -> FoodFacts {
    FoodFacts {
        name: name.into(),
        per_100g: nutrients(kcal, kcal / 20.0, kcal / 40.0, kcal / 8.0),
        portions: Vec::new(),
        source: NutritionSource::OfflineCatalogue,
        catalogue_ref: None,
        alternatives,
        family: None,
    }
}

/// Buckwheat and chicken are known; "rice" may mean dry or cooked rice; nothing else is known.
fn catalog() -> MockFoodCatalog {
    let mut catalog = MockFoodCatalog::new();
    catalog.expect_find().returning(|_, lookup, _| {
        Ok(match lookup {
            "buckwheat, cooked" => Some(facts("гречка, варена", 92.0, Vec::new())),
            "chicken breast, grilled" => Some(facts("куряче філе, гриль", 165.0, Vec::new())),
            "rice" => Some(facts(
                "рис, сухий",
                365.0,
                vec![facts("рис, варений", 130.0, Vec::new())],
            )),
            _ => None,
        })
    });
    catalog
}

/// What the label reader answers.
type Reading = Result<PhotoReading, AssistantError>;

struct World {
    service: ChatService,
    sent: Arc<Mutex<Vec<OutgoingMessage>>>,
    log: Arc<MemoryLog>,
    personal: Arc<MemoryPersonal>,
    hints: Arc<Mutex<Vec<Option<String>>>>,
}

/// Every photo shows no barcode; the label reader (when there is one) answers `reading`.
fn world(locale: Locale, reading: Option<Reading>) -> World {
    world_with(locale, reading, true)
}

/// [`world`], with meal photos on or off.
fn world_with(locale: Locale, reading: Option<Reading>, meals: bool) -> World {
    let mut users = MockUsers::new();
    users.expect_register().returning(move |_| {
        Ok(Registration {
            user: user(locale),
            is_new: false,
        })
    });
    let sent = Arc::new(Mutex::new(Vec::new()));
    let sink = sent.clone();
    let mut messenger = MockMessenger::new();
    messenger.expect_send().returning(move |_, m| {
        sink.lock().unwrap().push(m.clone());
        Ok(SentMessage { message_id: 9 })
    });
    messenger.expect_answer_button().returning(|_, _| Ok(()));
    messenger
        .expect_download()
        .returning(|_, _| Ok(vec![0xff, 0xd8, 0xff, 1]));
    let messenger = Arc::new(messenger);
    let mut clock = MockClock::new();
    clock
        .expect_now()
        .return_const(Utc.with_ymd_and_hms(2026, 6, 1, 6, 30, 0).unwrap());
    let mut barcodes = MockBarcodeReader::new();
    barcodes.expect_read().returning(|_| Scan::NoBarcode);
    let hints = Arc::new(Mutex::new(Vec::new()));
    let vision = reading.map(|reading| {
        let mut vision = MockPhotoReader::new();
        let seen = hints.clone();
        vision.expect_read_photo().returning(move |image, hint, _| {
            assert_eq!(image, [0xff, 0xd8, 0xff, 1], "the downloaded photo");
            seen.lock().unwrap().push(hint);
            reading.clone()
        });
        Arc::new(vision) as Arc<dyn PhotoReader>
    });
    let log = Arc::new(MemoryLog::default());
    let personal = Arc::new(MemoryPersonal::default());
    let mut wearables = MockWearableStore::new();
    wearables
        .expect_snapshot()
        .returning(|_, _| Ok(WearableSnapshot::default()));
    let mut links = MockConnectLinks::new();
    links.expect_is_configured().return_const(false);
    let service = ChatService::new(ChatPorts {
        users: Arc::new(users),
        food: log.clone(),
        wearables: Arc::new(wearables),
        credentials: Arc::new(MockCredentialStore::new()),
        links: Arc::new(links),
        messenger: messenger.clone(),
        clock: Arc::new(clock),
        conversations: Arc::new(MemoryConversations::default()),
        pending: Arc::new(MemoryPending::default()),
        presenter: Arc::new(Texts::load().unwrap()),
        assistant: Arc::new(MockAssistant::new()),
        fallback_assistant: None,
        audit: Arc::new(RecordingAudit::default()),
        catalog: Arc::new(catalog()),
        transcriber: None,
        voice: VoiceLimits::default(),
        whoop: None,
        user_data: Arc::new(MockUserData::new()),
        fatsecret: None,
        throttle: Arc::new(MemoryThrottle::default()),
        limits: UserLimits::default(),
        personal: personal.wired(),
    })
    .with_barcode_photos(BarcodePhotos {
        messenger,
        reader: Arc::new(barcodes),
        products: ProductSources::new(Vec::new()),
        vision,
        meals,
    });
    World {
        service,
        sent,
        log,
        personal,
        hints,
    }
}

fn message(update: i64, event: Inbound) -> InboundMessage {
    InboundMessage {
        update_id: UpdateId::new(update).unwrap(),
        chat: ChatId(77),
        sender: Sender {
            telegram_id: TelegramUserId::new(77).unwrap(),
            first_name: "Ann".into(),
            language_code: Some("en".into()),
        },
        event,
        sent_at: Utc::now(),
    }
}

impl World {
    /// Sends a photo; the reply, or the error.
    fn photo(&self, update: i64, caption: Option<&str>) -> Result<OutgoingMessage, ChatError> {
        let photo = Inbound::Photo {
            file_id: Some("photo-1".into()),
            caption: caption.map(str::to_owned),
        };
        block_on(self.service.handle(&message(update, photo)))?;
        Ok(self.last())
    }

    /// Taps a button under the reading of the photo of `update`.
    fn tap(&self, update: i64, action: LabelAction) -> OutgoingMessage {
        let button = Inbound::Button {
            callback_id: "cb".into(),
            callback: Some(Callback::Label {
                update: UpdateId::new(update).unwrap(),
                action,
            }),
            message_id: Some(9),
        };
        block_on(self.service.handle(&message(update + 100, button))).unwrap();
        self.last()
    }

    /// Taps a button under the meal estimate of the photo of `update`.
    fn tap_meal(&self, update: i64, action: MealAction) -> OutgoingMessage {
        let button = Inbound::Button {
            callback_id: "cb".into(),
            callback: Some(Callback::Meal {
                update: UpdateId::new(update).unwrap(),
                action,
            }),
            message_id: Some(9),
        };
        block_on(self.service.handle(&message(update + 200, button))).unwrap();
        self.last()
    }

    fn last(&self) -> OutgoingMessage {
        self.sent.lock().unwrap().last().cloned().unwrap()
    }

    fn saved(&self) -> Vec<SavedProduct> {
        let products = self.personal.products.lock().unwrap();
        products.iter().map(|(_, p)| p.clone()).collect()
    }
}

fn buttons(message: &OutgoingMessage) -> Vec<String> {
    message
        .buttons
        .iter()
        .flatten()
        .map(|b| b.label.clone())
        .collect()
}

fn granola(per_serving: bool) -> LabelReading {
    let numbers = nutrients(452.0, 9.5, 18.0, 61.0);
    LabelReading {
        name: Some("Granola".into()),
        per_100g: (!per_serving).then_some(numbers),
        per_serving: per_serving.then(|| nutrients(135.6, 2.85, 5.4, 18.3)),
        serving: Some(Grams::new(30.0).unwrap()),
    }
}

#[test]
fn a_label_is_shown_first_and_saved_and_logged_only_when_the_user_says_so() {
    let w = world(Locale::En, Some(Ok(PhotoReading::Label(granola(false)))));
    let shown = w.photo(1, Some("40 g")).unwrap();
    println!("--- label read ---\n{}", shown.text);
    assert!(
        shown
            .text
            .contains("🏷 From the label: Granola — 452 kcal per 100 g (P 9.5 · F 18 · C 61 g)."),
        "{}",
        shown.text
    );
    assert!(shown.text.contains("Serving: 30 g."), "{}", shown.text);
    assert!(shown.text.contains("To log: 40 g."), "{}", shown.text);
    assert!(
        shown
            .text
            .contains("nothing is saved or logged until you tap a button"),
        "{}",
        shown.text
    );
    assert_eq!(
        buttons(&shown),
        ["✅ Save and log", "💾 Only save", "✖ Cancel"]
    );
    // Nothing happened yet.
    assert!(w.log.0.lock().unwrap().is_empty());
    assert!(w.saved().is_empty());
    assert_eq!(*w.hints.lock().unwrap(), [Some("40 g".to_owned())]);

    let logged = w.tap(1, LabelAction::SaveAndLog);
    println!("--- save and log ---\n{}", logged.text);
    assert!(
        logged.text.contains("Saved: Granola — 452 kcal per 100 g"),
        "{}",
        logged.text
    );
    assert!(
        logged.text.contains("Granola — 40 g: 181 kcal"),
        "{}",
        logged.text
    );
    let entries = w.log.0.lock().unwrap().clone();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].source, EntrySource::Label);
    assert_eq!(entries[0].nutrition_source, NutritionSource::SavedProduct);
    assert_eq!(entries[0].grams.get(), 40.0);
    assert_eq!(w.saved().len(), 1);
    assert_eq!(w.saved()[0].per_100g.kcal.get(), 452.0);
    // The reading is gone once acted on: a second tap changes nothing.
    let again = w.tap(1, LabelAction::SaveAndLog);
    assert!(again.text.contains("no longer open"), "{}", again.text);
    assert_eq!(w.log.0.lock().unwrap().len(), 1);
}

#[test]
fn per_serving_numbers_are_scaled_to_100_g_and_only_save_or_cancel_log_nothing() {
    let w = world(Locale::En, Some(Ok(PhotoReading::Label(granola(true)))));
    let shown = w.photo(1, None).unwrap();
    // 135.6 kcal per 30 g serving is 452 per 100 g.
    assert!(
        shown.text.contains("Granola — 452 kcal per 100 g"),
        "{}",
        shown.text
    );
    assert!(!shown.text.contains("To log"), "{}", shown.text);
    let saved = w.tap(1, LabelAction::SaveOnly);
    assert!(saved.text.contains("Saved: Granola"), "{}", saved.text);
    assert!(w.log.0.lock().unwrap().is_empty());
    assert_eq!(w.saved().len(), 1);

    w.photo(2, None).unwrap();
    let cancelled = w.tap(2, LabelAction::Cancel);
    assert_eq!(
        cancelled.text,
        "Cancelled: nothing from this label was saved or logged."
    );
    assert_eq!(w.saved().len(), 1);
    assert!(w.log.0.lock().unwrap().is_empty());
    let gone = w.tap(2, LabelAction::SaveOnly);
    assert!(gone.text.contains("no longer open"), "{}", gone.text);
}

#[test]
fn save_and_log_without_grams_logs_the_serving() {
    let w = world(Locale::En, Some(Ok(PhotoReading::Label(granola(false)))));
    w.photo(1, None).unwrap();
    let logged = w.tap(1, LabelAction::SaveAndLog);
    assert!(
        logged.text.contains("Granola — 30 g: 136 kcal"),
        "{}",
        logged.text
    );
}

#[test]
fn without_grams_or_a_serving_the_grams_are_asked_before_anything_is_logged() {
    let no_serving = LabelReading {
        serving: None,
        ..granola(false)
    };
    let w = world(Locale::En, Some(Ok(PhotoReading::Label(no_serving))));
    w.photo(1, None).unwrap();
    let asked = w.tap(1, LabelAction::SaveAndLog);
    println!("--- asked ---\n{}", asked.text);
    assert!(asked.text.contains("Saved: Granola"), "{}", asked.text);
    assert!(
        asked
            .text
            .contains("How many grams of Granola? Send a number, e.g. 150"),
        "{}",
        asked.text
    );
    assert!(w.log.0.lock().unwrap().is_empty(), "nothing logged yet");
    let text = Inbound::Text("60".into());
    block_on(w.service.handle(&message(5, text))).unwrap();
    let logged = w.last();
    assert!(
        logged.text.contains("Granola — 60 g: 271 kcal"),
        "{}",
        logged.text
    );
    let entries = w.log.0.lock().unwrap().clone();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].source, EntrySource::Label);
    // Answered: the package no longer waits, a tap finds it gone.
    let gone = w.tap(1, LabelAction::SaveAndLog);
    assert!(gone.text.contains("no longer open"), "{}", gone.text);
    assert_eq!(w.log.0.lock().unwrap().len(), 1);
}

#[test]
fn a_label_is_read_in_ukrainian() {
    let w = world(Locale::Uk, Some(Ok(PhotoReading::Label(granola(false)))));
    let shown = w.photo(1, Some("50 г")).unwrap();
    println!("--- label read (uk) ---\n{}", shown.text);
    assert!(
        shown
            .text
            .contains("🏷 З етикетки: Granola — 452 ккал на 100 г (Б 9.5 · Ж 18 · В 61 г)."),
        "{}",
        shown.text
    );
    assert!(shown.text.contains("Запишу: 50 г."), "{}", shown.text);
    assert_eq!(
        buttons(&shown),
        ["✅ Зберегти й записати", "💾 Лише зберегти", "✖ Скасувати"]
    );
}

#[test]
fn every_photo_that_is_no_usable_label_gets_a_clear_reply_and_saves_nothing() {
    let said = |reading: Option<Reading>, caption: Option<&str>| {
        let w = world(Locale::En, reading);
        let reply = w.photo(1, caption).unwrap();
        assert!(reply.buttons.is_empty(), "{reply:?}");
        assert!(w.saved().is_empty() && w.log.0.lock().unwrap().is_empty());
        reply.text
    };
    // No label reader (no OpenAI key): what works offline.
    assert!(said(None, None).starts_with("I couldn't find a barcode in this photo"));
    assert!(
        said(Some(Ok(PhotoReading::Nothing)), None)
            .starts_with("I found neither a barcode nor a nutrition label in this photo")
    );
    let no_numbers = LabelReading {
        per_100g: None,
        serving: None,
        ..granola(true)
    };
    assert!(
        said(Some(Ok(PhotoReading::Label(no_numbers))), None)
            .starts_with("I see a nutrition label but can't read its calories")
    );
    let nameless = LabelReading {
        name: None,
        ..granola(false)
    };
    assert!(
        said(
            Some(Ok(PhotoReading::Label(nameless.clone()))),
            Some("40 g")
        )
        .starts_with("I read the label but not the product's name")
    );
    for failure in [
        AssistantError::Refused("no".into()),
        AssistantError::Malformed("{".into()),
        AssistantError::QuotaExceeded,
    ] {
        assert!(said(Some(Err(failure)), None).starts_with("I couldn't read this label"));
    }
    // A caption that is a name names a nameless label.
    let w = world(Locale::En, Some(Ok(PhotoReading::Label(nameless))));
    let shown = w.photo(1, Some("Crunchy granola")).unwrap();
    assert!(
        shown
            .text
            .contains("From the label: Crunchy granola — 452 kcal"),
        "{}",
        shown.text
    );
    // A reader that is down: the photo is read again later, nothing is said yet.
    let w = world(
        Locale::En,
        Some(Err(AssistantError::Unavailable("503".into()))),
    );
    assert!(matches!(w.photo(1, None), Err(ChatError::Temporary(_))));
    assert!(w.sent.lock().unwrap().is_empty());
}

fn seen(said: &str, lookup: &str, grams: f64) -> MealItem {
    MealItem {
        said: said.into(),
        lookup_name: lookup.into(),
        grams: Grams::new(grams).unwrap(),
    }
}

fn plate() -> PhotoReading {
    PhotoReading::Meal(vec![
        seen("гречка", "buckwheat, cooked", 180.0),
        seen("куряче філе", "chicken breast, grilled", 120.0),
        seen("рис", "rice", 100.0),
        seen("соус тартар", "tartar sauce", 30.0),
    ])
}

#[test]
fn a_meal_photo_is_an_estimate_shown_first_and_logged_only_on_log_all() {
    let w = world(Locale::Uk, Some(Ok(plate())));
    let draft = w.photo(1, None).unwrap();
    println!("--- meal draft (uk) ---\n{}", draft.text);
    assert!(
        draft
            .text
            .starts_with("📷 Це оцінка за фото, не зважування"),
        "{}",
        draft.text
    );
    // Calories from the catalogue for the model's grams: 180 g × 92 and 120 g × 165.
    assert!(
        draft
            .text
            .contains("• гречка, варена — близько 180 г: 166 ккал"),
        "{}",
        draft.text
    );
    assert!(
        draft
            .text
            .contains("• куряче філе, гриль — близько 120 г: 198 ккал"),
        "{}",
        draft.text
    );
    assert!(
        draft.text.contains("Разом близько 364 ккал."),
        "{}",
        draft.text
    );
    // Rice may be dry or cooked (a five-fold difference), the sauce is unknown: left out.
    assert!(draft.text.contains("Пропущено"), "{}", draft.text);
    assert!(draft.text.contains("рис, соус тартар"), "{}", draft.text);
    assert_eq!(
        buttons(&draft),
        [
            "✏ гречка, варена",
            "✏ куряче філе, гриль",
            "✅ Записати все",
            "✖ Скасувати"
        ]
    );
    assert!(w.log.0.lock().unwrap().is_empty());

    let logged = w.tap_meal(1, MealAction::LogAll);
    println!("--- logged ---\n{}", logged.text);
    assert!(
        logged.text.contains("гречка, варена — 180 г: 166 ккал"),
        "{}",
        logged.text
    );
    let entries = w.log.0.lock().unwrap().clone();
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| e.source == EntrySource::MealPhoto));
    // Pressed again: nothing logged twice.
    let again = w.tap_meal(1, MealAction::LogAll);
    assert!(again.text.contains("уже закрито"), "{}", again.text);
    assert_eq!(w.log.0.lock().unwrap().len(), 2);
}

#[test]
fn a_meal_can_be_cancelled_and_meal_photos_can_be_off() {
    let w = world(Locale::En, Some(Ok(plate())));
    w.photo(1, None).unwrap();
    let cancelled = w.tap_meal(1, MealAction::Cancel);
    assert_eq!(
        cancelled.text,
        "Cancelled: nothing from this photo was logged."
    );
    assert!(w.log.0.lock().unwrap().is_empty());
    assert!(
        w.tap_meal(1, MealAction::LogAll)
            .text
            .contains("no longer open")
    );
    // Nothing known on the plate: said so, no buttons.
    let unknown = PhotoReading::Meal(vec![seen("соус тартар", "tartar sauce", 30.0)]);
    let w = world(Locale::En, Some(Ok(unknown)));
    let reply = w.photo(1, None).unwrap();
    assert!(
        reply
            .text
            .starts_with("I see соус тартар, but I can't tell"),
        "{}",
        reply.text
    );
    assert!(reply.buttons.is_empty());
    // Turned off: the reading is not used.
    let w = world_with(Locale::En, Some(Ok(plate())), false);
    let reply = w.photo(1, None).unwrap();
    assert!(
        reply
            .text
            .starts_with("I see a meal. Estimating meals from photos is turned off"),
        "{}",
        reply.text
    );
    assert!(w.log.0.lock().unwrap().is_empty());
}

#[test]
fn a_food_of_the_estimate_is_corrected_before_anything_is_logged() {
    let w = world(Locale::En, Some(Ok(plate())));
    w.photo(1, None).unwrap();
    let asked = w.tap_meal(1, MealAction::Edit(0));
    assert_eq!(
        asked.text,
        "How many grams of гречка, варена were there (estimated 180 g)? Send a number, e.g. 150."
    );
    block_on(w.service.handle(&message(5, Inbound::Text("200".into())))).unwrap();
    let again = w.last();
    println!("--- corrected ---\n{}", again.text);
    // 200 g × 92 kcal per 100 g, and the chicken's 198 as before.
    assert!(
        again
            .text
            .contains("• гречка, варена — about 200 g: 184 kcal"),
        "{}",
        again.text
    );
    assert!(
        again.text.contains("Together about 382 kcal."),
        "{}",
        again.text
    );
    assert!(w.log.0.lock().unwrap().is_empty(), "still nothing logged");
    let logged = w.tap_meal(1, MealAction::LogAll);
    assert!(
        logged.text.contains("гречка, варена — 200 g: 184 kcal"),
        "{}",
        logged.text
    );
    assert_eq!(w.log.0.lock().unwrap().len(), 2);
    // A food no longer in the estimate cannot be corrected.
    let gone = w.tap_meal(1, MealAction::Edit(1));
    assert!(gone.text.contains("no longer open"), "{}", gone.text);
}
