//! AES-256-GCM for tokens at rest, with keys that can be rotated.
//!
//! A value is `0x01 (version) || key id (4 bytes) || nonce (12) || ciphertext || tag (16)`. The
//! version byte, the key id and the row the value belongs to (user, provider, column) are the
//! associated data, so neither a value copied into another row or column nor one whose version
//! or key id was rewritten decrypts.
//!
//! The key id is the first 4 bytes of SHA-256 of a fixed label and the key. It is not secret: 32
//! bits of a hash of 256 random bits tell nothing usable about the key, and the label keeps it
//! from matching a plain SHA-256 fingerprint of the same key made anywhere else. It names the
//! key in the data and in errors, so the key itself never has to be shown.
//!
//! Values written before key ids existed are `nonce || ciphertext || tag` (legacy). Their nonce
//! is random, so its first byte is the version byte once in 256 values: the layout alone cannot
//! tell them apart. The rule: a value that starts with the version byte, is long enough and
//! names a configured key is opened as versioned with that key; every other value, and one of
//! those that does not open, is tried in the legacy layout with each configured key. A versioned
//! value never opens as legacy (its associated data differs, so the tag check fails), and a
//! legacy one opens as versioned only if its random bytes happened to spell a configured key id
//! and then pass a 128-bit tag check with the wrong associated data, which does not happen.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::zeroize::Zeroize as _;
use sha2::{Digest as _, Sha256};
use thiserror::Error;

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const VERSION: u8 = 0x01;
const KEY_ID_LEN: usize = 4;
/// Version byte and key id: what a versioned value has before its nonce.
const HEADER_LEN: usize = 1 + KEY_ID_LEN;
/// Hashed before the key for its id (domain separation, see the module doc).
const KEY_ID_LABEL: &[u8] = b"wellness token key id v1\0";

/// The public name of an encryption key: the first 4 bytes of SHA-256 of a fixed label and the
/// key, shown as 8 hex digits. Not secret.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId([u8; KEY_ID_LEN]);

impl KeyId {
    fn of(key: &[u8]) -> Self {
        let digest = Sha256::new()
            .chain_update(KEY_ID_LABEL)
            .chain_update(key)
            .finalize();
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&digest[..KEY_ID_LEN]);
        Self(id)
    }
}

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl std::fmt::Debug for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// The key could not be used, or a value did not decrypt. Messages name key ids, never keys.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CipherError {
    /// The key is not base64 of exactly 32 bytes.
    #[error("the encryption key must be base64 of 32 bytes")]
    BadKey,
    /// Encryption failed (only for inputs over 64 GiB).
    #[error("a token could not be encrypted")]
    Unencryptable,
    /// A stored value names a key that is not configured. (A legacy value that opens with no
    /// key is reported so when its random first bytes look like a header: 1 in 256.)
    #[error(
        "a stored token is encrypted under key id {0}, which is neither WELLNESS_ENCRYPTION_KEY \
         nor one of WELLNESS_ENCRYPTION_KEY_PREVIOUS (or it is a value from before key ids that \
         none of them decrypts)"
    )]
    UnknownKey(KeyId),
    /// A stored value did not decrypt with any configured key (wrong key, or tampered).
    #[error(
        "a stored token did not decrypt (wrong WELLNESS_ENCRYPTION_KEY or \
         WELLNESS_ENCRYPTION_KEY_PREVIOUS, or tampered data)"
    )]
    Undecryptable,
}

#[derive(Clone)]
struct Key {
    id: KeyId,
    aead: Aes256Gcm,
}

impl Key {
    fn new(bytes: &[u8]) -> Result<Self, CipherError> {
        if bytes.len() != 32 {
            return Err(CipherError::BadKey);
        }
        let aead = Aes256Gcm::new_from_slice(bytes).map_err(|_| CipherError::BadKey)?;
        Ok(Self {
            id: KeyId::of(bytes),
            aead,
        })
    }

    fn open(&self, nonce: &[u8], body: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
        let payload = Payload { msg: body, aad };
        self.aead.decrypt(Nonce::from_slice(nonce), payload).ok()
    }
}

fn decode_base64(key: &str) -> Result<Vec<u8>, CipherError> {
    STANDARD.decode(key.trim()).map_err(|_| CipherError::BadKey)
}

/// The associated data of a versioned value: its header, then the row context.
fn versioned_aad(id: KeyId, context: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(HEADER_LEN + context.len());
    aad.push(VERSION);
    aad.extend_from_slice(&id.0);
    aad.extend_from_slice(context.as_bytes());
    aad
}

/// How a stored value opened.
struct Opened {
    plain: Vec<u8>,
    /// Versioned and under the current key: nothing for a rotation to do.
    current: bool,
}

/// Encrypts with the current key; decrypts with the current key or any previous one.
#[derive(Clone)]
pub struct TokenCipher {
    current: Key,
    previous: Vec<Key>,
}

impl std::fmt::Debug for TokenCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Key ids only: they are public names, the keys stay out of every log.
        f.debug_struct("TokenCipher")
            .field("current", &self.current.id)
            .field("previous", &self.previous_key_ids())
            .finish()
    }
}

