//! Configuration: config/default.toml (built in) < config/$WELLNESS_ENV.toml < environment.
//!
//! Every value is read as text and parsed here, so a bad value fails at start with one line
//! naming the key as the operator wrote it (`PORT`, not `server.port`).

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use config::{Config, Environment, File, FileFormat};
use reqwest::Url;
use thiserror::Error;
use wellness_domain::Secret;
use wellness_domain::ports::RateLimits;

mod deployment;
mod jobs;
mod keys;

pub use jobs::JobSettings;

const DEFAULTS: &str = include_str!("../../../config/default.toml");

/// The conventional environment names and the keys they set.
pub const ENV_NAMES: &[(&str, &str)] = &[
    ("DATABASE_URL", "database.url"),
    ("HOST", "server.host"),
    ("PORT", "server.port"),
    ("PUBLIC_BASE_URL", "server.public_base_url"),
    ("TELEGRAM_BOT_TOKEN", "telegram.bot_token"),
    ("TELEGRAM_WEBHOOK_SECRET", "telegram.webhook_secret"),
    ("TELEGRAM_MODE", "telegram.mode"),
    ("TELEGRAM_API_URL", "telegram.api_url"),
    ("OPENAI_API_KEY", "openai.api_key"),
    ("OPENAI_BASE_URL", "openai.base_url"),
    ("WHOOP_CLIENT_ID", "whoop.client_id"),
    ("WHOOP_CLIENT_SECRET", "whoop.client_secret"),
    ("WHOOP_API_URL", "whoop.api_url"),
    ("FATSECRET_CONSUMER_KEY", "fatsecret.consumer_key"),
    ("FATSECRET_CONSUMER_SECRET", "fatsecret.consumer_secret"),
    ("FATSECRET_API_URL", "fatsecret.api_url"),
    ("FATSECRET_AUTH_URL", "fatsecret.auth_url"),
    ("OPENFOODFACTS_API_URL", "openfoodfacts.api_url"),
    ("WELLNESS_ENCRYPTION_KEY", "security.encryption_key"),
    (
        "WELLNESS_ENCRYPTION_KEY_PREVIOUS",
        "security.encryption_key_previous",
    ),
    ("WELLNESS_LOG_FORMAT", "log.format"),
    ("IP_ECHO_URL", "ip.echo_url"),
    ("WELLNESS_SANDBOX", "sandbox.mode"),
];

/// A setting was missing or wrong: one line naming the key.
#[derive(Debug, Error)]
pub enum SettingsError {
    /// A value did not parse.
    #[error("invalid configuration: {key}: {reason}")]
    Invalid {
        /// The key as the operator knows it.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// The `.env` file could not be read.
    #[error("invalid configuration: .env: {0}")]
    Dotenv(#[source] dotenvy::Error),
    /// The layers could not be put together (a file that does not parse).
    #[error("invalid configuration: {0}")]
    Source(#[source] config::ConfigError),
}

/// How Telegram updates reach us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TelegramMode {
    /// Telegram POSTs to /telegram/webhook.
    Webhook,
    /// We long-poll getUpdates.
    Polling,
}

/// Whether `wellness serve` runs the sandbox: the simulators in-process and the /sandbox page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxMode {
    /// When no Telegram bot token is configured, the server listens on a loopback address only
    /// and PUBLIC_BASE_URL is unset or names this machine (a sandbox must not appear on a
    /// public interface, nor behind a proxy, by accident). Even then each request must come
    /// from this machine (`sandbox::access`).
    Auto,
    /// Whenever no Telegram bot token is configured, on any address.
    On,
    /// Never: without a token the bot is off.
    Off,
}

/// Log output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// For terminals.
    Pretty,
    /// One JSON object a line.
    Json,
}

/// Database settings.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// postgres:// URL (may hold a password: never logged).
    pub url: Secret,
    /// Pool size.
    pub pool_size: usize,
    /// Wait for a connection at most this long.
    pub timeout: Duration,
}

/// HTTP server settings.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// Address to bind.
    pub host: String,
    /// Port to bind (0 = any free port).
    pub port: u16,
    /// Public https base URL, without a trailing slash.
    pub public_base_url: Option<Url>,
    /// Worker threads (0 = one per core).
    pub workers: usize,
}

