//! Commands through the whole conversation, read in the words the user sees: the domain's
//! use cases with mocked ports and the real texts.

use std::sync::Arc;
use std::sync::Mutex;

use chrono::{TimeZone, Utc};
use futures_executor::block_on;

use wellness_domain::conversation::Command;
use wellness_domain::model::*;
use wellness_domain::ports::*;
use wellness_domain::testing::{MemoryThrottle, RecordingAudit};
use wellness_domain::usecases::chat::{ChatError, ChatPorts, ChatService, UserLimits};
use wellness_domain::usecases::food::VoiceLimits;
use wellness_texts::Texts;

fn user(locale: Locale) -> User {
    User {
        id: UserId::new(1).unwrap(),
        telegram_id: TelegramUserId::new(500).unwrap(),
        first_name: "Оля".into(),
        locale,
        time_zone: UserTimeZone::DEFAULT,
        calorie_goal: CalorieGoal::DEFAULT,
        briefing_times: BriefingTimes::default(),
        briefings_enabled: true,
        created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
    }
}

fn message(event: Inbound, language: &str) -> InboundMessage {
    InboundMessage {
        update_id: UpdateId::new(1).unwrap(),
        chat: ChatId(500),
        sender: Sender {
            telegram_id: TelegramUserId::new(500).unwrap(),
            first_name: "Оля".into(),
            language_code: Some(language.into()),
        },
        event,
        sent_at: Utc::now(),
    }
}

fn command(name: &str, args: &str) -> Inbound {
    Inbound::Command(Command::parse(name, args))
}

struct Harness {
    users: MockUsers,
    food: MockFoodLog,
    wearables: MockWearableStore,
    credentials: MockCredentialStore,
    links: MockConnectLinks,
    messenger_result: Result<(), MessengerError>,
}

impl Harness {
    fn new(locale: Locale) -> Self {
        let mut users = MockUsers::new();
        users.expect_register().returning(move |n| {
            Ok(Registration {
                user: User {
                    locale: n.locale,
                    ..user(locale)
                },
                is_new: true,
            })
        });
        let mut links = MockConnectLinks::new();
        links.expect_is_configured().return_const(false);
        links
            .expect_offer()
            .returning(|_, _| Ok(ConnectOffer::NotConfigured));
        Self {
            users,
            food: MockFoodLog::new(),
            wearables: MockWearableStore::new(),
            credentials: MockCredentialStore::new(),
            links,
            messenger_result: Ok(()),
        }
    }

    /// Runs the message; returns what was sent, or the error.
    fn run(self, message: InboundMessage) -> (Result<(), ChatError>, Vec<String>) {
        let (result, sent) = self.run_messages(message);
        (result, sent.into_iter().map(|m| m.text).collect())
    }

    /// Runs the message; returns the messages sent, or the error.
    fn run_messages(
        self,
        message: InboundMessage,
    ) -> (Result<(), ChatError>, Vec<OutgoingMessage>) {
        let sent = Arc::new(Mutex::new(Vec::new()));
        let mut messenger = MockMessenger::new();
        let sink = sent.clone();
        let result = self.messenger_result.clone();
        messenger.expect_send().returning(move |_, m| {
            sink.lock().unwrap().push(m.clone());
            result.clone().map(|()| SentMessage { message_id: 1 })
        });
        messenger.expect_answer_button().returning(|_, _| Ok(()));
        let mut clock = MockClock::new();
        clock
            .expect_now()
            .return_const(Utc.with_ymd_and_hms(2026, 5, 14, 9, 0, 0).unwrap());
        let service = ChatService::new(ChatPorts {
            users: Arc::new(self.users),
            food: Arc::new(self.food),
            wearables: Arc::new(self.wearables),
            credentials: Arc::new(self.credentials),
            links: Arc::new(self.links),
            messenger: Arc::new(messenger),
            clock: Arc::new(clock),
            conversations: Arc::new(MockConversations::new()),
            pending: Arc::new(MockPendingQuestions::new()),
            presenter: Arc::new(Texts::load().unwrap()),
            assistant: Arc::new(MockAssistant::new()),
            fallback_assistant: None,
            audit: Arc::new(RecordingAudit::default()),
            catalog: Arc::new(MockFoodCatalog::new()),
            transcriber: None,
            voice: VoiceLimits::default(),
            whoop: None,
            user_data: Arc::new(MockUserData::new()),
            fatsecret: None,
            throttle: Arc::new(MemoryThrottle::default()),
            limits: UserLimits::default(),
            personal: std::sync::Arc::new(wellness_domain::testing::MemoryPersonal::default())
                .wired(),
        });
        let outcome = block_on(service.handle(&message));
        let texts = sent.lock().unwrap().clone();
        (outcome, texts)
    }
}

#[test]
fn start_greets_in_the_language_of_the_telegram_app() {
    let (r, sent) = Harness::new(Locale::Uk).run(message(command("start", ""), "uk"));
    assert!(r.is_ok());
    assert!(sent[0].starts_with("Привіт, Оля!"), "{}", sent[0]);
    let (_, sent) = Harness::new(Locale::En).run(message(command("start", ""), "en"));
    assert!(sent[0].starts_with("Hi, Оля!"), "{}", sent[0]);
}

