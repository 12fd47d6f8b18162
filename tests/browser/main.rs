//! The new user's path in a real browser: `wellness serve` with no credentials at all (the
//! sandbox), headless Chromium driven through chromedriver (WebDriver), the /sandbox page:
//! log "2 eggs", press Undo, connect WHOOP through the consent pages, and see it in the chat.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`make tools` installs them). Without them
//! this test fails: it is part of `make test`, and a skipped browser test proves nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mini_app;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use wellness_e2e::{Server, free_port};
use wellness_postgres::test_support::TestDatabase;

const CHROMIUM: &str = "/usr/bin/chromium";
/// The page long-polls; a reply shows within a second or two, a first WHOOP sync a few more.
const PATIENCE: Duration = Duration::from_secs(20);

/// A chromedriver process on a free port; killed when dropped.
struct ChromeDriver {
    child: Child,
    url: String,
}

impl ChromeDriver {
    async fn start() -> ChromeDriver {
        let chromedriver = which("chromedriver").unwrap_or_else(|| {
            panic!(
                "chromedriver is not installed: run `make tools` \
                 (apt-get install chromium chromium-driver)"
            )
        });
        assert!(
            std::path::Path::new(CHROMIUM).exists(),
            "{CHROMIUM} is missing: run `make tools` (apt-get install chromium chromium-driver)"
        );
        let port = free_port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(r) = reqwest::get(format!("{url}/status")).await
                && r.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        ChromeDriver { child, url }
    }

