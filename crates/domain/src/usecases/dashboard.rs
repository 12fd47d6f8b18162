//! The Mini App's dashboard: a user's days (food against the goal, sleep, recovery, strain), a
//! day's entries and corrections to them, and the settings. Results are typed; the app renders
//! them as JSON. The Connections screen starts the same connect flow as the chat's
//! `/connect_whoop`, bound to the visitor's own account (a link made here never passes through
//! a chat, so it cannot be forwarded). Whoever asks is the Telegram user of validated init data (a [`Visitor`]): they
//! only ever reach their own rows, and someone who never wrote to the bot sees empty days.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::model::{
    BriefingTimes, CalorieGoal, ChatId, DayTotals, EntryStatus, FoodEntry, FoodEntryId, Grams,
    LocalDate, Locale, NewUser, Nutrients, Provider, ScoreAt, TelegramUserId, User,
    UserSettingChange, UserTimeZone,
};
use crate::ports::{
    Clock, ConnectOffer, FoodLog, Messenger, Presenter, StorageError, Users, WearableStore,
};
use crate::reply::{ConnectionState, Reply};
use crate::usecases::chat::Connections;

/// The longest span one summary covers.
pub const MAX_DAYS: i64 = 366;

/// Who opened the Mini App: the Telegram user named by validated init data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visitor {
    /// Their Telegram account.
    pub telegram_id: TelegramUserId,
    /// Their first name, for an account made on a first settings change.
    pub first_name: String,
    /// Their Telegram app's language.
    pub locale: Locale,
}

/// Days from `from` to `to`, both included, at most [`MAX_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    from: LocalDate,
    to: LocalDate,
}

/// A span of days the dashboard does not show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum RangeError {
    /// `to` before `from`.
    #[error("`to` is before `from`")]
    Reversed,
    /// Longer than [`MAX_DAYS`].
    #[error("{days} days asked, at most {MAX_DAYS} are shown at once")]
    TooLong {
        /// Days asked.
        days: i64,
    },
}

impl DateRange {
    /// Validates the span.
    pub fn new(from: LocalDate, to: LocalDate) -> Result<Self, RangeError> {
        let days = (to.date() - from.date()).num_days() + 1;
        if days < 1 {
            return Err(RangeError::Reversed);
        }
        if days > MAX_DAYS {
            return Err(RangeError::TooLong { days });
        }
        Ok(Self { from, to })
    }

    /// Every day of the span, in order.
    pub fn days(self) -> impl Iterator<Item = LocalDate> {
        self.from
            .date()
            .iter_days()
            .take_while(move |d| *d <= self.to.date())
            .map(LocalDate::from_calendar)
    }
}

/// One day of the summary; `None` where there is no data.
#[derive(Debug, Clone, PartialEq)]
pub struct DaySummary {
    /// The user's calendar day.
    pub date: LocalDate,
    /// What was eaten, when anything was logged.
    pub eaten: Option<Nutrients>,
    /// The goal (the user's current one); none without an account.
    pub goal: Option<CalorieGoal>,
    /// Performance of the night's sleep that ended this day (%).
    pub sleep_performance: Option<f64>,
    /// The recovery of this morning (%).
    pub recovery: Option<f64>,
    /// The strain of the cycle that started this day.
    pub strain: Option<f64>,
}

/// A day's food.
#[derive(Debug, Clone, PartialEq)]
pub struct DayEntries {
    /// The user's calendar day.
    pub date: LocalDate,
    /// Active entries in the order they were logged.
    pub entries: Vec<FoodEntry>,
    /// Their sum.
    pub totals: DayTotals,
    /// The goal; none without an account.
    pub goal: Option<CalorieGoal>,
}

/// The settings the Mini App shows and changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Whether the visitor has an account (has written to the bot or saved settings).
    pub registered: bool,
    /// Daily calorie goal.
    pub goal: CalorieGoal,
    /// Time zone.
    pub time_zone: UserTimeZone,
    /// Language.
    pub locale: Locale,
    /// Briefing times.
    pub briefing_times: BriefingTimes,
    /// Briefings on or off.
    pub briefings_enabled: bool,
    /// The user's calendar day now.
    pub today: LocalDate,
}

/// Changes to the settings; `None` leaves one as it is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SettingsUpdate {
    /// A new goal.
    pub goal: Option<CalorieGoal>,
    /// A new time zone.
    pub time_zone: Option<UserTimeZone>,
    /// A new language.
    pub locale: Option<Locale>,
    /// New briefing times.
    pub briefing_times: Option<BriefingTimes>,
    /// Briefings on or off.
    pub briefings_enabled: Option<bool>,
}

