//! Users, credentials, OAuth states, notifications, conversations and the cascade on delete.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use wellness_domain::ports::*;
use wellness_domain::*;
use wellness_postgres::*;

use crate::fixtures::{at, db, user};

fn cipher() -> TokenCipher {
    TokenCipher::from_bytes(&[42u8; 32]).unwrap()
}

#[tokio::test]
async fn registering_twice_keeps_settings_and_refreshes_the_name() {
    let (_guard, db) = db().await;
    let users = PgUsers::new(db.clone());
    let new = NewUser {
        telegram_id: TelegramUserId::new(77).unwrap(),
        first_name: "Ira".into(),
        locale: Locale::Uk,
    };
    let first = users.register(&new).await.unwrap();
    assert!(first.is_new);
    assert_eq!(first.user.calorie_goal, CalorieGoal::DEFAULT);
    assert_eq!(first.user.time_zone, UserTimeZone::DEFAULT);
    assert_eq!(first.user.briefing_times, BriefingTimes::default());
    assert!(first.user.briefings_enabled);

    users
        .change(
            first.user.id,
            &UserSettingChange::CalorieGoal(CalorieGoal::new(1800).unwrap()),
        )
        .await
        .unwrap();
    let second = users
        .register(&NewUser {
            first_name: "Iryna".into(),
            locale: Locale::En,
            ..new
        })
        .await
        .unwrap();
    assert!(!second.is_new);
    assert_eq!(second.user.id, first.user.id);
    assert_eq!(second.user.first_name, "Iryna");
    assert_eq!(second.user.calorie_goal.kcal(), 1800);
    assert_eq!(second.user.locale, Locale::Uk, "a chosen language is kept");
}

