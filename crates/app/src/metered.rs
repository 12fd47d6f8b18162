//! Decorators that count every outbound call by provider, call and outcome.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tracing::Instrument as _;
use wellness_domain::ports::{
    AssistantError, Attachment, CatalogError, DiaryEntry, DiaryError, FoodCatalog, FoodDiary,
    FoodFacts, Messenger, MessengerError, OutgoingMessage, SentMessage, TokenGrant, Wearable,
    WearableError,
};
use wellness_domain::{
    CatalogueRef, ChatId, Cycle, Grams, LocalDate, Locale, Recovery, Secret, Sleep, Tokens, UserId,
    WearableKind, WearableRecord, Workout,
};

use crate::metrics::Metrics;

mod ai;
pub use ai::{MeteredAssistant, MeteredAudit, MeteredPhotoReader, MeteredTranscriber};

pub(crate) const CALLS: &str = "wellness_outbound_calls_total";

/// The span of one call to an outside service: its log lines (the clients' retries included)
/// carry which service and which call. Never an argument: they hold tokens and texts.
fn call_span(provider: &'static str, call: &'static str) -> tracing::Span {
    tracing::info_span!("outbound", provider, call)
}

/// Runs one call to an outside service in its span and records how long it took.
pub(crate) async fn timed<T>(
    metrics: &Metrics,
    provider: &'static str,
    call: &'static str,
    work: impl std::future::Future<Output = T>,
) -> T {
    let started = std::time::Instant::now();
    let result = work.instrument(call_span(provider, call)).await;
    metrics.observe_call(provider, call, started.elapsed());
    result
}

fn messenger_status<T>(r: &Result<T, MessengerError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(MessengerError::RateLimited { .. }) => "rate_limited",
        Err(MessengerError::Unreachable(_)) => "unreachable",
        Err(MessengerError::Rejected(_)) => "rejected",
        Err(MessengerError::Unavailable(_)) => "unavailable",
    }
}

pub(crate) fn assistant_status<T>(r: &Result<T, AssistantError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(AssistantError::Unavailable(_)) => "unavailable",
        Err(AssistantError::QuotaExceeded) => "quota_exceeded",
        Err(AssistantError::Refused(_)) => "refused",
        Err(AssistantError::Malformed(_)) => "malformed",
    }
}

/// A `Messenger` that counts its calls.
pub struct MeteredMessenger {
    /// The real one.
    pub inner: Arc<dyn Messenger>,
    /// Where counts go.
    pub metrics: Arc<Metrics>,
}

impl MeteredMessenger {
    fn count<T>(&self, call: &str, r: &Result<T, MessengerError>) {
        self.metrics.inc(
            CALLS,
            &[
                ("provider", "telegram"),
                ("call", call),
                ("status", messenger_status(r)),
            ],
        );
    }
}

#[async_trait]
impl Messenger for MeteredMessenger {
    async fn send(
        &self,
        chat: ChatId,
        message: &OutgoingMessage,
    ) -> Result<SentMessage, MessengerError> {
        let r = timed(
            &self.metrics,
            "telegram",
            "send",
            self.inner.send(chat, message),
        )
        .await;
        self.count("send", &r);
        r
    }

    async fn edit(
        &self,
        chat: ChatId,
        message_id: i64,
        message: &OutgoingMessage,
    ) -> Result<(), MessengerError> {
        let r = timed(
            &self.metrics,
            "telegram",
            "edit",
            self.inner.edit(chat, message_id, message),
        )
        .await;
        self.count("edit", &r);
        r
    }

    async fn send_document(
        &self,
        chat: ChatId,
        document: &Attachment,
    ) -> Result<SentMessage, MessengerError> {
        let r = timed(
            &self.metrics,
            "telegram",
            "send_document",
            self.inner.send_document(chat, document),
        )
        .await;
        self.count("send_document", &r);
        r
    }

    async fn send_photo(
        &self,
        chat: ChatId,
        photo: &Attachment,
    ) -> Result<SentMessage, MessengerError> {
        let r = timed(
            &self.metrics,
            "telegram",
            "send_photo",
            self.inner.send_photo(chat, photo),
        )
        .await;
        self.count("send_photo", &r);
        r
    }

