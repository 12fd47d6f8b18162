//! Logging food through the whole conversation, read in the words the user sees: the domain's
//! use cases with in-memory doubles and the real texts.
use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use futures_executor::block_on;

use wellness_domain::conversation::{Callback, Command};
use wellness_domain::grounding::{FigureUnit, Ungrounded};
use wellness_domain::model::*;
use wellness_domain::ports::*;
use wellness_domain::testing::{
    MemoryConversations, MemoryLog, MemoryPending, MemoryThrottle, RecordingAudit,
};
use wellness_domain::usecases::chat::{ChatPorts, ChatService, UserLimits};
use wellness_domain::usecases::food::VoiceLimits;
use wellness_texts::Texts;

use super::nutrients;

fn user() -> User {
    super::user(Locale::En)
}

fn facts(name: &str, per_100g: Nutrients, portion: (&str, f64)) -> FoodFacts {
    FoodFacts {
        name: name.into(),
        per_100g,
        portions: vec![PortionSize {
            name: portion.0.into(),
            unit: Unit::in_phrase(portion.0),
            grams: Grams::new(portion.1).unwrap(),
        }],
        source: NutritionSource::OfflineCatalogue,
        catalogue_ref: None,
        alternatives: Vec::new(),
        family: None,
    }
}

fn mention(said: &str, lookup: &str, amount: Amount) -> FoodMention {
    FoodMention {
        said: said.into(),
        lookup_name: lookup.into(),
        amount,
        meal: None,
    }
}

struct World {
    service: ChatService,
    sent: Arc<Mutex<Vec<OutgoingMessage>>>,
    log: Arc<MemoryLog>,
    conversations: Arc<MemoryConversations>,
    audit: Arc<RecordingAudit>,
}

fn world(assistant: MockAssistant, fallback: Option<MockAssistant>) -> World {
    let mut wearables = MockWearableStore::new();
    wearables
        .expect_snapshot()
        .returning(|_, _| Ok(WearableSnapshot::default()));
    world_with(assistant, fallback, wearables)
}

fn world_with(
    assistant: MockAssistant,
    fallback: Option<MockAssistant>,
    wearables: MockWearableStore,
) -> World {
    limited_world(assistant, fallback, wearables, UserLimits::default())
}