#[derive(diesel::QueryableByName)]
struct RowVersion {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

/// Every message registers its sender: a known one under the same name must cost a read, not a
/// write (no new row version, nothing to flush at commit).
#[tokio::test]
async fn a_known_sender_under_the_same_name_is_read_not_written() {
    let (_guard, db) = db().await;
    let users = PgUsers::new(db.clone());
    let new = NewUser {
        telegram_id: TelegramUserId::new(78).unwrap(),
        first_name: "Oles".into(),
        locale: Locale::Uk,
    };
    let first = users.register(&new).await.unwrap();
    let version = async || {
        let mut conn = db.conn().await.unwrap();
        diesel::sql_query("SELECT xmin::text AS version FROM users WHERE telegram_id = $1")
            .bind::<diesel::sql_types::BigInt, _>(78_i64)
            .get_result::<RowVersion>(&mut *conn)
            .await
            .unwrap()
            .version
    };
    let before = version().await;
    let again = users.register(&new).await.unwrap();
    assert!(!again.is_new);
    assert_eq!(again.user, first.user);
    assert_eq!(version().await, before, "the row was not rewritten");
    let renamed = users
        .register(&NewUser {
            first_name: "Oleksa".into(),
            ..new
        })
        .await
        .unwrap();
    assert_eq!(renamed.user.first_name, "Oleksa");
    assert_ne!(version().await, before, "a new name is written");
}

#[tokio::test]
async fn every_setting_round_trips() {
    let (_guard, db) = db().await;
    let users = PgUsers::new(db.clone());
    let u = user(&db, 5).await;
    let zone = UserTimeZone::parse("America/New_York").unwrap();
    let times = BriefingTimes::parse("06:45", "22:15").unwrap();
    for change in [
        UserSettingChange::TimeZone(zone),
        UserSettingChange::Locale(Locale::En),
        UserSettingChange::BriefingTimes(times),
        UserSettingChange::BriefingsEnabled(false),
    ] {
        users.change(u.id, &change).await.unwrap().unwrap();
    }
    let back = users
        .find_by_telegram_id(u.telegram_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            back.time_zone,
            back.locale,
            back.briefing_times,
            back.briefings_enabled
        ),
        (zone, Locale::En, times, false)
    );
    assert!(
        users
            .change(
                UserId::new(999).unwrap(),
                &UserSettingChange::BriefingsEnabled(true)
            )
            .await
            .unwrap()
            .is_none()
    );
    let page = users.page(None, 10).await.unwrap();
    assert_eq!(page.len(), 1);
    assert!(users.page(Some(u.id), 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn tokens_are_encrypted_at_rest_and_read_back() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let store = PgCredentialStore::new(db.clone(), cipher());
    let creds = Credentials {
        user_id: u.id,
        provider: Provider::Whoop,
        tokens: Tokens::OAuth2 {
            access_token: Secret::new("ACCESS-abc123"),
            refresh_token: Some(Secret::new("REFRESH-xyz789")),
            expires_at: at(2026, 5, 14, 7, 0),
            scope: "offline read:sleep".into(),
        },
        external_user_id: Some("10129".into()),
        status: ConnectionStatus::Active,
        updated_at: at(2026, 5, 14, 6, 0),
    };
    store.save(&creds).await.unwrap();
    assert_eq!(store.get(u.id, Provider::Whoop).await.unwrap(), Some(creds));

    use wellness_postgres::schema::credentials as cr;
    let raw: Vec<(Vec<u8>, Option<Vec<u8>>)> = cr::table
        .select((cr::access_token_enc, cr::refresh_token_enc))
        .load(&mut *db.conn().await.unwrap())
        .await
        .unwrap();
    let bytes: Vec<u8> = raw
        .iter()
        .flat_map(|(a, r)| a.iter().chain(r.iter().flatten()))
        .copied()
        .collect();
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("ACCESS-abc123") && !text.contains("REFRESH-xyz789"));

    let wrong_key =
        PgCredentialStore::new(db.clone(), TokenCipher::from_bytes(&[1u8; 32]).unwrap());
    assert!(matches!(
        wrong_key.get(u.id, Provider::Whoop).await,
        Err(StorageError::Corrupt(_))
    ));
}

#[tokio::test]
async fn fatsecret_tokens_and_request_token_secrets_are_encrypted_at_rest() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let store = PgCredentialStore::new(db.clone(), cipher());
    let creds = Credentials {
        user_id: u.id,
        provider: Provider::Fatsecret,
        tokens: Tokens::OAuth1 {
            token: Secret::new("FS-TOKEN-4f1a9c"),
            token_secret: Secret::new("FS-SECRET-7b2e8d"),
        },
        external_user_id: None,
        status: ConnectionStatus::Active,
        updated_at: at(2026, 5, 14, 6, 0),
    };
    store.save(&creds).await.unwrap();
    assert_eq!(
        store.get(u.id, Provider::Fatsecret).await.unwrap(),
        Some(creds)
    );
    let states = PgOAuthStates::new(db.clone(), cipher());
    states
        .create(&OAuthState {
            state: "fs-state-9".into(),
            user_id: u.id,
            provider: Provider::Fatsecret,
            expires_at: Utc::now() + OAUTH_STATE_TTL,
            request_token: Some(("req-token-3c5d".into(), Secret::new("REQ-SECRET-1e6f"))),
            browser: None,
        })
        .await
        .unwrap();

    use wellness_postgres::schema::{credentials as cr, oauth_states as os};
    let mut conn = db.conn().await.unwrap();
    let columns: Vec<(Vec<u8>, Option<Vec<u8>>)> = cr::table
        .select((cr::access_token_enc, cr::token_secret_enc))
        .load(&mut *conn)
        .await
        .unwrap();
    let sealed: Vec<Option<Vec<u8>>> = os::table
        .select(os::request_token_secret_enc)
        .load(&mut *conn)
        .await
        .unwrap();
    let bytes: Vec<u8> = columns
        .iter()
        .flat_map(|(a, s)| a.iter().chain(s.iter().flatten()))
        .chain(sealed.iter().flatten().flatten())
        .copied()
        .collect();
    assert!(bytes.len() > 3 * 16, "three sealed values were read");
    let text = String::from_utf8_lossy(&bytes);
    for plain in ["FS-TOKEN-4f1a9c", "FS-SECRET-7b2e8d", "REQ-SECRET-1e6f"] {
        assert!(!text.contains(plain), "{plain} is stored in clear");
    }
}