impl TokenCipher {
    /// A cipher from base64 of a 32-byte key (WELLNESS_ENCRYPTION_KEY).
    pub fn from_base64(key: &str) -> Result<Self, CipherError> {
        let mut bytes = decode_base64(key)?;
        let cipher = Self::from_bytes(&bytes);
        bytes.zeroize();
        cipher
    }

    /// A cipher from 32 raw bytes.
    pub fn from_bytes(key: &[u8]) -> Result<Self, CipherError> {
        Ok(Self {
            current: Key::new(key)?,
            previous: Vec::new(),
        })
    }

    /// Also decrypts with this earlier key, given as base64 of 32 bytes (one entry of
    /// WELLNESS_ENCRYPTION_KEY_PREVIOUS). It never encrypts.
    pub fn with_previous_base64(self, key: &str) -> Result<Self, CipherError> {
        let mut bytes = decode_base64(key)?;
        let cipher = self.with_previous_bytes(&bytes);
        bytes.zeroize();
        cipher
    }

    /// Also decrypts with this earlier key (32 raw bytes). It never encrypts.
    pub fn with_previous_bytes(mut self, key: &[u8]) -> Result<Self, CipherError> {
        self.previous.push(Key::new(key)?);
        Ok(self)
    }

    /// The id of the key new values are encrypted with.
    pub fn key_id(&self) -> KeyId {
        self.current.id
    }

    /// The ids of the keys that only decrypt, in the order given.
    pub fn previous_key_ids(&self) -> Vec<KeyId> {
        self.previous.iter().map(|k| k.id).collect()
    }

    fn keys(&self) -> impl Iterator<Item = &Key> {
        std::iter::once(&self.current).chain(&self.previous)
    }

    /// Encrypts `plaintext` under the current key, bound to `context` (which row and column it
    /// belongs to).
    pub fn encrypt(&self, plaintext: &str, context: &str) -> Result<Vec<u8>, CipherError> {
        let key = &self.current;
        let nonce: [u8; NONCE_LEN] = rand::random();
        let payload = Payload {
            msg: plaintext.as_bytes(),
            aad: &versioned_aad(key.id, context),
        };
        let sealed = key
            .aead
            .encrypt(Nonce::from_slice(&nonce), payload)
            .map_err(|_| CipherError::Unencryptable)?;
        let mut out = Vec::with_capacity(HEADER_LEN + NONCE_LEN + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&key.id.0);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Decrypts a value made by [`TokenCipher::encrypt`] (under any configured key) or by the
    /// single-key cipher before key ids (legacy), with the same `context`.
    pub fn decrypt(&self, sealed: &[u8], context: &str) -> Result<String, CipherError> {
        let opened = self.open(sealed, context)?;
        String::from_utf8(opened.plain).map_err(|e| {
            e.into_bytes().zeroize();
            CipherError::Undecryptable
        })
    }

    /// For a rotation: `None` when the value is already versioned under the current key, else
    /// the same plaintext encrypted under the current key.
    pub fn reseal(&self, sealed: &[u8], context: &str) -> Result<Option<Vec<u8>>, CipherError> {
        let mut opened = self.open(sealed, context)?;
        if opened.current {
            opened.plain.zeroize();
            return Ok(None);
        }
        let text = std::str::from_utf8(&opened.plain).map_err(|_| CipherError::Undecryptable);
        let resealed = text.and_then(|t| self.encrypt(t, context));
        opened.plain.zeroize();
        resealed.map(Some)
    }

    /// Opens a value in either layout (the rule is in the module doc).
    fn open(&self, sealed: &[u8], context: &str) -> Result<Opened, CipherError> {
        let mut unknown = None;
        if let Some((id, nonce, body)) = split_versioned(sealed) {
            let aad = versioned_aad(id, context);
            let mut named = self.keys().filter(|k| k.id == id).peekable();
            if named.peek().is_none() {
                unknown = Some(id);
            }
            for (i, key) in named.enumerate() {
                if let Some(plain) = key.open(nonce, body, &aad) {
                    // The current key comes first, so only the first match can be it.
                    let current = i == 0 && id == self.current.id;
                    return Ok(Opened { plain, current });
                }
            }
        }
        if sealed.len() >= NONCE_LEN + TAG_LEN {
            let (nonce, body) = sealed.split_at(NONCE_LEN);
            for key in self.keys() {
                if let Some(plain) = key.open(nonce, body, context.as_bytes()) {
                    return Ok(Opened {
                        plain,
                        current: false,
                    });
                }
            }
        }
        Err(unknown.map_or(CipherError::Undecryptable, CipherError::UnknownKey))
    }
}

/// A value's key id, nonce and sealed body, when it has the versioned layout.
fn split_versioned(sealed: &[u8]) -> Option<(KeyId, &[u8], &[u8])> {
    let (&version, rest) = sealed.split_first()?;
    if version != VERSION || rest.len() < KEY_ID_LEN + NONCE_LEN + TAG_LEN {
        return None;
    }
    let (id, rest) = rest.split_at(KEY_ID_LEN);
    let (nonce, body) = rest.split_at(NONCE_LEN);
    let mut key_id = [0u8; KEY_ID_LEN];
    key_id.copy_from_slice(id);
    Some((KeyId(key_id), nonce, body))
}

#[cfg(test)]
mod tests;
