//! The Mini App in a real browser: food logged through the bot (the simulated Telegram) is on
//! Today, Trends draws it, grams changed on the page are what `/today` then says in the chat.
//! The page is opened as Telegram opens Mini Apps: init data in the address's fragment,
//! signed as Telegram documents it (by the Telegram simulator), with Telegram's own script
//! unreachable.
//!
//! `MINI_APP_SCREENSHOTS=docs/mini-app` also saves each screen in English and Ukrainian there.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::json;
use wellness_e2e::{Server, free_port};
use wellness_postgres::test_support::TestDatabase;
use wellness_sim::telegram::{RateLimits, SimConfig, SimUser, TelegramSim};

use crate::{ChromeDriver, PATIENCE, element, wait_for_path};

/// Init data for `user` signed with the bot's `token`, as Telegram sends it: by the Telegram
/// simulator's signer (the app's own code must not vouch for itself).
fn init_data(token: &str, user: &SimUser) -> String {
    let signed_at = chrono::Utc::now() - chrono::Duration::seconds(5);
    wellness_sim::telegram::web_app::init_data(user, token, signed_at)
}

/// The address Telegram opens: `/app#tgWebAppData=...&tgWebAppVersion=8.0&tgWebAppThemeParams=...`.
fn launch_url(server: &Server, init_data: &str) -> String {
    let theme = json!({"bg_color": "#ffffff", "text_color": "#000000", "hint_color": "#999999",
        "button_color": "#3390ec", "button_text_color": "#ffffff", "secondary_bg_color": "#f4f4f5"});
    let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "{}/app#tgWebAppData={}&tgWebAppVersion=8.0&tgWebAppPlatform=android&tgWebAppThemeParams={}",
        server.url,
        encode(init_data),
        encode(&theme.to_string())
    )
}