#[tokio::test]
async fn a_broken_connection_is_reported_to_the_user_once() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let store = PgCredentialStore::new(db.clone(), cipher());
    store.save(&fatsecret_credentials(u.id)).await.unwrap();
    assert!(store.mark_broken(u.id, Provider::Fatsecret).await.unwrap());
    assert!(!store.mark_broken(u.id, Provider::Fatsecret).await.unwrap());
    assert!(
        store
            .mark_user_notified(u.id, Provider::Fatsecret)
            .await
            .unwrap()
    );
    assert!(
        !store
            .mark_user_notified(u.id, Provider::Fatsecret)
            .await
            .unwrap()
    );
    let c = store.get(u.id, Provider::Fatsecret).await.unwrap().unwrap();
    assert_eq!(
        c.status,
        ConnectionStatus::Broken {
            user_notified: true
        }
    );
    assert!(store.delete(u.id, Provider::Fatsecret).await.unwrap());
    assert!(
        store
            .get(u.id, Provider::Fatsecret)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn expiring_tokens_are_listed_for_refresh() {
    let (_guard, db) = db().await;
    let store = PgCredentialStore::new(db.clone(), cipher());
    let now = at(2026, 5, 14, 6, 0);
    for (tg, minutes) in [(1, 20), (2, 90)] {
        let u = user(&db, tg).await;
        store
            .save(&Credentials {
                user_id: u.id,
                provider: Provider::Whoop,
                tokens: Tokens::OAuth2 {
                    access_token: Secret::new("a"),
                    refresh_token: Some(Secret::new("r")),
                    expires_at: now + Duration::minutes(minutes),
                    scope: String::new(),
                },
                external_user_id: None,
                status: ConnectionStatus::Active,
                updated_at: now,
            })
            .await
            .unwrap();
    }
    let due = store
        .expiring_before(Provider::Whoop, now + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
}

#[tokio::test]
async fn an_oauth_state_works_once_and_not_after_ten_minutes() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let states = PgOAuthStates::new(db.clone(), cipher());
    let now = Utc::now();
    let make = |state: &str, request_token| OAuthState {
        state: state.into(),
        user_id: u.id,
        provider: Provider::Whoop,
        expires_at: now + OAUTH_STATE_TTL,
        request_token,
        browser: None,
    };
    states.create(&make("abcdef12", None)).await.unwrap();
    assert_eq!(
        states
            .consume(Provider::Fatsecret, "abcdef12", now)
            .await
            .unwrap(),
        Err(StateRejected::Unknown),
        "a state of another provider"
    );
    assert_eq!(
        states
            .consume(Provider::Whoop, "abcdef12", now)
            .await
            .unwrap()
            .map(|s| s.user_id),
        Ok(u.id)
    );
    assert_eq!(
        states
            .consume(Provider::Whoop, "abcdef12", now)
            .await
            .unwrap(),
        Err(StateRejected::AlreadyUsed)
    );
    assert_eq!(
        states
            .consume(Provider::Whoop, "forged!!", now)
            .await
            .unwrap(),
        Err(StateRejected::Unknown)
    );

    states.create(&make("late5678", None)).await.unwrap();
    assert_eq!(
        states
            .consume(Provider::Whoop, "late5678", now + Duration::minutes(11))
            .await
            .unwrap(),
        Err(StateRejected::Expired)
    );

    let mut oauth1 = make(
        "fs-state-1",
        Some(("req-token".to_owned(), Secret::new("req-secret"))),
    );
    oauth1.provider = Provider::Fatsecret;
    states.create(&oauth1).await.unwrap();
    let used = states
        .consume_request_token(Provider::Fatsecret, "req-token", now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        used.request_token.map(|(_, s)| s.expose().to_owned()),
        Some("req-secret".to_owned())
    );
    assert_eq!(
        states
            .consume_request_token(Provider::Fatsecret, "req-token", now)
            .await
            .unwrap(),
        Err(StateRejected::AlreadyUsed)
    );
    assert_eq!(
        states
            .purge_expired(now + Duration::hours(1))
            .await
            .unwrap(),
        3
    );
}

#[tokio::test]
async fn a_notification_is_claimed_once_per_user_kind_and_day() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let n = PgNotifications::new(db.clone());
    let day = LocalDate::from_calendar(chrono::NaiveDate::from_ymd_opt(2026, 5, 14).unwrap());
    let now = Utc::now();
    let (a, b) = tokio::join!(
        n.claim(u.id, NotificationKind::MorningBriefing, day, now),
        n.claim(u.id, NotificationKind::MorningBriefing, day, now)
    );
    assert!(
        a.unwrap() ^ b.unwrap(),
        "exactly one of two concurrent claims wins"
    );
    assert!(
        n.claim(u.id, NotificationKind::EveningSummary, day, now)
            .await
            .unwrap()
    );
    assert!(
        n.claim(u.id, NotificationKind::MorningBriefing, day.previous(), now)
            .await
            .unwrap()
    );
    n.release(u.id, NotificationKind::MorningBriefing, day)
        .await
        .unwrap();
    assert!(
        n.claim(u.id, NotificationKind::MorningBriefing, day, now)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn conversation_history_is_bounded_ordered_and_cleaned_up() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let c = PgConversations::new(db.clone());
    let base = at(2026, 5, 1, 0, 0);
    for i in 0..10 {
        c.append(&[ConversationMessage {
            user_id: u.id,
            role: if i % 2 == 0 {
                Role::User
            } else {
                Role::Assistant
            },
            content: format!("m{i}"),
            intent: None,
            created_at: base + Duration::days(i),
        }])
        .await
        .unwrap();
    }
    let recent = c.recent(u.id, base + Duration::days(5), 3).await.unwrap();
    assert_eq!(
        recent
            .iter()
            .map(|m| m.content.as_str())
            .collect::<Vec<_>>(),
        vec!["m7", "m8", "m9"]
    );
    assert_eq!(
        c.delete_older_than(base + Duration::days(3)).await.unwrap(),
        3
    );
}

/// A question and its reply are stored in one statement, with one time: they read back in the
/// order given.
#[tokio::test]
async fn an_exchange_appended_at_once_reads_back_in_order() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let c = PgConversations::new(db.clone());
    let now = at(2026, 5, 1, 12, 0);
    let message = |role, content: &str| ConversationMessage {
        user_id: u.id,
        role,
        content: content.into(),
        intent: None,
        created_at: now,
    };
    for round in 0..3 {
        c.append(&[
            message(Role::User, &format!("q{round}")),
            message(Role::Assistant, &format!("a{round}")),
        ])
        .await
        .unwrap();
    }
    c.append(&[]).await.unwrap();
    let recent = c.recent(u.id, now, 50).await.unwrap();
    assert_eq!(
        recent
            .iter()
            .map(|m| (m.role, m.content.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (Role::User, "q0"),
            (Role::Assistant, "a0"),
            (Role::User, "q1"),
            (Role::Assistant, "a1"),
            (Role::User, "q2"),
            (Role::Assistant, "a2"),
        ]
    );
}

#[tokio::test]
async fn deleting_a_user_removes_every_row_they_own() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let keep = user(&db, 2).await;
    for owner in [&u, &keep] {
        PgConversations::new(db.clone())
            .append(&[ConversationMessage {
                user_id: owner.id,
                role: Role::User,
                content: "hi".into(),
                intent: None,
                created_at: Utc::now(),
            }])
            .await
            .unwrap();
        PgNotifications::new(db.clone())
            .claim(
                owner.id,
                NotificationKind::MorningBriefing,
                LocalDate::of(Utc::now(), UserTimeZone::DEFAULT),
                Utc::now(),
            )
            .await
            .unwrap();
    }
    assert!(PgUsers::new(db.clone()).delete(u.id).await.unwrap());
    assert!(!PgUsers::new(db.clone()).delete(u.id).await.unwrap());
    use wellness_postgres::schema::{conversation_messages as cm, notification_sends as ns};
    let mut conn = db.conn().await.unwrap();
    let left: i64 = cm::table.count().get_result(&mut *conn).await.unwrap();
    let sends: i64 = ns::table.count().get_result(&mut *conn).await.unwrap();
    assert_eq!((left, sends), (1, 1), "only the other user's rows remain");
}

