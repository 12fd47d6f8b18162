use chrono::{TimeZone as _, Utc};
use wellness_domain::ports::{CredentialStore, Users};
use wellness_domain::{
    ConnectionStatus, Credentials, Locale, NewUser, Secret, TelegramUserId, Tokens,
};

use super::*;
use crate::PgCredentialStore;
use crate::PgUsers;
use crate::test_support::TestDatabase;

fn whoop(user: UserId, access: &str) -> Credentials {
    Credentials {
        user_id: user,
        provider: Provider::Whoop,
        tokens: Tokens::OAuth2 {
            access_token: Secret::new(access),
            refresh_token: Some(Secret::new(format!("{access}-refresh"))),
            expires_at: Utc.with_ymd_and_hms(2026, 5, 14, 7, 0, 0).unwrap(),
            scope: "offline".into(),
        },
        external_user_id: None,
        status: ConnectionStatus::Active,
        updated_at: Utc::now(),
    }
}

#[tokio::test]
async fn a_token_refreshed_between_the_read_and_the_write_is_not_overwritten() {
    let test_db = TestDatabase::migrated().await.unwrap();
    let db = test_db.pool().unwrap();
    let user = PgUsers::new(db.clone())
        .register(&NewUser {
            telegram_id: TelegramUserId::new(5).unwrap(),
            first_name: "R".into(),
            locale: Locale::En,
        })
        .await
        .unwrap()
        .user
        .id;
    let old_key = TokenCipher::from_bytes(&[1u8; 32]).unwrap();
    let rotated = TokenCipher::from_bytes(&[2u8; 32])
        .unwrap()
        .with_previous_bytes(&[1u8; 32])
        .unwrap();
    PgCredentialStore::new(db.clone(), old_key)
        .save(&whoop(user, "before"))
        .await
        .unwrap();
    let conn = &mut *db.conn().await.unwrap();
    let read: SealedCredential = cr::table
        .select(SealedCredential::as_select())
        .first(conn)
        .await
        .unwrap();

    // `serve`, already given the new key, refreshes the token after the rotation read the row.
    let serve = PgCredentialStore::new(db.clone(), rotated.clone());
    let refreshed = whoop(user, "after");
    serve.save(&refreshed).await.unwrap();

    let mut counts = RotationCounts::default();
    rotate_credential(conn, &rotated, &read, &mut counts)
        .await
        .unwrap();
    assert_eq!(
        counts,
        RotationCounts {
            changed_meanwhile: 1,
            ..RotationCounts::default()
        }
    );
    let stored = serve.get(user, Provider::Whoop).await.unwrap().unwrap();
    assert_eq!(stored.tokens, refreshed.tokens);
    // The refreshed row is already under the new key: the next run has nothing to do.
    let report = rotate_keys(&db, &rotated, 10).await.unwrap();
    assert_eq!(report.credentials.already_current, 1);
    assert_eq!(report.credentials.reencrypted, 0);
}
