//! The conversation: what the bot does with each inbound message.

use std::sync::Arc;

use thiserror::Error;

use crate::conversation::{Callback, Command, Setting};
use crate::i18n::{self, ConnectionState};
use crate::model::{
    ChatId, ConnectionStatus, EntrySource, Inbound, InboundMessage, Locale, NewUser, Provider,
    User, UserSettingChange,
};
use crate::ports::{
    Assistant, Clock, ConnectLinks, ConnectOffer, Conversations, CredentialStore, FoodCatalog,
    FoodLog, Messenger, MessengerError, OutgoingMessage, PendingQuestions, StorageError,
    Transcriber, UserData, Users, Wearable, WearableStore,
};
use crate::usecases::food::VoiceLimits;
use crate::usecases::profile::{self, SettingsError};
use crate::usecases::today;
use crate::usecases::whoop::{SyncError, WhoopPorts};

/// Handling a message failed.
#[derive(Debug, Error)]
pub enum ChatError {
    /// Worth retrying later (the database or Telegram were unavailable, or rate limited).
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// Will fail the same way again.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

impl From<StorageError> for ChatError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Unavailable(m) => ChatError::Temporary(m),
            other => ChatError::Permanent(other.to_string()),
        }
    }
}

impl From<SettingsError> for ChatError {
    fn from(e: SettingsError) -> Self {
        match e {
            SettingsError::Storage(s) => s.into(),
            other => ChatError::Permanent(other.to_string()),
        }
    }
}

/// The ports a conversation needs.
#[derive(Clone)]
pub struct ChatService {
    /// People.
    pub users: Arc<dyn Users>,
    /// Their food.
    pub food: Arc<dyn FoodLog>,
    /// Their WHOOP records.
    pub wearables: Arc<dyn WearableStore>,
    /// Their connections.
    pub credentials: Arc<dyn CredentialStore>,
    /// Connect links.
    pub links: Arc<dyn ConnectLinks>,
    /// Telegram.
    pub messenger: Arc<dyn Messenger>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Conversation history.
    pub conversations: Arc<dyn Conversations>,
    /// The question the bot waits for an answer to ("how many grams?").
    pub pending: Arc<dyn PendingQuestions>,
    /// Understands free text (OpenAI, or the offline rules).
    pub assistant: Arc<dyn Assistant>,
    /// Stands in when the assistant fails (the offline rules behind OpenAI).
    pub fallback_assistant: Option<Arc<dyn Assistant>>,
    /// Nutrition of foods.
    pub catalog: Arc<dyn FoodCatalog>,
    /// Voice to text; `None` when no service is configured.
    pub transcriber: Option<Arc<dyn Transcriber>>,
    /// Limits on voice notes.
    pub voice: VoiceLimits,
    /// WHOOP's API, when configured (for /sync).
    pub whoop: Option<Arc<dyn Wearable>>,
    /// Export and erasure of a user's data.
    pub user_data: Arc<dyn UserData>,
    /// FatSecret's diary and our links to it, when configured (/sync imports the diary).
    pub fatsecret: Option<FatSecretDiary>,
}

/// FatSecret's diary as /sync uses it.
#[derive(Clone)]
pub struct FatSecretDiary {
    /// The diary.
    pub diary: Arc<dyn crate::ports::FoodDiary>,
    /// Links already ours.
    pub outbox: Arc<dyn crate::ports::DiaryOutbox>,
}

impl std::fmt::Debug for FatSecretDiary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FatSecretDiary")
    }
}

impl std::fmt::Debug for ChatService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChatService")
    }
}

impl ChatService {
    /// Handles one inbound message: registers the sender, acts, replies.
    pub async fn handle(&self, message: &InboundMessage) -> Result<(), ChatError> {
        let registration = self
            .users
            .register(&NewUser {
                telegram_id: message.sender.telegram_id,
                first_name: message.sender.first_name.clone(),
                locale: Locale::from_language_code(message.sender.language_code.as_deref()),
            })
            .await?;
        let user = registration.user;
        let chat = message.chat;
        match &message.event {
            Inbound::Command(command) => {
                self.command(&user, chat, command, registration.is_new)
                    .await
            }
            Inbound::Text(text) => {
                self.text(&user, message, text, EntrySource::Text, Vec::new())
                    .await
            }
            Inbound::Voice {
                file_id,
                duration_secs,
                ..
            } => self.voice(&user, message, file_id, *duration_secs).await,
            Inbound::Button {
                callback_id,
                callback,
                ..
            } => self.button(&user, message, callback_id, *callback).await,
            Inbound::Unsupported => self.say(chat, i18n::unsupported(user.locale)).await,
        }
    }