/// A provider that rotates refresh tokens and refuses a used one, like WHOOP.
struct Rotating {
    valid: std::sync::Mutex<String>,
    calls: std::sync::atomic::AtomicU32,
    reused: std::sync::atomic::AtomicU32,
}

#[async_trait::async_trait]
impl TokenRefresher for Rotating {
    async fn refresh(&self, current: &Credentials) -> Result<Option<Credentials>, WearableError> {
        let Tokens::OAuth2 {
            refresh_token,
            expires_at,
            ..
        } = &current.tokens
        else {
            return Ok(None);
        };
        if *expires_at > Utc::now() + Duration::minutes(5) {
            return Ok(None); // another process refreshed while we waited for the lock
        }
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        // Hold the lock a while, so the other refresh really waits.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let presented = refresh_token
            .as_ref()
            .map(|r| r.expose().to_owned())
            .unwrap_or_default();
        let mut valid = self.valid.lock().unwrap();
        if presented != *valid {
            self.reused
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            return Err(WearableError::InvalidGrant);
        }
        let next = format!("{presented}+");
        *valid = next.clone();
        Ok(Some(Credentials {
            tokens: Tokens::OAuth2 {
                access_token: Secret::new(format!("access-{next}")),
                refresh_token: Some(Secret::new(next)),
                expires_at: Utc::now() + Duration::hours(1),
                scope: "offline".into(),
            },
            ..current.clone()
        }))
    }
}