/// /start and a language change also set the chat's own menu button, in the user's language;
/// other replies leave it alone.
#[test]
fn start_and_a_language_change_label_the_chats_menu_button_in_the_users_language() {
    let (_, sent) = Harness::new(Locale::Uk).run_messages(message(command("start", ""), "uk"));
    assert_eq!(sent[0].menu_button.as_deref(), Some("Панель"));
    let (_, sent) = Harness::new(Locale::En).run_messages(message(command("start", ""), "en"));
    assert_eq!(sent[0].menu_button.as_deref(), Some("Dashboard"));
    let mut h = Harness::new(Locale::En);
    h.users.expect_change().times(1).returning(|_, c| {
        let UserSettingChange::Locale(locale) = c else {
            panic!("{c:?}")
        };
        Ok(Some(user(*locale)))
    });
    let (_, sent) = h.run_messages(message(command("language", "uk"), "en"));
    assert_eq!(sent[0].menu_button.as_deref(), Some("Панель"));
    let (_, sent) = Harness::new(Locale::En).run_messages(message(command("help", ""), "en"));
    assert_eq!(sent[0].menu_button, None);
}

#[test]
fn goal_is_set_and_confirmed() {
    let mut h = Harness::new(Locale::En);
    h.users.expect_change().times(1).returning(|_, c| {
        let UserSettingChange::CalorieGoal(goal) = c else {
            panic!("{c:?}")
        };
        Ok(Some(User {
            calorie_goal: *goal,
            ..user(Locale::En)
        }))
    });
    let (r, sent) = h.run(message(command("goal", "1800"), "en"));
    assert!(r.is_ok());
    assert_eq!(sent, vec!["Done: your daily goal is now 1800 kcal."]);
}

#[test]
fn an_out_of_range_goal_gets_a_clear_error_and_changes_nothing() {
    let h = Harness::new(Locale::Uk); // no expect_change: a call would fail the test
    let (r, sent) = h.run(message(command("goal", "12000"), "uk"));
    assert!(r.is_ok());
    assert_eq!(
        sent,
        vec!["Ціль має бути числом від 500 до 10000 ккал, наприклад /goal 1800"]
    );
}

#[test]
fn today_reports_the_local_days_totals_against_the_goal() {
    let mut h = Harness::new(Locale::En);
    h.food.expect_day_totals().returning(|_, day| {
        assert_eq!(day.to_string(), "2026-05-14");
        Ok(DayTotals {
            entries: 2,
            nutrients: Nutrients {
                kcal: Kcal::new(650.0).unwrap(),
                protein: MacroGrams::new(30.0).unwrap(),
                fat: MacroGrams::new(20.5).unwrap(),
                carbs: MacroGrams::new(80.0).unwrap(),
            },
        })
    });
    h.wearables
        .expect_snapshot()
        .returning(|_, _| Ok(WearableSnapshot::default()));
    let (r, sent) = h.run(message(command("today", ""), "en"));
    assert!(r.is_ok());
    assert_eq!(
        sent[0],
        "Today, 14 May: 650 of 2000 kcal — 1350 left.\n\
         Protein 30 g · fat 20.5 g · carbs 80 g (2 entries)\n\
         Sleep and recovery appear here once WHOOP is connected: /connect_whoop"
    );
}

#[test]
fn connect_commands_say_honestly_when_not_configured() {
    let (_, sent) = Harness::new(Locale::En).run(message(command("connect_whoop", ""), "en"));
    assert_eq!(
        sent,
        vec!["Connecting WHOOP isn't available on this server yet."]
    );
}

#[test]
fn briefing_times_are_set_in_order_and_briefings_switch_off() {
    let mut h = Harness::new(Locale::En);
    h.users.expect_change().returning(|_, c| {
        let mut u = user(Locale::En);
        match c {
            UserSettingChange::BriefingTimes(t) => u.briefing_times = *t,
            UserSettingChange::BriefingsEnabled(on) => u.briefings_enabled = *on,
            other => panic!("{other:?}"),
        }
        Ok(Some(u))
    });
    let (_, sent) = h.run(message(command("briefing_time", "07:30 21:45"), "en"));
    assert_eq!(
        sent,
        vec![
            "Done: the morning briefing comes at 07:30 and the evening summary at 21:45, your time."
        ]
    );
    let (_, sent) =
        Harness::new(Locale::Uk).run(message(command("briefing_time", "22:00 07:00"), "uk"));
    assert_eq!(
        sent,
        vec!["Надішли два часи, спершу ранковий: /briefing_time 07:30 21:30"]
    );
    let mut h = Harness::new(Locale::En);
    h.users.expect_change().returning(|_, _| {
        Ok(Some(User {
            briefings_enabled: false,
            ..user(Locale::En)
        }))
    });
    let (_, sent) = h.run(message(command("briefing_off", ""), "en"));
    assert_eq!(
        sent,
        vec!["Briefings are off. /briefing_on turns them back on."]
    );
}

#[test]
fn unknown_commands_get_a_short_help() {
    let (_, sent) = Harness::new(Locale::En).run(message(command("dance", ""), "en"));
    assert!(sent[0].starts_with("I don't know /dance."), "{}", sent[0]);
    assert!(sent[0].contains("/today"));
}

#[test]
fn a_user_who_blocked_the_bot_is_not_retried_but_an_outage_is() {
    let mut h = Harness::new(Locale::En);
    h.messenger_result = Err(MessengerError::Unreachable("blocked".into()));
    assert!(h.run(message(command("help", ""), "en")).0.is_ok());
    let mut h = Harness::new(Locale::En);
    h.messenger_result = Err(MessengerError::Unavailable("502".into()));
    assert!(matches!(
        h.run(message(command("help", ""), "en")).0,
        Err(ChatError::Temporary(_))
    ));
}

#[test]
fn a_storage_outage_is_temporary() {
    let mut users = MockUsers::new();
    users
        .expect_register()
        .returning(|_| Err(StorageError::Unavailable("down".into())));
    let mut h = Harness::new(Locale::En);
    h.users = users;
    assert!(matches!(
        h.run(message(command("help", ""), "en")).0,
        Err(ChatError::Temporary(_))
    ));
}
