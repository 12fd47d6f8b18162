//! FatSecret diary write-through: the outbox worker's rules for one claimed row.

use chrono::Duration;

use crate::model::{ChatId, ConnectionStatus, EntryStatus, Provider, Tokens};
use crate::ports::{
    Clock, CredentialStore, DiaryEntry, DiaryError, DiaryOutbox, FoodDiary, Messenger, OutboxItem,
    OutboxOperation, StorageError, Users,
};

/// Give up on a row after this many attempts.
pub const MAX_ATTEMPTS: u32 = 10;

/// What the outbox worker needs.
pub struct OutboxPorts<'a> {
    /// The outbox.
    pub outbox: &'a dyn DiaryOutbox,
    /// The user's FatSecret tokens.
    pub credentials: &'a dyn CredentialStore,
    /// FatSecret's diary.
    pub diary: &'a dyn FoodDiary,
    /// People (their chat and language, to tell them to reconnect).
    pub users: &'a dyn Users,
    /// The bot.
    pub messenger: Option<&'a dyn Messenger>,
    /// Renders what the bot says.
    pub presenter: &'a dyn crate::ports::Presenter,
    /// Time.
    pub clock: &'a dyn Clock,
}

impl std::fmt::Debug for OutboxPorts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OutboxPorts")
    }
}

/// The diary entry written for one of ours: the grams eaten, which the diary adapter turns into
/// units of the chosen serving (grams for a "100 g" serving, eggs for "1 large").
pub fn diary_entry(entry: &crate::model::FoodEntry) -> DiaryEntry {
    DiaryEntry {
        food_entry_id: None,
        name: entry.name.clone(),
        catalogue_ref: entry.catalogue_ref.clone(),
        number_of_units: entry.grams.get(),
        grams: Some(entry.grams),
        meal: entry.meal,
        day: entry.local_date,
        nutrients: entry.nutrients,
    }
}

/// Pauses between attempts of an outbox row: 1 s doubling up to 100 s.
const OUTBOX_RETRIES: crate::retry::Backoff = crate::retry::Backoff::new(
    std::time::Duration::from_secs(1),
    std::time::Duration::from_secs(100),
);

fn backoff(attempts: u32) -> Duration {
    Duration::from_std(OUTBOX_RETRIES.nominal(attempts.max(1))).unwrap_or(Duration::seconds(100))
}