#[tokio::test]
async fn two_concurrent_refreshes_for_one_user_never_reuse_a_rotated_token() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let store = PgCredentialStore::new(db.clone(), cipher());
    store
        .save(&Credentials {
            user_id: u.id,
            provider: Provider::Whoop,
            tokens: Tokens::OAuth2 {
                access_token: Secret::new("access-r0"),
                refresh_token: Some(Secret::new("r0")),
                expires_at: Utc::now() - Duration::minutes(1),
                scope: "offline".into(),
            },
            external_user_id: Some("10129".into()),
            status: ConnectionStatus::Active,
            updated_at: Utc::now(),
        })
        .await
        .unwrap();
    let provider = std::sync::Arc::new(Rotating {
        valid: std::sync::Mutex::new("r0".into()),
        calls: Default::default(),
        reused: Default::default(),
    });
    let other = PgCredentialStore::new(db.clone(), cipher());
    let (a, b) = tokio::join!(
        store.refresh_locked(u.id, Provider::Whoop, provider.clone()),
        other.refresh_locked(u.id, Provider::Whoop, provider.clone())
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let access = |r: &Refreshed| match r {
        Refreshed::Fresh(Credentials {
            tokens: Tokens::OAuth2 { access_token, .. },
            ..
        }) => access_token.expose().to_owned(),
        other => panic!("{other:?}"),
    };
    assert_eq!(access(&a), "access-r0+");
    assert_eq!(
        access(&b),
        "access-r0+",
        "the second caller uses the first one's new token"
    );
    assert_eq!(
        std::sync::atomic::AtomicU32::load(&provider.calls, std::sync::atomic::Ordering::SeqCst),
        1,
        "one refresh, not two"
    );
    assert_eq!(
        std::sync::atomic::AtomicU32::load(&provider.reused, std::sync::atomic::Ordering::SeqCst),
        0
    );
    let stored = store.get(u.id, Provider::Whoop).await.unwrap().unwrap();
    let Tokens::OAuth2 { refresh_token, .. } = stored.tokens else {
        panic!()
    };
    assert_eq!(
        refresh_token.unwrap().expose(),
        "r0+",
        "the rotated token is what is stored"
    );
    assert_eq!(
        store
            .user_by_external_id(Provider::Whoop, "10129")
            .await
            .unwrap(),
        Some(u.id)
    );
}

/// WHOOP answers a refresh with rotated tokens, and meanwhile the connection that holds the
/// refresh lock dies (a failover, a dropped route, a killed backend).
struct LockHolderDies {
    db: Database,
}