    async fn command(
        &self,
        user: &User,
        chat: ChatId,
        command: &Command,
        is_new: bool,
    ) -> Result<(), ChatError> {
        let locale = user.locale;
        let reply = match command {
            Command::Start => i18n::welcome(locale, &user.first_name, is_new),
            Command::Help => i18n::help(locale),
            Command::Today => self.today(user).await?,
            Command::Goal(Setting::Show) => i18n::goal_current(locale, user.calorie_goal),
            Command::Goal(Setting::Set(goal)) => {
                let updated = self
                    .change(user, UserSettingChange::CalorieGoal(*goal))
                    .await?;
                i18n::goal_set(locale, updated.calorie_goal)
            }
            Command::Goal(Setting::Invalid(_)) => i18n::goal_invalid(locale),
            Command::TimeZone(Setting::Show) => i18n::timezone_current(locale, user.time_zone),
            Command::TimeZone(Setting::Set(zone)) => {
                let updated = self
                    .change(user, UserSettingChange::TimeZone(*zone))
                    .await?;
                i18n::timezone_set(locale, updated.time_zone)
            }
            Command::TimeZone(Setting::Invalid(typed)) => i18n::timezone_invalid(locale, typed),
            Command::Language(wanted) => {
                let wanted = wanted.unwrap_or(locale.other());
                let updated = self.change(user, UserSettingChange::Locale(wanted)).await?;
                i18n::language_set(updated.locale)
            }
            Command::Sync => self.sync(user).await?,
            Command::Connect(provider) => match self.links.offer(user.id, *provider).await? {
                ConnectOffer::Link(url) => i18n::connect_link(locale, *provider, &url),
                ConnectOffer::NotConfigured => i18n::connect_not_configured(locale, *provider),
            },
            Command::BriefingTime(Setting::Set(times)) => {
                let updated = self
                    .change(user, UserSettingChange::BriefingTimes(*times))
                    .await?;
                i18n::briefing_times_set(locale, updated.briefing_times)
            }
            Command::BriefingTime(Setting::Show | Setting::Invalid(_)) => {
                i18n::briefing_times_usage(locale)
            }
            Command::Briefings { on } => {
                let updated = self
                    .change(user, UserSettingChange::BriefingsEnabled(*on))
                    .await?;
                i18n::briefings_switched(locale, updated.briefings_enabled, updated.briefing_times)
            }
            Command::Export => return self.export(user, chat).await,
            Command::Delete => {
                let button = |label, callback: Callback| crate::ports::Button {
                    label,
                    data: callback.encode(),
                };
                let message = OutgoingMessage {
                    text: i18n::privacy::confirm_delete(locale),
                    buttons: vec![vec![
                        button(
                            i18n::privacy::delete_button(locale),
                            Callback::ConfirmDelete,
                        ),
                        button(i18n::privacy::keep_button(locale), Callback::CancelDelete),
                    ]],
                };
                return self.deliver(self.messenger.send(chat, &message).await.map(|_| ()));
            }
            Command::Unknown(other) => i18n::unknown_command(locale, other),
        };
        self.say(chat, reply).await
    }

    async fn change(&self, user: &User, change: UserSettingChange) -> Result<User, ChatError> {
        Ok(profile::apply(self.users.as_ref(), user.id, change).await?)
    }

    /// /sync: the state of each connection, then a WHOOP sync and a FatSecret import.
    async fn sync(&self, user: &User) -> Result<String, ChatError> {
        let locale = user.locale;
        let mut states = Vec::new();
        for provider in [Provider::Whoop, Provider::Fatsecret] {
            states.push((provider, self.connection_state(user, provider).await?));
        }
        let connected = |provider| states.contains(&(provider, ConnectionState::Connected));
        let mut lines = vec![i18n::sync_status(locale, &states)];
        if let (Some(wearable), true) = (&self.whoop, connected(Provider::Whoop)) {
            let ports = WhoopPorts {
                credentials: self.credentials.as_ref(),
                wearable: wearable.clone(),
                store: self.wearables.as_ref(),
                messenger: self.messenger.as_ref(),
                clock: self.clock.as_ref(),
            };
            lines.push(match ports.sync(user).await {
                Ok(report) => i18n::whoop::synced(locale, &report),
                Err(SyncError::Temporary(_)) => i18n::whoop::sync_failed(locale),
                // The notice just went out as its own message.
                Err(SyncError::Revoked { notified: true }) => String::new(),
                Err(SyncError::Revoked { notified: false }) => i18n::whoop::reconnect(locale),
                Err(SyncError::NotConnected) => String::new(),
            });
        }
        if let (Some(fs), true) = (&self.fatsecret, connected(Provider::Fatsecret)) {
            let ports = crate::usecases::fatsecret::ImportPorts {
                outbox: fs.outbox.as_ref(),
                credentials: self.credentials.as_ref(),
                diary: fs.diary.as_ref(),
                food: self.food.as_ref(),
                users: self.users.as_ref(),
                messenger: Some(self.messenger.as_ref()),
                clock: self.clock.as_ref(),
            };
            use crate::usecases::fatsecret::ImportError;
            let line = match ports.import(user).await {
                Ok(n) => i18n::fatsecret::imported(locale, n),
                Err(ImportError::Temporary(_)) => i18n::fatsecret::import_failed(locale),
                Err(ImportError::Revoked | ImportError::NotConnected) => String::new(),
            };
            if !line.is_empty() {
                lines.push(line);
            }
        }
        Ok(lines.join("\n"))
    }