/// `user` writes `text`; the bot's next reply, within 20 s.
async fn say(tg: &TelegramSim, user: &SimUser, text: &str) -> String {
    let nth = tg.sent_to(user.id).len();
    tg.send_text(user, text);
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(reply) = tg.sent_to(user.id).get(nth) {
            return reply.visible_text().to_owned();
        }
        assert!(Instant::now() < deadline, "no reply to {text}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the element's text satisfies `wanted`; returns it.
async fn text_of(browser: &Client, css: &str, wanted: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let text = match browser.find(Locator::Css(css)).await {
            Ok(found) => found.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if wanted(&text) {
            return text;
        }
        let error = browser
            .find(Locator::Css("#error"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap_or_default();
        assert!(
            Instant::now() < deadline,
            "{css} shows {text:?}; the error shown: {error:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn digits(text: &str) -> i64 {
    text.chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no number in {text:?}"))
}

async fn open_tab(browser: &Client, tab: &str) {
    element(browser, &format!("#tab-{tab}"))
        .await
        .click()
        .await
        .unwrap();
}

/// Today, Trends, Settings and Connections as `name-<tab>.png` in `MINI_APP_SCREENSHOTS`, if set.
async fn screenshots(browser: &Client, name: &str) {
    let Ok(dir) = std::env::var("MINI_APP_SCREENSHOTS") else {
        return;
    };
    for (tab, ready) in [
        ("today", "#entries li"),
        ("trends", "#charts svg"),
        ("settings", "#settings-form:not([hidden])"),
        ("connections", "#providers li"),
    ] {
        open_tab(browser, tab).await;
        element(browser, &format!("#{tab} {ready}")).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = browser.screenshot().await.unwrap();
        std::fs::write(format!("{dir}/{name}-{tab}.png"), png).unwrap();
    }
    open_tab(browser, "today").await;
}

#[tokio::test]
async fn food_logged_in_chat_is_on_today_charted_in_trends_and_changed_grams_reach_the_chat() {
    let tg = TelegramSim::start(SimConfig {
        rate_limits: RateLimits::disabled(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let db = TestDatabase::migrated().await.unwrap();
    let server = Server::start_on(
        free_port(),
        &[
            ("DATABASE_URL", db.url().to_owned()),
            ("TELEGRAM_BOT_TOKEN", tg.token().to_owned()),
            ("TELEGRAM_API_URL", tg.base_url()),
            ("TELEGRAM_MODE", "polling".to_owned()),
            ("WELLNESS__TELEGRAM__POLL_TIMEOUT_SECS", "1".to_owned()),
            ("WELLNESS__TELEGRAM__PER_CHAT_INTERVAL_MS", "5".to_owned()),
            ("WELLNESS__TELEGRAM__GLOBAL_PER_SECOND", "1000".to_owned()),
        ],
    );
    server
        .wait_for("/readyz", 200, Duration::from_secs(10))
        .await;
    let ann = SimUser::new(7401, "Ann").with_language("en");
    let logged = say(&tg, &ann, "200 g cooked buckwheat").await;
    assert!(logged.starts_with("Logged"), "{logged}");

    let driver = ChromeDriver::start().await;
    let browser = driver.browser().await;
    browser
        .goto(&launch_url(&server, &init_data(tg.token(), &ann)))
        .await
        .unwrap();

    // Today: the entry, the day's energy against the goal, in English (Ann's Telegram).
    let name = text_of(&browser, "#entries li .entry-name", |t| !t.is_empty()).await;
    assert!(name.to_lowercase().contains("buckwheat"), "{name}");
    let before = digits(&text_of(&browser, "#kcal-eaten", |t| !t.is_empty()).await);
    assert!(before > 0);
    let goal = text_of(&browser, "#kcal-goal", |t| !t.is_empty()).await;
    assert_eq!(goal, "of 2,000 kcal");
    assert_eq!(
        element(&browser, "#tab-today").await.text().await.unwrap(),
        "Today"
    );

    // Trends: the calories chart has today's bar.
    open_tab(&browser, "trends").await;
    element(
        &browser,
        "#charts figure[data-chart='kcal'] svg rect.bar-value",
    )
    .await;
    let caption = text_of(&browser, "#charts figure[data-chart='kcal'] p", |t| {
        t.starts_with("average")
    })
    .await;
    assert!(caption.contains(&format!("{before}")), "{caption}");

    // Half the grams on Today; the total follows, and so does the chat.
    open_tab(&browser, "today").await;
    let grams = element(&browser, "#entries li input[type='number']").await;
    grams.clear().await.unwrap();
    grams.send_keys("100").await.unwrap();
    element(&browser, "#entries li button.save")
        .await
        .click()
        .await
        .unwrap();
    let after = digits(
        &text_of(&browser, "#kcal-eaten", |t| {
            !t.is_empty() && digits(t) != before
        })
        .await,
    );
    assert!(
        (after * 2 - before).abs() <= 1,
        "{before} halved is not {after}"
    );
    let today = say(&tg, &ann, "/today").await;
    assert!(today.contains(&format!("{after} of 2000 kcal")), "{today}");

    // Phone-sized and labelled: no sideways scrolling at 390 px, every control named.
    let audit = browser
        .execute(
            r#"
            const controls = [...document.querySelectorAll("input, select")];
            return {
                unlabeled: controls.filter(e => e.labels.length === 0).map(e => e.id),
                sideways: document.documentElement.scrollWidth > window.innerWidth,
                width: window.innerWidth,
                lang: document.documentElement.lang,
            };
            "#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(audit["unlabeled"], json!([]), "{audit}");
    assert_eq!(audit["sideways"], false, "{audit}");
    assert_eq!(audit["width"], 390, "{audit}");
    assert_eq!(audit["lang"], "en");
    screenshots(&browser, "en").await;

    // A Ukrainian speaker sees it all in Ukrainian.
    let olena = SimUser::new(7402, "Олена").with_language("uk");
    say(&tg, &olena, "200 г вареної гречки").await;
    say(&tg, &olena, "банан").await;
    // Another fragment on the same address would not load the page again.
    browser.goto("about:blank").await.unwrap();
    browser
        .goto(&launch_url(&server, &init_data(tg.token(), &olena)))
        .await
        .unwrap();
    let heading = text_of(&browser, "#entries-heading", |t| t.contains("·")).await;
    assert_eq!(heading, "Їжа за сьогодні · 2 записи");
    assert_eq!(
        element(&browser, "#tab-trends").await.text().await.unwrap(),
        "Динаміка"
    );
    // The longer Ukrainian tab names fit whole, each on one line, with no sideways scrolling.
    let tabs = browser
        .execute(
            r##"
            const tabs = [...document.querySelectorAll("#tabs button")];
            return {
                cut: tabs.filter(b => b.scrollWidth > b.clientWidth).map(b => b.textContent),
                heights: [...new Set(tabs.map(b => b.getBoundingClientRect().height))].length,
                sideways: document.documentElement.scrollWidth > window.innerWidth,
            };
            "##,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(tabs, json!({"cut": [], "heights": 1, "sideways": false}));

    // Briefing times are typed in 24 hours whatever the browser's locale: a wrong one is
    // explained and not sent; "7:05" is saved as 07:05 and comes back from the server so.
    open_tab(&browser, "settings").await;
    // The form shows once the settings are loaded (slower on a busy machine).
    element(&browser, "#settings #settings-form:not([hidden])").await;
    let morning = element(&browser, "#morning").await;
    let old_morning = morning.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(old_morning, "08:00");
    morning.clear().await.unwrap();
    morning.send_keys("25:00").await.unwrap();
    element(&browser, "#save-settings")
        .await
        .click()
        .await
        .unwrap();
    let said = text_of(&browser, "#settings-status", |t| !t.is_empty()).await;
    assert!(said.contains("ГГ:ХХ"), "{said}");
    morning.clear().await.unwrap();
    morning.send_keys("7:05").await.unwrap();
    element(&browser, "#save-settings")
        .await
        .click()
        .await
        .unwrap();
    text_of(&browser, "#settings-status", |t| t == "Збережено.").await;
    assert_eq!(
        element(&browser, "#morning")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("07:05")
    );
    screenshots(&browser, "uk").await;
    browser.close().await.unwrap();
}

#[tokio::test]
async fn whoop_connected_from_the_mini_apps_connections_screen_is_the_visitors_own() {
    let db = TestDatabase::migrated().await.unwrap();
    // The sandbox: simulated WHOOP with its consent page, a Telegram user per browser session.
    let server = Server::start(&[("DATABASE_URL", db.url().to_owned())]);
    server
        .wait_for("/readyz", 200, Duration::from_secs(10))
        .await;
    let driver = ChromeDriver::start().await;
    let browser = driver.browser().await;
    browser
        .goto(&format!("{}/sandbox", server.url))
        .await
        .unwrap();
    element(&browser, "#banner").await;
    // The Mini App's address for this session's user, as the sandbox's button opens it.
    let launch = browser
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            const token = document.querySelector("meta[name='sandbox-token']");
            fetch("/sandbox/api/mini-app", {method: "POST", headers: {
                "Content-Type": "application/json",
                "X-Sandbox-Token": token ? token.content : ""}, body: "{}"})
              .then(r => r.json()).then(j => done(j.url || JSON.stringify(j)));"#,
            vec![],
        )
        .await
        .unwrap();
    // Relative, as the sandbox gives it.
    let launch = format!("{}{}", server.url, launch.as_str().unwrap());
    assert!(launch.contains("/app#tgWebAppData="), "{launch}");
    browser.goto(&launch).await.unwrap();

    open_tab(&browser, "connections").await;
    let state = text_of(
        &browser,
        "#providers li[data-provider='whoop'] .provider-state",
        |t| !t.is_empty(),
    )
    .await;
    assert_eq!(state, "Not connected");
    element(
        &browser,
        "#providers li[data-provider='whoop'] button.connect",
    )
    .await
    .click()
    .await
    .unwrap();

    // Our confirmation page names the session's Telegram account; WHOOP's consent; connected.
    let proceed = element(&browser, "a.button").await;
    let confirm = browser.source().await.unwrap();
    assert!(confirm.contains("Telegram account of Sandbox"), "{confirm}");
    proceed.click().await.unwrap();
    element(&browser, "button[value='allow']")
        .await
        .click()
        .await
        .unwrap();
    wait_for_path(&browser, "/whoop/callback").await;
    let heading = element(&browser, "h1").await.text().await.unwrap();
    assert_eq!(heading, "WHOOP is connected");

    // Back in the Mini App: WHOOP is connected, FatSecret still offered.
    browser.goto("about:blank").await.unwrap();
    browser.goto(&launch).await.unwrap();
    open_tab(&browser, "connections").await;
    let state = text_of(
        &browser,
        "#providers li[data-provider='whoop'] .provider-state",
        |t| t == "Connected",
    )
    .await;
    assert_eq!(state, "Connected");
    assert!(
        browser
            .find(Locator::Css(
                "#providers li[data-provider='whoop'] button.connect"
            ))
            .await
            .is_err(),
        "nothing to connect once connected"
    );
    element(
        &browser,
        "#providers li[data-provider='fatsecret'] button.connect",
    )
    .await;
    if let Ok(dir) = std::env::var("MINI_APP_SCREENSHOTS") {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = browser.screenshot().await.unwrap();
        std::fs::write(format!("{dir}/en-connections-connected.png"), png).unwrap();
    }
    browser.close().await.unwrap();
}