#[async_trait::async_trait]
impl TokenRefresher for LockHolderDies {
    async fn refresh(&self, current: &Credentials) -> Result<Option<Credentials>, WearableError> {
        let mut conn = self.db.conn().await.unwrap();
        let killed = diesel::sql_query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND state = 'idle in transaction' \
             AND pid <> pg_backend_pid()",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        assert_eq!(killed, 1, "the lock's transaction was open during the call");
        Ok(Some(Credentials {
            tokens: Tokens::OAuth2 {
                access_token: Secret::new("access-r1"),
                refresh_token: Some(Secret::new("r1")),
                expires_at: Utc::now() + Duration::hours(1),
                scope: "offline".into(),
            },
            ..current.clone()
        }))
    }
}

#[tokio::test]
async fn rotated_tokens_are_stored_even_when_the_lock_holding_connection_dies() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let store = PgCredentialStore::new(db.clone(), cipher());
    store
        .save(&whoop_credentials(u.id, "r0", Some("10129")))
        .await
        .unwrap();
    let refreshed = store
        .refresh_locked(
            u.id,
            Provider::Whoop,
            std::sync::Arc::new(LockHolderDies { db: db.clone() }),
        )
        .await
        .expect("the new tokens are the result, not an error");
    assert!(
        matches!(&refreshed, Refreshed::Fresh(c) if matches!(&c.tokens,
            Tokens::OAuth2 { access_token, .. } if access_token.expose() == "access-r1")),
        "{refreshed:?}"
    );
    // WHOOP has retired r0: r1 must be what is stored, or the user would have to reconnect.
    let stored = store.get(u.id, Provider::Whoop).await.unwrap().unwrap();
    let Tokens::OAuth2 { refresh_token, .. } = stored.tokens else {
        panic!()
    };
    assert_eq!(refresh_token.unwrap().expose(), "r1");
}

#[tokio::test]
async fn a_connection_deleted_during_a_refresh_is_not_brought_back() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let store = PgCredentialStore::new(db.clone(), cipher());
    store
        .save(&whoop_credentials(u.id, "r0", Some("10129")))
        .await
        .unwrap();
    /// Deletes the connection (the user sent /delete) while WHOOP answers.
    struct DeletedMeanwhile(PgCredentialStore);
    #[async_trait::async_trait]
    impl TokenRefresher for DeletedMeanwhile {
        async fn refresh(
            &self,
            current: &Credentials,
        ) -> Result<Option<Credentials>, WearableError> {
            assert!(
                self.0
                    .delete(current.user_id, current.provider)
                    .await
                    .unwrap()
            );
            Ok(Some(current.clone()))
        }
    }
    let other = PgCredentialStore::new(db.clone(), cipher());
    let refreshed = store
        .refresh_locked(
            u.id,
            Provider::Whoop,
            std::sync::Arc::new(DeletedMeanwhile(other)),
        )
        .await
        .unwrap();
    assert_eq!(refreshed, Refreshed::NotConnected);
    assert_eq!(store.get(u.id, Provider::Whoop).await.unwrap(), None);
}

/// A working FatSecret connection of `u`.
fn fatsecret_credentials(u: UserId) -> Credentials {
    Credentials {
        user_id: u,
        provider: Provider::Fatsecret,
        tokens: Tokens::OAuth1 {
            token: Secret::new("t"),
            token_secret: Secret::new("s"),
        },
        external_user_id: None,
        status: ConnectionStatus::Active,
        updated_at: Utc::now(),
    }
}

fn whoop_credentials(u: UserId, refresh: &str, member: Option<&str>) -> Credentials {
    Credentials {
        user_id: u,
        provider: Provider::Whoop,
        tokens: Tokens::OAuth2 {
            access_token: Secret::new(format!("access-{refresh}")),
            refresh_token: Some(Secret::new(refresh)),
            expires_at: Utc::now() - Duration::minutes(1),
            scope: "offline".into(),
        },
        external_user_id: member.map(str::to_owned),
        status: ConnectionStatus::Active,
        updated_at: Utc::now(),
    }
}

/// Hands back the current credentials with what `change` makes of them.
struct Changes(Box<dyn Fn(&Credentials) -> Credentials + Send + Sync>);

#[async_trait::async_trait]
impl TokenRefresher for Changes {
    async fn refresh(&self, current: &Credentials) -> Result<Option<Credentials>, WearableError> {
        Ok(Some((self.0)(current)))
    }
}

