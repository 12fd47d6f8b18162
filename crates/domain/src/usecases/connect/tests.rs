use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone as _, Utc};
use futures_executor::block_on;

use super::*;
use crate::model::{BriefingTimes, CalorieGoal, Secret, TelegramUserId, Tokens, UserTimeZone};
use crate::ports::{
    Approval, AuthorizationError, Authorized, MockAuthorization, MockClock, MockCredentialStore,
    MockOAuthStates, MockTasks, MockUsers, NewTask, TaskKind,
};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

fn user_id() -> UserId {
    UserId::new(7).unwrap()
}

fn olena() -> User {
    User {
        id: user_id(),
        telegram_id: TelegramUserId::new(100).unwrap(),
        first_name: "Olena".into(),
        locale: Locale::Uk,
        time_zone: UserTimeZone::DEFAULT,
        calorie_goal: CalorieGoal::new(2000).unwrap(),
        briefing_times: BriefingTimes::default(),
        briefings_enabled: true,
        created_at: now(),
    }
}

fn pending(provider: Provider, request_token: Option<(String, Secret)>) -> OAuthState {
    OAuthState {
        state: "state-123".into(),
        user_id: user_id(),
        provider,
        expires_at: now() + OAUTH_STATE_TTL,
        request_token,
        browser: None,
    }
}

/// An attempt waiting for the callback, bound to the browser `browser`.
fn waiting(provider: Provider, browser: &str) -> OAuthState {
    OAuthState {
        browser: Some(browser.into()),
        ..pending(provider, None)
    }
}

fn tokens() -> Tokens {
    Tokens::OAuth1 {
        token: Secret::new("token"),
        token_secret: Secret::new("secret"),
    }
}

/// A flow whose collaborators are the given mocks; users know Olena (Ukrainian); nothing may be
/// queued.
fn connect(
    provider: Provider,
    authorization: MockAuthorization,
    states: MockOAuthStates,
    credentials: MockCredentialStore,
) -> Connect {
    let mut tasks = MockTasks::new();
    tasks.expect_enqueue().never();
    connect_queueing(provider, authorization, states, credentials, tasks)
}

fn connect_queueing(
    provider: Provider,
    authorization: MockAuthorization,
    states: MockOAuthStates,
    credentials: MockCredentialStore,
    tasks: MockTasks,
) -> Connect {
    let mut users = MockUsers::new();
    users.expect_get().returning(|_| Ok(Some(olena())));
    let mut clock = MockClock::new();
    clock.expect_now().return_const(now());
    Connect {
        provider,
        authorization: Arc::new(authorization),
        states: Arc::new(states),
        credentials: Arc::new(credentials),
        users: Arc::new(users),
        tasks: Arc::new(tasks),
        clock: Arc::new(clock),
    }
}

/// Tasks that expect exactly `queued` once.
fn expecting(queued: Vec<NewTask>) -> MockTasks {
    let mut tasks = MockTasks::new();
    tasks
        .expect_enqueue()
        .withf(move |added| added == queued.as_slice())
        .times(1)
        .returning(|_| Ok(()));
    tasks
}

fn callback(key: &str, grant: Option<&str>, declined: bool) -> CallbackParams {
    CallbackParams {
        key: Some(key.into()),
        grant: grant.map(str::to_owned),
        declined,
        browser: Some("browser-1".into()),
    }
}

#[test]
fn a_link_first_names_the_account_it_connects_and_uses_nothing_up() {
    let mut states = MockOAuthStates::new();
    states
        .expect_check()
        .withf(|p, s, _| *p == Provider::Whoop && s == "state-123")
        .returning(|p, _, _| Ok(Ok(pending(p, None))));
    states.expect_consume().never();
    states.expect_create().never();
    let mut authorization = MockAuthorization::new();
    authorization.expect_begin().never();
    let flow = connect(
        Provider::Whoop,
        authorization,
        states,
        MockCredentialStore::new(),
    );
    assert_eq!(
        block_on(flow.preview(Some("state-123"))),
        Previewed::Confirm(Confirmation {
            provider: Provider::Whoop,
            locale: Locale::Uk,
            first_name: "Olena".into(),
        })
    );
    // Seen twice (a link preview, then the person): still nothing used.
    assert!(matches!(
        block_on(flow.preview(Some("state-123"))),
        Previewed::Confirm(_)
    ));
    assert!(matches!(
        block_on(flow.preview(None)),
        Previewed::Stopped { page, .. }
            if page.outcome == ConnectionOutcome::Rejected(StateRejected::Unknown)
    ));
}

