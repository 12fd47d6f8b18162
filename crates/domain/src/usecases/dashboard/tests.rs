use chrono::{NaiveDate, TimeZone};
use futures_executor::block_on;
use mockall::predicate::{always, eq};

use super::*;
use crate::model::{ConnectionStatus, Credentials, Secret, Tokens};
use crate::model::{
    EntrySource, IdempotencyKey, Kcal, MacroGrams, Meal, NutritionSource, UserId, WearableHistory,
};
use crate::ports::{
    MockClock, MockConnectLinks, MockCredentialStore, MockFoodLog, MockUsers, MockWearableStore,
    Registration,
};

fn day(y: i32, m: u32, d: u32) -> LocalDate {
    LocalDate::from_calendar(NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

fn visitor() -> Visitor {
    Visitor {
        telegram_id: TelegramUserId::new(700).unwrap(),
        first_name: "Olena".into(),
        locale: Locale::Uk,
    }
}

fn user(zone: &str) -> User {
    User {
        id: UserId::new(7).unwrap(),
        telegram_id: TelegramUserId::new(700).unwrap(),
        first_name: "Olena".into(),
        locale: Locale::Uk,
        time_zone: UserTimeZone::parse(zone).unwrap(),
        calorie_goal: CalorieGoal::new(1800).unwrap(),
        briefing_times: BriefingTimes::default(),
        briefings_enabled: true,
        created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
    }
}

fn clock() -> Arc<MockClock> {
    let mut clock = MockClock::new();
    clock
        .expect_now()
        .return_const(Utc.with_ymd_and_hms(2026, 5, 14, 23, 30, 0).unwrap());
    Arc::new(clock)
}

fn users_finding(found: Option<User>) -> MockUsers {
    let mut users = MockUsers::new();
    users
        .expect_find_by_telegram_id()
        .with(eq(TelegramUserId::new(700).unwrap()))
        .returning(move |_| Ok(found.clone()));
    users
}

fn dashboard(users: MockUsers, food: MockFoodLog, wearables: MockWearableStore) -> Dashboard {
    Dashboard {
        users: Arc::new(users),
        food: Arc::new(food),
        wearables: Arc::new(wearables),
        // Strict mocks: these tests touch no connection.
        connections: Connections {
            links: Arc::new(MockConnectLinks::new()),
            credentials: Arc::new(MockCredentialStore::new()),
        },
        clock: clock(),
        menu: None,
    }
}

/// A dashboard over connect links that can connect WHOOP only, and these credentials.
fn connections_board(
    users: MockUsers,
    mut links: MockConnectLinks,
    credentials: MockCredentialStore,
) -> Dashboard {
    links
        .expect_is_configured()
        .returning(|p| p == Provider::Whoop);
    Dashboard {
        connections: Connections {
            links: Arc::new(links),
            credentials: Arc::new(credentials),
        },
        ..dashboard(users, MockFoodLog::new(), MockWearableStore::new())
    }
}

fn kcal(n: f64) -> Nutrients {
    Nutrients {
        kcal: Kcal::new(n).unwrap(),
        protein: MacroGrams::new(n / 20.0).unwrap(),
        ..Nutrients::default()
    }
}

fn entry(id: i64, grams: f64, status: EntryStatus) -> FoodEntry {
    FoodEntry {
        id: FoodEntryId::new(id).unwrap(),
        user_id: UserId::new(7).unwrap(),
        name: "гречка".into(),
        grams: Grams::new(grams).unwrap(),
        nutrients: kcal(grams * 1.1),
        meal: Meal::Lunch,
        source: EntrySource::Text,
        nutrition_source: NutritionSource::OfflineCatalogue,
        local_date: day(2026, 5, 15),
        logged_at: Utc.with_ymd_and_hms(2026, 5, 15, 9, 0, 0).unwrap(),
        status,
        idempotency_key: IdempotencyKey::new("tg:1:0").unwrap(),
        catalogue_ref: None,
        diary_link: None,
    }
}

#[test]
fn a_range_is_one_to_366_days_in_order() {
    assert_eq!(
        DateRange::new(day(2026, 5, 2), day(2026, 5, 1)),
        Err(RangeError::Reversed)
    );
    assert_eq!(
        DateRange::new(day(2026, 1, 1), day(2027, 1, 2)),
        Err(RangeError::TooLong { days: 367 })
    );
    let leap = DateRange::new(day(2028, 1, 1), day(2028, 12, 31)).unwrap();
    assert_eq!(leap.days().count(), 366);
    let one = DateRange::new(day(2026, 5, 1), day(2026, 5, 1)).unwrap();
    assert_eq!(one.days().collect::<Vec<_>>(), vec![day(2026, 5, 1)]);
}

#[test]
fn a_visitor_without_an_account_sees_empty_days() {
    let board = dashboard(
        users_finding(None),
        MockFoodLog::new(),
        MockWearableStore::new(),
    );
    let range = DateRange::new(day(2026, 5, 1), day(2026, 5, 7)).unwrap();
    let days = block_on(board.summary(&visitor(), range)).unwrap();
    assert_eq!(days.len(), 7);
    assert!(days.iter().all(|d| *d == empty_day(d.date)));
    let entries = block_on(board.entries(&visitor(), None)).unwrap();
    // 23:30 UTC on the 14th is the 15th in Kyiv.
    assert_eq!(entries.date, day(2026, 5, 15));
    assert!(entries.entries.is_empty() && entries.goal.is_none());
    let profile = block_on(board.profile(&visitor())).unwrap();
    assert!(!profile.registered);
    assert_eq!(profile.locale, Locale::Uk);
    assert_eq!(profile.goal, CalorieGoal::DEFAULT);
}

#[test]
fn the_summary_puts_each_number_on_the_users_local_day() {
    let mut food = MockFoodLog::new();
    food.expect_daily_totals()
        .with(
            eq(UserId::new(7).unwrap()),
            eq(day(2026, 5, 1)),
            eq(day(2026, 5, 3)),
        )
        .returning(|_, _, _| {
            Ok(vec![(
                day(2026, 5, 2),
                DayTotals {
                    entries: 2,
                    nutrients: kcal(1500.0),
                },
            )])
        });
    let mut wearables = MockWearableStore::new();
    // New York: the span is 04:00 UTC on 1 May to 04:00 UTC on 4 May.
    wearables
        .expect_history()
        .with(
            eq(UserId::new(7).unwrap()),
            eq(Utc.with_ymd_and_hms(2026, 5, 1, 4, 0, 0).unwrap()),
            eq(Utc.with_ymd_and_hms(2026, 5, 4, 4, 0, 0).unwrap()),
        )
        .returning(|_, _, _| {
            let at = |d, h| Utc.with_ymd_and_hms(2026, 5, d, h, 0, 0).unwrap();
            Ok(WearableHistory {
                // 02:00 UTC on the 2nd is still the 1st in New York.
                sleep_performance: vec![ScoreAt {
                    at: at(2, 2),
                    value: 91.0,
                }],
                recovery: vec![
                    ScoreAt {
                        at: at(3, 12),
                        value: 40.0,
                    },
                    ScoreAt {
                        at: at(3, 15),
                        value: 66.0,
                    },
                ],
                strain: vec![ScoreAt {
                    at: at(2, 11),
                    value: 12.5,
                }],
            })
        });
    let board = dashboard(
        users_finding(Some(user("America/New_York"))),
        food,
        wearables,
    );
    let range = DateRange::new(day(2026, 5, 1), day(2026, 5, 3)).unwrap();
    let days = block_on(board.summary(&visitor(), range)).unwrap();
    let goal = Some(CalorieGoal::new(1800).unwrap());
    assert_eq!(
        days,
        vec![
            DaySummary {
                sleep_performance: Some(91.0),
                goal,
                ..empty_day(day(2026, 5, 1))
            },
            DaySummary {
                eaten: Some(kcal(1500.0)),
                strain: Some(12.5),
                goal,
                ..empty_day(day(2026, 5, 2))
            },
            DaySummary {
                recovery: Some(66.0),
                goal,
                ..empty_day(day(2026, 5, 3))
            },
        ]
    );
}

#[test]
fn new_grams_scale_the_numbers_of_an_active_entry_only() {
    let mut food = MockFoodLog::new();
    food.expect_get()
        .with(
            eq(UserId::new(7).unwrap()),
            eq(FoodEntryId::new(5).unwrap()),
        )
        .returning(|_, _| Ok(Some(entry(5, 100.0, EntryStatus::Active))));
    food.expect_get()
        .with(
            eq(UserId::new(7).unwrap()),
            eq(FoodEntryId::new(6).unwrap()),
        )
        .returning(|_, _| Ok(Some(entry(6, 100.0, EntryStatus::Voided))));
    // Another user's entry is not found under this user's id.
    food.expect_get()
        .with(
            eq(UserId::new(7).unwrap()),
            eq(FoodEntryId::new(9).unwrap()),
        )
        .returning(|_, _| Ok(None));
    food.expect_change_portion()
        .with(
            eq(UserId::new(7).unwrap()),
            eq(FoodEntryId::new(5).unwrap()),
            eq(Grams::new(250.0).unwrap()),
            eq(entry(5, 100.0, EntryStatus::Active).nutrients.scaled(2.5)),
        )
        .times(1)
        .returning(|_, _, grams, nutrients| {
            Ok(Some(FoodEntry {
                grams,
                nutrients,
                ..entry(5, 100.0, EntryStatus::Active)
            }))
        });
    let board = dashboard(
        users_finding(Some(user("Europe/Kyiv"))),
        food,
        MockWearableStore::new(),
    );
    let grams = Grams::new(250.0).unwrap();
    let changed = block_on(board.change_grams(&visitor(), FoodEntryId::new(5).unwrap(), grams))
        .unwrap()
        .unwrap();
    assert_eq!(changed.nutrients.kcal.rounded(), 275);
    for gone in [6, 9] {
        let id = FoodEntryId::new(gone).unwrap();
        assert_eq!(
            block_on(board.change_grams(&visitor(), id, grams)).unwrap(),
            None
        );
    }
}

#[test]
fn nobody_without_an_account_changes_or_deletes_anything() {
    let board = dashboard(
        users_finding(None),
        MockFoodLog::new(),
        MockWearableStore::new(),
    );
    let id = FoodEntryId::new(5).unwrap();
    let grams = Grams::new(50.0).unwrap();
    assert_eq!(
        block_on(board.change_grams(&visitor(), id, grams)).unwrap(),
        None
    );
    assert_eq!(block_on(board.delete(&visitor(), id)).unwrap(), None);
}

#[test]
fn a_first_settings_change_makes_the_account_then_applies_each_change() {
    let mut users = users_finding(None);
    users
        .expect_register()
        .withf(|n| n.telegram_id.get() == 700 && n.first_name == "Olena" && n.locale == Locale::Uk)
        .times(1)
        .returning(|_| {
            Ok(Registration {
                user: user("Europe/Kyiv"),
                is_new: true,
            })
        });
    let goal = CalorieGoal::new(2200).unwrap();
    users
        .expect_change()
        .with(always(), eq(UserSettingChange::CalorieGoal(goal)))
        .times(1)
        .returning(move |_, _| {
            Ok(Some(User {
                calorie_goal: goal,
                ..user("Europe/Kyiv")
            }))
        });
    users
        .expect_change()
        .with(always(), eq(UserSettingChange::BriefingsEnabled(false)))
        .times(1)
        .returning(move |_, _| {
            Ok(Some(User {
                calorie_goal: goal,
                briefings_enabled: false,
                ..user("Europe/Kyiv")
            }))
        });
    let board = dashboard(users, MockFoodLog::new(), MockWearableStore::new());
    let update = SettingsUpdate {
        goal: Some(goal),
        briefings_enabled: Some(false),
        ..SettingsUpdate::default()
    };
    let profile = block_on(board.update_settings(&visitor(), &update)).unwrap();
    assert!(profile.registered);
    assert_eq!(profile.goal, goal);
    assert!(!profile.briefings_enabled);
    assert_eq!(profile.today, day(2026, 5, 15));
}

#[test]
fn connections_say_what_is_offered_connected_or_broken_and_nothing_is_made_by_looking() {
    let status = |provider, state| ProviderStatus { provider, state };
    // No account: what could be connected, and nothing registered or stored.
    let board = connections_board(
        users_finding(None),
        MockConnectLinks::new(),
        MockCredentialStore::new(),
    );
    assert_eq!(
        block_on(board.connections(&visitor())).unwrap(),
        vec![
            status(Provider::Whoop, ConnectionState::NotConnected),
            status(Provider::Fatsecret, ConnectionState::NotConfigured),
        ]
    );
    // WHOOP refused our tokens: broken; FatSecret is not offered, so its tokens are not read.
    let mut credentials = MockCredentialStore::new();
    credentials
        .expect_get()
        .with(eq(UserId::new(7).unwrap()), eq(Provider::Whoop))
        .times(1)
        .returning(|user, provider| {
            Ok(Some(Credentials {
                user_id: user,
                provider,
                tokens: Tokens::OAuth2 {
                    access_token: Secret::new("a"),
                    refresh_token: Some(Secret::new("r")),
                    expires_at: Utc::now(),
                    scope: "offline".into(),
                },
                external_user_id: Some("w1".into()),
                status: ConnectionStatus::Broken {
                    user_notified: true,
                },
                updated_at: Utc::now(),
            }))
        });
    let board = connections_board(
        users_finding(Some(user("Europe/Kyiv"))),
        MockConnectLinks::new(),
        credentials,
    );
    assert_eq!(
        block_on(board.connections(&visitor())).unwrap(),
        vec![
            status(Provider::Whoop, ConnectionState::Broken),
            status(Provider::Fatsecret, ConnectionState::NotConfigured),
        ]
    );
}

#[test]
fn a_connect_link_is_made_for_the_visitors_own_account_made_first_when_missing() {
    let mut users = users_finding(None);
    users
        .expect_register()
        .withf(|n| n.telegram_id.get() == 700 && n.first_name == "Olena")
        .times(1)
        .returning(|_| {
            Ok(Registration {
                user: user("Europe/Kyiv"),
                is_new: true,
            })
        });
    let mut links = MockConnectLinks::new();
    links
        .expect_offer()
        .with(eq(UserId::new(7).unwrap()), eq(Provider::Whoop))
        .times(1)
        .returning(|_, _| Ok(ConnectOffer::Link("https://x/whoop/connect?state=s".into())));
    let board = connections_board(users, links, MockCredentialStore::new());
    assert_eq!(
        block_on(board.connect(&visitor(), Provider::Whoop)).unwrap(),
        ConnectOffer::Link("https://x/whoop/connect?state=s".into())
    );
    // A provider this deployment cannot connect: no account made, no state stored (the
    // strict mocks expect neither a second register nor an offer).
    assert_eq!(
        block_on(board.connect(&visitor(), Provider::Fatsecret)).unwrap(),
        ConnectOffer::NotConfigured
    );
}

/// A presenter that labels the menu button with the language's code.
struct CodeLabels;

impl crate::ports::Presenter for CodeLabels {
    fn render(&self, locale: Locale, reply: &Reply) -> crate::ports::OutgoingMessage {
        crate::ports::OutgoingMessage {
            menu_button: reply.menu.then(|| format!("menu-{}", locale.code())),
            ..crate::ports::OutgoingMessage::text("")
        }
    }
}

#[test]
fn a_language_changed_in_the_mini_app_relabels_the_chats_menu_button_and_nothing_else_does() {
    let mut users = users_finding(Some(user("Europe/Kyiv")));
    users.expect_change().returning(|_, change| match change {
        UserSettingChange::Locale(locale) => Ok(Some(User {
            locale: *locale,
            ..user("Europe/Kyiv")
        })),
        _ => Ok(Some(user("Europe/Kyiv"))),
    });
    let mut messenger = crate::ports::MockMessenger::new();
    messenger
        .expect_set_menu_button()
        .with(eq(ChatId(700)), eq("menu-en"))
        .times(1)
        .returning(|_, _| Err(crate::ports::MessengerError::Unavailable("502".into())));
    let board = Dashboard {
        menu: Some(ChatMenu {
            messenger: Arc::new(messenger),
            presenter: Arc::new(CodeLabels),
        }),
        ..dashboard(users, MockFoodLog::new(), MockWearableStore::new())
    };
    // Uk to en: relabelled once; a Telegram failure does not fail the saved setting.
    let to_english = SettingsUpdate {
        locale: Some(Locale::En),
        ..SettingsUpdate::default()
    };
    let profile = block_on(board.update_settings(&visitor(), &to_english)).unwrap();
    assert_eq!(profile.locale, Locale::En);
    // The same language again, or another setting: no call (the mock allows one).
    let same = SettingsUpdate {
        locale: Some(Locale::Uk),
        goal: Some(CalorieGoal::new(1900).unwrap()),
        ..SettingsUpdate::default()
    };
    block_on(board.update_settings(&visitor(), &same)).unwrap();
}
