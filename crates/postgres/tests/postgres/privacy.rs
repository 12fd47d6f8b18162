//! Export and erasure: the export holds everything, erasure leaves nothing — checked against
//! the catalog, so a table added later is covered too.

use chrono::{Duration, Utc};
use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, sql_query};
use diesel_async::RunQueryDsl;
use serde_json::json;
use wellness_domain::ports::*;
use wellness_domain::*;
use wellness_postgres::*;

use crate::fixtures::{at, db, user};

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Rows of `user` in every table of the schema that has a user_id, chat_id or telegram_id column.
async fn rows_of(db: &Database, user: &User) -> Vec<(String, i64)> {
    let mut conn = db.conn().await.unwrap();
    let columns: Vec<Column> = sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns
         WHERE table_schema = 'public' AND column_name IN ('user_id', 'chat_id', 'telegram_id')
           AND table_name NOT LIKE '\\_\\_%'
         ORDER BY table_name",
    )
    .load(&mut *conn)
    .await
    .unwrap();
    let mut out = Vec::new();
    for c in columns {
        let value = if c.column_name == "user_id" {
            user.id.get()
        } else {
            user.telegram_id.get()
        };
        // Identifiers come from the catalog itself, values are bound.
        let q = format!(
            "SELECT count(*) AS n FROM \"{}\" WHERE \"{}\" = $1",
            c.table_name, c.column_name
        );
        let n: Count = sql_query(q)
            .bind::<BigInt, _>(value)
            .get_result(&mut *conn)
            .await
            .unwrap();
        out.push((format!("{}.{}", c.table_name, c.column_name), n.n));
    }
    out
}

