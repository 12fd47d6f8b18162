use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::UserId;

/// A service a user can connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// WHOOP (OAuth 2).
    Whoop,
    /// FatSecret (OAuth 1.0a).
    Fatsecret,
}

impl Provider {
    /// The storage code.
    pub fn code(self) -> &'static str {
        match self {
            Provider::Whoop => "whoop",
            Provider::Fatsecret => "fatsecret",
        }
    }

    /// Parses the storage code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "whoop" => Some(Provider::Whoop),
            "fatsecret" => Some(Provider::Fatsecret),
            _ => None,
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Provider::Whoop => "WHOOP",
            Provider::Fatsecret => "FatSecret",
        })
    }
}

/// A secret string (a token, a key) that never shows in logs or debug output, compares in
/// constant time, and is wiped from memory when dropped (`secrecy`'s `SecretString`).
#[derive(Clone)]
pub struct Secret(secrecy::SecretString);

/// Compares two byte strings in time that depends only on their lengths, never on where they
/// differ (the length of a secret is not the secret). Every comparison of a secret goes
/// through here, `==` on [`Secret`] included.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq as _;
    a.ct_eq(b).into()
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        constant_time_eq(self.expose().as_bytes(), other.expose().as_bytes())
    }
}

impl Eq for Secret {}

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(secrecy::SecretString::from(value.into()))
    }

    /// The secret itself: call only where it is sent or encrypted.
    pub fn expose(&self) -> &str {
        secrecy::ExposeSecret::expose_secret(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The tokens a provider gave us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tokens {
    /// OAuth 2 (WHOOP): a short-lived access token and a single-use refresh token.
    OAuth2 {
        /// Bearer token.
        access_token: Secret,
        /// Rotated on every refresh; `None` when the `offline` scope was not granted.
        refresh_token: Option<Secret>,
        /// When the access token stops working.
        expires_at: DateTime<Utc>,
        /// The scopes granted.
        scope: String,
    },
    /// OAuth 1.0a (FatSecret): a long-lived token and its secret.
    OAuth1 {
        /// oauth_token.
        token: Secret,
        /// oauth_token_secret.
        token_secret: Secret,
    },
}

/// Whether a connection works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// Works.
    Active,
    /// The provider refused the tokens (revoked, invalid_grant): the user must reconnect.
    Broken {
        /// Whether the user has been told (we tell once).
        user_notified: bool,
    },
}

/// A user's connection to a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Whose.
    pub user_id: UserId,
    /// Which provider.
    pub provider: Provider,
    /// The tokens (encrypted at rest by the storage adapter).
    pub tokens: Tokens,
    /// The provider's id of the user, when known (WHOOP user_id).
    pub external_user_id: Option<String>,
    /// Whether it works.
    pub status: ConnectionStatus,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug_output() {
        let tokens = Tokens::OAuth1 {
            token: Secret::new("tok-123"),
            token_secret: Secret::new("sec-456"),
        };
        let shown = format!("{tokens:?}");
        assert!(
            !shown.contains("tok-123") && !shown.contains("sec-456"),
            "{shown}"
        );
    }

    #[test]
    fn equal_only_when_every_byte_matches() {
        assert!(constant_time_eq(b"s3cret", b"s3cret"));
        assert!(!constant_time_eq(b"s3cret", b"s3creT"));
        assert!(!constant_time_eq(b"s3cret", b"s3cre"));
        assert!(!constant_time_eq(b"", b"x"));
        assert!(constant_time_eq(b"", b""));
        assert_eq!(Secret::new("a"), Secret::new("a"));
        assert_ne!(Secret::new("a"), Secret::new("b"));
    }

    proptest::proptest! {
        #[test]
        fn constant_time_equality_is_equality(
            a in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            flip in proptest::prelude::any::<(usize, u8)>(),
        ) {
            proptest::prop_assert_eq!(constant_time_eq(&a, &b), a == b);
            proptest::prop_assert!(constant_time_eq(&a, &a.clone()));
            // One changed byte anywhere is noticed.
            if !a.is_empty() && flip.1 != 0 {
                let mut changed = a.clone();
                let at = flip.0 % a.len();
                changed[at] ^= flip.1;
                proptest::prop_assert!(!constant_time_eq(&a, &changed));
            }
        }
    }
}