impl OutboxPorts<'_> {
    /// Carries out one claimed row: create (reconciling first when an earlier attempt's
    /// outcome is unknown), edit or delete. Never sends a create again without reading the day;
    /// an edit or a delete waits until its create has linked the entry.
    pub async fn process(&self, item: &OutboxItem) -> Result<(), StorageError> {
        let credentials = match self
            .credentials
            .get(item.entry.user_id, Provider::Fatsecret)
            .await?
        {
            Some(c) if c.status == ConnectionStatus::Active => c,
            _ => return self.outbox.fail(item.id, "not connected").await,
        };
        let tokens = &credentials.tokens;
        match item.operation {
            OutboxOperation::Create => self.create(item, tokens).await,
            OutboxOperation::Edit => self.edit(item, tokens).await,
            OutboxOperation::Delete => self.delete(item, tokens).await,
        }
    }

    async fn create(&self, item: &OutboxItem, tokens: &Tokens) -> Result<(), StorageError> {
        if let Some(link) = &item.entry.diary_link {
            return self
                .outbox
                .done(item, Some(link.food_entry_id.clone()))
                .await;
        }
        let wanted = diary_entry(&item.entry);
        if item.outcome_unknown {
            match self.diary.day(tokens, item.entry.local_date).await {
                Ok(day) => {
                    let linked = self
                        .outbox
                        .linked_entry_ids(item.entry.user_id, item.entry.local_date)
                        .await?;
                    let found = day.into_iter().find(|d| {
                        d.catalogue_ref == wanted.catalogue_ref
                            && d.name.trim().eq_ignore_ascii_case(wanted.name.trim())
                            && d.food_entry_id
                                .as_ref()
                                .is_some_and(|id| !linked.contains(id))
                    });
                    if let Some(id) = found.and_then(|d| d.food_entry_id) {
                        return self.outbox.done(item, Some(id)).await;
                    }
                }
                Err(e) => return self.failed(item, e).await,
            }
        }
        if item.entry.status == EntryStatus::Voided {
            // Undone before it reached the diary: nothing to write.
            return self.outbox.done(item, None).await;
        }
        let result = self.diary.create(tokens, &wanted).await.map(Some);
        self.settle(item, result).await
    }

    /// Sets the diary entry's portion to the entry's grams now. Sending it again is harmless
    /// (it sets, not adds), so an edit whose outcome is unknown is simply sent again.
    async fn edit(&self, item: &OutboxItem, tokens: &Tokens) -> Result<(), StorageError> {
        if item.entry.status == EntryStatus::Voided {
            // Deleted since: the delete takes it out of the diary.
            return self.outbox.done(item, None).await;
        }
        match &item.entry.diary_link {
            Some(link) => {
                let wanted = diary_entry(&item.entry);
                let result = self.diary.edit(tokens, &link.food_entry_id, &wanted).await;
                self.settle(item, result.map(|()| None)).await
            }
            None => self.wait_for_create(item).await,
        }
    }

    async fn delete(&self, item: &OutboxItem, tokens: &Tokens) -> Result<(), StorageError> {
        match &item.entry.diary_link {
            Some(link) => {
                let result = self.diary.delete(tokens, &link.food_entry_id).await;
                self.settle(item, result.map(|()| None)).await
            }
            None => self.wait_for_create(item).await,
        }
    }

    /// An edit or delete of an entry its create has not linked yet: later, or never.
    async fn wait_for_create(&self, item: &OutboxItem) -> Result<(), StorageError> {
        if item.attempts >= MAX_ATTEMPTS {
            return self.outbox.fail(item.id, "never written").await;
        }
        let retry_at = self.clock.now() + backoff(item.attempts);
        self.outbox.retry(item.id, retry_at, "create pending").await
    }

    /// Records how a diary call went.
    async fn settle(
        &self,
        item: &OutboxItem,
        result: Result<Option<String>, DiaryError>,
    ) -> Result<(), StorageError> {
        match result {
            Ok(link) => self.outbox.done(item, link).await,
            Err(e) => self.failed(item, e).await,
        }
    }

    async fn failed(&self, item: &OutboxItem, error: DiaryError) -> Result<(), StorageError> {
        let now = self.clock.now();
        let text = error.to_string();
        match error {
            DiaryError::Revoked => {
                self.revoked(item.entry.user_id).await?;
                self.outbox.fail(item.id, &text).await
            }
            DiaryError::Rejected(_) => self.outbox.fail(item.id, &text).await,
            _ if item.attempts >= MAX_ATTEMPTS => self.outbox.fail(item.id, &text).await,
            DiaryError::OutcomeUnknown(_) => {
                self.outbox
                    .unknown(item.id, now + backoff(item.attempts), &text)
                    .await
            }
            DiaryError::Unavailable(_) if item.outcome_unknown => {
                self.outbox
                    .unknown(item.id, now + backoff(item.attempts), &text)
                    .await
            }
            DiaryError::Unavailable(_) => {
                self.outbox
                    .retry(item.id, now + backoff(item.attempts), &text)
                    .await
            }
        }
    }

    /// FatSecret refused the tokens: the connection is broken; the user is told once.
    pub async fn revoked(&self, user: crate::model::UserId) -> Result<(), StorageError> {
        revoked(
            self.credentials,
            self.users,
            self.messenger,
            self.presenter,
            user,
        )
        .await
    }
}

/// Marks the FatSecret connection broken and tells the user how to reconnect, once.
pub async fn revoked(
    credentials: &dyn CredentialStore,
    users: &dyn Users,
    messenger: Option<&dyn Messenger>,
    presenter: &dyn crate::ports::Presenter,
    user: crate::model::UserId,
) -> Result<(), StorageError> {
    credentials.mark_broken(user, Provider::Fatsecret).await?;
    if credentials
        .mark_user_notified(user, Provider::Fatsecret)
        .await?
        && let (Some(u), Some(messenger)) = (users.get(user).await?, messenger)
    {
        let notice = crate::reply::Reply::one(crate::reply::Say::FatsecretReconnect);
        let message = presenter.render(u.locale, &notice);
        // Best effort: the notice is marked as sent either way.
        let _ = messenger
            .send(ChatId::private(u.telegram_id), &message)
            .await;
    }
    Ok(())
}

