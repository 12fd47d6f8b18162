//! AES-256-GCM for tokens at rest. Each value is `nonce (12 bytes) || ciphertext || tag`, and
//! the row it belongs to (user, provider, column) is bound as associated data, so a ciphertext
//! copied into another row or column does not decrypt.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use thiserror::Error;

const NONCE_LEN: usize = 12;

/// The key could not be used, or a value did not decrypt.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CipherError {
    /// The key is not base64 of exactly 32 bytes.
    #[error("the encryption key must be base64 of 32 bytes")]
    BadKey,
    /// Encryption failed (only for inputs over 64 GiB).
    #[error("a token could not be encrypted")]
    Unencryptable,
    /// A stored value did not decrypt with this key (wrong key, or tampered).
    #[error("a stored token did not decrypt (wrong WELLNESS_ENCRYPTION_KEY, or tampered data)")]
    Undecryptable,
}

/// Encrypts and decrypts tokens with one key.
#[derive(Clone)]
pub struct TokenCipher {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for TokenCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCipher(***)")
    }
}

impl TokenCipher {
    /// A cipher from base64 of a 32-byte key (WELLNESS_ENCRYPTION_KEY).
    pub fn from_base64(key: &str) -> Result<Self, CipherError> {
        let bytes = STANDARD
            .decode(key.trim())
            .map_err(|_| CipherError::BadKey)?;
        Self::from_bytes(&bytes)
    }

    /// A cipher from 32 raw bytes.
    pub fn from_bytes(key: &[u8]) -> Result<Self, CipherError> {
        let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| CipherError::BadKey)?;
        if key.len() != 32 {
            return Err(CipherError::BadKey);
        }
        Ok(Self { cipher })
    }

    /// Encrypts `plaintext` bound to `context` (which row and column it belongs to).
    pub fn encrypt(&self, plaintext: &str, context: &str) -> Result<Vec<u8>, CipherError> {
        let nonce_bytes: [u8; NONCE_LEN] = rand::random();
        let nonce = Nonce::from_slice(&nonce_bytes);
        let payload = Payload {
            msg: plaintext.as_bytes(),
            aad: context.as_bytes(),
        };
        let sealed = self
            .cipher
            .encrypt(nonce, payload)
            .map_err(|_| CipherError::Unencryptable)?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Decrypts a value made by [`TokenCipher::encrypt`] with the same `context`.
    pub fn decrypt(&self, sealed: &[u8], context: &str) -> Result<String, CipherError> {
        if sealed.len() < NONCE_LEN + 16 {
            return Err(CipherError::Undecryptable);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let payload = Payload {
            msg: body,
            aad: context.as_bytes(),
        };
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), payload)
            .map_err(|_| CipherError::Undecryptable)?;
        String::from_utf8(plain).map_err(|_| CipherError::Undecryptable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> TokenCipher {
        TokenCipher::from_bytes(&[7u8; 32]).unwrap()
    }

    #[test]
    fn round_trips_and_never_stores_the_plaintext() {
        let c = cipher();
        let sealed = c.encrypt("access-token-123", "1:whoop:access").unwrap();
        assert!(!sealed.windows(16).any(|w| w == b"access-token-123"));
        assert_eq!(
            c.decrypt(&sealed, "1:whoop:access").unwrap(),
            "access-token-123"
        );
    }

    #[test]
    fn the_same_token_encrypts_differently_each_time() {
        let c = cipher();
        assert_ne!(
            c.encrypt("t", "ctx").unwrap(),
            c.encrypt("t", "ctx").unwrap()
        );
    }

    #[test]
    fn a_value_moved_to_another_row_or_tampered_with_does_not_decrypt() {
        let c = cipher();
        let mut sealed = c.encrypt("secret", "1:whoop:access").unwrap();
        assert_eq!(
            c.decrypt(&sealed, "2:whoop:access"),
            Err(CipherError::Undecryptable)
        );
        if let Some(last) = sealed.last_mut() {
            *last ^= 1;
        }
        assert_eq!(
            c.decrypt(&sealed, "1:whoop:access"),
            Err(CipherError::Undecryptable)
        );
        let other = TokenCipher::from_bytes(&[8u8; 32]).unwrap();
        let sealed = c.encrypt("secret", "ctx").unwrap();
        assert_eq!(
            other.decrypt(&sealed, "ctx"),
            Err(CipherError::Undecryptable)
        );
    }

    #[test]
    fn keys_must_be_base64_of_32_bytes() {
        assert_eq!(
            TokenCipher::from_base64("c2hvcnQ=").err(),
            Some(CipherError::BadKey)
        );
        assert_eq!(
            TokenCipher::from_base64("not base64!").err(),
            Some(CipherError::BadKey)
        );
        let key = STANDARD.encode([1u8; 32]);
        assert!(TokenCipher::from_base64(&key).is_ok());
    }
}
