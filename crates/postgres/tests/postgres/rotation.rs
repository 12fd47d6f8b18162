//! `rotate_keys` (`wellness rotate-key`): every stored secret moves to the current key, once.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use wellness_domain::ports::*;
use wellness_domain::*;
use wellness_postgres::schema::{credentials as cr, oauth_states as os};
use wellness_postgres::*;

use crate::fixtures::{at, db, user};

const A: [u8; 32] = [0xa1; 32];
const B: [u8; 32] = [0xb2; 32];
const C: [u8; 32] = [0xc3; 32];

fn key(bytes: &[u8; 32]) -> TokenCipher {
    TokenCipher::from_bytes(bytes).unwrap()
}

/// B encrypts, A still decrypts: a deployment in the middle of a rotation from A to B.
fn a_to_b() -> TokenCipher {
    key(&B).with_previous_bytes(&A).unwrap()
}

fn whoop(user: UserId, n: i64) -> Credentials {
    Credentials {
        user_id: user,
        provider: Provider::Whoop,
        tokens: Tokens::OAuth2 {
            access_token: Secret::new(format!("ACCESS-{n}")),
            refresh_token: Some(Secret::new(format!("REFRESH-{n}"))),
            expires_at: at(2026, 5, 14, 7, 0),
            scope: "offline read:recovery".into(),
        },
        external_user_id: Some(format!("whoop-{n}")),
        status: ConnectionStatus::Active,
        updated_at: Utc::now(),
    }
}

fn fatsecret(user: UserId, n: i64) -> Credentials {
    Credentials {
        user_id: user,
        provider: Provider::Fatsecret,
        tokens: Tokens::OAuth1 {
            token: Secret::new(format!("FS-TOKEN-{n}")),
            token_secret: Secret::new(format!("FS-SECRET-{n}")),
        },
        external_user_id: None,
        status: ConnectionStatus::Active,
        updated_at: Utc::now(),
    }
}

fn state(user: UserId, n: i64) -> OAuthState {
    OAuthState {
        state: format!("state-000{n}"),
        user_id: user,
        provider: Provider::Fatsecret,
        expires_at: Utc::now() + chrono::Duration::minutes(10),
        request_token: Some((format!("req-{n}"), Secret::new(format!("REQ-SECRET-{n}")))),
        browser: None,
    }
}

/// `users` users, each with a WHOOP and a FatSecret connection and a pending FatSecret state,
/// all stored under `cipher`.
async fn store_all(db: &Database, cipher: &TokenCipher, users: i64) -> Vec<(UserId, i64)> {
    let store = PgCredentialStore::new(db.clone(), cipher.clone());
    let states = PgOAuthStates::new(db.clone(), cipher.clone());
    let mut made = Vec::new();
    for n in 1..=users {
        let u = user(db, n).await.id;
        store.save(&whoop(u, n)).await.unwrap();
        store.save(&fatsecret(u, n)).await.unwrap();
        states.create(&state(u, n)).await.unwrap();
        made.push((u, n));
    }
    made
}

/// Every stored secret reads back with `cipher` (and so with no other key it lacks).
async fn assert_all_readable(db: &Database, cipher: &TokenCipher, made: &[(UserId, i64)]) {
    let store = PgCredentialStore::new(db.clone(), cipher.clone());
    let states = PgOAuthStates::new(db.clone(), cipher.clone());
    for (u, n) in made {
        let w = store.get(*u, Provider::Whoop).await.unwrap().unwrap();
        assert_eq!(w.tokens, whoop(*u, *n).tokens);
        let f = store.get(*u, Provider::Fatsecret).await.unwrap().unwrap();
        assert_eq!(f.tokens, fatsecret(*u, *n).tokens);
        let s = states
            .check(Provider::Fatsecret, &format!("state-000{n}"), Utc::now())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(s.request_token, state(*u, *n).request_token);
    }
}

/// A credentials row's access, refresh and secret columns, as stored.
type SealedColumns = (Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>);

async fn sealed_values(db: &Database) -> Vec<Vec<u8>> {
    let conn = &mut *db.conn().await.unwrap();
    let creds: Vec<SealedColumns> = cr::table
        .select((
            cr::access_token_enc,
            cr::refresh_token_enc,
            cr::token_secret_enc,
        ))
        .order((cr::user_id, cr::provider))
        .load(conn)
        .await
        .unwrap();
    let states: Vec<Option<Vec<u8>>> = os::table
        .select(os::request_token_secret_enc)
        .order(os::state)
        .load(conn)
        .await
        .unwrap();
    creds
        .into_iter()
        .flat_map(|(a, r, s)| [Some(a), r, s])
        .chain(states)
        .flatten()
        .collect()
}

/// A sealed value's key id as hex, read from its header.
fn key_id_of(sealed: &[u8]) -> String {
    sealed[1..5].iter().map(|b| format!("{b:02x}")).collect()
}

fn counts(reencrypted: u64, already_current: u64, undecryptable: u64) -> RotationCounts {
    RotationCounts {
        reencrypted,
        already_current,
        undecryptable,
        changed_meanwhile: 0,
    }
}

