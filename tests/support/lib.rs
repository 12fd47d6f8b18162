//! Helpers for end-to-end tests: run the real `wellness` binary as a process, against a database
//! of its own, and talk to it over HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod postgres;
pub mod proxy;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The `wellness` binary: `WELLNESS_BIN`, or the one next to this test's build (`make test`
/// builds it first).
pub fn binary() -> PathBuf {
    if let Ok(path) = std::env::var("WELLNESS_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let bin = dir.join("wellness");
    assert!(
        bin.exists(),
        "{} is missing: build it first with `cargo build -p wellness` (make test does)",
        bin.display()
    );
    bin
}

/// A free local port (bound and released: good enough for tests).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A `wellness` command with a clean environment: only what the test passes.
pub fn command(args: &[&str], env: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(binary());
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(
            "WELLNESS_CONFIG_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../config"),
        )
        .env("WELLNESS_ENV", "test")
        .env("IP_ECHO_URL", "http://127.0.0.1:9/unreachable");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// A running `wellness serve`; killed when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// Its base URL.
    pub url: String,
    logs: Arc<Mutex<Vec<String>>>,
    started: Instant,
}

impl Server {
    /// Starts `wellness serve` on a free port with these variables.
    pub fn start(env: &[(&str, String)]) -> Server {
        Self::start_on(free_port(), env)
    }