#[test]
fn continue_uses_the_link_up_and_the_attempt_waits_under_whoops_state_bound_to_the_browser() {
    let created = Arc::new(Mutex::new(Vec::new()));
    let mut states = MockOAuthStates::new();
    states
        .expect_check()
        .returning(|p, _, _| Ok(Ok(pending(p, None))));
    states
        .expect_consume()
        .withf(|p, s, _| *p == Provider::Whoop && s == "state-123")
        .times(1)
        .returning(|p, _, _| Ok(Ok(pending(p, None))));
    let sink = created.clone();
    states.expect_create().times(1).returning(move |row| {
        sink.lock().unwrap().push(row.clone());
        Ok(())
    });
    let mut authorization = MockAuthorization::new();
    authorization.expect_begin().times(1).returning(|| {
        Ok(Approval {
            url: "https://whoop.example/consent?state=w8chars0".into(),
            waiting: WaitingToken {
                state: "w8chars0".into(),
                request_token: None,
            },
        })
    });
    let flow = connect(
        Provider::Whoop,
        authorization,
        states,
        MockCredentialStore::new(),
    );
    assert_eq!(
        block_on(flow.begin(Some("state-123"), "browser-1")),
        Begun::Redirect("https://whoop.example/consent?state=w8chars0".into())
    );
    let created = created.lock().unwrap();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].state, "w8chars0");
    assert_eq!(created[0].user_id, user_id());
    assert_eq!(created[0].browser.as_deref(), Some("browser-1"));
    assert_eq!(created[0].request_token, None);
}

#[test]
fn an_oauth1_link_is_used_up_and_the_request_token_waits_for_the_same_user() {
    let created = Arc::new(Mutex::new(Vec::new()));
    let mut states = MockOAuthStates::new();
    states
        .expect_check()
        .returning(|p, _, _| Ok(Ok(pending(p, None))));
    states
        .expect_consume()
        .times(1)
        .returning(|p, _, _| Ok(Ok(pending(p, None))));
    let sink = created.clone();
    states.expect_create().times(1).returning(move |row| {
        sink.lock().unwrap().push(row.clone());
        Ok(())
    });
    let mut authorization = MockAuthorization::new();
    authorization.expect_begin().returning(|| {
        Ok(Approval {
            url: "https://fatsecret.example/authorize?oauth_token=rt".into(),
            waiting: WaitingToken {
                state: "new-state-456".into(),
                request_token: Some(("rt".into(), Secret::new("rs"))),
            },
        })
    });
    let flow = connect(
        Provider::Fatsecret,
        authorization,
        states,
        MockCredentialStore::new(),
    );
    assert!(matches!(
        block_on(flow.begin(Some("state-123"), "browser-1")),
        Begun::Redirect(url) if url.ends_with("oauth_token=rt")
    ));
    let created = created.lock().unwrap();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].state, "new-state-456");
    assert_eq!(created[0].user_id, user_id());
    assert_eq!(created[0].expires_at, now() + OAUTH_STATE_TTL);
    assert_eq!(
        created[0].request_token,
        Some(("rt".into(), Secret::new("rs")))
    );
    assert_eq!(created[0].browser.as_deref(), Some("browser-1"));
}

#[test]
fn a_missing_expired_or_broken_link_gets_a_page_saying_so() {
    let mut states = MockOAuthStates::new();
    states.expect_check().returning(|_, s, _| match s {
        "old" => Ok(Err(StateRejected::Expired)),
        _ => Err(StorageError::Unavailable("pool timed out".into())),
    });
    let flow = connect(
        Provider::Whoop,
        MockAuthorization::new(),
        states,
        MockCredentialStore::new(),
    );
    let outcome = |state| match block_on(flow.begin(state, "browser-1")) {
        Begun::Page { page, problem } => (page.outcome, problem.is_some()),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        outcome(None),
        (ConnectionOutcome::Rejected(StateRejected::Unknown), false)
    );
    assert_eq!(
        outcome(Some("old")),
        (ConnectionOutcome::Rejected(StateRejected::Expired), false)
    );
    assert_eq!(outcome(Some("any")), (ConnectionOutcome::Busy, true));
}