impl SettingsUpdate {
    fn changes(&self) -> Vec<UserSettingChange> {
        let mut changes = Vec::new();
        changes.extend(self.goal.map(UserSettingChange::CalorieGoal));
        changes.extend(self.time_zone.map(UserSettingChange::TimeZone));
        changes.extend(self.locale.map(UserSettingChange::Locale));
        changes.extend(self.briefing_times.map(UserSettingChange::BriefingTimes));
        changes.extend(
            self.briefings_enabled
                .map(UserSettingChange::BriefingsEnabled),
        );
        changes
    }
}

/// One provider on the Connections screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderStatus {
    /// WHOOP or FatSecret.
    pub provider: Provider,
    /// Whether it can be connected, is, or needs connecting again.
    pub state: ConnectionState,
}

/// The providers, in the order the screen shows them.
const PROVIDERS: [Provider; 2] = [Provider::Whoop, Provider::Fatsecret];

/// The dashboard, over the ports it needs.
#[derive(Clone)]
pub struct Dashboard {
    /// People and settings.
    pub users: Arc<dyn Users>,
    /// Food entries (changes and deletes go to the FatSecret diary through its outbox).
    pub food: Arc<dyn FoodLog>,
    /// WHOOP records.
    pub wearables: Arc<dyn WearableStore>,
    /// Connect links and the stored connections.
    pub connections: Connections,
    /// Now.
    pub clock: Arc<dyn Clock>,
    /// The chat's menu button, relabelled when the language changes here (none without a
    /// bot).
    pub menu: Option<ChatMenu>,
}

/// The chat's menu button: its label is in the user's language.
#[derive(Clone)]
pub struct ChatMenu {
    /// Telegram.
    pub messenger: Arc<dyn Messenger>,
    /// The label's words.
    pub presenter: Arc<dyn Presenter>,
}

impl std::fmt::Debug for ChatMenu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChatMenu")
    }
}

impl ChatMenu {
    /// Labels the user's private chat's menu button in their language. The setting is saved
    /// either way: a failure (logged by the adapter) leaves the old label until /start or
    /// /language sets it again.
    async fn relabel(&self, user: &User) {
        let rendered = self
            .presenter
            .render(user.locale, &Reply::of(Vec::new()).with_menu_button());
        if let Some(label) = rendered.menu_button {
            let chat = ChatId(user.telegram_id.get());
            let _ = self.messenger.set_menu_button(chat, &label).await;
        }
    }
}

impl std::fmt::Debug for Dashboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dashboard")
    }
}

impl Dashboard {
    async fn account(&self, visitor: &Visitor) -> Result<Option<User>, StorageError> {
        self.users.find_by_telegram_id(visitor.telegram_id).await
    }

    /// The days of `range` in the user's time zone.
    pub async fn summary(
        &self,
        visitor: &Visitor,
        range: DateRange,
    ) -> Result<Vec<DaySummary>, StorageError> {
        let Some(user) = self.account(visitor).await? else {
            return Ok(range.days().map(empty_day).collect());
        };
        let zone = user.time_zone;
        let (start, _) = range.from.bounds(zone);
        let (_, end) = range.to.bounds(zone);
        let eaten: BTreeMap<LocalDate, DayTotals> = self
            .food
            .daily_totals(user.id, range.from, range.to)
            .await?
            .into_iter()
            .collect();
        let history = self.wearables.history(user.id, start, end).await?;
        let by_day = |scores: &[ScoreAt]| -> BTreeMap<LocalDate, f64> {
            // In time order: the latest of a day wins.
            scores
                .iter()
                .map(|s| (LocalDate::of(s.at, zone), s.value))
                .collect()
        };
        let sleep = by_day(&history.sleep_performance);
        let recovery = by_day(&history.recovery);
        let strain = by_day(&history.strain);
        Ok(range
            .days()
            .map(|date| DaySummary {
                date,
                eaten: eaten.get(&date).map(|t| t.nutrients),
                goal: Some(user.calorie_goal),
                sleep_performance: sleep.get(&date).copied(),
                recovery: recovery.get(&date).copied(),
                strain: strain.get(&date).copied(),
            })
            .collect())
    }

    /// The entries of `date` (today in the user's zone when `None`).
    pub async fn entries(
        &self,
        visitor: &Visitor,
        date: Option<LocalDate>,
    ) -> Result<DayEntries, StorageError> {
        let now = self.clock.now();
        let Some(user) = self.account(visitor).await? else {
            return Ok(DayEntries {
                date: date.unwrap_or_else(|| LocalDate::of(now, UserTimeZone::DEFAULT)),
                entries: Vec::new(),
                totals: DayTotals::default(),
                goal: None,
            });
        };
        let date = date.unwrap_or_else(|| LocalDate::of(now, user.time_zone));
        let entries = self.food.entries_on(user.id, date).await?;
        let totals = DayTotals {
            entries: u32::try_from(entries.len()).unwrap_or(u32::MAX),
            nutrients: entries.iter().map(|e| e.nutrients).sum(),
        };
        Ok(DayEntries {
            date,
            entries,
            totals,
            goal: Some(user.calorie_goal),
        })
    }

