use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use thiserror::Error;

use crate::model::{
    CalorieGoal, CatalogueRef, ChatId, ConversationMessage, Cycle, DayTotals, FoodEntry, Grams,
    LocalDate, Locale, Meal, Nutrients, NutritionSource, Recovery, Secret, Sleep, Tokens, UserId,
    WearableKind, WearableRecord, WearableSnapshot, Workout,
};

/// A button under a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    /// What the button says.
    pub label: String,
    /// What pressing it does.
    pub press: ButtonPress,
}

/// What pressing a button does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ButtonPress {
    /// Sends this back to the bot (at most 64 bytes).
    Callback(String),
    /// Opens the Mini App dashboard (left out where the messenger has none).
    OpenDashboard,
}

/// A message from the bot: plain text (the adapter escapes it) and rows of buttons.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutgoingMessage {
    /// The text; the adapter splits it at Telegram's 4096-character limit.
    pub text: String,
    /// Rows of inline buttons.
    pub buttons: Vec<Vec<Button>>,
    /// When set, the chat's menu button is made to open the Mini App with this label (where
    /// the deployment can open one: an https `PUBLIC_BASE_URL`).
    pub menu_button: Option<String>,
}

impl OutgoingMessage {
    /// A text without buttons.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            buttons: Vec::new(),
            menu_button: None,
        }
    }
}

/// A file to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Its name ("export.json").
    pub filename: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// A caption.
    pub caption: Option<String>,
}

/// The id Telegram gave a sent message (to edit it later).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentMessage {
    /// Telegram's message_id.
    pub message_id: i64,
}

/// Sending to the messenger failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MessengerError {
    /// Too many messages: wait that many seconds.
    #[error("rate limited: retry after {retry_after_secs} s")]
    RateLimited {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// The user blocked the bot or deleted the chat: do not retry.
    #[error("the user cannot be reached: {0}")]
    Unreachable(String),
    /// The request was refused as invalid: do not retry.
    #[error("rejected: {0}")]
    Rejected(String),
    /// The service failed or could not be reached: retry later.
    #[error("unavailable: {0}")]
    Unavailable(String),
}

/// The chat the bot lives in (Telegram).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Messenger: Send + Sync {
    /// Sends a message (split into several when too long); returns the last one sent.
    async fn send(
        &self,
        chat: ChatId,
        message: &OutgoingMessage,
    ) -> Result<SentMessage, MessengerError>;
    /// Replaces the text and buttons of a message the bot sent.
    async fn edit(
        &self,
        chat: ChatId,
        message_id: i64,
        message: &OutgoingMessage,
    ) -> Result<(), MessengerError>;
    /// Sends a document.
    async fn send_document(
        &self,
        chat: ChatId,
        document: &Attachment,
    ) -> Result<SentMessage, MessengerError>;
    /// Sends a photo.
    async fn send_photo(
        &self,
        chat: ChatId,
        photo: &Attachment,
    ) -> Result<SentMessage, MessengerError>;
    /// Shows "typing…" for a few seconds.
    async fn show_typing(&self, chat: ChatId) -> Result<(), MessengerError>;
    /// Acknowledges a button press, optionally with a short notice.
    async fn answer_button(
        &self,
        callback_id: &str,
        notice: Option<String>,
    ) -> Result<(), MessengerError>;
    /// Downloads a file a user sent (a voice note), refusing files over `max_bytes`.
    async fn download(&self, file_id: &str, max_bytes: u64) -> Result<Vec<u8>, MessengerError>;
    /// Makes `label` the private chat's own menu button opening the Mini App; nothing when the
    /// bot offers no Mini App (an http base URL).
    async fn set_menu_button(&self, chat: ChatId, label: &str) -> Result<(), MessengerError>;
}

/// What the user wants, as the assistant understood it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Log what they ate.
    LogFood,
    /// A question about their data.
    QueryData,
    /// Remove an entry ("delete the last entry").
    DeleteEntry,
    /// Change the calorie goal.
    SetGoal,
    /// Anything else.
    General,
}