    /// A headless browser with a phone's screen.
    async fn browser(&self) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-dev-shm-usage",
                    "--disable-gpu",
                    "--window-size=412,915",
                    // Nothing from the internet: the pages work without it (the Mini App
                    // without Telegram's script).
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                ],
                // Headless windows are at least 500 px wide: a phone's viewport is emulated.
                "mobileEmulation": {
                    "deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3.0, "touch": true},
                },
            }),
        );
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a browser session")
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn which(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// The texts of the bot's messages on the page, in order.
async fn bot_messages(browser: &Client) -> Vec<String> {
    let mut texts = Vec::new();
    for li in browser
        .find_all(Locator::Css("#chat li.msg.bot"))
        .await
        .unwrap()
    {
        texts.push(li.text().await.unwrap_or_default());
    }
    texts
}

/// Waits until a bot message satisfies `wanted`; returns it.
async fn wait_for_bot(browser: &Client, what: &str, wanted: impl Fn(&str) -> bool) -> String {
    match bot_message_within(browser, PATIENCE, &wanted).await {
        Ok(found) => found,
        Err(texts) => panic!("no bot message {what}; the page shows: {texts:#?}"),
    }
}

/// The first bot message satisfying `wanted` within `patience`, or what the page shows.
async fn bot_message_within(
    browser: &Client,
    patience: Duration,
    wanted: &impl Fn(&str) -> bool,
) -> Result<String, Vec<String>> {
    let deadline = Instant::now() + patience;
    loop {
        let texts = bot_messages(browser).await;
        if let Some(found) = texts.iter().find(|t| wanted(t)) {
            return Ok(found.clone());
        }
        if Instant::now() > deadline {
            return Err(texts);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for an element to be there.
async fn element(browser: &Client, css: &str) -> Element {
    browser
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css} on the page: {e}"))
}

/// Waits until the browser has navigated to `path` (clicks navigate asynchronously).
async fn wait_for_path(browser: &Client, path: &str) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let url = browser.current_url().await.unwrap();
        if url.path() == path {
            return;
        }
        assert!(Instant::now() < deadline, "still at {url}, not {path}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn say(browser: &Client, text: &str) {
    let input = element(browser, "#message").await;
    input.send_keys(text).await.unwrap();
    element(browser, "#send").await.click().await.unwrap();
}

#[tokio::test]
async fn a_new_user_logs_food_undoes_it_and_connects_whoop_in_the_sandbox_page() {
    let started = Instant::now();
    let db = TestDatabase::migrated().await.unwrap();
    // What `make run` does on a fresh clone: no token, no key, nothing but the database.
    let server = Server::start(&[("DATABASE_URL", db.url().to_owned())]);
    server
        .wait_for("/readyz", 200, Duration::from_secs(10))
        .await;
    assert!(
        server.wait_for_log("SANDBOX", Duration::from_secs(5)).await,
        "the log says it is a sandbox: {:#?}",
        server.logs()
    );
    let driver = ChromeDriver::start().await;
    let browser = driver.browser().await;

    browser
        .goto(&format!("{}/sandbox", server.url))
        .await
        .unwrap();
    let banner = element(&browser, "#banner").await.text().await.unwrap();
    assert!(banner.starts_with("Sandbox."), "{banner}");
    let providers = element(&browser, "#providers").await;
    let deadline = Instant::now() + PATIENCE;
    while !providers.text().await.unwrap().contains("WHOOP: simulated") {
        assert!(Instant::now() < deadline, "the page says what is simulated");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Food by text: the reply lists the eggs with their energy, under Undo and Change buttons.
    say(&browser, "2 eggs").await;
    let logged = wait_for_bot(&browser, "logging the eggs", |t| t.contains("kcal")).await;
    assert!(logged.to_lowercase().contains("egg"), "{logged}");
    let you = element(&browser, "#chat li.msg.you")
        .await
        .text()
        .await
        .unwrap();
    assert!(you.contains("2 eggs"), "{you}");

    // Undo voids what that message logged, and the bot says so.
    let undo = browser
        .find(Locator::XPath(
            "//li[contains(@class,'bot')]//button[contains(., 'Undo')]",
        ))
        .await
        .expect("an Undo button under the reply");
    undo.click().await.unwrap();
    let undone = wait_for_bot(&browser, "confirming the undo", |t| t.contains("Undone:")).await;
    assert!(undone.to_lowercase().contains("egg"), "{undone}");

    // WHOOP: the shortcut asks for a link; it opens WHOOP's (simulated) consent page in a tab.
    element(&browser, "button[data-command='/connect_whoop']")
        .await
        .click()
        .await
        .unwrap();
    let link = element(
        &browser,
        "#chat li.msg.bot a[href*='/whoop/connect?state=']",
    )
    .await;
    assert_eq!(
        link.attr("target").await.unwrap().as_deref(),
        Some("_blank")
    );
    let chat_tab = browser.window().await.unwrap();
    link.click().await.unwrap();
    let deadline = Instant::now() + PATIENCE;
    let consent_tab = loop {
        let tabs = browser.windows().await.unwrap();
        if let Some(tab) = tabs.into_iter().find(|t| *t != chat_tab) {
            break tab;
        }
        assert!(Instant::now() < deadline, "the link opened no tab");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    browser.switch_to_window(consent_tab).await.unwrap();
    // Our page first: whose Telegram account this connects, and Continue.
    let proceed = element(&browser, "a.button").await;
    let confirm = browser.source().await.unwrap();
    assert!(confirm.contains("Telegram account of Sandbox"), "{confirm}");
    assert_eq!(proceed.text().await.unwrap(), "Continue to WHOOP");
    proceed.click().await.unwrap();
    let allow = element(&browser, "button[value='allow']").await;
    let consent = browser.source().await.unwrap();
    assert!(consent.contains("WHOOP simulator"), "{consent}");
    allow.click().await.unwrap();
    wait_for_path(&browser, "/whoop/callback").await;
    let heading = element(&browser, "h1").await.text().await.unwrap();
    assert_eq!(heading, "WHOOP is connected");

    // Back to the chat from the callback page: the bot has said so there.
    browser
        .find(Locator::LinkText("Back to the sandbox chat"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_path(&browser, "/sandbox").await;
    wait_for_bot(&browser, "saying WHOOP is connected", |t| {
        t.contains("WHOOP is connected")
    })
    .await;
    assert!(
        bot_messages(&browser)
            .await
            .iter()
            .any(|t| t.contains("Undone:")),
        "the conversation is kept across page loads"
    );

    // The first sync (30 days from the simulated WHOOP) brings last night's sleep to /today.
    let deadline = Instant::now() + PATIENCE;
    let today = loop {
        say(&browser, "/today").await;
        let found = bot_message_within(&browser, Duration::from_secs(2), &|t: &str| {
            t.contains("Sleep last night")
        })
        .await;
        match found {
            Ok(today) => break today,
            Err(texts) => assert!(
                Instant::now() < deadline,
                "/today never showed WHOOP's sleep: {texts:#?}"
            ),
        }
    };
    assert!(today.contains("Recovery: "), "{today}");

    // Accessible and phone-sized: every control has a label, every button a name, and nothing
    // (not even a long link) makes the page scroll sideways at 412 px.
    let audit = browser
        .execute(
            r#"
            const controls = [...document.querySelectorAll("input, select, textarea")];
            return {
                unlabeled: controls.filter(e => e.labels.length === 0).map(e => e.id || e.name),
                nameless: [...document.querySelectorAll("button")]
                    .filter(b => !b.textContent.trim() && !b.getAttribute("aria-label")).length,
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
    assert_eq!(audit["nameless"], 0, "{audit}");
    assert_eq!(audit["sideways"], false, "{audit}");
    assert_eq!(audit["width"], 390, "{audit}");
    assert_eq!(audit["lang"], "en");

    // To look at the page as the test left it: SANDBOX_SCREENSHOT=/tmp/sandbox.png.
    if let Ok(path) = std::env::var("SANDBOX_SCREENSHOT") {
        std::fs::write(path, browser.screenshot().await.unwrap()).unwrap();
    }
    browser.close().await.unwrap();
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(30),
        "the browser test took {took:?}"
    );
}