#[tokio::test]
async fn a_member_id_learned_under_the_refresh_lock_is_stored() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let store = PgCredentialStore::new(db.clone(), cipher());
    store
        .save(&whoop_credentials(u.id, "r0", None))
        .await
        .unwrap();
    let learned = Changes(Box::new(|c| Credentials {
        external_user_id: Some("10129".into()),
        ..c.clone()
    }));
    let refreshed = store
        .refresh_locked(u.id, Provider::Whoop, std::sync::Arc::new(learned))
        .await
        .unwrap();
    assert!(matches!(refreshed, Refreshed::Fresh(_)), "{refreshed:?}");
    assert_eq!(
        store
            .user_by_external_id(Provider::Whoop, "10129")
            .await
            .unwrap(),
        Some(u.id),
        "webhooks find the user"
    );
}

#[tokio::test]
async fn a_reconnect_while_a_refresh_is_under_way_is_not_overwritten() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let store = PgCredentialStore::new(db.clone(), cipher());
    store
        .save(&whoop_credentials(u.id, "r0", Some("10129")))
        .await
        .unwrap();
    // While WHOOP answers the refresh, the person reconnects (the callback stores new tokens).
    struct Reconnects(PgCredentialStore);
    #[async_trait::async_trait]
    impl TokenRefresher for Reconnects {
        async fn refresh(
            &self,
            current: &Credentials,
        ) -> Result<Option<Credentials>, WearableError> {
            let fresh = whoop_credentials(current.user_id, "reconnected", Some("10129"));
            self.0.save(&fresh).await.unwrap();
            Ok(Some(whoop_credentials(
                current.user_id,
                "r0-rotated",
                Some("10129"),
            )))
        }
    }
    let other = PgCredentialStore::new(db.clone(), cipher());
    let refreshed = store
        .refresh_locked(
            u.id,
            Provider::Whoop,
            std::sync::Arc::new(Reconnects(other)),
        )
        .await
        .unwrap();
    let refresh_of = |c: &Credentials| match &c.tokens {
        Tokens::OAuth2 { refresh_token, .. } => refresh_token.as_ref().unwrap().expose().to_owned(),
        other => panic!("{other:?}"),
    };
    let Refreshed::Fresh(used) = refreshed else {
        panic!("{refreshed:?}")
    };
    assert_eq!(
        refresh_of(&used),
        "reconnected",
        "the reconnect's tokens are used"
    );
    let stored = store.get(u.id, Provider::Whoop).await.unwrap().unwrap();
    assert_eq!(refresh_of(&stored), "reconnected", "and kept");
}

#[tokio::test]
async fn an_attempt_keeps_the_browser_it_is_bound_to() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    let states = PgOAuthStates::new(db.clone(), cipher());
    let now = Utc::now();
    states
        .create(&OAuthState {
            state: "w8chars0".into(),
            user_id: u.id,
            provider: Provider::Whoop,
            expires_at: now + OAUTH_STATE_TTL,
            request_token: None,
            browser: Some("browser-key-1".into()),
        })
        .await
        .unwrap();
    let used = states
        .consume(Provider::Whoop, "w8chars0", now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(used.browser.as_deref(), Some("browser-key-1"));
}

