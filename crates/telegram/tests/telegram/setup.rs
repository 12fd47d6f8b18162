//! Bot setup: identity, webhook, command menu.

use wellness_domain::model::Secret;
use wellness_domain::ports::MessengerError;

use crate::{client, start_sim};

#[tokio::test]
async fn reports_the_bots_identity() {
    let sim = start_sim().await;
    let me = client(&sim).get_me().await.unwrap();
    assert_eq!(me.id, 7_000_000_001);
    assert_eq!(me.username.as_deref(), Some("wellness_sim_bot"));
    assert_eq!(me.first_name, "Wellness");
}

#[tokio::test]
async fn sets_and_deletes_the_webhook_with_its_secret() {
    let sim = start_sim().await;
    let client = client(&sim);

    client
        .set_webhook(
            "https://bot.example.com/telegram/webhook",
            Some(&Secret::new("s3cret_token-1")),
            &["message", "callback_query"],
        )
        .await
        .unwrap();

    let webhook = sim.webhook().unwrap();
    assert_eq!(webhook.url, "https://bot.example.com/telegram/webhook");
    assert_eq!(webhook.secret_token.as_deref(), Some("s3cret_token-1"));
    assert_eq!(
        sim.webhook_info().allowed_updates,
        Some(vec!["message".to_owned(), "callback_query".to_owned()])
    );

    client.delete_webhook(true).await.unwrap();
    assert!(sim.webhook().is_none());
}

#[tokio::test]
async fn refuses_an_unknown_update_kind_and_a_bad_secret() {
    let sim = start_sim().await;
    let client = client(&sim);
    let error = client
        .set_webhook("https://bot.example.com/hook", None, &["messages"])
        .await
        .unwrap_err();
    assert!(matches!(error, MessengerError::Rejected(_)), "{error:?}");
    let error = client
        .set_webhook(
            "https://bot.example.com/hook",
            Some(&Secret::new("no spaces!")),
            &[],
        )
        .await
        .unwrap_err();
    assert!(matches!(error, MessengerError::Rejected(_)), "{error:?}");
    assert!(sim.webhook().is_none());
}

#[tokio::test]
async fn sets_the_command_menu_per_language() {
    let sim = start_sim().await;
    let client = client(&sim);

    client
        .set_my_commands(
            &[("start", "Start"), ("/goal", "Set the calorie goal")],
            None,
        )
        .await
        .unwrap();
    client
        .set_my_commands(&[("start", "Почати")], Some("uk"))
        .await
        .unwrap();

    let mut lists = sim.commands();
    lists.sort_by(|a, b| a.language_code.cmp(&b.language_code));
    assert_eq!(lists.len(), 2);
    assert_eq!(lists[0].language_code, "");
    let names: Vec<&str> = lists[0]
        .commands
        .iter()
        .map(|c| c.command.as_str())
        .collect();
    assert_eq!(names, vec!["start", "goal"]);
    assert_eq!(lists[1].language_code, "uk");
    assert_eq!(lists[1].commands[0].description, "Почати");
}