    /// Changes an active entry of the visitor's to `grams`, its numbers scaled with it;
    /// `None` when they have no such active entry.
    pub async fn change_grams(
        &self,
        visitor: &Visitor,
        id: FoodEntryId,
        grams: Grams,
    ) -> Result<Option<FoodEntry>, StorageError> {
        let Some(user) = self.account(visitor).await? else {
            return Ok(None);
        };
        let Some(entry) = self.food.get(user.id, id).await? else {
            return Ok(None);
        };
        if entry.status != EntryStatus::Active {
            return Ok(None);
        }
        let scaled = entry.nutrients.scaled(grams.get() / entry.grams.get());
        self.food.change_portion(user.id, id, grams, scaled).await
    }

    /// Deletes an active entry of the visitor's; `None` when they have no such active entry.
    pub async fn delete(
        &self,
        visitor: &Visitor,
        id: FoodEntryId,
    ) -> Result<Option<FoodEntry>, StorageError> {
        let Some(user) = self.account(visitor).await? else {
            return Ok(None);
        };
        Ok(self.food.void(user.id, &[id]).await?.into_iter().next())
    }

    /// The visitor's settings (the defaults, in their app's language, without an account).
    pub async fn profile(&self, visitor: &Visitor) -> Result<Profile, StorageError> {
        let account = self.account(visitor).await?;
        Ok(self.profile_of(visitor, account.as_ref()))
    }

    /// The visitor's account, made now when they have none.
    async fn account_or_new(&self, visitor: &Visitor) -> Result<User, StorageError> {
        if let Some(user) = self.account(visitor).await? {
            return Ok(user);
        }
        let new_user = NewUser {
            telegram_id: visitor.telegram_id,
            first_name: visitor.first_name.clone(),
            locale: visitor.locale,
        };
        Ok(self.users.register(&new_user).await?.user)
    }

    /// Applies `update`, making the account first when the visitor has none.
    pub async fn update_settings(
        &self,
        visitor: &Visitor,
        update: &SettingsUpdate,
    ) -> Result<Profile, StorageError> {
        let mut user = self.account_or_new(visitor).await?;
        let before = user.locale;
        for change in update.changes() {
            if let Some(changed) = self.users.change(user.id, &change).await? {
                user = changed;
            }
        }
        if let (Some(menu), true) = (&self.menu, user.locale != before) {
            menu.relabel(&user).await;
        }
        Ok(self.profile_of(visitor, Some(&user)))
    }

    /// WHOOP and FatSecret for the visitor: not offered, not connected, connected or broken.
    pub async fn connections(
        &self,
        visitor: &Visitor,
    ) -> Result<Vec<ProviderStatus>, StorageError> {
        let account = self.account(visitor).await?;
        let mut statuses = Vec::with_capacity(PROVIDERS.len());
        for provider in PROVIDERS {
            let state = match &account {
                Some(user) => self.connections.status(user.id, provider).await?,
                None if self.connections.links.is_configured(provider) => {
                    ConnectionState::NotConnected
                }
                None => ConnectionState::NotConfigured,
            };
            statuses.push(ProviderStatus { provider, state });
        }
        Ok(statuses)
    }

    /// A single-use connect link for the visitor's own account (made now when they have
    /// none: the connection needs someone to belong to), or why there is none. Nothing is
    /// stored when the provider is not configured.
    pub async fn connect(
        &self,
        visitor: &Visitor,
        provider: Provider,
    ) -> Result<ConnectOffer, StorageError> {
        if !self.connections.links.is_configured(provider) {
            return Ok(ConnectOffer::NotConfigured);
        }
        let user = self.account_or_new(visitor).await?;
        self.connections.links.offer(user.id, provider).await
    }

    fn profile_of(&self, visitor: &Visitor, user: Option<&User>) -> Profile {
        let now: DateTime<Utc> = self.clock.now();
        match user {
            Some(user) => Profile {
                registered: true,
                goal: user.calorie_goal,
                time_zone: user.time_zone,
                locale: user.locale,
                briefing_times: user.briefing_times,
                briefings_enabled: user.briefings_enabled,
                today: LocalDate::of(now, user.time_zone),
            },
            None => Profile {
                registered: false,
                goal: CalorieGoal::default(),
                time_zone: UserTimeZone::DEFAULT,
                locale: visitor.locale,
                briefing_times: BriefingTimes::default(),
                briefings_enabled: true,
                today: LocalDate::of(now, UserTimeZone::DEFAULT),
            },
        }
    }
}

fn empty_day(date: LocalDate) -> DaySummary {
    DaySummary {
        date,
        eaten: None,
        goal: None,
        sleep_performance: None,
        recovery: None,
        strain: None,
    }
}

#[cfg(test)]
mod tests;