#[test]
fn a_provider_that_cannot_start_gets_a_page_in_the_users_language() {
    let mut states = MockOAuthStates::new();
    states
        .expect_check()
        .returning(|p, _, _| Ok(Ok(pending(p, None))));
    states.expect_consume().never();
    let mut authorization = MockAuthorization::new();
    authorization
        .expect_begin()
        .returning(|| Err(AuthorizationError::Unavailable("502".into())));
    let flow = connect(
        Provider::Fatsecret,
        authorization,
        states,
        MockCredentialStore::new(),
    );
    match block_on(flow.begin(Some("state-123"), "browser-1")) {
        Begun::Page { page, problem } => {
            assert_eq!(page.outcome, ConnectionOutcome::ProviderFailed);
            assert_eq!(page.locale, Locale::Uk);
            assert!(problem.unwrap().contains("502"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_grant_becomes_tokens_stored_for_the_user_the_state_was_issued_to() {
    let mut states = MockOAuthStates::new();
    states
        .expect_consume()
        .withf(|p, s, at| *p == Provider::Whoop && s == "state-123" && *at == now())
        .times(1)
        .returning(|p, _, _| Ok(Ok(waiting(p, "browser-1"))));
    let mut authorization = MockAuthorization::new();
    authorization
        .expect_complete()
        .withf(|p, grant| p.user_id == user_id() && grant == "code-1")
        .times(1)
        .returning(|_, _| {
            Ok(Authorized {
                tokens: tokens(),
                external_user_id: Some("10129".into()),
            })
        });
    let mut credentials = MockCredentialStore::new();
    // Olena reconnecting her own WHOOP account.
    credentials
        .expect_user_by_external_id()
        .withf(|p, id| *p == Provider::Whoop && id == "10129")
        .returning(|_, _| Ok(Some(user_id())));
    credentials
        .expect_save()
        .withf(|c| {
            c.user_id == user_id()
                && c.provider == Provider::Whoop
                && c.external_user_id.as_deref() == Some("10129")
                && c.status == ConnectionStatus::Active
                && c.tokens == tokens()
        })
        .times(1)
        .returning(|_| Ok(()));
    // The follow-up is queued, not run here: a word in the chat, then the first sync.
    let tasks = expecting(vec![
        NewTask {
            user: user_id(),
            kind: TaskKind::SayConnected(Provider::Whoop),
        },
        NewTask {
            user: user_id(),
            kind: TaskKind::FirstWhoopSync,
        },
    ]);
    let flow = connect_queueing(Provider::Whoop, authorization, states, credentials, tasks);
    let done = block_on(flow.complete(&CallbackParams {
        browser: Some("browser-1".into()),
        ..callback("state-123", Some("code-1"), false)
    }));
    assert_eq!(
        done.page,
        ConnectionPage {
            provider: Provider::Whoop,
            locale: Locale::Uk,
            outcome: ConnectionOutcome::Connected,
        }
    );
    assert_eq!(done.connected, Some(olena()));
    assert_eq!(done.problem, None);
}

#[test]
fn an_oauth1_callback_finds_its_attempt_by_the_request_token() {
    let mut states = MockOAuthStates::new();
    states.expect_consume().never();
    states
        .expect_consume_request_token()
        .withf(|p, key, _| *p == Provider::Fatsecret && key == "rt")
        .times(1)
        .returning(|p, _, _| {
            Ok(Ok(OAuthState {
                browser: Some("browser-1".into()),
                ..pending(p, Some(("rt".into(), Secret::new("rs"))))
            }))
        });
    let mut authorization = MockAuthorization::new();
    authorization
        .expect_complete()
        .withf(|p, grant| p.request_token.is_some() && grant == "v")
        .returning(|_, _| {
            Ok(Authorized {
                tokens: tokens(),
                external_user_id: None,
            })
        });
    let mut credentials = MockCredentialStore::new();
    credentials.expect_save().times(1).returning(|_| Ok(()));
    let tasks = expecting(vec![NewTask {
        user: user_id(),
        kind: TaskKind::SayConnected(Provider::Fatsecret),
    }]);
    let flow = connect_queueing(
        Provider::Fatsecret,
        authorization,
        states,
        credentials,
        tasks,
    );
    let done = block_on(flow.complete(&callback("rt", Some("v"), false)));
    assert_eq!(done.page.outcome, ConnectionOutcome::Connected);
}

#[test]
fn a_declined_refused_or_unsaved_attempt_uses_the_state_and_stores_nothing() {
    let run = |declined: bool, grant: Option<&str>, save_fails: bool| {
        let mut states = MockOAuthStates::new();
        states
            .expect_consume()
            .times(1)
            .returning(|p, _, _| Ok(Ok(waiting(p, "browser-1"))));
        let mut authorization = MockAuthorization::new();
        authorization.expect_complete().returning(|_, grant| {
            if grant == "bad" {
                Err(AuthorizationError::Refused("invalid_grant".into()))
            } else {
                Ok(Authorized {
                    tokens: tokens(),
                    external_user_id: None,
                })
            }
        });
        let mut credentials = MockCredentialStore::new();
        credentials.expect_save().returning(move |_| {
            if save_fails {
                Err(StorageError::Unavailable("down".into()))
            } else {
                Ok(())
            }
        });
        let flow = connect(Provider::Whoop, authorization, states, credentials);
        let done = block_on(flow.complete(&callback("state-123", grant, declined)));
        assert_eq!(done.connected, None);
        assert_eq!(done.page.locale, Locale::Uk);
        done.page.outcome
    };
    assert_eq!(run(true, Some("code"), false), ConnectionOutcome::Declined);
    assert_eq!(
        run(false, None, false),
        ConnectionOutcome::Rejected(StateRejected::Unknown)
    );
    assert_eq!(
        run(false, Some("bad"), false),
        ConnectionOutcome::ProviderFailed
    );
    assert_eq!(run(false, Some("code"), true), ConnectionOutcome::Busy);
}

#[test]
fn a_used_callback_is_refused_before_the_provider_is_asked() {
    let mut states = MockOAuthStates::new();
    states
        .expect_consume()
        .returning(|_, _, _| Ok(Err(StateRejected::AlreadyUsed)));
    let mut authorization = MockAuthorization::new();
    authorization.expect_complete().never();
    let flow = connect(
        Provider::Whoop,
        authorization,
        states,
        MockCredentialStore::new(),
    );
    let done = block_on(flow.complete(&callback("state-123", Some("code"), false)));
    assert_eq!(
        done.page.outcome,
        ConnectionOutcome::Rejected(StateRejected::AlreadyUsed)
    );
    assert_eq!(done.page.locale, Locale::En);
    let missing = block_on(flow.complete(&CallbackParams::default()));
    assert_eq!(
        missing.page.outcome,
        ConnectionOutcome::Rejected(StateRejected::Unknown)
    );
}

#[test]
fn a_follow_up_that_cannot_be_queued_leaves_the_connection_made_and_says_why_in_the_log() {
    let mut states = MockOAuthStates::new();
    states
        .expect_consume()
        .returning(|p, _, _| Ok(Ok(waiting(p, "browser-1"))));
    let mut authorization = MockAuthorization::new();
    authorization.expect_complete().returning(|_, _| {
        Ok(Authorized {
            tokens: tokens(),
            external_user_id: None,
        })
    });
    let mut credentials = MockCredentialStore::new();
    credentials.expect_save().times(1).returning(|_| Ok(()));
    let mut tasks = MockTasks::new();
    tasks
        .expect_enqueue()
        .returning(|_| Err(StorageError::Unavailable("pool timed out".into())));
    let flow = connect_queueing(Provider::Whoop, authorization, states, credentials, tasks);
    let done = block_on(flow.complete(&callback("state-123", Some("code"), false)));
    assert_eq!(done.page.outcome, ConnectionOutcome::Connected);
    assert!(done.problem.unwrap().contains("pool timed out"));
}

#[test]
fn a_callback_in_another_browser_is_refused_before_the_provider_is_asked() {
    for browser in [None, Some("browser-2")] {
        let mut states = MockOAuthStates::new();
        states
            .expect_consume()
            .returning(|p, _, _| Ok(Ok(waiting(p, "browser-1"))));
        let mut authorization = MockAuthorization::new();
        authorization.expect_complete().never();
        let mut credentials = MockCredentialStore::new();
        credentials.expect_save().never();
        let flow = connect(Provider::Whoop, authorization, states, credentials);
        let done = block_on(flow.complete(&CallbackParams {
            browser: browser.map(str::to_owned),
            ..callback("w8chars0", Some("code"), false)
        }));
        assert_eq!(
            done.page.outcome,
            ConnectionOutcome::Rejected(StateRejected::OtherBrowser),
            "{browser:?}"
        );
        assert_eq!(done.connected, None);
    }
}

#[test]
fn a_provider_account_connected_to_another_telegram_account_is_refused() {
    let mut states = MockOAuthStates::new();
    states
        .expect_consume()
        .returning(|p, _, _| Ok(Ok(waiting(p, "browser-1"))));
    let mut authorization = MockAuthorization::new();
    authorization.expect_complete().returning(|_, _| {
        Ok(Authorized {
            tokens: tokens(),
            external_user_id: Some("10129".into()),
        })
    });
    let mut credentials = MockCredentialStore::new();
    credentials
        .expect_user_by_external_id()
        .returning(|_, _| Ok(Some(UserId::new(99).unwrap())));
    credentials.expect_save().never();
    let flow = connect(Provider::Whoop, authorization, states, credentials);
    let done = block_on(flow.complete(&CallbackParams {
        browser: Some("browser-1".into()),
        ..callback("w8chars0", Some("code"), false)
    }));
    assert_eq!(done.page.outcome, ConnectionOutcome::AccountTaken);
    assert_eq!(done.page.locale, Locale::Uk);
    assert_eq!(done.connected, None);
    assert!(done.problem.unwrap().contains("already connected"));
}

#[test]
fn the_links_own_state_sent_straight_to_the_provider_completes_nothing() {
    // Someone built WHOOP's address by hand with the 22-character link state: its row waits
    // for no callback and is bound to no browser.
    let mut states = MockOAuthStates::new();
    states
        .expect_consume()
        .returning(|p, _, _| Ok(Ok(pending(p, None))));
    let mut authorization = MockAuthorization::new();
    authorization.expect_complete().never();
    let mut credentials = MockCredentialStore::new();
    credentials.expect_save().never();
    let flow = connect(Provider::Whoop, authorization, states, credentials);
    let done = block_on(flow.complete(&CallbackParams {
        browser: None,
        ..callback("state-123", Some("code"), false)
    }));
    assert_eq!(
        done.page.outcome,
        ConnectionOutcome::Rejected(StateRejected::Unknown)
    );
}

#[test]
fn an_attempt_waiting_for_the_provider_is_not_a_link() {
    // Its key is in the provider's address, where others may see it.
    let mut states = MockOAuthStates::new();
    states
        .expect_check()
        .returning(|p, _, _| Ok(Ok(waiting(p, "browser-1"))));
    states.expect_consume().never();
    let mut authorization = MockAuthorization::new();
    authorization.expect_begin().never();
    let flow = connect(
        Provider::Whoop,
        authorization,
        states,
        MockCredentialStore::new(),
    );
    assert!(matches!(
        block_on(flow.preview(Some("w8chars0"))),
        Previewed::Stopped { page, .. }
            if page.outcome == ConnectionOutcome::Rejected(StateRejected::Unknown)
    ));
    assert!(matches!(
        block_on(flow.begin(Some("w8chars0"), "browser-2")),
        Begun::Page { page, .. }
            if page.outcome == ConnectionOutcome::Rejected(StateRejected::Unknown)
    ));
}

#[test]
fn a_race_lost_to_another_owner_of_the_account_at_the_store_is_told_as_taken() {
    // Two callbacks with one WHOOP account: both pass the check, the storage's unique index
    // lets one store. The other is told the account is taken, not asked to retry.
    let mut states = MockOAuthStates::new();
    states
        .expect_consume()
        .returning(|p, _, _| Ok(Ok(waiting(p, "browser-1"))));
    let mut authorization = MockAuthorization::new();
    authorization.expect_complete().returning(|_, _| {
        Ok(Authorized {
            tokens: tokens(),
            external_user_id: Some("10129".into()),
        })
    });
    let mut credentials = MockCredentialStore::new();
    let mut owners = vec![Some(UserId::new(99).unwrap()), None].into_iter();
    credentials
        .expect_user_by_external_id()
        .times(2)
        .returning(move |_, _| Ok(owners.next_back().flatten()));
    credentials.expect_save().times(1).returning(|_| {
        Err(StorageError::Rejected(
            "duplicate key value violates unique constraint \"credentials_one_owner\"".into(),
        ))
    });
    let flow = connect(Provider::Whoop, authorization, states, credentials);
    let done = block_on(flow.complete(&CallbackParams {
        browser: Some("browser-1".into()),
        ..callback("w8chars0", Some("code"), false)
    }));
    assert_eq!(done.page.outcome, ConnectionOutcome::AccountTaken);
    assert_eq!(done.connected, None);
}

#[test]
fn a_store_that_fails_for_another_reason_is_busy() {
    let mut states = MockOAuthStates::new();
    states
        .expect_consume()
        .returning(|p, _, _| Ok(Ok(waiting(p, "browser-1"))));
    let mut authorization = MockAuthorization::new();
    authorization.expect_complete().returning(|_, _| {
        Ok(Authorized {
            tokens: tokens(),
            external_user_id: Some("10129".into()),
        })
    });
    let mut credentials = MockCredentialStore::new();
    credentials
        .expect_user_by_external_id()
        .returning(|_, _| Ok(None));
    credentials
        .expect_save()
        .returning(|_| Err(StorageError::Unavailable("pool timed out".into())));
    let flow = connect(Provider::Whoop, authorization, states, credentials);
    let done = block_on(flow.complete(&CallbackParams {
        browser: Some("browser-1".into()),
        ..callback("w8chars0", Some("code"), false)
    }));
    assert_eq!(done.page.outcome, ConnectionOutcome::Busy);
    assert!(done.problem.unwrap().contains("pool timed out"));
}