    /// Sends the user all their data: a JSON document and the food entries as CSV.
    async fn export(&self, user: &User, chat: ChatId) -> Result<(), ChatError> {
        let export = self.user_data.export(user.id).await?;
        let json = serde_json::to_vec_pretty(&export.document)
            .map_err(|e| ChatError::Permanent(e.to_string()))?;
        let day = crate::model::LocalDate::of(self.clock.now(), user.time_zone);
        let json = crate::ports::Attachment {
            filename: format!("wellness-export-{day}.json"),
            bytes: json,
            caption: Some(i18n::privacy::export_caption(user.locale)),
        };
        self.deliver(self.messenger.send_document(chat, &json).await.map(|_| ()))?;
        let csv = crate::ports::Attachment {
            filename: format!("wellness-food-{day}.csv"),
            bytes: crate::usecases::privacy::food_csv(&export.food_entries).into_bytes(),
            caption: None,
        };
        self.deliver(self.messenger.send_document(chat, &csv).await.map(|_| ()))
    }

    /// After the confirmation button: revoke WHOOP, forget every token, erase every row.
    pub(crate) async fn erase(&self, user: &User, chat: ChatId) -> Result<(), ChatError> {
        if let (Some(wearable), Some(c)) = (
            &self.whoop,
            self.credentials.get(user.id, Provider::Whoop).await?,
        ) && let crate::model::Tokens::OAuth2 { access_token, .. } = &c.tokens
        {
            // Best effort: a token WHOOP already refuses needs no revoking.
            let _ = wearable.revoke(access_token).await;
        }
        self.user_data.erase(user).await?;
        self.say(chat, i18n::privacy::deleted(user.locale)).await
    }

    async fn today(&self, user: &User) -> Result<String, ChatError> {
        let overview = today::day_overview(
            user,
            self.food.as_ref(),
            self.wearables.as_ref(),
            self.clock.as_ref(),
        )
        .await?;
        let whoop =
            self.connection_state(user, Provider::Whoop).await? == ConnectionState::Connected;
        Ok(i18n::today(user.locale, &overview, whoop))
    }

    async fn connection_state(
        &self,
        user: &User,
        provider: Provider,
    ) -> Result<ConnectionState, ChatError> {
        if !self.links.is_configured(provider) {
            return Ok(ConnectionState::NotConfigured);
        }
        Ok(match self.credentials.get(user.id, provider).await? {
            None => ConnectionState::NotConnected,
            Some(c) => match c.status {
                ConnectionStatus::Active => ConnectionState::Connected,
                ConnectionStatus::Broken { .. } => ConnectionState::Broken,
            },
        })
    }

    pub(crate) async fn say(&self, chat: ChatId, text: String) -> Result<(), ChatError> {
        let sent = self
            .messenger
            .send(chat, &OutgoingMessage::text(text))
            .await;
        self.deliver(sent.map(|_| ()))
    }

    /// A user who blocked the bot cannot be answered: that is not a failure to retry.
    pub(crate) fn deliver(&self, result: Result<(), MessengerError>) -> Result<(), ChatError> {
        match result {
            Ok(()) | Err(MessengerError::Unreachable(_)) => Ok(()),
            Err(MessengerError::RateLimited { retry_after_secs }) => Err(ChatError::Temporary(
                format!("rate limited for {retry_after_secs} s"),
            )),
            Err(MessengerError::Unavailable(m)) => Err(ChatError::Temporary(m)),
            Err(MessengerError::Rejected(m)) => Err(ChatError::Permanent(m)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use chrono::{TimeZone, Utc};
    use futures_executor::block_on;

    use super::*;
    use crate::model::*;
    use crate::ports::*;

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
            let sent = Arc::new(Mutex::new(Vec::new()));
            let mut messenger = MockMessenger::new();
            let sink = sent.clone();
            let result = self.messenger_result.clone();
            messenger.expect_send().returning(move |_, m| {
                sink.lock().unwrap().push(m.text.clone());
                result.clone().map(|()| SentMessage { message_id: 1 })
            });
            messenger.expect_answer_button().returning(|_, _| Ok(()));
            let mut clock = MockClock::new();
            clock
                .expect_now()
                .return_const(Utc.with_ymd_and_hms(2026, 5, 14, 9, 0, 0).unwrap());
            let service = ChatService {
                users: Arc::new(self.users),
                food: Arc::new(self.food),
                wearables: Arc::new(self.wearables),
                credentials: Arc::new(self.credentials),
                links: Arc::new(self.links),
                messenger: Arc::new(messenger),
                clock: Arc::new(clock),
                conversations: Arc::new(MockConversations::new()),
                pending: Arc::new(MockPendingQuestions::new()),
                assistant: Arc::new(MockAssistant::new()),
                fallback_assistant: None,
                catalog: Arc::new(MockFoodCatalog::new()),
                transcriber: None,
                voice: VoiceLimits::default(),
                whoop: None,
                user_data: Arc::new(MockUserData::new()),
                fatsecret: None,
            };
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
}
