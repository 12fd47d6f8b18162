//! /delete says what became of WHOOP's access, and only what is true.

use chrono::{TimeZone as _, Utc};
use futures_executor::block_on;
use mockall::predicate::function;

use super::*;
use crate::model::*;
use crate::ports::{
    MockClock, MockCredentialStore, MockUserData, MockWearable, TokenGrant, WearableError,
};

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
        created_at: Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap(),
    }
}

fn oauth(access: &str) -> Tokens {
    Tokens::OAuth2 {
        access_token: Secret::new(access),
        refresh_token: Some(Secret::new(format!("refresh-of-{access}"))),
        expires_at: Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap(),
        scope: "offline".into(),
    }
}

fn privacy(connected: bool, wearable: MockWearable) -> Privacy {
    let mut credentials = MockCredentialStore::new();
    credentials.expect_get().returning(move |user, provider| {
        Ok(connected.then(|| Credentials {
            user_id: user,
            provider,
            tokens: oauth("stale"),
            external_user_id: Some("10129".into()),
            status: ConnectionStatus::Active,
            updated_at: Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap(),
        }))
    });
    let mut user_data = MockUserData::new();
    user_data.expect_erase().times(1).returning(|_| Ok(()));
    Privacy {
        user_data: Arc::new(user_data),
        credentials: Arc::new(credentials),
        whoop: Some(Arc::new(wearable)),
        clock: Arc::new(MockClock::new()),
    }
}

fn token(expected: &'static str) -> impl Fn(&Secret) -> bool {
    move |s: &Secret| s.expose() == expected
}

#[test]
fn a_revocation_whoop_takes_is_said_so() {
    let mut wearable = MockWearable::new();
    wearable.expect_revoke().times(1).returning(|_| Ok(()));
    let said = block_on(privacy(true, wearable).erase(&ann())).unwrap();
    assert_eq!(
        said,
        Say::DataDeleted {
            whoop: WhoopAccess::Revoked
        }
    );
}

#[test]
fn an_expired_access_token_is_refreshed_and_the_revocation_tried_again() {
    let mut wearable = MockWearable::new();
    wearable
        .expect_revoke()
        .with(function(token("stale")))
        .times(1)
        .returning(|_| Err(WearableError::Unauthorized));
    wearable
        .expect_refresh()
        .with(function(token("refresh-of-stale")))
        .times(1)
        .returning(|_| {
            Ok(TokenGrant {
                tokens: oauth("fresh"),
            })
        });
    wearable
        .expect_revoke()
        .with(function(token("fresh")))
        .times(1)
        .returning(|_| Ok(()));
    let said = block_on(privacy(true, wearable).erase(&ann())).unwrap();
    assert_eq!(
        said,
        Say::DataDeleted {
            whoop: WhoopAccess::Revoked
        }
    );
}

#[test]
fn a_revocation_that_failed_is_not_called_done_and_the_data_is_erased_all_the_same() {
    for failure in [
        WearableError::Unavailable("503".into()),
        WearableError::RateLimited {
            retry_after_secs: 30,
        },
    ] {
        let mut wearable = MockWearable::new();
        let f = failure.clone();
        wearable.expect_revoke().returning(move |_| Err(f.clone()));
        let said = block_on(privacy(true, wearable).erase(&ann())).unwrap();
        assert_eq!(
            said,
            Say::DataDeleted {
                whoop: WhoopAccess::NotRevoked
            },
            "{failure:?}"
        );
    }
    // Refused, and the refresh fails for a passing reason: not revoked either.
    let mut wearable = MockWearable::new();
    wearable
        .expect_revoke()
        .returning(|_| Err(WearableError::Unauthorized));
    wearable
        .expect_refresh()
        .returning(|_| Err(WearableError::Unavailable("timeout".into())));
    let said = block_on(privacy(true, wearable).erase(&ann())).unwrap();
    assert_eq!(
        said,
        Say::DataDeleted {
            whoop: WhoopAccess::NotRevoked
        }
    );
}

#[test]
fn a_refresh_token_whoop_refuses_means_the_access_is_already_gone() {
    let mut wearable = MockWearable::new();
    wearable
        .expect_revoke()
        .returning(|_| Err(WearableError::Unauthorized));
    wearable
        .expect_refresh()
        .returning(|_| Err(WearableError::InvalidGrant));
    let said = block_on(privacy(true, wearable).erase(&ann())).unwrap();
    assert_eq!(
        said,
        Say::DataDeleted {
            whoop: WhoopAccess::Revoked
        }
    );
}

#[test]
fn without_whoop_nothing_is_said_of_it() {
    let mut wearable = MockWearable::new();
    wearable.expect_revoke().never();
    let said = block_on(privacy(false, wearable).erase(&ann())).unwrap();
    assert_eq!(
        said,
        Say::DataDeleted {
            whoop: WhoopAccess::NotConnected
        }
    );
}