/// Days of the FatSecret diary the import reads (today and the two before).
pub const IMPORT_DAYS: u32 = 3;

/// Why a diary import did not run.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The user has no working FatSecret connection.
    #[error("FatSecret is not connected")]
    NotConnected,
    /// FatSecret refused the tokens (the user was told once).
    #[error("FatSecret access revoked")]
    Revoked,
    /// FatSecret or the database failed: try later.
    #[error("diary import failed: {0}")]
    Temporary(String),
}

impl From<StorageError> for ImportError {
    fn from(e: StorageError) -> Self {
        ImportError::Temporary(e.to_string())
    }
}

/// What the diary import needs.
pub struct ImportPorts<'a> {
    /// Links already ours.
    pub outbox: &'a dyn DiaryOutbox,
    /// The user's FatSecret tokens.
    pub credentials: &'a dyn CredentialStore,
    /// FatSecret's diary.
    pub diary: &'a dyn FoodDiary,
    /// Our log.
    pub food: &'a dyn crate::ports::FoodLog,
    /// People.
    pub users: &'a dyn Users,
    /// The bot.
    pub messenger: Option<&'a dyn Messenger>,
    /// Renders what the bot says.
    pub presenter: &'a dyn crate::ports::Presenter,
    /// Time.
    pub clock: &'a dyn Clock,
}

impl std::fmt::Debug for ImportPorts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ImportPorts")
    }
}

impl ImportPorts<'_> {
    /// Imports the last [`IMPORT_DAYS`] local days of the user's FatSecret diary: entries made
    /// in FatSecret's own app count in /today. Entries written by us (already linked) are
    /// skipped; the rest are logged idempotently by their FatSecret id. Returns how many are new.
    pub async fn import(&self, user: &crate::model::User) -> Result<usize, ImportError> {
        let credentials = match self.credentials.get(user.id, Provider::Fatsecret).await? {
            Some(c) if c.status == ConnectionStatus::Active => c,
            _ => return Err(ImportError::NotConnected),
        };
        let now = self.clock.now();
        let today = crate::model::LocalDate::of(now, user.time_zone);
        let mut day = today;
        let mut days = Vec::new();
        for _ in 0..IMPORT_DAYS {
            days.push(day);
            day = day.previous();
        }
        let linked = self.outbox.linked_entry_ids(user.id, day).await?;
        // Weighed once per serving per import, and only for entries not here yet.
        let mut unit_weights: Vec<(crate::model::CatalogueRef, Option<crate::model::Grams>)> =
            Vec::new();
        let mut new_entries = Vec::new();
        for day in days {
            let entries = match self.diary.day(&credentials.tokens, day).await {
                Ok(entries) => entries,
                Err(DiaryError::Revoked) => {
                    revoked(
                        self.credentials,
                        self.users,
                        self.messenger,
                        self.presenter,
                        user.id,
                    )
                    .await?;
                    return Err(ImportError::Revoked);
                }
                Err(e) => return Err(ImportError::Temporary(e.to_string())),
            };
            for entry in entries {
                let Some(id) = entry.food_entry_id.clone() else {
                    continue;
                };
                if linked.contains(&id) {
                    continue;
                }
                let Some(grams) = self.grams_of(&entry, &mut unit_weights).await? else {
                    continue;
                };
                new_entries.push(crate::model::NewFoodEntry {
                    user_id: user.id,
                    name: entry.name.clone(),
                    grams,
                    nutrients: entry.nutrients,
                    meal: entry.meal,
                    source: crate::model::EntrySource::FatsecretDiary,
                    nutrition_source: crate::model::NutritionSource::Fatsecret,
                    local_date: day,
                    logged_at: now,
                    idempotency_key: crate::model::IdempotencyKey::for_fatsecret_entry(&id),
                    catalogue_ref: entry.catalogue_ref.clone(),
                    diary_link: Some(crate::model::DiaryLink { food_entry_id: id }),
                });
            }
        }
        if new_entries.is_empty() {
            return Ok(0);
        }
        let before = new_entries.len();
        let logged = self.food.log(&new_entries).await?;
        Ok(if logged.created { before } else { 0 })
    }
}