#[tokio::test]
async fn rotation_re_encrypts_every_secret_under_the_new_key_and_a_second_run_changes_nothing() {
    let (_guard, db) = db().await;
    let made = store_all(&db, &key(&A), 3).await;
    let before = sealed_values(&db).await;

    // Batches of 2 over 6 credentials and 3 states: paging is exercised.
    let report = rotate_keys(&db, &a_to_b(), 2).await.unwrap();
    assert_eq!(report.credentials, counts(6, 0, 0));
    assert_eq!(report.oauth_states, counts(3, 0, 0));
    assert_eq!(report.undecryptable(), 0);

    let after = sealed_values(&db).await;
    assert_eq!(after.len(), before.len());
    let b_id = key(&B).key_id();
    for (old, new) in before.iter().zip(&after) {
        assert_ne!(old, new);
        assert_eq!(new[0], 0x01);
        assert_eq!(key_id_of(new), b_id.to_string());
    }
    assert_all_readable(&db, &key(&B), &made).await;
    assert!(matches!(
        PgCredentialStore::new(db.clone(), key(&A))
            .get(made[0].0, Provider::Whoop)
            .await,
        Err(StorageError::Corrupt(_))
    ));

    let again = rotate_keys(&db, &a_to_b(), 2).await.unwrap();
    assert_eq!(again.credentials, counts(0, 6, 0));
    assert_eq!(again.oauth_states, counts(0, 3, 0));
    assert_eq!(
        sealed_values(&db).await,
        after,
        "the second run wrote nothing"
    );
}

#[tokio::test]
async fn a_row_no_configured_key_decrypts_is_counted_and_left_untouched() {
    let (_guard, db) = db().await;
    let made = store_all(&db, &key(&A), 2).await;
    // A third user's tokens and state under a key nobody configured.
    let stray = user(&db, 99).await.id;
    PgCredentialStore::new(db.clone(), key(&C))
        .save(&whoop(stray, 99))
        .await
        .unwrap();
    PgOAuthStates::new(db.clone(), key(&C))
        .create(&state(stray, 99))
        .await
        .unwrap();
    let stray_before = sealed_values(&db).await;

    let report = rotate_keys(&db, &a_to_b(), 100).await.unwrap();
    assert_eq!(report.credentials, counts(4, 0, 1));
    assert_eq!(report.oauth_states, counts(2, 0, 1));
    assert_eq!(report.undecryptable(), 2);
    assert_all_readable(&db, &key(&B), &made).await;
    let after = sealed_values(&db).await;
    for value in &stray_before {
        if key_id_of(value) == key(&C).key_id().to_string() {
            assert!(after.contains(value), "the undecryptable value was kept");
        }
    }
    // The unknown key is named by its id in the error a read gives.
    let err = PgCredentialStore::new(db.clone(), a_to_b())
        .get(stray, Provider::Whoop)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains(&key(&C).key_id().to_string()), "{err}");

    // With C added as a previous key the rest moves too.
    let all = a_to_b().with_previous_bytes(&C).unwrap();
    let report = rotate_keys(&db, &all, 100).await.unwrap();
    assert_eq!(report.credentials, counts(1, 4, 0));
    assert_eq!(report.oauth_states, counts(1, 2, 0));
}

/// A value as the cipher wrote it before key ids: `nonce || ciphertext || tag`.
fn legacy(key: &[u8; 32], plaintext: &str, context: &str) -> Vec<u8> {
    // Random, but starting with the version byte: the case a version check alone gets wrong.
    let mut nonce: [u8; 12] = rand::random();
    nonce[0] = 0x01;
    let payload = Payload {
        msg: plaintext.as_bytes(),
        aad: context.as_bytes(),
    };
    let sealed = Aes256Gcm::new_from_slice(key)
        .unwrap()
        .encrypt(Nonce::from_slice(&nonce), payload)
        .unwrap();
    [nonce.as_slice(), &sealed].concat()
}

#[tokio::test]
async fn legacy_rows_without_a_key_id_are_read_and_re_encrypted_by_rotation() {
    let (_guard, db) = db().await;
    let made = store_all(&db, &key(&A), 1).await;
    let (u, n) = made[0];
    let ctx = |column: &str| format!("credentials:{u}:whoop:{column}");
    {
        let conn = &mut *db.conn().await.unwrap();
        diesel::update(cr::table.find((u.get(), "whoop")))
            .set((
                cr::access_token_enc.eq(legacy(&A, &format!("ACCESS-{n}"), &ctx("access"))),
                cr::refresh_token_enc.eq(Some(legacy(
                    &A,
                    &format!("REFRESH-{n}"),
                    &ctx("refresh"),
                ))),
            ))
            .execute(conn)
            .await
            .unwrap();
        diesel::update(os::table.find(format!("state-000{n}")))
            .set(os::request_token_secret_enc.eq(Some(legacy(
                &A,
                &format!("REQ-SECRET-{n}"),
                &format!("oauth_states:state-000{n}:request_token_secret"),
            ))))
            .execute(conn)
            .await
            .unwrap();
    }
    // Readable as before the upgrade (A alone) and during the rotation (B, A previous).
    assert_all_readable(&db, &key(&A), &made).await;
    assert_all_readable(&db, &a_to_b(), &made).await;

    let report = rotate_keys(&db, &a_to_b(), 10).await.unwrap();
    assert_eq!(report.credentials, counts(2, 0, 0));
    assert_eq!(report.oauth_states, counts(1, 0, 0));
    assert_all_readable(&db, &key(&B), &made).await;

    // Upgrading without a new key: legacy rows under the current key get a key id too.
    let (_guard2, db2) = crate::fixtures::db().await;
    let made2 = store_all(&db2, &key(&A), 1).await;
    let (u2, n2) = made2[0];
    let conn = &mut *db2.conn().await.unwrap();
    diesel::update(cr::table.find((u2.get(), "fatsecret")))
        .set(cr::access_token_enc.eq(legacy(
            &A,
            &format!("FS-TOKEN-{n2}"),
            &format!("credentials:{u2}:fatsecret:access"),
        )))
        .execute(conn)
        .await
        .unwrap();
    let report = rotate_keys(&db2, &key(&A), 10).await.unwrap();
    assert_eq!(report.credentials, counts(1, 1, 0));
    assert_all_readable(&db2, &key(&A), &made2).await;
}
