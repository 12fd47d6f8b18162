//! The encryption keys: `WELLNESS_ENCRYPTION_KEY` encrypts, `WELLNESS_ENCRYPTION_KEY_PREVIOUS`
//! (earlier keys, separated by commas) only decrypts, while `wellness rotate-key` moves the
//! stored tokens to the current key.

use wellness_domain::Secret;
use wellness_postgres::TokenCipher;

use super::{Settings, SettingsError, Source, invalid};

const CURRENT: &str = "security.encryption_key";
const PREVIOUS: &str = "security.encryption_key_previous";

/// Reads both settings and checks every key the way the cipher will use it, so a bad one stops
/// the start with the variable's name (never its value).
pub(super) fn parse(s: &Source) -> Result<(Option<Secret>, Vec<Secret>), SettingsError> {
    let current = s.secret(CURRENT)?;
    let previous: Vec<Secret> = s
        .text(PREVIOUS)?
        .map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(Secret::new)
                .collect()
        })
        .unwrap_or_default();
    match &current {
        Some(key) => {
            cipher(key, &previous)?;
        }
        None if !previous.is_empty() => {
            return Err(invalid(
                PREVIOUS,
                "is set without WELLNESS_ENCRYPTION_KEY (previous keys only decrypt: set the new \
                 key too)",
            ));
        }
        None => {}
    }
    Ok((current, previous))
}

/// The cipher of these keys; an error names the variable at fault.
fn cipher(current: &Secret, previous: &[Secret]) -> Result<TokenCipher, SettingsError> {
    let mut cipher = TokenCipher::from_base64(current.expose())
        .map_err(|_| invalid(CURRENT, "must be base64 of exactly 32 bytes"))?;
    for (n, key) in previous.iter().enumerate() {
        cipher = cipher.with_previous_base64(key.expose()).map_err(|_| {
            invalid(
                PREVIOUS,
                format!(
                    "key {} of {} must be base64 of exactly 32 bytes (keys are separated by commas)",
                    n + 1,
                    previous.len()
                ),
            )
        })?;
    }
    Ok(cipher)
}

impl Settings {
    /// The token cipher (current key and previous ones), when an encryption key is configured.
    pub fn token_cipher(&self) -> Result<Option<TokenCipher>, SettingsError> {
        self.encryption_key
            .as_ref()
            .map(|key| cipher(key, &self.encryption_keys_previous))
            .transpose()
    }
}