async fn populate(db: &Database, u: &User) {
    let now = Utc::now();
    populate_own_foods(db, u, now).await;
    let day = LocalDate::of(now, u.time_zone);
    PgFoodLog::new(db.clone())
        .log(&[NewFoodEntry {
            user_id: u.id,
            name: "eggs".into(),
            grams: Grams::new(100.0).unwrap(),
            nutrients: Nutrients::default(),
            meal: Meal::Breakfast,
            source: EntrySource::Text,
            nutrition_source: NutritionSource::OfflineCatalogue,
            local_date: day,
            logged_at: now,
            idempotency_key: IdempotencyKey::new(format!("k{}", u.id)).unwrap(),
            catalogue_ref: None,
            diary_link: None,
        }])
        .await
        .unwrap();
    let t = RecordTimes {
        start: at(2026, 5, 1, 22, 0),
        end: Some(at(2026, 5, 2, 6, 0)),
        timezone_offset: RecordedOffset::parse("+03:00").unwrap(),
        updated_at: at(2026, 5, 2, 7, 0),
    };
    let store = PgWearableStore::new(db.clone());
    let n = u.id.get();
    store
        .upsert_workouts(&[Workout {
            whoop_id: format!("w{n}"),
            user_id: u.id,
            times: t,
            sport_name: "run".into(),
            score: Scored::PendingScore,
        }])
        .await
        .unwrap();
    store
        .upsert_sleeps(&[Sleep {
            whoop_id: format!("s{n}"),
            cycle_id: n,
            user_id: u.id,
            times: t,
            nap: false,
            score: Scored::PendingScore,
        }])
        .await
        .unwrap();
    store
        .upsert_recoveries(&[Recovery {
            cycle_id: n,
            sleep_id: format!("s{n}"),
            user_id: u.id,
            created_at: t.start,
            updated_at: t.start,
            score: Scored::Unscorable,
        }])
        .await
        .unwrap();
    store
        .upsert_cycles(&[Cycle {
            whoop_id: n,
            user_id: u.id,
            times: t,
            score: Scored::PendingScore,
        }])
        .await
        .unwrap();
    PgConversations::new(db.clone())
        .append(&[ConversationMessage {
            user_id: u.id,
            role: Role::User,
            content: "hi".into(),
            intent: None,
            created_at: now,
        }])
        .await
        .unwrap();
    PgNotifications::new(db.clone())
        .claim(u.id, NotificationKind::MorningBriefing, day, now)
        .await
        .unwrap();
    let cipher = TokenCipher::from_bytes(&[3u8; 32]).unwrap();
    PgCredentialStore::new(db.clone(), cipher.clone())
        .save(&Credentials {
            user_id: u.id,
            provider: Provider::Whoop,
            tokens: Tokens::OAuth2 {
                access_token: Secret::new("ACCESS-SECRET"),
                refresh_token: Some(Secret::new("REFRESH-SECRET")),
                expires_at: now + Duration::hours(1),
                scope: "offline".into(),
            },
            external_user_id: Some(format!("ext{n}")),
            status: ConnectionStatus::Active,
            updated_at: now,
        })
        .await
        .unwrap();
    PgOAuthStates::new(db.clone(), cipher)
        .create(&OAuthState {
            state: format!("state-{n:04}"),
            user_id: u.id,
            provider: Provider::Whoop,
            expires_at: now + OAUTH_STATE_TTL,
            request_token: None,
            browser: None,
        })
        .await
        .unwrap();
    PgInbox::new(db.clone())
        .store(
            UpdateId::new(1000 + n).unwrap(),
            Some(ChatId(u.telegram_id.get())),
            &json!({"update_id": 1000 + n}),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn the_export_holds_everything_and_no_secret() {
    let (_guard, db) = db().await;
    let u = user(&db, 1).await;
    populate(&db, &u).await;
    let export = PgUserData::new(db.clone()).export(u.id).await.unwrap();
    let doc = &export.document;
    for (key, expected) in [
        ("food_entries", 1),
        ("whoop_workouts", 1),
        ("whoop_sleep", 1),
        ("whoop_recovery", 1),
        ("whoop_cycles", 1),
        ("conversation", 1),
        ("connections", 1),
        ("notifications", 1),
        ("saved_products", 1),
        ("food_meanings", 1),
        ("usual_portions", 1),
    ] {
        assert_eq!(
            doc[key].as_array().map(Vec::len),
            Some(expected),
            "{key}: {doc}"
        );
    }
    assert_eq!(doc["profile"]["telegram_id"], u.telegram_id.get());
    assert_eq!(export.food_entries.len(), 1);
    let text = doc.to_string();
    assert!(
        !text.contains("SECRET") && !text.contains("token_enc"),
        "{text}"
    );
}

#[tokio::test]
async fn erasing_a_user_leaves_no_row_of_theirs_in_any_table() {
    let (_guard, db) = db().await;
    let gone = user(&db, 1).await;
    let kept = user(&db, 2).await;
    populate(&db, &gone).await;
    populate(&db, &kept).await;
    let before = rows_of(&db, &gone).await;
    assert!(
        before.iter().filter(|(_, n)| *n > 0).count() >= 10,
        "populate reached the tables: {before:?}"
    );

    PgUserData::new(db.clone()).erase(&gone).await.unwrap();

    let left: Vec<(String, i64)> = rows_of(&db, &gone)
        .await
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect();
    assert!(left.is_empty(), "rows left behind: {left:?}");
    let others: i64 = rows_of(&db, &kept).await.iter().map(|(_, n)| n).sum();
    assert!(others >= 10, "the other user's rows are untouched");
}

/// A saved product, a remembered meaning and a usual portion (issue 16).
async fn populate_own_foods(db: &Database, u: &User, now: chrono::DateTime<Utc>) {
    let own = PgPersonalFoods::new(db.clone());
    let draft = ProductDraft {
        name: "granola".into(),
        per_100g: Nutrients {
            kcal: Kcal::new(450.0).unwrap(),
            ..Nutrients::default()
        },
    };
    own.save(u.id, &draft, now).await.unwrap();
    let facts = own.list(u.id).await.unwrap()[0].facts();
    own.remember(u.id, &["oats".into()], &facts, now)
        .await
        .unwrap();
    own.set_usual_portion(u.id, "granola", Grams::new(60.0).unwrap(), now)
        .await
        .unwrap();
}
