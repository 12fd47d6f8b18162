//! Settings of a simulated FatSecret Platform API.

use std::time::Duration;

use super::foods::{SimFood, default_foods};

/// How a single result is shaped where FatSecret's versions differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JsonQuirks {
    /// Also answer a single serving of `food.get.v4` and a single entry of
    /// `food_entries.get.v2` / a single day of `food_entries.get_month.v2` as an object instead of
    /// a one-element array. Off by default (v2+ methods are documented to use arrays);
    /// `foods.search` and the v1 methods always use the object form, as FatSecret does.
    pub single_objects_everywhere: bool,
}

/// Settings of a [`super::FatSecretSim`].
#[derive(Debug, Clone, PartialEq)]
pub struct FatSecretSimConfig {
    /// The consumer key the simulator accepts.
    pub consumer_key: String,
    /// Its secret.
    pub consumer_secret: String,
    /// The root the client signs `/rest/server.api` under; `None` means the simulator's own
    /// `http://127.0.0.1:PORT`. Set it to `https://platform.fatsecret.com` to check that a client
    /// signs the URL it sends to (then a client pointed at the simulator fails with error 8).
    pub signing_api_root: Option<String>,
    /// The root the client signs `/oauth/...` under; `None` means the simulator's own.
    pub signing_auth_root: Option<String>,
    /// An `oauth_timestamp` further than this from the simulator's clock is refused (error 6).
    pub timestamp_window: Duration,
    /// How long a `Timeout` fault holds the connection before answering 504 (longer than the
    /// client's timeout).
    pub fault_hold: Duration,
    /// Approve every authorization request at once as this user, skipping the consent page.
    pub auto_approve: Option<String>,
    /// Single-object quirks.
    pub quirks: JsonQuirks,
    /// The food database.
    pub foods: Vec<SimFood>,
    /// The first `food_entry_id` handed out.
    pub first_food_entry_id: u64,
    /// When set, the control surface (`/__sim/…`) requires it in the `x-sim-control-token`
    /// header (the sandbox sets a random one per process); `None` leaves it open, as tests use it.
    pub control_token: Option<String>,
}

impl Default for FatSecretSimConfig {
    fn default() -> Self {
        Self {
            consumer_key: "b3f1c2d4e5a6978899aabbccddeeff00".to_owned(),
            consumer_secret: "5e2a9c7d1f3b4a6c8e0d2f4a6b8c0e1f".to_owned(),
            signing_api_root: None,
            signing_auth_root: None,
            timestamp_window: Duration::from_secs(300),
            fault_hold: Duration::from_secs(5),
            auto_approve: None,
            quirks: JsonQuirks::default(),
            foods: default_foods(),
            first_food_entry_id: 24_691_181_560,
            control_token: None,
        }
    }
}

impl FatSecretSimConfig {
    /// Accepts this consumer key and secret.
    pub fn with_consumer(mut self, key: impl Into<String>, secret: impl Into<String>) -> Self {
        self.consumer_key = key.into();
        self.consumer_secret = secret.into();
        self
    }

    /// Expects signatures over `{root}/rest/server.api` instead of the simulator's own URL.
    pub fn with_signing_api_root(mut self, root: impl Into<String>) -> Self {
        self.signing_api_root = Some(root.into());
        self
    }

    /// Expects signatures over `{root}/oauth/...` instead of the simulator's own URL.
    pub fn with_signing_auth_root(mut self, root: impl Into<String>) -> Self {
        self.signing_auth_root = Some(root.into());
        self
    }

    /// How long `Timeout` faults hold the connection.
    pub fn with_fault_hold(mut self, hold: Duration) -> Self {
        self.fault_hold = hold;
        self
    }

    /// Approves authorization requests at once as `user`.
    pub fn with_auto_approve(mut self, user: impl Into<String>) -> Self {
        self.auto_approve = Some(user.into());
        self
    }

    /// Replaces the quirks.
    pub fn with_quirks(mut self, quirks: JsonQuirks) -> Self {
        self.quirks = quirks;
        self
    }
}
