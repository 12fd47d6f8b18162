//! WHOOP: rotation-safe token refresh and the sync of workouts, sleep, recovery and cycles.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use thiserror::Error;

use crate::model::{
    ChatId, ConnectionStatus, Credentials, Provider, Secret, Tokens, User, UserId, WearableChange,
    WearableKind, WearableRecord,
};
use crate::ports::{
    Clock, CredentialStore, Messenger, Refreshed, StorageError, TokenRefresher, Upserted, Wearable,
    WearableError, WearableStore,
};

/// How far back the first sync reaches.
pub const FIRST_SYNC_DAYS: i64 = 30;
/// Tokens expiring sooner than this are refreshed before use.
pub const REFRESH_MARGIN: Duration = Duration::minutes(5);

/// A sync could not run.
#[derive(Debug, Error)]
pub enum SyncError {
    /// The user has not connected WHOOP.
    #[error("WHOOP is not connected")]
    NotConnected,
    /// WHOOP refused our tokens: the user must reconnect. `notified`: they were just told
    /// (once per revocation: by this call, or by the one that raced it and removed the tokens
    /// first), so a reply need not say it again.
    #[error("WHOOP access was revoked")]
    Revoked {
        /// The reconnect notice went out for this revocation.
        notified: bool,
    },
    /// WHOOP or the database failed; try again later.
    #[error("sync failed: {0}")]
    Temporary(String),
}

impl From<StorageError> for SyncError {
    fn from(e: StorageError) -> Self {
        SyncError::Temporary(e.to_string())
    }
}

/// What a sync wrote, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Workouts.
    pub workouts: Upserted,
    /// Sleeps.
    pub sleeps: Upserted,
    /// Recoveries.
    pub recoveries: Upserted,
    /// Cycles.
    pub cycles: Upserted,
}

impl SyncReport {
    /// Records inserted or updated in all.
    pub fn total(&self) -> u64 {
        [self.workouts, self.sleeps, self.recoveries, self.cycles]
            .iter()
            .map(|u| u.inserted + u.updated)
            .sum()
    }
}

/// Refreshes WHOOP tokens when they expire soon, or when `stale` (a token WHOOP just refused)
/// is still the one stored. Runs under the refresh lock.
struct WhoopRefresher {
    wearable: Arc<dyn Wearable>,
    now: DateTime<Utc>,
    /// Tokens expiring before this are refreshed.
    refresh_before: DateTime<Utc>,
    stale: Option<Secret>,
}

#[async_trait]
impl TokenRefresher for WhoopRefresher {
    async fn refresh(&self, current: &Credentials) -> Result<Option<Credentials>, WearableError> {
        let Tokens::OAuth2 {
            access_token,
            refresh_token,
            expires_at,
            ..
        } = &current.tokens
        else {
            return Ok(None);
        };
        let needed = match &self.stale {
            // Another process refreshed after our call failed: its token is the one to use.
            Some(stale) => stale == access_token,
            None => *expires_at <= self.refresh_before,
        };
        if !needed {
            return Ok(None);
        }
        let Some(refresh_token) = refresh_token else {
            return Err(WearableError::InvalidGrant);
        };
        let grant = self.wearable.refresh(refresh_token).await?;
        Ok(Some(Credentials {
            tokens: grant.tokens,
            status: ConnectionStatus::Active,
            updated_at: self.now,
            ..current.clone()
        }))
    }
}

/// Stores WHOOP's member id under the credentials' lock (a read-modify-write that cannot undo
/// a concurrent token refresh).
struct MemberId(String);

#[async_trait]
impl TokenRefresher for MemberId {
    async fn refresh(&self, current: &Credentials) -> Result<Option<Credentials>, WearableError> {
        Ok(current.external_user_id.is_none().then(|| Credentials {
            external_user_id: Some(self.0.clone()),
            ..current.clone()
        }))
    }
}