    /// Starts `wellness serve` on `port` with these variables.
    pub fn start_on(port: u16, env: &[(&str, String)]) -> Server {
        let mut all: Vec<(&str, String)> = vec![("PORT", port.to_string())];
        all.extend(env.iter().cloned());
        let mut child = command(&["serve"], &all)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn wellness");
        // Both streams, line by line, into one log (the secret-leak test reads all output).
        let logs = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("stderr");
        let stdout = child.stdout.take().expect("stdout");
        let sink = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let sink = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
            logs,
            started: Instant::now(),
        }
    }

    /// When the process was started.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What it wrote so far, standard error and standard output.
    pub fn logs(&self) -> Vec<String> {
        self.logs.lock().unwrap().clone()
    }

    /// Whether a line containing `needle` was written within `timeout`. The log is read
    /// by threads from the child's pipes, so a line can arrive a moment after the
    /// response that followed it: presence is waited for, never sampled once.
    pub async fn wait_for_log(&self, needle: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.logs().iter().any(|l| l.contains(needle)) {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until GET `path` answers `status`, or panics after `timeout` with the logs.
    pub async fn wait_for(&self, path: &str, status: u16, timeout: Duration) -> reqwest::Response {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(r) = client
                .get(format!("{}{path}", self.url))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                && r.status().as_u16() == status
            {
                return r;
            }
            if Instant::now() > deadline {
                panic!(
                    "{path} did not answer {status} within {timeout:?}; logs:\n{}",
                    self.logs().join("\n")
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL: no chance to finish anything.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A private text message from `user`, as Telegram sends it (a command carries its
/// `bot_command` entity).
pub fn text_update(update_id: i64, user: i64, text: &str) -> serde_json::Value {
    let entities = if text.starts_with('/') {
        let length = text.split(' ').next().map_or(0, str::len);
        serde_json::json!([{"type": "bot_command", "offset": 0, "length": length}])
    } else {
        serde_json::json!([])
    };
    serde_json::json!({
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_780_000_000,
            "chat": {"id": user, "type": "private", "first_name": "U"},
            "from": {"id": user, "is_bot": false, "first_name": "U", "language_code": "en"},
            "text": text,
            "entities": entities
        }
    })
}

/// [`text_update`] as the body of a webhook request.
pub fn text_update_body(update_id: i64, user: i64, text: &str) -> Vec<u8> {
    serde_json::to_vec(&text_update(update_id, user, text)).unwrap()
}

/// A browser opening a connect link: the page naming the Telegram account, then its Continue
/// and every redirect after it (to the provider's consent page, auto-approved by the
/// simulators, and back to our callback), sending the cookies our server set back to it — the
/// one Continue set to bind the attempt only when `keep_cookie` (a browser does; a callback
/// finished in another browser has none). Returns the first page's HTML and the last answer.
pub async fn follow_connect_link(link: &str, keep_cookie: bool) -> (String, reqwest::Response) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client.get(link).send().await.unwrap();
    assert_eq!(page.status(), 200, "the link's first page");
    let mut jar: Vec<String> = Vec::new();
    let keep = |answer: &reqwest::Response, jar: &mut Vec<String>| {
        for set in answer.headers().get_all("set-cookie") {
            let pair = set.to_str().unwrap().split(';').next().unwrap().to_owned();
            let name = pair.split('=').next().unwrap().to_owned();
            if name == "wellness_connect" && !keep_cookie {
                continue;
            }
            jar.retain(|c| !c.starts_with(&format!("{name}=")));
            jar.push(pair);
        }
    };
    keep(&page, &mut jar);
    let html = page.text().await.unwrap();
    let href = html
        .split("class=\"button\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no Continue on {html}"))
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let ours = reqwest::Url::parse(link).unwrap();
    let mut url = ours.join(&href).unwrap();
    loop {
        let mut request = client.get(url.clone());
        if url.origin() == ours.origin() && !jar.is_empty() {
            request = request.header("cookie", jar.join("; "));
        }
        let answer = request.send().await.unwrap();
        if url.origin() == ours.origin() {
            keep(&answer, &mut jar);
        }
        if !answer.status().is_redirection() {
            return (html, answer);
        }
        let location = answer.headers()["location"].to_str().unwrap().to_owned();
        url = url.join(&location).unwrap();
    }
}

/// [`follow_connect_link`] in one browser, checking the first page names `first_name`: the
/// last answer.
pub async fn connect_through(link: &str, first_name: &str) -> reqwest::Response {
    let (html, answer) = follow_connect_link(link, true).await;
    assert!(
        html.contains(&format!("Telegram account of {first_name}"))
            || html.contains(&format!("Telegram-акаунта «{first_name}»")),
        "the page names the account: {html}"
    );
    answer
}

/// The first link in a message.
pub fn link_in(text: &str) -> String {
    text.split_whitespace()
        .find(|w| w.starts_with("http"))
        .unwrap_or_else(|| panic!("no link in {text:?}"))
        .to_owned()
}

/// The WHOOP connection our callback stores for tokens the simulator issued to `member`.
pub fn whoop_connection(
    user: wellness_domain::UserId,
    member: i64,
    issued: wellness_sim::whoop::IssuedTokens,
) -> wellness_domain::Credentials {
    use wellness_domain::{ConnectionStatus, Credentials, Provider, Secret, Tokens};
    let now = chrono::Utc::now();
    Credentials {
        user_id: user,
        provider: Provider::Whoop,
        tokens: Tokens::OAuth2 {
            access_token: Secret::new(issued.access_token),
            refresh_token: issued.refresh_token.map(Secret::new),
            expires_at: now + chrono::Duration::seconds(i64::try_from(issued.expires_in).unwrap()),
            scope: issued.scope,
        },
        external_user_id: Some(member.to_string()),
        status: ConnectionStatus::Active,
        updated_at: now,
    }
}

/// One number from a test's database: `sql` selects it as `n` (a `count(*)`, say).
pub async fn count(db: &wellness_postgres::test_support::TestDatabase, sql: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let pool = db.pool().unwrap();
    let mut conn = pool.conn().await.unwrap();
    let row: Count = diesel_async::RunQueryDsl::get_result(diesel::sql_query(sql), &mut *conn)
        .await
        .unwrap();
    row.n
}

/// GET /metrics as text.
pub async fn scrape(url: &str) -> String {
    reqwest::Client::new()
        .get(format!("{url}/metrics"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("metrics text")
}

/// The sum of the samples of `name` whose labels include every pair of `labels`, from a
/// Prometheus text exposition; 0 when there are none.
pub fn sample_sum(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, rest) = match series.split_once('{') {
                Some((metric, rest)) => (metric, rest),
                None => (series, ""),
            };
            (metric == name
                && labels.iter().all(|(k, v)| {
                    let pair = format!("{k}=\"{v}\"");
                    rest.starts_with(&pair) || rest.contains(&format!(",{pair}"))
                }))
            .then(|| value.parse::<f64>().ok())
            .flatten()
        })
        .sum()
}

/// Polls `check` every 50 ms until it holds; panics with `what` after `timeout`.
pub async fn eventually(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "not within {timeout:?}: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_sum_adds_the_series_that_carry_the_labels() {
        let text = "# TYPE c counter\n\
            c{provider=\"whoop\",call=\"sleeps\",status=\"ok\"} 2\n\
            c{provider=\"whoop\",call=\"cycles\",status=\"ok\"} 3\n\
            c{provider=\"whoop\",call=\"cycles\",status=\"unavailable\"} 1\n\
            c_other{provider=\"whoop\"} 7\n\
            g 4\n";
        assert_eq!(sample_sum(text, "c", &[("provider", "whoop")]), 6.0);
        assert_eq!(sample_sum(text, "c", &[("status", "ok")]), 5.0);
        assert_eq!(sample_sum(text, "c", &[("status", "rate_limited")]), 0.0);
        assert_eq!(sample_sum(text, "g", &[]), 4.0);
    }
}