impl ImportPorts<'_> {
    /// The grams of a diary entry: its units times the weight of one unit ("1 large" egg:
    /// 50 g), weighed once per serving per import. A serving without a weight keeps its count
    /// of units: the calories, which the diary gives, are right either way, and /today sums
    /// calories. `None`: no sensible amount, the entry is skipped.
    async fn grams_of(
        &self,
        entry: &DiaryEntry,
        unit_weights: &mut Vec<(crate::model::CatalogueRef, Option<crate::model::Grams>)>,
    ) -> Result<Option<crate::model::Grams>, ImportError> {
        let unit = match &entry.catalogue_ref {
            None => None,
            Some(serving) => match unit_weights.iter().find(|(s, _)| s == serving) {
                Some((_, unit)) => *unit,
                None => {
                    let unit = self
                        .diary
                        .unit_weight(serving)
                        .await
                        .map_err(|e| ImportError::Temporary(e.to_string()))?;
                    unit_weights.push((serving.clone(), unit));
                    unit
                }
            },
        };
        let weighed =
            unit.and_then(|unit| crate::model::Grams::new(unit.get() * entry.number_of_units).ok());
        Ok(weighed.or_else(|| crate::model::Grams::new(entry.number_of_units).ok()))
    }

    /// Checks that FatSecret still accepts the user's tokens (reads today's diary): error 9 /
    /// revoked marks the connection broken and tells the user once. `Ok(false)` when broken.
    pub async fn check_token(&self, user: &crate::model::User) -> Result<bool, ImportError> {
        let credentials = match self.credentials.get(user.id, Provider::Fatsecret).await? {
            Some(c) if c.status == ConnectionStatus::Active => c,
            _ => return Err(ImportError::NotConnected),
        };
        let today = crate::model::LocalDate::of(self.clock.now(), user.time_zone);
        match self.diary.day(&credentials.tokens, today).await {
            Ok(_) => Ok(true),
            Err(DiaryError::Revoked) => {
                revoked(
                    self.credentials,
                    self.users,
                    self.messenger,
                    self.presenter,
                    user.id,
                )
                .await?;
                Ok(false)
            }
            Err(e) => Err(ImportError::Temporary(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use chrono::{TimeZone, Utc};
    use futures_executor::block_on;

    use super::*;
    use crate::model::*;
    use crate::ports::*;

    fn ann() -> User {
        User {
            id: UserId::new(1).unwrap(),
            telegram_id: TelegramUserId::new(500).unwrap(),
            first_name: "Ann".into(),
            locale: Locale::En,
            time_zone: UserTimeZone::DEFAULT,
            calorie_goal: CalorieGoal::DEFAULT,
            briefing_times: BriefingTimes::default(),
            briefings_enabled: true,
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    fn egg() -> CatalogueRef {
        CatalogueRef {
            food_id: "3092".into(),
            serving_id: "large".into(),
        }
    }

    fn entry(id: &str, units: f64, serving: Option<CatalogueRef>) -> DiaryEntry {
        DiaryEntry {
            food_entry_id: Some(id.into()),
            name: "Egg".into(),
            catalogue_ref: serving,
            number_of_units: units,
            grams: None,
            meal: Meal::Breakfast,
            day: LocalDate::of(Utc::now(), UserTimeZone::DEFAULT),
            nutrients: Nutrients {
                kcal: Kcal::new(72.0 * units).unwrap(),
                protein: MacroGrams::new(6.0 * units).unwrap(),
                fat: MacroGrams::new(5.0 * units).unwrap(),
                carbs: MacroGrams::new(0.4 * units).unwrap(),
            },
        }
    }

    /// Entries made in FatSecret's own app are logged by weight: units x the weight of one unit
    /// of their serving, asked once per serving and only for entries not imported yet; a
    /// serving without a weight keeps its count of units.
    #[test]
    fn the_import_weighs_only_new_entries_once_per_serving() {
        let mut credentials = MockCredentialStore::new();
        credentials.expect_get().returning(|user, provider| {
            Ok(Some(Credentials {
                user_id: user,
                provider,
                tokens: Tokens::OAuth1 {
                    token: Secret::new("t"),
                    token_secret: Secret::new("s"),
                },
                external_user_id: None,
                status: ConnectionStatus::Active,
                updated_at: Utc::now(),
            }))
        });
        let mut outbox = MockDiaryOutbox::new();
        outbox
            .expect_linked_entry_ids()
            .returning(|_, _| Ok(vec!["old".to_owned()]));
        let mut diary = MockFoodDiary::new();
        let mut days = 0;
        diary.expect_day().returning(move |_, _| {
            days += 1;
            Ok(match days {
                1 => vec![
                    entry("old", 3.0, Some(egg())),
                    entry("new-1", 2.0, Some(egg())),
                    entry("unweighed", 1.0, None),
                ],
                2 => vec![entry("new-2", 1.0, Some(egg()))],
                _ => Vec::new(),
            })
        });
        diary
            .expect_unit_weight()
            .withf(|serving| *serving == egg())
            .times(1)
            .returning(|_| Ok(Some(Grams::new(50.0).unwrap())));
        let logged = Arc::new(Mutex::new(Vec::new()));
        let sink = logged.clone();
        let mut food = MockFoodLog::new();
        food.expect_log().returning(move |entries| {
            sink.lock().unwrap().extend(entries.iter().cloned());
            Ok(Logged {
                entries: Vec::new(),
                created: true,
            })
        });
        let mut clock = MockClock::new();
        clock.expect_now().return_const(Utc::now());
        let ports = ImportPorts {
            outbox: &outbox,
            credentials: &credentials,
            diary: &diary,
            food: &food,
            users: &MockUsers::new(),
            messenger: None,
            presenter: &crate::testing::DebugPresenter,
            clock: &clock,
        };
        assert_eq!(block_on(ports.import(&ann())).unwrap(), 3);
        let logged = logged.lock().unwrap();
        let grams: Vec<(String, f64)> = logged
            .iter()
            .map(|e| {
                (
                    e.diary_link.as_ref().unwrap().food_entry_id.clone(),
                    e.grams.get(),
                )
            })
            .collect();
        assert_eq!(
            grams,
            vec![
                ("new-1".to_owned(), 100.0),
                ("unweighed".to_owned(), 1.0),
                ("new-2".to_owned(), 50.0),
            ]
        );
    }

    fn connected() -> MockCredentialStore {
        let mut credentials = MockCredentialStore::new();
        credentials.expect_get().returning(|user, provider| {
            Ok(Some(Credentials {
                user_id: user,
                provider,
                tokens: Tokens::OAuth1 {
                    token: Secret::new("t"),
                    token_secret: Secret::new("s"),
                },
                external_user_id: None,
                status: ConnectionStatus::Active,
                updated_at: Utc::now(),
            }))
        });
        credentials
    }

    /// 120 g of chicken now (changed from what was written), linked to diary entry "77"
    /// when `linked`.
    fn changed_entry(linked: bool, status: EntryStatus) -> OutboxItem {
        OutboxItem {
            id: 9,
            operation: OutboxOperation::Edit,
            outcome_unknown: false,
            attempts: 1,
            entry: FoodEntry {
                id: FoodEntryId::new(5).unwrap(),
                user_id: UserId::new(1).unwrap(),
                name: "Chicken".into(),
                grams: Grams::new(120.0).unwrap(),
                nutrients: Nutrients {
                    kcal: Kcal::new(198.0).unwrap(),
                    protein: MacroGrams::new(37.0).unwrap(),
                    fat: MacroGrams::new(4.0).unwrap(),
                    carbs: MacroGrams::new(0.0).unwrap(),
                },
                meal: Meal::Lunch,
                source: EntrySource::Text,
                nutrition_source: NutritionSource::Fatsecret,
                local_date: LocalDate::of(Utc::now(), UserTimeZone::DEFAULT),
                logged_at: Utc::now(),
                status,
                idempotency_key: IdempotencyKey::new("m:1:0").unwrap(),
                catalogue_ref: Some(CatalogueRef {
                    food_id: "33691".into(),
                    serving_id: "100g".into(),
                }),
                diary_link: linked.then(|| DiaryLink {
                    food_entry_id: "77".into(),
                }),
            },
        }
    }

    fn run(item: &OutboxItem, outbox: &MockDiaryOutbox, diary: &MockFoodDiary) {
        let mut clock = MockClock::new();
        clock.expect_now().return_const(Utc::now());
        let ports = OutboxPorts {
            outbox,
            credentials: &connected(),
            diary,
            users: &MockUsers::new(),
            messenger: None,
            presenter: &crate::testing::DebugPresenter,
            clock: &clock,
        };
        block_on(ports.process(item)).unwrap();
    }

    /// A changed portion of an entry in the diary: FatSecret's entry gets the grams now (as
    /// units of its serving, worked out by the adapter from the grams), and the row is done.
    #[test]
    fn an_edit_of_a_written_entry_sends_its_grams_now_to_the_linked_diary_entry() {
        let item = changed_entry(true, EntryStatus::Active);
        let mut diary = MockFoodDiary::new();
        diary
            .expect_edit()
            .withf(|_, id, entry| {
                id == "77"
                    && entry.grams == Some(Grams::new(120.0).unwrap())
                    && entry.catalogue_ref.as_ref().unwrap().serving_id == "100g"
            })
            .times(1)
            .returning(|_, _, _| Ok(()));
        let mut outbox = MockDiaryOutbox::new();
        outbox
            .expect_done()
            .withf(|item, link| item.id == 9 && link.is_none())
            .times(1)
            .returning(|_, _| Ok(()));
        run(&item, &outbox, &diary);
    }

    /// The create has not linked the entry yet: the edit never runs before it, it waits.
    #[test]
    fn an_edit_waits_for_its_create_and_gives_up_when_it_never_lands() {
        let item = changed_entry(false, EntryStatus::Active);
        let mut outbox = MockDiaryOutbox::new();
        outbox
            .expect_retry()
            .withf(|id, _, error| *id == 9 && error == "create pending")
            .times(1)
            .returning(|_, _, _| Ok(()));
        // No diary call: a MockFoodDiary without expectations panics on any.
        run(&item, &outbox, &MockFoodDiary::new());

        let mut exhausted = changed_entry(false, EntryStatus::Active);
        exhausted.attempts = MAX_ATTEMPTS;
        let mut outbox = MockDiaryOutbox::new();
        outbox
            .expect_fail()
            .withf(|id, error| *id == 9 && error == "never written")
            .times(1)
            .returning(|_, _| Ok(()));
        run(&exhausted, &outbox, &MockFoodDiary::new());
    }

    /// Undone after the change: the delete takes the entry out of the diary, the edit is moot.
    #[test]
    fn an_edit_of_a_voided_entry_is_done_without_a_call() {
        let item = changed_entry(true, EntryStatus::Voided);
        let mut outbox = MockDiaryOutbox::new();
        outbox
            .expect_done()
            .withf(|item, link| item.id == 9 && link.is_none())
            .times(1)
            .returning(|_, _| Ok(()));
        run(&item, &outbox, &MockFoodDiary::new());
    }

    /// An edit sets the units, so one whose outcome is unknown is sent again as it is (no day
    /// read); its failures take the same turns as a create's.
    #[test]
    fn edit_failures_retry_park_or_give_up_like_the_other_writes() {
        let mut unknown = changed_entry(true, EntryStatus::Active);
        unknown.outcome_unknown = true;
        let mut diary = MockFoodDiary::new();
        let mut answers = vec![
            Err(DiaryError::Rejected("error 106".into())),
            Err(DiaryError::Unavailable("refused".into())),
            Err(DiaryError::OutcomeUnknown("timed out".into())),
        ];
        diary
            .expect_edit()
            .times(3)
            .returning(move |_, _, _| answers.pop().unwrap());
        let mut outbox = MockDiaryOutbox::new();
        // The timeout: parked as unknown.
        outbox
            .expect_unknown()
            .withf(|id, _, _| *id == 9)
            .times(1)
            .returning(|_, _, _| Ok(()));
        run(&unknown, &outbox, &diary);
        // Nothing went out: retried.
        let mut outbox = MockDiaryOutbox::new();
        outbox
            .expect_retry()
            .withf(|id, _, error| *id == 9 && error.contains("refused"))
            .times(1)
            .returning(|_, _, _| Ok(()));
        run(&changed_entry(true, EntryStatus::Active), &outbox, &diary);
        // FatSecret refused it (the entry was deleted in FatSecret's app): given up.
        let mut outbox = MockDiaryOutbox::new();
        outbox
            .expect_fail()
            .withf(|id, error| *id == 9 && error.contains("106"))
            .times(1)
            .returning(|_, _| Ok(()));
        run(&changed_entry(true, EntryStatus::Active), &outbox, &diary);
    }
}