/// The ports a WHOOP sync needs.
#[derive(Clone)]
pub struct WhoopPorts<'a> {
    /// Tokens.
    pub credentials: &'a dyn CredentialStore,
    /// WHOOP's API.
    pub wearable: Arc<dyn Wearable>,
    /// Where records go.
    pub store: &'a dyn WearableStore,
    /// To tell the user once when access was revoked.
    pub messenger: &'a dyn Messenger,
    /// Renders that notice.
    pub presenter: &'a dyn crate::ports::Presenter,
    /// Time.
    pub clock: &'a dyn Clock,
}

impl std::fmt::Debug for WhoopPorts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WhoopPorts")
    }
}

fn access_of(c: &Credentials) -> Option<Secret> {
    match &c.tokens {
        Tokens::OAuth2 { access_token, .. } => Some(access_token.clone()),
        Tokens::OAuth1 { .. } => None,
    }
}

impl WhoopPorts<'_> {
    /// Refreshes under the lock; on invalid_grant clears the credentials and tells the user
    /// once.
    async fn refreshed(&self, user: &User, stale: Option<&Secret>) -> Result<Secret, SyncError> {
        let now = self.clock.now();
        let refresher = Arc::new(WhoopRefresher {
            wearable: self.wearable.clone(),
            now,
            refresh_before: now + REFRESH_MARGIN,
            stale: stale.cloned(),
        });
        match self
            .credentials
            .refresh_locked(user.id, Provider::Whoop, refresher)
            .await?
        {
            Refreshed::Fresh(c) => access_of(&c).ok_or(SyncError::NotConnected),
            Refreshed::NotConnected => Err(SyncError::NotConnected),
            Refreshed::Failed(WearableError::InvalidGrant | WearableError::Unauthorized) => {
                Err(self.revoked(user).await?)
            }
            Refreshed::Failed(e) => Err(SyncError::Temporary(e.to_string())),
        }
    }

    /// WHOOP refused the refresh token (or a fresh access token): the tokens are worthless, so
    /// they are deleted. Only the caller whose delete removed them tells the user, so the user
    /// hears it once however many syncs ran into it.
    async fn revoked(&self, user: &User) -> Result<SyncError, SyncError> {
        let removed = self.credentials.delete(user.id, Provider::Whoop).await?;
        // Not removed here: a call that raced this one found the same refusal, removed the
        // tokens and sent the notice; a reply repeating it would say it twice.
        if removed {
            let notice = crate::reply::Reply::one(crate::reply::Say::WhoopReconnect);
            let message = self.presenter.render(user.locale, &notice);
            // Best effort: the tokens are gone, so no later sync repeats the notice.
            let _ = self
                .messenger
                .send(ChatId::private(user.telegram_id), &message)
                .await;
        }
        Ok(SyncError::Revoked { notified: true })
    }

    /// Refreshes `user`'s WHOOP access token when it expires within `within` (a task of the
    /// 30-minute refresh job); `true` when it was refreshed. Refused for good: the connection
    /// is marked broken and the user told once.
    pub async fn refresh_one(&self, user: &User, within: Duration) -> Result<bool, SyncError> {
        let now = self.clock.now();
        let refresher = Arc::new(WhoopRefresher {
            wearable: self.wearable.clone(),
            now,
            refresh_before: now + within,
            stale: None,
        });
        match self
            .credentials
            .refresh_locked(user.id, Provider::Whoop, refresher)
            .await?
        {
            Refreshed::Fresh(_) => Ok(true),
            Refreshed::Failed(WearableError::InvalidGrant | WearableError::Unauthorized) => {
                self.revoked(user).await?;
                Ok(false)
            }
            Refreshed::Failed(e) => Err(SyncError::Temporary(e.to_string())),
            Refreshed::NotConnected => Ok(false),
        }
    }

    /// Fetches everything new since the last synced point of each kind (the first time, the
    /// last 30 days) and upserts it. A refused access token is refreshed and the call retried once.
    pub async fn sync(&self, user: &User) -> Result<SyncReport, SyncError> {
        let (mut access, member_known) = self.access(user).await?;
        if !member_known {
            self.learn_member_id(user, &access).await;
        }
        let mut report = SyncReport::default();
        for kind in WearableKind::ALL {
            let since = self
                .store
                .sync_point(user.id, kind)
                .await?
                .unwrap_or_else(|| self.clock.now() - Duration::days(FIRST_SYNC_DAYS));
            let mut attempt = self.fetch_and_store(user.id, kind, &access, since).await;
            if matches!(attempt, Err(WearableError::Unauthorized)) {
                access = self.refreshed(user, Some(&access)).await?;
                attempt = self.fetch_and_store(user.id, kind, &access, since).await;
            }
            let upserted = match attempt {
                Ok(Ok(u)) => u,
                Ok(Err(storage)) => return Err(storage.into()),
                Err(WearableError::Unauthorized | WearableError::InvalidGrant) => {
                    return Err(self.revoked(user).await?);
                }
                Err(e) => return Err(SyncError::Temporary(e.to_string())),
            };
            match kind {
                WearableKind::Workout => report.workouts = upserted,
                WearableKind::Sleep => report.sleeps = upserted,
                WearableKind::Recovery => report.recoveries = upserted,
                WearableKind::Cycle => report.cycles = upserted,
            }
        }
        Ok(report)
    }

    /// A connection stored without WHOOP's member id (WHOOP failed to answer the profile call
    /// at connect time) gets it now: without it the member's webhooks cannot be matched to them.
    /// Best effort; the next sync tries again.
    async fn learn_member_id(&self, user: &User, access: &Secret) {
        let Ok(member) = self.wearable.member_id(access).await else {
            return;
        };
        let _ = self
            .credentials
            .refresh_locked(user.id, Provider::Whoop, Arc::new(MemberId(member)))
            .await;
    }

    /// A usable access token (the stored one, or a refreshed one when it expires soon), and
    /// whether WHOOP's member id is stored with it.
    async fn access(&self, user: &User) -> Result<(Secret, bool), SyncError> {
        let Some(credentials) = self.credentials.get(user.id, Provider::Whoop).await? else {
            return Err(SyncError::NotConnected);
        };
        if matches!(credentials.status, ConnectionStatus::Broken { .. }) {
            return Err(SyncError::Revoked { notified: false });
        }
        let token = match &credentials.tokens {
            Tokens::OAuth2 {
                access_token,
                expires_at,
                ..
            } if *expires_at > self.clock.now() + REFRESH_MARGIN => access_token.clone(),
            Tokens::OAuth2 { .. } => self.refreshed(user, None).await?,
            Tokens::OAuth1 { .. } => return Err(SyncError::NotConnected),
        };
        Ok((token, credentials.external_user_id.is_some()))
    }

    /// Applies what a webhook said: a deleted record is deleted here too; an updated one is
    /// fetched by its id and upserted (or deleted, when WHOOP no longer has it). Returns
    /// whether anything here changed.
    pub async fn apply_change(
        &self,
        user: &User,
        change: &WearableChange,
    ) -> Result<bool, SyncError> {
        if change.deleted {
            return Ok(self.store.delete(user.id, change.kind, &change.id).await?);
        }
        let (mut access, _) = self.access(user).await?;
        let wearable = self.wearable.as_ref();
        let mut fetched = wearable
            .record(&access, user.id, change.kind, &change.id)
            .await;
        if matches!(fetched, Err(WearableError::Unauthorized)) {
            access = self.refreshed(user, Some(&access)).await?;
            fetched = wearable
                .record(&access, user.id, change.kind, &change.id)
                .await;
        }
        let upserted = match fetched {
            Ok(Some(record)) => match record {
                WearableRecord::Workout(r) => self.store.upsert_workouts(&[r]).await?,
                WearableRecord::Sleep(r) => self.store.upsert_sleeps(&[r]).await?,
                WearableRecord::Recovery(r) => self.store.upsert_recoveries(&[r]).await?,
                WearableRecord::Cycle(r) => self.store.upsert_cycles(&[r]).await?,
            },
            Ok(None) => return Ok(self.store.delete(user.id, change.kind, &change.id).await?),
            Err(WearableError::Unauthorized | WearableError::InvalidGrant) => {
                return Err(self.revoked(user).await?);
            }
            Err(e) => return Err(SyncError::Temporary(e.to_string())),
        };
        Ok(upserted.inserted + upserted.updated > 0)
    }

    async fn fetch_and_store(
        &self,
        user: UserId,
        kind: WearableKind,
        access: &Secret,
        since: DateTime<Utc>,
    ) -> Result<Result<Upserted, StorageError>, WearableError> {
        let w = self.wearable.as_ref();
        Ok(match kind {
            WearableKind::Workout => {
                self.store
                    .upsert_workouts(&w.workouts(access, user, since).await?)
                    .await
            }
            WearableKind::Sleep => {
                self.store
                    .upsert_sleeps(&w.sleeps(access, user, since).await?)
                    .await
            }
            WearableKind::Recovery => {
                self.store
                    .upsert_recoveries(&w.recoveries(access, user, since).await?)
                    .await
            }
            WearableKind::Cycle => {
                self.store
                    .upsert_cycles(&w.cycles(access, user, since).await?)
                    .await
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use chrono::TimeZone;
    use mockall::predicate::eq;

    use super::*;
    use crate::model::{
        BriefingTimes, CalorieGoal, Locale, RecordTimes, RecordedOffset, Scored, Sleep,
        TelegramUserId, UserTimeZone,
    };
    use crate::ports::{
        ManualClock, MockCredentialStore, MockMessenger, MockWearable, MockWearableStore,
        SentMessage,
    };

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, hour, 0, 0).unwrap()
    }

    fn ann() -> User {
        User {
            id: UserId::new(7).unwrap(),
            telegram_id: TelegramUserId::new(1007).unwrap(),
            first_name: "Ann".into(),
            locale: Locale::En,
            time_zone: UserTimeZone::DEFAULT,
            calorie_goal: CalorieGoal::new(2000).unwrap(),
            briefing_times: BriefingTimes::default(),
            briefings_enabled: true,
            created_at: at(0),
        }
    }

    fn credentials(access: &str, expires_at: DateTime<Utc>) -> Credentials {
        Credentials {
            user_id: ann().id,
            provider: Provider::Whoop,
            tokens: Tokens::OAuth2 {
                access_token: Secret::new(access),
                refresh_token: Some(Secret::new("refresh-1")),
                expires_at,
                scope: "offline read:sleep".into(),
            },
            external_user_id: Some("10129".into()),
            status: ConnectionStatus::Active,
            updated_at: at(0),
        }
    }

    fn sleep(id: &str) -> Sleep {
        Sleep {
            whoop_id: id.into(),
            cycle_id: 93_845,
            user_id: ann().id,
            times: RecordTimes {
                start: at(0),
                end: Some(at(7)),
                timezone_offset: RecordedOffset::parse("+02:00").unwrap(),
                updated_at: at(8),
            },
            nap: false,
            score: Scored::PendingScore,
        }
    }

    fn updated(kind: WearableKind, id: &str) -> WearableChange {
        WearableChange {
            kind,
            id: id.into(),
            deleted: false,
        }
    }

    struct World {
        credentials: MockCredentialStore,
        wearable: MockWearable,
        store: MockWearableStore,
        messenger: MockMessenger,
        clock: ManualClock,
    }

    impl World {
        fn new() -> Self {
            Self {
                credentials: MockCredentialStore::new(),
                wearable: MockWearable::new(),
                store: MockWearableStore::new(),
                messenger: MockMessenger::new(),
                clock: ManualClock::new(at(9)),
            }
        }

        /// Stored tokens that are still fresh.
        fn connected(mut self) -> Self {
            self.credentials
                .expect_get()
                .returning(|_, _| Ok(Some(credentials("access-1", at(12)))));
            self
        }

        fn run<T>(self, body: impl AsyncFnOnce(WhoopPorts<'_>) -> T) -> T {
            let wearable: Arc<dyn Wearable> = Arc::new(self.wearable);
            let ports = WhoopPorts {
                credentials: &self.credentials,
                wearable,
                store: &self.store,
                messenger: &self.messenger,
                presenter: &crate::testing::DebugPresenter,
                clock: &self.clock,
            };
            futures_executor::block_on(body(ports))
        }
    }

    #[test]
    fn a_webhook_update_fetches_that_record_by_id_and_upserts_it() {
        let mut w = World::new().connected();
        w.wearable
            .expect_record()
            .withf(|token, _, kind, id| {
                token.expose() == "access-1" && *kind == WearableKind::Sleep && id == "s-1"
            })
            .times(1)
            .returning(|_, _, _, id| Ok(Some(WearableRecord::Sleep(sleep(id)))));
        w.store
            .expect_upsert_sleeps()
            .withf(|records| records.len() == 1 && records[0].whoop_id == "s-1")
            .times(1)
            .returning(|_| {
                Ok(Upserted {
                    inserted: 0,
                    updated: 1,
                })
            });
        let changed = w.run(async |p| {
            p.apply_change(&ann(), &updated(WearableKind::Sleep, "s-1"))
                .await
        });
        assert!(changed.unwrap());
    }

    #[test]
    fn a_record_whoop_no_longer_has_is_deleted_here() {
        let mut w = World::new().connected();
        w.wearable
            .expect_record()
            .times(1)
            .returning(|_, _, _, _| Ok(None));
        w.store
            .expect_delete()
            .with(eq(ann().id), eq(WearableKind::Workout), eq("w-1"))
            .times(1)
            .returning(|_, _, _| Ok(true));
        let changed = w.run(async |p| {
            p.apply_change(&ann(), &updated(WearableKind::Workout, "w-1"))
                .await
        });
        assert!(changed.unwrap());
    }

    #[test]
    fn a_deleted_event_deletes_without_asking_whoop() {
        let mut w = World::new();
        w.wearable.expect_record().never();
        w.credentials.expect_get().never();
        w.store
            .expect_delete()
            .with(eq(ann().id), eq(WearableKind::Recovery), eq("s-1"))
            .times(1)
            .returning(|_, _, _| Ok(false));
        let change = WearableChange {
            deleted: true,
            ..updated(WearableKind::Recovery, "s-1")
        };
        let changed = w.run(async |p| p.apply_change(&ann(), &change).await);
        assert!(!changed.unwrap());
    }

    #[test]
    fn a_refused_access_token_is_refreshed_and_the_fetch_retried_once() {
        let mut w = World::new().connected();
        let first = AtomicBool::new(true);
        w.wearable
            .expect_record()
            .times(2)
            .returning(move |token, _, _, id| {
                if first.swap(false, Ordering::SeqCst) {
                    assert_eq!(token.expose(), "access-1");
                    Err(WearableError::Unauthorized)
                } else {
                    assert_eq!(token.expose(), "access-2");
                    Ok(Some(WearableRecord::Sleep(sleep(id))))
                }
            });
        w.credentials
            .expect_refresh_locked()
            .times(1)
            .returning(|_, _, _| Ok(Refreshed::Fresh(credentials("access-2", at(13)))));
        w.store.expect_upsert_sleeps().returning(|_| {
            Ok(Upserted {
                inserted: 1,
                updated: 0,
            })
        });
        let changed = w.run(async |p| {
            p.apply_change(&ann(), &updated(WearableKind::Sleep, "s-2"))
                .await
        });
        assert!(changed.unwrap());
    }

    #[test]
    fn a_connection_stored_without_the_member_id_learns_it_on_the_next_sync() {
        let mut w = World::new();
        w.credentials.expect_get().returning(|_, _| {
            Ok(Some(Credentials {
                external_user_id: None,
                ..credentials("access-1", at(12))
            }))
        });
        w.wearable
            .expect_member_id()
            .times(1)
            .returning(|_| Ok("10129".into()));
        let captured: Arc<std::sync::Mutex<Option<Arc<dyn TokenRefresher>>>> = Arc::default();
        let keep = captured.clone();
        w.credentials
            .expect_refresh_locked()
            .times(1)
            .returning(move |_, _, update| {
                *keep.lock().unwrap() = Some(update);
                Ok(Refreshed::Fresh(credentials("access-1", at(12))))
            });
        w.store
            .expect_sync_point()
            .returning(|_, _| Ok(Some(at(0))));
        w.wearable.expect_workouts().returning(|_, _, _| Ok(vec![]));
        w.wearable.expect_sleeps().returning(|_, _, _| Ok(vec![]));
        w.wearable
            .expect_recoveries()
            .returning(|_, _, _| Ok(vec![]));
        w.wearable.expect_cycles().returning(|_, _, _| Ok(vec![]));
        w.store
            .expect_upsert_workouts()
            .returning(|_| Ok(Upserted::default()));
        w.store
            .expect_upsert_sleeps()
            .returning(|_| Ok(Upserted::default()));
        w.store
            .expect_upsert_recoveries()
            .returning(|_| Ok(Upserted::default()));
        w.store
            .expect_upsert_cycles()
            .returning(|_| Ok(Upserted::default()));
        assert!(w.run(async |p| p.sync(&ann()).await).is_ok());
        // What was stored under the lock: the member id, the tokens untouched.
        let current = Credentials {
            external_user_id: None,
            ..credentials("access-1", at(12))
        };
        let update = captured.lock().unwrap().take().unwrap();
        let updated = futures_executor::block_on(update.refresh(&current))
            .unwrap()
            .unwrap();
        assert_eq!(updated.external_user_id.as_deref(), Some("10129"));
        assert_eq!(updated.tokens, current.tokens);
    }

    #[test]
    fn invalid_grant_clears_the_credentials_and_the_user_hears_it_once() {
        let mut w = World::new();
        // Tokens about to expire: the sync refreshes first, and WHOOP refuses the refresh token.
        w.credentials
            .expect_get()
            .returning(|_, _| Ok(Some(credentials("access-1", at(9)))));
        w.credentials
            .expect_refresh_locked()
            .times(2)
            .returning(|_, _, _| Ok(Refreshed::Failed(WearableError::InvalidGrant)));
        let deleted = AtomicBool::new(false);
        // Only the first delete finds the row (a second sync raced the first).
        w.credentials
            .expect_delete()
            .with(eq(ann().id), eq(Provider::Whoop))
            .times(2)
            .returning(move |_, _| Ok(!deleted.swap(true, Ordering::SeqCst)));
        w.credentials.expect_mark_broken().never();
        w.messenger
            .expect_send()
            .withf(|chat, message| {
                *chat == ChatId::private(ann().telegram_id) && message.text == "WhoopReconnect"
            })
            .times(1)
            .returning(|_, _| Ok(SentMessage { message_id: 1 }));
        let (first, second) = w.run(async |p| (p.sync(&ann()).await, p.sync(&ann()).await));
        assert!(
            matches!(first, Err(SyncError::Revoked { notified: true })),
            "{first:?}"
        );
        // The raced one knows the notice went out (by the first): its reply does not repeat it.
        assert!(
            matches!(second, Err(SyncError::Revoked { notified: true })),
            "{second:?}"
        );
    }
}
