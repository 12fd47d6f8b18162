//! The conversation cleanup deletes only messages older than 7 days.

use std::sync::Arc;

use chrono::Duration;
use wellness_domain::ports::{Conversations, JobRuns, ManualClock, RunOutcome, Users};
use wellness_domain::{ConversationMessage, Locale, NewUser, Role, TelegramUserId};
use wellness_jobs::tasks::{self, CONVERSATION_RETENTION};
use wellness_jobs::{JobRunner, StandardJob, TickReport};
use wellness_postgres::test_support::TestDatabase;
use wellness_postgres::{PgConversations, PgJobRuns, PgUsers};

use crate::fakes::at;

#[tokio::test]
async fn the_cleanup_deletes_only_messages_older_than_seven_days() {
    let test_db = TestDatabase::migrated().await.unwrap();
    let db = test_db.pool().unwrap();
    let user = PgUsers::new(db.clone())
        .register(&NewUser {
            telegram_id: TelegramUserId::new(42).unwrap(),
            first_name: "Olena".into(),
            locale: Locale::Uk,
        })
        .await
        .unwrap()
        .user;
    let conversations = Arc::new(PgConversations::new(db.clone()));
    let tick = at(2026, 5, 15, 3, 0);
    let ages = [
        Duration::days(30),
        Duration::days(7) + Duration::minutes(1),
        Duration::days(7) - Duration::minutes(1),
        Duration::hours(1),
    ];
    for (i, age) in ages.iter().enumerate() {
        conversations
            .append(&[ConversationMessage {
                user_id: user.id,
                role: Role::User,
                content: format!("message {i}"),
                intent: None,
                created_at: tick - *age,
            }])
            .await
            .unwrap();
    }

    let runs = Arc::new(PgJobRuns::new(db.clone()));
    let runner = JobRunner::new("a", runs.clone(), Arc::new(ManualClock::new(tick)));
    let job = StandardJob::ConversationCleanup
        .job(tasks::conversation_cleanup(
            conversations.clone(),
            CONVERSATION_RETENTION,
        ))
        .unwrap();
    let report = runner.run_tick(&job, tick).await;
    let TickReport::Ran {
        outcome, detail, ..
    } = report
    else {
        panic!("the cleanup did not run: {report:?}");
    };
    assert_eq!(outcome, RunOutcome::Ok);
    assert!(detail.starts_with("deleted 2 messages"), "{detail}");

    let kept: Vec<String> = conversations
        .recent(user.id, tick - Duration::days(365), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.content)
        .collect();
    assert_eq!(kept, ["message 2", "message 3"]);
    let recorded = runs.latest("conversation_cleanup").await.unwrap().unwrap();
    assert_eq!(recorded.finished.unwrap().detail, detail);
}