#[tokio::test]
async fn cached_facts_keep_their_portion_units_and_older_rows_get_them_from_the_name() {
    let (_guard, db) = db().await;
    let cache = PgCatalogCache::new(db.clone());
    let now = at(2026, 5, 14, 9, 0);
    let facts = FoodFacts {
        name: "Milk".into(),
        per_100g: Nutrients {
            kcal: Kcal::new(61.0).unwrap(),
            protein: MacroGrams::new(3.2).unwrap(),
            fat: MacroGrams::new(3.3).unwrap(),
            carbs: MacroGrams::new(4.8).unwrap(),
        },
        portions: vec![
            PortionSize {
                name: "cup".into(),
                unit: Some(Unit::Cup),
                grams: Grams::new(244.0).unwrap(),
            },
            PortionSize {
                name: "medium".into(),
                unit: None,
                grams: Grams::new(120.0).unwrap(),
            },
        ],
        source: NutritionSource::Fatsecret,
        catalogue_ref: None,
        alternatives: Vec::new(),
        family: None,
    };
    cache.put("milk", Some(facts.clone()), now).await.unwrap();
    assert_eq!(
        cache.get("milk", now).await.unwrap(),
        Some(Some(facts.clone()))
    );
    // A row written before portions carried a unit: the unit is read from the name.
    let mut old = serde_json::to_value(&facts).unwrap();
    for portion in old["portions"].as_array_mut().unwrap() {
        portion.as_object_mut().unwrap().remove("unit");
    }
    diesel::insert_into(schema::fatsecret_food_cache::table)
        .values((
            schema::fatsecret_food_cache::query.eq("old milk"),
            schema::fatsecret_food_cache::facts.eq(Some(old)),
            schema::fatsecret_food_cache::fetched_at.eq(now),
        ))
        .execute(&mut *db.conn().await.unwrap())
        .await
        .unwrap();
    assert_eq!(cache.get("old milk", now).await.unwrap(), Some(Some(facts)));
}

#[tokio::test]
async fn one_provider_account_has_one_owner_and_the_migration_keeps_the_latest() {
    use diesel_async::SimpleAsyncConnection as _;
    let (_guard, db) = db().await;
    let (a, b) = (user(&db, 1).await, user(&db, 2).await);
    let store = PgCredentialStore::new(db.clone(), cipher());
    store
        .save(&whoop_credentials(a.id, "ra", Some("10129")))
        .await
        .unwrap();
    // A second Telegram account with the same WHOOP member: refused by the index.
    let refused = store
        .save(&whoop_credentials(b.id, "rb", Some("10129")))
        .await;
    assert!(
        matches!(refused, Err(StorageError::Rejected(_))),
        "{refused:?}"
    );
    assert_eq!(
        store
            .user_by_external_id(Provider::Whoop, "10129")
            .await
            .unwrap(),
        Some(a.id)
    );
    // Without FatSecret's id (OAuth 1.0a gives none), any number of rows.
    store
        .save(&whoop_credentials(b.id, "rb", None))
        .await
        .unwrap();

    // A database from before the index, where a forwarded link linked the member twice:
    // the migration keeps the latest connection and breaks the other.
    let mut conn = db.conn().await.unwrap();
    conn.batch_execute("DROP INDEX credentials_one_owner")
        .await
        .unwrap();
    store
        .save(&whoop_credentials(b.id, "rb", Some("10129")))
        .await
        .unwrap();
    conn.batch_execute(include_str!(
        "../../../../migrations/2026-12-13-000020_credentials_one_owner/up.sql"
    ))
    .await
    .unwrap();
    assert_eq!(
        store
            .user_by_external_id(Provider::Whoop, "10129")
            .await
            .unwrap(),
        Some(b.id),
        "the latest keeps it"
    );
    let older = store.get(a.id, Provider::Whoop).await.unwrap().unwrap();
    assert_eq!(older.external_user_id, None);
    assert_eq!(
        older.status,
        ConnectionStatus::Broken {
            user_notified: false
        },
        "told once to connect again"
    );
    let refused = store
        .save(&whoop_credentials(a.id, "ra", Some("10129")))
        .await;
    assert!(
        matches!(refused, Err(StorageError::Rejected(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn the_users_connected_to_a_provider_are_listed_page_by_page_without_the_broken_ones() {
    let (_guard, db) = db().await;
    let store = PgCredentialStore::new(db.clone(), cipher());
    let mut ids = Vec::new();
    for n in 1..=5 {
        let u = user(&db, n).await;
        store.save(&fatsecret_credentials(u.id)).await.unwrap();
        ids.push(u.id);
    }
    assert!(
        store
            .mark_broken(ids[2], Provider::Fatsecret)
            .await
            .unwrap()
    );
    let first = store.connected(Provider::Fatsecret, None, 2).await.unwrap();
    assert_eq!(first, vec![ids[0], ids[1]]);
    let rest = store
        .connected(Provider::Fatsecret, Some(ids[1]), 2)
        .await
        .unwrap();
    assert_eq!(rest, vec![ids[3], ids[4]]);
    assert!(
        store
            .connected(Provider::Whoop, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}