/// Telegram settings.
#[derive(Debug, Clone)]
pub struct TelegramSettings {
    /// Bot token; none means sandbox mode.
    pub bot_token: Option<Secret>,
    /// Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token.
    pub webhook_secret: Option<Secret>,
    /// Webhook or polling.
    pub mode: TelegramMode,
    /// Bot API base URL.
    pub api_url: Url,
    /// Inbox workers.
    pub workers: usize,
    /// Attempts before an update is parked.
    pub max_attempts: i32,
    /// How long a claim lasts.
    pub lease: Duration,
    /// The longest one update may be handled before it counts as hung (and is tried again,
    /// then set aside).
    pub handle_timeout: Duration,
    /// How long handled updates are kept (Telegram redelivers for at most 24 hours).
    pub done_retention: Duration,
    /// How long updates set aside are kept for a look.
    pub parked_retention: Duration,
    /// Text and voice messages one user may send a minute (each may cost an OpenAI call).
    pub messages_per_minute: u32,
    /// How often one user may /sync.
    pub sync_every: Duration,
    /// Outbound messages per second overall.
    pub global_per_second: u32,
    /// Minimum spacing of messages in one chat.
    pub per_chat_interval: Duration,
    /// Messages per minute to one group chat.
    pub group_per_minute: u32,
    /// getUpdates timeout.
    pub poll_timeout: Duration,
    /// Longest voice note accepted, seconds.
    pub voice_max_secs: u32,
    /// How old the Mini App's init data may be.
    pub init_data_max_age: Duration,
}

/// OpenAI settings.
#[derive(Debug, Clone)]
pub struct OpenAiSettings {
    /// API key; none means the offline assistant.
    pub api_key: Option<Secret>,
    /// API base URL (…/v1).
    pub base_url: Url,
    /// Model that understands messages and answers questions.
    pub chat_model: String,
    /// Model that transcribes voice notes.
    pub transcription_model: String,
    /// Model that reads nutrition labels and meals in photos.
    pub vision_model: String,
    /// Whether meals are estimated from photos (foods and grams by the vision model, calories
    /// from the food database, confirmed by the user).
    pub meal_photos: bool,
}

/// WHOOP settings.
#[derive(Debug, Clone)]
pub struct WhoopSettings {
    /// OAuth client id.
    pub client_id: Option<String>,
    /// OAuth client secret (also signs webhooks).
    pub client_secret: Option<Secret>,
    /// API base URL.
    pub api_url: Url,
    /// The app's rate limits at WHOOP, kept by every instance together.
    pub rate_limits: RateLimits,
}

/// FatSecret settings.
#[derive(Debug, Clone)]
pub struct FatSecretSettings {
    /// OAuth 1.0a consumer key.
    pub consumer_key: Option<String>,
    /// OAuth 1.0a consumer secret.
    pub consumer_secret: Option<Secret>,
    /// REST API base URL.
    pub api_url: Url,
    /// OAuth base URL.
    pub auth_url: Url,
}

/// Open Food Facts settings (products by barcode).
#[derive(Debug, Clone)]
pub struct OpenFoodFactsSettings {
    /// API base URL.
    pub api_url: Url,
    /// Who to contact about our requests, named in the User-Agent.
    pub contact: String,
    /// Product reads allowed a minute.
    pub reads_per_minute: u32,
}

/// All settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Database.
    pub database: DatabaseSettings,
    /// HTTP server.
    pub server: ServerSettings,
    /// Telegram.
    pub telegram: TelegramSettings,
    /// OpenAI.
    pub openai: OpenAiSettings,
    /// WHOOP.
    pub whoop: WhoopSettings,
    /// FatSecret.
    pub fatsecret: FatSecretSettings,
    /// Open Food Facts.
    pub openfoodfacts: OpenFoodFactsSettings,
    /// Base64 of the 32-byte key tokens are encrypted with.
    pub encryption_key: Option<Secret>,
    /// Base64 of earlier keys that still decrypt, during a rotation (see [`keys`]).
    pub encryption_keys_previous: Vec<Secret>,
    /// Where /ip asks for our outside address.
    pub ip_echo_url: Url,
    /// Whether the sandbox may run.
    pub sandbox: SandboxMode,
    /// Log format.
    pub log_format: LogFormat,
    /// tracing filter (RUST_LOG overrides).
    pub log_filter: String,
    /// The briefings check and the task workers.
    pub jobs: JobSettings,
}