/// How much of a food, as said.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Amount {
    /// A weight ("200 g").
    Grams(Grams),
    /// A count of portions ("2 eggs", "a cup of milk", "півтора банана"), with the unit when said.
    Portions {
        /// How many (1.5 for "півтора").
        count: f64,
        /// The unit (a cup, a slice), when said; none means the food's typical portion.
        unit: Option<crate::model::Unit>,
    },
    /// A count of something no unit of ours measures ("3 sticks of butter" when "stick" is not a
    /// unit): it cannot be weighed, so the reply asks for grams instead of guessing.
    Unmeasured {
        /// How many.
        count: f64,
        /// The unit as said.
        unit: String,
    },
}

/// One food the user mentioned.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FoodMention {
    /// The user's words for it ("гречки").
    pub said: String,
    /// An English name to look it up by ("buckwheat").
    pub lookup_name: String,
    /// How much.
    pub amount: Amount,
    /// The meal, when said.
    pub meal: Option<Meal>,
}

/// What the assistant made of a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Interpretation {
    /// The intent.
    pub intent: Intent,
    /// Foods mentioned (for LogFood).
    pub foods: Vec<FoodMention>,
    /// The goal asked for (for SetGoal), unvalidated.
    pub calorie_goal: Option<i64>,
    /// A reply for General messages.
    pub reply: Option<String>,
}

/// Everything the assistant may use to answer: numbers in answers come only from here.
#[derive(Debug, Clone, PartialEq)]
pub struct AssistantContext {
    /// The user's language.
    pub locale: Locale,
    /// The user's local date and time now.
    pub local_now: NaiveDateTime,
    /// The conversation of the last 24 hours (at most 50 messages), oldest first.
    pub history: Vec<ConversationMessage>,
    /// Today's active entries.
    pub today_entries: Vec<FoodEntry>,
    /// Today's totals.
    pub today_totals: DayTotals,
    /// The calorie goal.
    pub calorie_goal: CalorieGoal,
    /// The latest WHOOP records.
    pub wearable: WearableSnapshot,
    /// Yesterday's active entries (read for questions only; empty otherwise).
    pub yesterday_entries: Vec<FoodEntry>,
    /// Totals of each of the 6 local days before today that has entries, oldest first (read
    /// for questions only; empty otherwise).
    pub past_days: Vec<(LocalDate, DayTotals)>,
}

impl AssistantContext {
    /// The days with entries among the last 7 (the held past days and today), oldest first:
    /// what the week's averages are taken over.
    pub fn week_logged(&self) -> Vec<(LocalDate, DayTotals)> {
        let today = LocalDate::from_calendar(self.local_now.date());
        self.past_days
            .iter()
            .copied()
            .chain(std::iter::once((today, self.today_totals)))
            .filter(|(_, t)| t.entries > 0)
            .collect()
    }
}

/// The assistant failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AssistantError {
    /// Unreachable, 5xx or rate limited after retries: try again later.
    #[error("the assistant is unavailable: {0}")]
    Unavailable(String),
    /// The account has no quota left: retrying will not help.
    #[error("the assistant's quota is exhausted")]
    QuotaExceeded,
    /// The model refused.
    #[error("the assistant refused: {0}")]
    Refused(String),
    /// The model's answer did not parse.
    #[error("the assistant's answer was malformed: {0}")]
    Malformed(String),
}

/// How much of [`AssistantContext`] [`Assistant::interpret`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ContextScope {
    /// The language, the local time and the calorie goal only: rules that read the words
    /// alone. The conversation, today's entries and the WHOOP records are left empty, which
    /// saves their seven queries (four round trips) on every message.
    Basic,
    /// All of it: a model that reads the conversation ("and another one") and the day.
    Full,
}

/// Understands messages and answers questions (OpenAI, or the offline rules).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Assistant: Send + Sync {
    /// What `interpret` reads of the context. `answer` always gets all of it.
    fn interpret_reads(&self) -> ContextScope;
    /// Whether its answers and replies are a language model's free text, checked against the
    /// data before they are sent (`true`), or templates filled from the context alone
    /// (`false`: grounded by construction).
    fn writes_freely(&self) -> bool;
    /// Classifies a message and extracts foods, goals and replies.
    async fn interpret(
        &self,
        text: &str,
        context: &AssistantContext,
    ) -> Result<Interpretation, AssistantError>;
    /// Answers a question from the context only.
    async fn answer(
        &self,
        question: &str,
        context: &AssistantContext,
    ) -> Result<String, AssistantError>;
}