    async fn show_typing(&self, chat: ChatId) -> Result<(), MessengerError> {
        let r = timed(
            &self.metrics,
            "telegram",
            "show_typing",
            self.inner.show_typing(chat),
        )
        .await;
        self.count("chat_action", &r);
        r
    }

    async fn answer_button(
        &self,
        callback_id: &str,
        notice: Option<String>,
    ) -> Result<(), MessengerError> {
        let r = timed(
            &self.metrics,
            "telegram",
            "answer_button",
            self.inner.answer_button(callback_id, notice),
        )
        .await;
        self.count("answer_callback", &r);
        r
    }

    async fn set_menu_button(&self, chat: ChatId, label: &str) -> Result<(), MessengerError> {
        let r = timed(
            &self.metrics,
            "telegram",
            "set_menu_button",
            self.inner.set_menu_button(chat, label),
        )
        .await;
        self.count("set_chat_menu_button", &r);
        if let Err(e) = &r {
            tracing::warn!(error = %e, "could not set the chat's menu button");
        }
        r
    }

    async fn download(&self, file_id: &str, max_bytes: u64) -> Result<Vec<u8>, MessengerError> {
        let r = timed(
            &self.metrics,
            "telegram",
            "download",
            self.inner.download(file_id, max_bytes),
        )
        .await;
        self.count("download", &r);
        r
    }
}

fn wearable_status<T>(r: &Result<T, WearableError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(WearableError::Unauthorized) => "unauthorized",
        Err(WearableError::InvalidGrant) => "invalid_grant",
        Err(WearableError::RateLimited { .. }) => "rate_limited",
        Err(WearableError::Unavailable(_)) => "unavailable",
    }
}

/// A `Wearable` (WHOOP) that counts its calls. One call is a whole collection, every page and
/// every retry of the client included: its status is how the call ended.
pub struct MeteredWearable {
    /// The real one.
    pub inner: Arc<dyn Wearable>,
    /// Where counts go.
    pub metrics: Arc<Metrics>,
}

impl MeteredWearable {
    fn count<T>(&self, call: &str, r: &Result<T, WearableError>) {
        self.metrics.inc(
            CALLS,
            &[
                ("provider", "whoop"),
                ("call", call),
                ("status", wearable_status(r)),
            ],
        );
    }
}