/// The name an operator knows a key by: the conventional variable when there is one.
fn shown(key: &str) -> String {
    ENV_NAMES
        .iter()
        .find(|(_, k)| *k == key)
        .map(|(env, _)| (*env).to_owned())
        .unwrap_or_else(|| format!("WELLNESS__{}", key.replace('.', "__").to_uppercase()))
}

fn invalid(key: &str, reason: impl Into<String>) -> SettingsError {
    SettingsError::Invalid {
        key: shown(key),
        reason: reason.into(),
    }
}

struct Source {
    config: Config,
}

impl Source {
    /// The value as text; empty counts as unset.
    fn text(&self, key: &str) -> Result<Option<String>, SettingsError> {
        match self.config.get_string(key) {
            Ok(v) if v.trim().is_empty() => Ok(None),
            Ok(v) => Ok(Some(v.trim().to_owned())),
            Err(config::ConfigError::NotFound(_)) => Ok(None),
            Err(e) => Err(invalid(key, e.to_string())),
        }
    }

    fn required(&self, key: &str) -> Result<String, SettingsError> {
        self.text(key)?.ok_or_else(|| invalid(key, "is required"))
    }

    fn secret(&self, key: &str) -> Result<Option<Secret>, SettingsError> {
        Ok(self.text(key)?.map(Secret::new))
    }

    fn number<T: std::str::FromStr>(&self, key: &str, what: &str) -> Result<T, SettingsError> {
        let raw = self.required(key)?;
        raw.parse()
            .map_err(|_| invalid(key, format!("{raw:?} is not {what}")))
    }

    fn url(&self, key: &str) -> Result<Url, SettingsError> {
        let raw = self.required(key)?;
        parse_http_url(key, &raw)
    }

    fn optional_url(&self, key: &str) -> Result<Option<Url>, SettingsError> {
        self.text(key)?
            .map(|raw| parse_http_url(key, &raw))
            .transpose()
    }
}

fn positive(n: u32) -> Option<u32> {
    (n > 0).then_some(n)
}