/// Transcription failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TranscriptionError {
    /// Unreachable or failing: try again later.
    #[error("transcription unavailable: {0}")]
    Unavailable(String),
    /// No quota left.
    #[error("transcription quota exhausted")]
    QuotaExceeded,
    /// The audio was refused (format, length).
    #[error("the audio was refused: {0}")]
    Rejected(String),
}

/// Turns voice notes into text (Whisper).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Transcriber: Send + Sync {
    /// Transcribes an OGG/Opus voice note.
    async fn transcribe(&self, audio: &[u8], locale: Locale) -> Result<String, TranscriptionError>;
}

/// Reads photos of food (a vision model): a nutrition label as printed, or the foods of a
/// meal with estimated grams.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait PhotoReader: Send + Sync {
    /// What the photo shows. `hint` is the photo's caption.
    async fn read_photo(
        &self,
        image: &[u8],
        hint: Option<String>,
        locale: Locale,
    ) -> Result<crate::model::PhotoReading, AssistantError>;
}

/// A named portion size ("1 cup" = 244 g).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PortionSize {
    /// Its name as the catalogue gives it ("cup", "slice", "medium").
    pub name: String,
    /// The unit it is one of, when it is one ("medium" is none).
    #[serde(default)]
    pub unit: Option<crate::model::Unit>,
    /// Its weight.
    pub grams: Grams,
}

/// What a catalogue knows of a food.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FoodFacts {
    /// The catalogue's name for it.
    pub name: String,
    /// Nutrients per 100 g.
    pub per_100g: Nutrients,
    /// Known portions; the first is the typical one ("an egg").
    pub portions: Vec<PortionSize>,
    /// Who gave these numbers.
    pub source: NutritionSource,
    /// FatSecret's ids, when it came from there.
    pub catalogue_ref: Option<CatalogueRef>,
    /// Other foods the same words may mean ("вівсянка": dry flakes or cooked porridge), in the
    /// catalogue's order; empty when the words name one food. The domain asks which one when
    /// their energy differs a lot (`usecases::food::choice`).
    #[serde(default)]
    pub alternatives: Vec<FoodFacts>,
    /// The family of foods those words name ("oats"), when they are ambiguous: a user's pick is
    /// remembered for the family too, so "вівсянку" means what "вівсянки" meant.
    #[serde(default)]
    pub family: Option<String>,
}

/// A catalogue lookup failed (not "not found": that is `Ok(None)`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CatalogError {
    /// The catalogue cannot be reached or failed: another may serve.
    #[error("food catalogue unavailable: {0}")]
    Unavailable(String),
}

/// Nutrition facts of foods (FatSecret, or the embedded catalogue).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait FoodCatalog: Send + Sync {
    /// Looks up a food by the user's words and its English name.
    async fn find(
        &self,
        said: &str,
        lookup_name: &str,
        locale: Locale,
    ) -> Result<Option<FoodFacts>, CatalogError>;
}

/// An entry to write to, or read from, an external diary.
#[derive(Debug, Clone, PartialEq)]
pub struct DiaryEntry {
    /// The diary's id, once it exists.
    pub food_entry_id: Option<String>,
    /// The entry's name.
    pub name: String,
    /// The food and serving.
    pub catalogue_ref: Option<CatalogueRef>,
    /// Units of the serving (as the diary counts them).
    pub number_of_units: f64,
    /// The weight eaten, when known (writing: the diary adapter then works out the units of the
    /// serving from the serving's own weight, and `number_of_units` is not used). A day read
    /// leaves it unknown: the import weighs the entries it keeps ([`FoodDiary::unit_weight`]).
    pub grams: Option<Grams>,
    /// Which meal.
    pub meal: Meal,
    /// The user's local day.
    pub day: LocalDate,
    /// Its nutrients as the diary computes them.
    pub nutrients: Nutrients,
}

/// An external diary call failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DiaryError {
    /// The request went out and no answer came back: the write may or may not have happened.
    #[error("outcome unknown: {0}")]
    OutcomeUnknown(String),
    /// The user revoked access: reconnect needed.
    #[error("access revoked")]
    Revoked,
    /// Refused as invalid: do not retry.
    #[error("rejected: {0}")]
    Rejected(String),
    /// Failed before anything was written: retry later.
    #[error("unavailable: {0}")]
    Unavailable(String),
}