fn limited_world(
    assistant: MockAssistant,
    fallback: Option<MockAssistant>,
    wearables: MockWearableStore,
    limits: UserLimits,
) -> World {
    let mut users = MockUsers::new();
    users.expect_register().returning(|_| {
        Ok(Registration {
            user: user(),
            is_new: false,
        })
    });
    users
        .expect_find_by_telegram_id()
        .returning(|_| Ok(Some(user())));
    let mut catalog = MockFoodCatalog::new();
    catalog.expect_find().returning(|_, lookup, _| {
        Ok(match lookup {
            "egg" => Some(facts(
                "egg",
                nutrients(143.0, 12.6, 9.5, 0.7),
                ("egg", 50.0),
            )),
            "bread" => Some(facts(
                "bread",
                nutrients(265.0, 9.0, 3.2, 49.0),
                ("slice", 30.0),
            )),
            _ => None,
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
    let mut clock = MockClock::new();
    // 06:30 UTC is 09:30 in Kyiv (summer): breakfast.
    clock
        .expect_now()
        .return_const(Utc.with_ymd_and_hms(2026, 6, 1, 6, 30, 0).unwrap());
    let mut links = MockConnectLinks::new();
    links.expect_is_configured().return_const(false);
    let log = Arc::new(MemoryLog::default());
    let conversations = Arc::new(MemoryConversations::default());
    let audit = Arc::new(RecordingAudit::default());
    World {
        service: ChatService::new(ChatPorts {
            users: Arc::new(users),
            food: log.clone(),
            wearables: Arc::new(wearables),
            credentials: Arc::new(MockCredentialStore::new()),
            links: Arc::new(links),
            messenger: Arc::new(messenger),
            clock: Arc::new(clock),
            conversations: conversations.clone(),
            pending: Arc::new(MemoryPending::default()),
            presenter: Arc::new(Texts::load().unwrap()),
            assistant: Arc::new(assistant),
            fallback_assistant: fallback.map(|f| Arc::new(f) as Arc<dyn Assistant>),
            audit: audit.clone(),
            catalog: Arc::new(catalog),
            transcriber: None,
            voice: VoiceLimits::default(),
            whoop: None,
            user_data: Arc::new(MockUserData::new()),
            fatsecret: None,
            throttle: Arc::new(MemoryThrottle::default()),
            limits,
            personal: Arc::new(wellness_domain::testing::MemoryPersonal::default()).wired(),
        }),
        sent,
        log,
        conversations,
        audit,
    }
}

fn text(update: i64, body: &str) -> InboundMessage {
    InboundMessage {
        update_id: UpdateId::new(update).unwrap(),
        chat: ChatId(77),
        sender: Sender {
            telegram_id: TelegramUserId::new(77).unwrap(),
            first_name: "Ann".into(),
            language_code: Some("en".into()),
        },
        event: Inbound::Text(body.into()),
        sent_at: Utc::now(),
    }
}

fn logs_eggs_and_bread() -> MockAssistant {
    let mut a = MockAssistant::new();
    a.expect_interpret_reads().return_const(ContextScope::Full);
    a.expect_interpret().returning(|_, _| {
        Ok(Interpretation {
            intent: Intent::LogFood,
            foods: vec![
                mention(
                    "eggs",
                    "egg",
                    Amount::Portions {
                        count: 2.0,
                        unit: None,
                    },
                ),
                mention(
                    "bread",
                    "bread",
                    Amount::Portions {
                        count: 1.0,
                        unit: Some(Unit::Slice),
                    },
                ),
                mention(
                    "unicorn steak",
                    "unicorn steak",
                    Amount::Grams(Grams::new(200.0).unwrap()),
                ),
            ],
            calorie_goal: None,
            reply: None,
        })
    });
    a
}

#[test]
fn a_unit_the_food_has_no_portion_of_or_no_unit_of_ours_is_asked_for_in_grams() {
    let mut a = MockAssistant::new();
    a.expect_interpret_reads().return_const(ContextScope::Full);
    a.expect_interpret().returning(|_, _| {
        Ok(Interpretation {
            intent: Intent::LogFood,
            foods: vec![
                mention(
                    "a cup of eggs",
                    "egg",
                    Amount::Portions {
                        count: 1.0,
                        unit: Some(Unit::Cup),
                    },
                ),
                mention(
                    "3 sticks of bread",
                    "bread",
                    Amount::Unmeasured {
                        count: 3.0,
                        unit: "stick".into(),
                    },
                ),
            ],
            calorie_goal: None,
            reply: None,
        })
    });
    let w = world(a, None);
    block_on(
        w.service
            .handle(&text(10, "a cup of eggs and 3 sticks of bread")),
    )
    .unwrap();
    let sent = w.sent.lock().unwrap();
    assert_eq!(
        sent[0].text,
        "Nothing was logged.\n\
         • \"a cup of eggs\": I don't know how much a portion weighs — tell me the grams, e.g. \"150 g a cup of eggs\".\n\
         • \"3 sticks of bread\": I don't know how much a portion weighs — tell me the grams, e.g. \"150 g 3 sticks of bread\"."
    );
    assert!(w.log.0.lock().unwrap().is_empty());
}

#[test]
fn logs_each_item_with_the_day_total_and_offers_undo_and_change() {
    let w = world(logs_eggs_and_bread(), None);
    block_on(w.service.handle(&text(10, "2 eggs and a slice of bread"))).unwrap();
    let sent = w.sent.lock().unwrap();
    assert_eq!(
        sent[0].text,
        "Logged 2 items:\n\
         • egg — 100 g: 143 kcal (P 12.6 · F 9.5 · C 0.7 g)\n\
         • bread — 30 g: 80 kcal (P 2.7 · F 1 · C 14.7 g)\n\
         • \"unicorn steak\": I couldn't find it, so I didn't log it. Try another name or add the grams.\n\
         Today: 223 of 2000 kcal — 1777 left.\n\
         Numbers from: built-in catalogue (USDA FoodData Central)."
    );
    assert_eq!(
        sent[0].buttons[0][0].press,
        wellness_domain::ports::ButtonPress::Callback("undo:10".to_owned())
    );
    assert_eq!(sent[0].buttons[1].len(), 2, "one change button per item");
    let log = w.log.0.lock().unwrap();
    assert!(log.iter().all(|e| e.meal == Meal::Breakfast));
    assert_eq!(log[0].idempotency_key.as_str(), "tg:10:0");
}

#[test]
fn the_same_update_twice_logs_once() {
    let w = world(logs_eggs_and_bread(), None);
    block_on(w.service.handle(&text(10, "2 eggs"))).unwrap();
    block_on(w.service.handle(&text(10, "2 eggs"))).unwrap();
    assert_eq!(w.log.0.lock().unwrap().len(), 2);
}

#[test]
fn undo_voids_the_messages_entries_and_change_grams_rescales() {
    let w = world(logs_eggs_and_bread(), None);
    block_on(w.service.handle(&text(10, "2 eggs and bread"))).unwrap();
    let mut press = text(11, "");
    press.event = Inbound::Button {
        callback_id: "cb".into(),
        callback: Some(Callback::ChangeGrams(FoodEntryId::new(1).unwrap())),
        message_id: Some(9),
    };
    block_on(w.service.handle(&press)).unwrap();
    block_on(w.service.handle(&text(12, "150"))).unwrap();
    {
        let sent = w.sent.lock().unwrap();
        assert_eq!(
            sent[1].text,
            "How many grams of egg (now 100 g)? Send a number, e.g. 150."
        );
        assert_eq!(
            sent[2].text,
            "Changed:\n• egg — 150 g: 215 kcal (P 18.9 · F 14.3 · C 1 g)\nToday: 294 of 2000 kcal — 1706 left."
        );
    }
    press.event = Inbound::Button {
        callback_id: "cb2".into(),
        callback: Some(Callback::Undo(UpdateId::new(10).unwrap())),
        message_id: Some(9),
    };
    block_on(w.service.handle(&press)).unwrap();
    let sent = w.sent.lock().unwrap();
    assert_eq!(
        sent[3].text,
        "Undone: egg; bread.\nToday: 0 of 2000 kcal — 2000 left."
    );
}

#[test]
fn when_the_assistant_fails_the_offline_rules_stand_in_and_say_so() {
    let mut failing = MockAssistant::new();
    failing
        .expect_interpret_reads()
        .return_const(ContextScope::Full);
    failing
        .expect_interpret()
        .returning(|_, _| Err(AssistantError::QuotaExceeded));
    let w = world(failing, Some(logs_eggs_and_bread()));
    block_on(w.service.handle(&text(10, "2 eggs"))).unwrap();
    let sent = w.sent.lock().unwrap();
    assert!(
        sent[0]
            .text
            .ends_with("(The AI assistant is unavailable: I used the built-in food list.)"),
        "{}",
        sent[0].text
    );
    assert_eq!(w.log.0.lock().unwrap().len(), 2);
}

#[test]
fn each_assistant_failure_gets_a_clear_reply_and_the_message_is_kept() {
    for (error, expected) in [
        (AssistantError::QuotaExceeded, "out of quota"),
        (AssistantError::Refused("no".into()), "declined"),
        (AssistantError::Malformed("{".into()), "couldn't read"),
        (AssistantError::Unavailable("503".into()), "can't reach"),
    ] {
        let mut failing = MockAssistant::new();
        failing
            .expect_interpret_reads()
            .return_const(ContextScope::Full);
        let e = error.clone();
        failing
            .expect_interpret()
            .returning(move |_, _| Err(e.clone()));
        let w = world(failing, None);
        block_on(w.service.handle(&text(10, "2 eggs"))).unwrap();
        assert!(
            w.sent.lock().unwrap()[0].text.contains(expected),
            "{error:?}"
        );
        let kept = block_on(w.conversations.recent(
            UserId::new(1).unwrap(),
            chrono::DateTime::UNIX_EPOCH,
            10,
        ))
        .unwrap();
        assert_eq!(kept[0].content, "2 eggs", "the user's message is kept");
        assert!(w.log.0.lock().unwrap().is_empty());
    }
}

#[test]
fn questions_are_answered_from_the_context() {
    let mut a = MockAssistant::new();
    a.expect_interpret_reads().return_const(ContextScope::Full);
    a.expect_interpret().returning(|_, _| {
        Ok(Interpretation {
            intent: Intent::QueryData,
            foods: vec![],
            calorie_goal: None,
            reply: None,
        })
    });
    // A model's answer, checked against the data: its figure is there.
    a.expect_writes_freely().return_const(true);
    a.expect_answer().returning(|_, ctx| {
        Ok(format!(
            "You've had {} g of protein.",
            ctx.today_totals.nutrients.protein
        ))
    });
    let w = world(a, None);
    block_on(w.service.handle(&text(10, "how much protein today?"))).unwrap();
    assert_eq!(w.sent.lock().unwrap()[0].text, "You've had 0 g of protein.");
}

/// A question gets the days before today too: yesterday's entries and the totals of the 6
/// days before today (on 1 June in Kyiv: 26 to 31 May); a food log reads none of them.
#[test]
fn a_question_gets_yesterdays_entries_and_the_six_days_before_today() {
    use wellness_domain::testing::briefing::{date, entry};
    let mut a = MockAssistant::new();
    a.expect_interpret_reads().return_const(ContextScope::Basic);
    a.expect_interpret().returning(|text, ctx| {
        assert!(ctx.yesterday_entries.is_empty() && ctx.past_days.is_empty());
        Ok(if text.starts_with("what") {
            question()
        } else {
            two_eggs()
        })
    });
    a.expect_writes_freely().return_const(false);
    a.expect_answer().returning(|_, ctx| {
        let days: Vec<String> = ctx
            .past_days
            .iter()
            .map(|(d, t)| format!("{}: {} kcal", d.date(), t.nutrients.kcal.rounded()))
            .collect();
        Ok(format!(
            "{} yesterday; {}",
            ctx.yesterday_entries.len(),
            days.join(", ")
        ))
    });
    let w = world(a, None);
    for (n, day) in [(1, 31), (2, 31), (3, 26), (4, 25)] {
        let mut e = entry(n, Meal::Lunch, 300.0, 10.0);
        e.user_id = user().id;
        e.local_date = date(2026, 5, day);
        w.log.0.lock().unwrap().push(e);
    }
    block_on(w.service.handle(&text(10, "2 eggs"))).unwrap();
    block_on(w.service.handle(&text(11, "what did I eat yesterday?"))).unwrap();
    assert_eq!(
        w.sent.lock().unwrap()[1].text,
        "2 yesterday; 2026-05-26: 300 kcal, 2026-05-31: 600 kcal"
    );
}

/// "2 eggs" as an assistant reads it.
fn two_eggs() -> Interpretation {
    Interpretation {
        intent: Intent::LogFood,
        foods: vec![mention(
            "eggs",
            "egg",
            Amount::Portions {
                count: 2.0,
                unit: None,
            },
        )],
        calorie_goal: None,
        reply: None,
    }
}

/// An assistant that reads only the words gets no queried context for a food log: no
/// conversation, entries or WHOOP queries before the insert.
#[test]
fn rules_that_read_the_words_alone_log_food_without_querying_the_context() {
    let mut a = MockAssistant::new();
    a.expect_interpret_reads().return_const(ContextScope::Basic);
    a.expect_interpret().returning(|_, ctx| {
        assert!(ctx.history.is_empty() && ctx.today_entries.is_empty());
        assert_eq!(ctx.locale, Locale::En);
        Ok(two_eggs())
    });
    let mut wearables = MockWearableStore::new();
    wearables.expect_snapshot().never();
    let w = world_with(a, None, wearables);
    block_on(w.service.handle(&text(10, "2 eggs"))).unwrap();
    // The second message has a conversation and an entry before it: still not read.
    block_on(w.service.handle(&text(11, "2 eggs"))).unwrap();
    let sent = w.sent.lock().unwrap();
    assert!(
        sent[1].text.contains("Today: 286 of 2000 kcal"),
        "the day total still comes from the log: {}",
        sent[1].text
    );
}

/// The same assistant answering a question gets the whole context: numbers come from data.
#[test]
fn a_question_to_rules_that_read_the_words_alone_still_gets_the_whole_context() {
    let mut a = MockAssistant::new();
    a.expect_interpret_reads().return_const(ContextScope::Basic);
    a.expect_interpret().returning(|text, _| {
        Ok(if text.starts_with("how") {
            Interpretation {
                intent: Intent::QueryData,
                foods: vec![],
                calorie_goal: None,
                reply: None,
            }
        } else {
            two_eggs()
        })
    });
    a.expect_writes_freely().return_const(false);
    a.expect_answer().returning(|_, ctx| {
        Ok(format!(
            "{} entries, {} g of protein, {} messages before.",
            ctx.today_entries.len(),
            ctx.today_totals.nutrients.protein,
            ctx.history.len()
        ))
    });
    let w = world(a, None);
    block_on(w.service.handle(&text(10, "2 eggs"))).unwrap();
    block_on(w.service.handle(&text(11, "how much protein today?"))).unwrap();
    assert_eq!(
        w.sent.lock().unwrap()[1].text,
        "1 entries, 12.6 g of protein, 2 messages before."
    );
}

/// A fallback that reads the conversation makes the context whole, whatever the first
/// assistant needs: it may be the one that reads this message.
#[test]
fn the_context_is_as_whole_as_the_most_demanding_assistant_needs() {
    let mut failing = MockAssistant::new();
    failing
        .expect_interpret_reads()
        .return_const(ContextScope::Basic);
    failing
        .expect_interpret()
        .returning(|_, _| Err(AssistantError::Unavailable("503".into())));
    let mut wearables = MockWearableStore::new();
    wearables
        .expect_snapshot()
        .times(1)
        .returning(|_, _| Ok(WearableSnapshot::default()));
    let w = world_with(failing, Some(logs_eggs_and_bread()), wearables);
    block_on(w.service.handle(&text(10, "2 eggs"))).unwrap();
    assert_eq!(w.log.0.lock().unwrap().len(), 2);
}

/// A model that reads the question and answers in free text.
fn model(interpretation: Interpretation, answer: &'static str) -> MockAssistant {
    let mut a = MockAssistant::new();
    a.expect_interpret_reads().return_const(ContextScope::Full);
    a.expect_writes_freely().return_const(true);
    a.expect_interpret()
        .returning(move |_, _| Ok(interpretation.clone()));
    a.expect_answer()
        .returning(move |_, _| Ok(answer.to_owned()));
    a
}

fn question() -> Interpretation {
    Interpretation {
        intent: Intent::QueryData,
        foods: vec![],
        calorie_goal: None,
        reply: None,
    }
}

/// The offline rules' answer, as the fallback gives it.
fn rules_answering(answer: &'static str) -> MockAssistant {
    let mut rules = MockAssistant::new();
    rules
        .expect_interpret_reads()
        .return_const(ContextScope::Basic);
    rules.expect_writes_freely().return_const(false);
    rules
        .expect_answer()
        .returning(move |_, _| Ok(answer.to_owned()));
    rules
}

#[test]
fn an_answer_with_an_invented_total_is_not_sent_the_rules_answer_instead() {
    let w = world(
        model(question(), "You've eaten 1,850 kcal today."),
        Some(rules_answering("Nothing logged today yet: 0 kcal.")),
    );
    block_on(w.service.handle(&text(10, "how much have I eaten?"))).unwrap();
    assert_eq!(
        w.sent.lock().unwrap()[0].text,
        "Nothing logged today yet: 0 kcal."
    );
    assert_eq!(
        *w.audit.0.lock().unwrap(),
        vec![(
            AssistantText::Answer,
            Ungrounded::Figure {
                unit: Some(FigureUnit::Kcal)
            }
        )]
    );
}

#[test]
fn with_no_rules_to_ask_an_ungrounded_answer_becomes_an_honest_no_data() {
    let w = world(model(question(), "Your recovery today is 71%."), None);
    block_on(w.service.handle(&text(10, "how did I recover?"))).unwrap();
    assert_eq!(
        w.sent.lock().unwrap()[0].text,
        "I don't have that in your data yet."
    );
    assert_eq!(w.audit.0.lock().unwrap().len(), 1);
}

#[test]
fn a_free_reply_with_a_figure_is_checked_too_and_a_grounded_one_passes_unchanged() {
    let chat = |reply: &str| Interpretation {
        intent: Intent::General,
        foods: vec![],
        calorie_goal: None,
        reply: Some(reply.to_owned()),
    };
    let w = world(
        model(
            chat("Nice! You're at 1,200 kcal, well under your goal."),
            "unused",
        ),
        Some(rules_answering("I can answer about today's food.")),
    );
    block_on(w.service.handle(&text(10, "thanks!"))).unwrap();
    assert_eq!(
        w.sent.lock().unwrap()[0].text,
        "I can answer about today's food."
    );
    assert_eq!(w.audit.0.lock().unwrap()[0].0, AssistantText::Reply);

    let w = world(
        model(
            chat("Happy to help! Your goal is 2000 kcal a day."),
            "unused",
        ),
        Some(rules_answering("unused")),
    );
    block_on(w.service.handle(&text(10, "thanks!"))).unwrap();
    assert_eq!(
        w.sent.lock().unwrap()[0].text,
        "Happy to help! Your goal is 2000 kcal a day."
    );
    assert!(w.audit.0.lock().unwrap().is_empty());
}

#[test]
fn a_message_set_aside_after_every_attempt_failed_is_owned_up_to() {
    let w = world(MockAssistant::new(), None);
    block_on(w.service.set_aside(&text(10, "2 eggs"))).unwrap();
    assert_eq!(
        w.sent.lock().unwrap()[0].text,
        "Sorry, something went wrong with that message and I couldn't handle it. It's kept; please try again in a while."
    );
}

#[test]
fn a_flood_of_messages_gets_one_polite_reply_and_no_assistant_call_past_the_limit() {
    let mut a = MockAssistant::new();
    a.expect_interpret_reads().return_const(ContextScope::Basic);
    // Two messages within the limit reach the assistant; the next two do not.
    a.expect_interpret()
        .times(2)
        .returning(|_, _| Ok(two_eggs()));
    let mut wearables = MockWearableStore::new();
    wearables
        .expect_snapshot()
        .returning(|_, _| Ok(WearableSnapshot::default()));
    let limits = UserLimits {
        messages: Limit {
            limit: 2,
            window: chrono::Duration::seconds(60),
        },
        ..UserLimits::default()
    };
    let w = limited_world(a, None, wearables, limits);
    for n in 0..4 {
        block_on(w.service.handle(&text(10 + n, "2 eggs"))).unwrap();
    }
    let sent = w.sent.lock().unwrap();
    assert_eq!(
        sent.len(),
        3,
        "two logs and one word about the rest: {sent:?}"
    );
    assert_eq!(
        sent[2].text,
        "That's a lot of messages at once, so I'm taking a short break: what you send in the next 60 s is skipped."
    );
    assert_eq!(w.log.0.lock().unwrap().len(), 2);
}

#[test]
fn sync_again_within_its_cooldown_is_refused_with_the_wait() {
    let w = world(MockAssistant::new(), None);
    let sync = |id| InboundMessage {
        event: Inbound::Command(Command::Sync),
        ..text(id, "/sync")
    };
    block_on(w.service.handle(&sync(10))).unwrap();
    block_on(w.service.handle(&sync(11))).unwrap();
    let sent = w.sent.lock().unwrap();
    assert!(
        sent[0].text.contains("WHOOP"),
        "the first one syncs: {}",
        sent[0].text
    );
    assert_eq!(
        sent[1].text,
        "I synced a moment ago. The next /sync works in 5 min."
    );
}