fn parse_http_url(key: &str, raw: &str) -> Result<Url, SettingsError> {
    let url = Url::parse(raw.trim_end_matches('/'))
        .map_err(|e| invalid(key, format!("{raw:?} is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(key, format!("{raw:?} must be an http(s) URL")));
    }
    Ok(url)
}

impl Settings {
    /// Loads settings from the built-in defaults, config/$WELLNESS_ENV.toml, a `.env` file in
    /// the working directory (when there is one) and the process environment, which wins.
    pub fn load() -> Result<Self, SettingsError> {
        // Read, not exported into the process environment: setting variables while other threads
        // run is unsound, and the file is only another layer here.
        let mut env: Vec<(String, String)> = match dotenvy::from_path_iter(".env") {
            Ok(lines) => lines
                .collect::<Result<_, _>>()
                .map_err(SettingsError::Dotenv)?,
            Err(e) if e.not_found() => Vec::new(),
            Err(e) => return Err(SettingsError::Dotenv(e)),
        };
        env.retain(|(k, _)| std::env::var_os(k).is_none());
        env.extend(std::env::vars());
        Self::load_from(env)
    }

    /// Loads settings with the given environment (tests pass their own).
    pub fn load_from(
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, SettingsError> {
        let env: Vec<(String, String)> = env.into_iter().collect();
        let var = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let mut builder = Config::builder().add_source(File::from_str(DEFAULTS, FileFormat::Toml));
        if let Some(profile) = var("WELLNESS_ENV").filter(|p| !p.trim().is_empty()) {
            let dir =
                var("WELLNESS_CONFIG_DIR").map_or_else(|| PathBuf::from("config"), PathBuf::from);
            let path = dir.join(format!("{}.toml", profile.trim()));
            if !path.exists() {
                return Err(SettingsError::Invalid {
                    key: "WELLNESS_ENV".into(),
                    reason: format!("{} does not exist", path.display()),
                });
            }
            builder = builder.add_source(File::from(path).format(FileFormat::Toml));
        }
        let nested: std::collections::HashMap<String, String> = env
            .iter()
            .filter(|(k, _)| k.starts_with("WELLNESS__"))
            .cloned()
            .collect();
        builder = builder.add_source(
            Environment::with_prefix("WELLNESS")
                .prefix_separator("__")
                .separator("__")
                .source(Some(nested)),
        );
        for (name, key) in ENV_NAMES {
            if let Some(value) = var(name) {
                builder = builder
                    .set_override(*key, value)
                    .map_err(SettingsError::Source)?;
            }
        }
        let config = builder.build().map_err(SettingsError::Source)?;
        let log_filter = var("RUST_LOG").filter(|f| !f.trim().is_empty());
        Self::parse(&Source { config }, log_filter)
    }

    fn parse(s: &Source, rust_log: Option<String>) -> Result<Self, SettingsError> {
        let db_url = s.required("database.url")?;
        if !(db_url.starts_with("postgres://") || db_url.starts_with("postgresql://")) {
            return Err(invalid(
                "database.url",
                "must start with postgres:// or postgresql://",
            ));
        }
        let host = s.required("server.host")?;
        if host.parse::<IpAddr>().is_err()
            && !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        {
            return Err(invalid(
                "server.host",
                format!("{host:?} is not an address or host name"),
            ));
        }
        let pool_size: usize = s.number("database.pool_size", "a number of connections")?;
        if pool_size == 0 {
            return Err(invalid("database.pool_size", "must be at least 1"));
        }
        let mode = match s.required("telegram.mode")?.to_ascii_lowercase().as_str() {
            "webhook" => TelegramMode::Webhook,
            "polling" => TelegramMode::Polling,
            other => {
                return Err(invalid(
                    "telegram.mode",
                    format!("{other:?} is not webhook or polling"),
                ));
            }
        };
        let webhook_secret = s.secret("telegram.webhook_secret")?;
        if let Some(secret) = &webhook_secret {
            let ok = (1..=256).contains(&secret.expose().len())
                && secret
                    .expose()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !ok {
                return Err(invalid(
                    "telegram.webhook_secret",
                    "must be 1-256 characters of A-Z a-z 0-9 _ - (Telegram's rule)",
                ));
            }
        }
        let bot_token = s.secret("telegram.bot_token")?;
        if bot_token.is_some() && mode == TelegramMode::Webhook {
            if webhook_secret.is_none() {
                return Err(invalid(
                    "telegram.webhook_secret",
                    "is required in webhook mode (TELEGRAM_MODE=webhook)",
                ));
            }
            if s.text("server.public_base_url")?.is_none() {
                return Err(invalid(
                    "server.public_base_url",
                    "is required in webhook mode (TELEGRAM_MODE=webhook)",
                ));
            }
        }
        let (encryption_key, encryption_keys_previous) = keys::parse(s)?;
        let jobs = jobs::parse(s)?;
        let sandbox = match s.required("sandbox.mode")?.to_ascii_lowercase().as_str() {
            "auto" => SandboxMode::Auto,
            "on" => SandboxMode::On,
            "off" => SandboxMode::Off,
            other => {
                return Err(invalid(
                    "sandbox.mode",
                    format!("{other:?} is not auto, on or off"),
                ));
            }
        };
        if sandbox == SandboxMode::On && bot_token.is_some() {
            return Err(invalid(
                "sandbox.mode",
                "on needs TELEGRAM_BOT_TOKEN unset (the sandbox simulates Telegram)",
            ));
        }
        let log_format = match s.required("log.format")?.to_ascii_lowercase().as_str() {
            "pretty" | "text" => LogFormat::Pretty,
            "json" => LogFormat::Json,
            other => {
                return Err(invalid(
                    "log.format",
                    format!("{other:?} is not pretty or json"),
                ));
            }
        };
        Ok(Settings {
            database: DatabaseSettings {
                url: Secret::new(db_url),
                pool_size,
                timeout: Duration::from_millis(
                    s.number("database.timeout_ms", "a number of milliseconds")?,
                ),
            },
            server: ServerSettings {
                host,
                port: s.number("server.port", "a port number (0-65535)")?,
                public_base_url: s.optional_url("server.public_base_url")?,
                workers: s.number("server.workers", "a number of threads")?,
            },
            telegram: TelegramSettings {
                bot_token,
                webhook_secret,
                mode,
                api_url: s.url("telegram.api_url")?,
                workers: s.number("telegram.workers", "a number of workers")?,
                max_attempts: s.number("telegram.max_attempts", "a number of attempts")?,
                lease: Duration::from_secs(s.number("telegram.lease_secs", "a number of seconds")?),
                handle_timeout: Duration::from_secs(
                    s.number("telegram.handle_timeout_secs", "a number of seconds")?,
                ),
                done_retention: Duration::from_secs(
                    3600 * s.number::<u64>("telegram.done_retention_hours", "a number of hours")?,
                ),
                parked_retention: Duration::from_secs(
                    86_400
                        * s.number::<u64>("telegram.parked_retention_days", "a number of days")?,
                ),
                messages_per_minute: s
                    .number("telegram.messages_per_minute", "a number of messages")?,
                sync_every: Duration::from_secs(
                    s.number("telegram.sync_every_secs", "a number of seconds")?,
                ),
                global_per_second: s
                    .number("telegram.global_per_second", "a number of messages")?,
                per_chat_interval: Duration::from_millis(
                    s.number("telegram.per_chat_interval_ms", "a number of milliseconds")?,
                ),
                group_per_minute: s.number("telegram.group_per_minute", "a number of messages")?,
                poll_timeout: Duration::from_secs(
                    s.number("telegram.poll_timeout_secs", "a number of seconds")?,
                ),
                voice_max_secs: s.number("telegram.voice_max_secs", "a number of seconds")?,
                init_data_max_age: Duration::from_secs(
                    s.number("telegram.init_data_max_age_secs", "a number of seconds")?,
                ),
            },
            openai: OpenAiSettings {
                api_key: s.secret("openai.api_key")?,
                base_url: s.url("openai.base_url")?,
                chat_model: s.required("openai.chat_model")?,
                transcription_model: s.required("openai.transcription_model")?,
                vision_model: s.required("openai.vision_model")?,
                meal_photos: s.number("openai.meal_photos", "true or false")?,
            },
            whoop: WhoopSettings {
                client_id: s.text("whoop.client_id")?,
                client_secret: s.secret("whoop.client_secret")?,
                api_url: s.url("whoop.api_url")?,
                rate_limits: RateLimits {
                    per_window: positive(s.number("whoop.requests_per_window", "a number")?)
                        .ok_or_else(|| {
                            invalid("whoop.requests_per_window", "must be at least 1")
                        })?,
                    window: std::time::Duration::from_secs(
                        positive(s.number("whoop.window_secs", "a number of seconds")?)
                            .ok_or_else(|| invalid("whoop.window_secs", "must be at least 1"))?
                            .into(),
                    ),
                    per_day: positive(s.number("whoop.requests_per_day", "a number")?)
                        .ok_or_else(|| invalid("whoop.requests_per_day", "must be at least 1"))?,
                },
            },
            fatsecret: FatSecretSettings {
                consumer_key: s.text("fatsecret.consumer_key")?,
                consumer_secret: s.secret("fatsecret.consumer_secret")?,
                api_url: s.url("fatsecret.api_url")?,
                auth_url: s.url("fatsecret.auth_url")?,
            },
            openfoodfacts: OpenFoodFactsSettings {
                api_url: s.url("openfoodfacts.api_url")?,
                contact: s.required("openfoodfacts.contact")?,
                reads_per_minute: positive(s.number("openfoodfacts.reads_per_minute", "a number")?)
                    .ok_or_else(|| {
                        invalid("openfoodfacts.reads_per_minute", "must be at least 1")
                    })?,
            },
            encryption_key,
            encryption_keys_previous,
            ip_echo_url: s.url("ip.echo_url")?,
            sandbox,
            log_format,
            log_filter: rust_log.unwrap_or(s.required("log.filter")?),
            jobs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        Settings::load_from(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
    }

    #[test]
    fn defaults_need_no_environment() {
        let s = load(&[]).unwrap();
        assert_eq!(
            s.database.url.expose(),
            "postgres://postgres@127.0.0.1:5432/wellness"
        );
        assert_eq!((s.server.host.as_str(), s.server.port), ("127.0.0.1", 8080));
        assert_eq!(s.telegram.api_url.as_str(), "https://api.telegram.org/");
        assert_eq!(s.openai.base_url.as_str(), "https://api.openai.com/v1");
        assert_eq!(s.whoop.api_url.as_str(), "https://api.prod.whoop.com/");
        assert_eq!(s.telegram.mode, TelegramMode::Webhook);
        assert!(s.telegram.bot_token.is_none() && s.openai.api_key.is_none());
        assert_eq!(s.log_format, LogFormat::Pretty);
        assert_eq!(
            (
                s.openai.chat_model.as_str(),
                s.openai.transcription_model.as_str(),
                s.openai.vision_model.as_str()
            ),
            ("gpt-4o-mini", "whisper-1", "gpt-4o-mini")
        );
        let custom = load(&[("WELLNESS__OPENAI__CHAT_MODEL", "gpt-4.1-mini")]).unwrap();
        assert_eq!(custom.openai.chat_model, "gpt-4.1-mini");
    }

    #[test]
    fn conventional_names_override_nested_ones_and_files() {
        let s = load(&[
            ("WELLNESS__SERVER__PORT", "9000"),
            ("PORT", "9100"),
            ("WELLNESS__SERVER__HOST", "0.0.0.0"),
            ("TELEGRAM_MODE", "polling"),
            ("OPENAI_BASE_URL", "http://127.0.0.1:5000/v1/"),
            ("WELLNESS_LOG_FORMAT", "json"),
        ])
        .unwrap();
        assert_eq!(s.server.port, 9100);
        assert_eq!(s.server.host, "0.0.0.0");
        assert_eq!(s.telegram.mode, TelegramMode::Polling);
        assert_eq!(s.openai.base_url.as_str(), "http://127.0.0.1:5000/v1");
        assert_eq!(s.log_format, LogFormat::Json);
    }

    #[test]
    fn a_bad_value_names_its_key_in_one_line() {
        let cases = [
            (("PORT", "eighty"), "PORT"),
            (("DATABASE_URL", "mysql://x"), "DATABASE_URL"),
            (("TELEGRAM_MODE", "carrier-pigeon"), "TELEGRAM_MODE"),
            (("WHOOP_API_URL", "ftp://whoop"), "WHOOP_API_URL"),
            (
                ("WELLNESS_ENCRYPTION_KEY", "c2hvcnQ="),
                "WELLNESS_ENCRYPTION_KEY",
            ),
            (
                ("TELEGRAM_WEBHOOK_SECRET", "has spaces"),
                "TELEGRAM_WEBHOOK_SECRET",
            ),
            (
                ("WELLNESS__DATABASE__POOL_SIZE", "0"),
                "WELLNESS__DATABASE__POOL_SIZE",
            ),
        ];
        for ((name, value), shown) in cases {
            let err = load(&[(name, value)]).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("invalid configuration: {shown}:")),
                "{err}"
            );
            assert!(!err.contains('\n'), "{err}");
        }
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let s = load(&[
            ("TELEGRAM_BOT_TOKEN", "123:SECRET-BOT"),
            ("TELEGRAM_MODE", "polling"),
            ("OPENAI_API_KEY", "sk-SECRET"),
            ("DATABASE_URL", "postgres://u:PASSWORD@h/db"),
        ])
        .unwrap();
        let shown = format!("{s:?}");
        for secret in ["SECRET-BOT", "sk-SECRET", "PASSWORD"] {
            assert!(!shown.contains(secret), "{secret} leaked");
        }
    }

    #[test]
    fn webhook_mode_needs_a_secret_and_a_public_url() {
        let err = load(&[("TELEGRAM_BOT_TOKEN", "1:x")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("TELEGRAM_WEBHOOK_SECRET"), "{err}");
        let err = load(&[
            ("TELEGRAM_BOT_TOKEN", "1:x"),
            ("TELEGRAM_WEBHOOK_SECRET", "s"),
        ])
        .unwrap_err()
        .to_string();
        assert!(err.contains("PUBLIC_BASE_URL"), "{err}");
        assert!(load(&[("TELEGRAM_BOT_TOKEN", "1:x"), ("TELEGRAM_MODE", "polling")]).is_ok());
    }

    #[test]
    fn the_sandbox_runs_without_a_bot_token_on_loopback_unless_told_otherwise() {
        assert!(load(&[]).unwrap().sandbox_wanted());
        assert!(load(&[("HOST", "::1")]).unwrap().sandbox_wanted());
        // On a public interface only when asked for.
        assert!(!load(&[("HOST", "0.0.0.0")]).unwrap().sandbox_wanted());
        // Nor behind a proxy: a public base URL means a deployment that lost its token.
        assert!(
            !load(&[("PUBLIC_BASE_URL", "https://wellness.example")])
                .unwrap()
                .sandbox_wanted()
        );
        for local in [
            "http://127.0.0.1:8080",
            "http://localhost:8080",
            "http://[::1]:8080",
        ] {
            assert!(
                load(&[("PUBLIC_BASE_URL", local)])
                    .unwrap()
                    .sandbox_wanted(),
                "{local}"
            );
        }
        assert!(
            load(&[("HOST", "0.0.0.0"), ("WELLNESS_SANDBOX", "on")])
                .unwrap()
                .sandbox_wanted()
        );
        assert!(
            !load(&[("WELLNESS_SANDBOX", "off")])
                .unwrap()
                .sandbox_wanted()
        );
        let real = load(&[("TELEGRAM_BOT_TOKEN", "1:x"), ("TELEGRAM_MODE", "polling")]).unwrap();
        assert!(!real.sandbox_wanted());
        let err = load(&[
            ("TELEGRAM_BOT_TOKEN", "1:x"),
            ("TELEGRAM_MODE", "polling"),
            ("WELLNESS_SANDBOX", "on"),
        ])
        .unwrap_err()
        .to_string();
        assert!(err.contains("WELLNESS_SANDBOX"), "{err}");
        let err = load(&[("WELLNESS_SANDBOX", "maybe")])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("invalid configuration: WELLNESS_SANDBOX:"),
            "{err}"
        );
    }

    #[test]
    fn empty_values_count_as_unset() {
        let s = load(&[("OPENAI_API_KEY", ""), ("PUBLIC_BASE_URL", " ")]).unwrap();
        assert!(s.openai.api_key.is_none() && s.server.public_base_url.is_none());
    }

    #[test]
    fn previous_encryption_keys_are_a_comma_separated_list_checked_like_the_current_key() {
        use base64::Engine as _;
        let key = |b: u8| base64::engine::general_purpose::STANDARD.encode([b; 32]);
        let (a, b, c) = (key(1), key(2), key(3));
        let s = load(&[
            ("WELLNESS_ENCRYPTION_KEY", &b),
            ("WELLNESS_ENCRYPTION_KEY_PREVIOUS", &format!("{a}, {c},")),
        ])
        .unwrap();
        assert_eq!(s.encryption_keys_previous.len(), 2);
        let cipher = s.token_cipher().unwrap().unwrap();
        assert_eq!(cipher.previous_key_ids().len(), 2);
        let shown = format!("{s:?}");
        for secret in [&a, &b, &c] {
            assert!(!shown.contains(secret.as_str()), "a key leaked: {shown}");
        }

        let err = load(&[
            ("WELLNESS_ENCRYPTION_KEY", &b),
            ("WELLNESS_ENCRYPTION_KEY_PREVIOUS", &format!("{a},c2hvcnQ=")),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("invalid configuration: WELLNESS_ENCRYPTION_KEY_PREVIOUS: key 2 of 2"),
            "{err}"
        );
        assert!(!err.contains(&a) && !err.contains("c2hvcnQ="), "{err}");

        let err = load(&[("WELLNESS_ENCRYPTION_KEY_PREVIOUS", &a)])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("invalid configuration: WELLNESS_ENCRYPTION_KEY_PREVIOUS:"),
            "{err}"
        );
        assert!(err.contains("without WELLNESS_ENCRYPTION_KEY"), "{err}");
        assert!(load(&[]).unwrap().token_cipher().unwrap().is_none());
    }

    #[test]
    fn a_missing_profile_file_is_an_error() {
        let err = load(&[("WELLNESS_ENV", "nonexistent")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("WELLNESS_ENV"), "{err}");
    }
}