/// The user's external food diary (FatSecret).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait FoodDiary: Send + Sync {
    /// Writes an entry; returns the diary's id for it.
    async fn create(&self, tokens: &Tokens, entry: &DiaryEntry) -> Result<String, DiaryError>;
    /// Deletes an entry.
    async fn delete(&self, tokens: &Tokens, food_entry_id: &str) -> Result<(), DiaryError>;
    /// Changes the portion of the entry written earlier as `food_entry_id` to `entry`'s (its
    /// grams in units of its serving, as [`FoodDiary::create`] writes them).
    async fn edit(
        &self,
        tokens: &Tokens,
        food_entry_id: &str,
        entry: &DiaryEntry,
    ) -> Result<(), DiaryError>;
    /// Reads a day of the diary.
    async fn day(&self, tokens: &Tokens, day: LocalDate) -> Result<Vec<DiaryEntry>, DiaryError>;
    /// The weight of one unit of a serving (one "1 large" egg: its grams; one gram of a
    /// "100 g" serving: 1 g); `None` when the serving has no weight or the food is gone.
    async fn unit_weight(&self, serving: &CatalogueRef) -> Result<Option<Grams>, DiaryError>;
}

/// New tokens from a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    /// The new tokens.
    pub tokens: Tokens,
}

/// A wearable call failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WearableError {
    /// The access token expired or was refused: refresh and retry.
    #[error("access token refused")]
    Unauthorized,
    /// The refresh token was refused: the user must reconnect.
    #[error("refresh token refused (invalid_grant)")]
    InvalidGrant,
    /// Too many requests: wait that many seconds.
    #[error("rate limited: retry after {retry_after_secs} s")]
    RateLimited {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// Unreachable, 5xx or an answer that did not parse: retry later.
    #[error("unavailable: {0}")]
    Unavailable(String),
}

/// A wearable's API (WHOOP).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait Wearable: Send + Sync {
    /// Workouts that started at or after `since`.
    async fn workouts(
        &self,
        access_token: &Secret,
        user: UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Workout>, WearableError>;
    /// Sleeps since `since`.
    async fn sleeps(
        &self,
        access_token: &Secret,
        user: UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Sleep>, WearableError>;
    /// Recoveries since `since`.
    async fn recoveries(
        &self,
        access_token: &Secret,
        user: UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Recovery>, WearableError>;
    /// Cycles since `since`.
    async fn cycles(
        &self,
        access_token: &Secret,
        user: UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Cycle>, WearableError>;
    /// The member's id at WHOOP (webhooks name members by it).
    async fn member_id(&self, access_token: &Secret) -> Result<String, WearableError>;
    /// One record by WHOOP's id (as a webhook names it); `None` when WHOOP no longer has it.
    async fn record(
        &self,
        access_token: &Secret,
        user: UserId,
        kind: WearableKind,
        id: &str,
    ) -> Result<Option<WearableRecord>, WearableError>;
    /// Exchanges a refresh token for new tokens (the old refresh token stops working).
    async fn refresh(&self, refresh_token: &Secret) -> Result<TokenGrant, WearableError>;
    /// Revokes our access (on /delete).
    async fn revoke(&self, access_token: &Secret) -> Result<(), WearableError>;
}

/// The time, as a port so tests control it.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// What /connect_* can offer a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectOffer {
    /// A single-use link to open.
    Link(String),
    /// This deployment has no credentials for the provider.
    NotConfigured,
}

/// Makes connect links (a random single-use state bound to the user, stored for 10 minutes).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait ConnectLinks: Send + Sync {
    /// Whether this deployment can connect the provider at all.
    fn is_configured(&self, provider: crate::model::Provider) -> bool;
    /// A link for this user, or why there is none.
    async fn offer(
        &self,
        user: UserId,
        provider: crate::model::Provider,
    ) -> Result<ConnectOffer, crate::ports::StorageError>;
}

/// Renders the domain's typed replies in the user's language: the texts live outside the
/// domain (Fluent resources in `wellness-texts`), so a use case never writes a sentence.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait Presenter: Send + Sync {
    /// The reply as a message: its parts one per line, its buttons with their callback data.
    fn render(&self, locale: Locale, reply: &crate::reply::Reply) -> OutgoingMessage;
}