#[async_trait]
impl Wearable for MeteredWearable {
    async fn workouts(
        &self,
        access_token: &Secret,
        user: UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Workout>, WearableError> {
        let r = timed(
            &self.metrics,
            "whoop",
            "workouts",
            self.inner.workouts(access_token, user, since),
        )
        .await;
        self.count("workouts", &r);
        r
    }

    async fn sleeps(
        &self,
        access_token: &Secret,
        user: UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Sleep>, WearableError> {
        let r = timed(
            &self.metrics,
            "whoop",
            "sleeps",
            self.inner.sleeps(access_token, user, since),
        )
        .await;
        self.count("sleeps", &r);
        r
    }

    async fn recoveries(
        &self,
        access_token: &Secret,
        user: UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Recovery>, WearableError> {
        let r = timed(
            &self.metrics,
            "whoop",
            "recoveries",
            self.inner.recoveries(access_token, user, since),
        )
        .await;
        self.count("recoveries", &r);
        r
    }

    async fn cycles(
        &self,
        access_token: &Secret,
        user: UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<Cycle>, WearableError> {
        let r = timed(
            &self.metrics,
            "whoop",
            "cycles",
            self.inner.cycles(access_token, user, since),
        )
        .await;
        self.count("cycles", &r);
        r
    }

    async fn member_id(&self, access_token: &Secret) -> Result<String, WearableError> {
        let r = timed(
            &self.metrics,
            "whoop",
            "member_id",
            self.inner.member_id(access_token),
        )
        .await;
        self.count("member_id", &r);
        r
    }

    async fn record(
        &self,
        access_token: &Secret,
        user: UserId,
        kind: WearableKind,
        id: &str,
    ) -> Result<Option<WearableRecord>, WearableError> {
        let r = timed(
            &self.metrics,
            "whoop",
            "record",
            self.inner.record(access_token, user, kind, id),
        )
        .await;
        self.count("record", &r);
        r
    }

    async fn refresh(&self, refresh_token: &Secret) -> Result<TokenGrant, WearableError> {
        let r = timed(
            &self.metrics,
            "whoop",
            "refresh",
            self.inner.refresh(refresh_token),
        )
        .await;
        self.count("refresh", &r);
        r
    }

    async fn revoke(&self, access_token: &Secret) -> Result<(), WearableError> {
        let r = timed(
            &self.metrics,
            "whoop",
            "revoke",
            self.inner.revoke(access_token),
        )
        .await;
        self.count("revoke", &r);
        r
    }
}

fn diary_status<T>(r: &Result<T, DiaryError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(DiaryError::OutcomeUnknown(_)) => "outcome_unknown",
        Err(DiaryError::Revoked) => "revoked",
        Err(DiaryError::Rejected(_)) => "rejected",
        Err(DiaryError::Unavailable(_)) => "unavailable",
    }
}

/// FatSecret's diary and food database, counted.
pub struct MeteredFatSecret<T> {
    /// The real one.
    pub inner: Arc<T>,
    /// Where counts go.
    pub metrics: Arc<Metrics>,
}

impl<T> MeteredFatSecret<T> {
    fn count(&self, call: &str, status: &str) {
        self.metrics.inc(
            CALLS,
            &[
                ("provider", "fatsecret"),
                ("call", call),
                ("status", status),
            ],
        );
    }
}

#[async_trait]
impl<T: FoodDiary + 'static> FoodDiary for MeteredFatSecret<T> {
    async fn create(&self, tokens: &Tokens, entry: &DiaryEntry) -> Result<String, DiaryError> {
        let r = timed(
            &self.metrics,
            "fatsecret",
            "diary_create",
            self.inner.create(tokens, entry),
        )
        .await;
        self.count("diary_create", diary_status(&r));
        r
    }

    async fn delete(&self, tokens: &Tokens, food_entry_id: &str) -> Result<(), DiaryError> {
        let r = timed(
            &self.metrics,
            "fatsecret",
            "diary_delete",
            self.inner.delete(tokens, food_entry_id),
        )
        .await;
        self.count("diary_delete", diary_status(&r));
        r
    }

    async fn edit(
        &self,
        tokens: &Tokens,
        food_entry_id: &str,
        entry: &DiaryEntry,
    ) -> Result<(), DiaryError> {
        let r = timed(
            &self.metrics,
            "fatsecret",
            "diary_edit",
            self.inner.edit(tokens, food_entry_id, entry),
        )
        .await;
        self.count("diary_edit", diary_status(&r));
        r
    }

    async fn day(&self, tokens: &Tokens, day: LocalDate) -> Result<Vec<DiaryEntry>, DiaryError> {
        let r = timed(
            &self.metrics,
            "fatsecret",
            "diary_day",
            self.inner.day(tokens, day),
        )
        .await;
        self.count("diary_day", diary_status(&r));
        r
    }

    async fn unit_weight(&self, serving: &CatalogueRef) -> Result<Option<Grams>, DiaryError> {
        let r = timed(
            &self.metrics,
            "fatsecret",
            "unit_weight",
            self.inner.unit_weight(serving),
        )
        .await;
        self.count("unit_weight", diary_status(&r));
        r
    }
}

#[async_trait]
impl<T: FoodCatalog + 'static> FoodCatalog for MeteredFatSecret<T> {
    async fn find(
        &self,
        said: &str,
        lookup_name: &str,
        locale: Locale,
    ) -> Result<Option<FoodFacts>, CatalogError> {
        let r = timed(
            &self.metrics,
            "fatsecret",
            "find",
            self.inner.find(said, lookup_name, locale),
        )
        .await;
        let status = match &r {
            Ok(Some(_)) => "ok",
            Ok(None) => "not_found",
            Err(CatalogError::Unavailable(_)) => "unavailable",
        };
        self.count("find", status);
        r
    }
}
