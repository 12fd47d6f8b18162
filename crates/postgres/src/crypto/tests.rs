use super::*;

const A: [u8; 32] = [7u8; 32];
const B: [u8; 32] = [8u8; 32];
const C: [u8; 32] = [9u8; 32];

fn cipher() -> TokenCipher {
    TokenCipher::from_bytes(&A).unwrap()
}

/// B current, A previous: the state during a rotation from A to B.
fn rotated() -> TokenCipher {
    TokenCipher::from_bytes(&B)
        .unwrap()
        .with_previous_bytes(&A)
        .unwrap()
}

/// A value as the single-key cipher wrote it before key ids: `nonce || ciphertext || tag`,
/// the context alone as associated data.
fn legacy(key: &[u8; 32], nonce: [u8; NONCE_LEN], plaintext: &str, context: &str) -> Vec<u8> {
    let aead = Aes256Gcm::new_from_slice(key).unwrap();
    let payload = Payload {
        msg: plaintext.as_bytes(),
        aad: context.as_bytes(),
    };
    let sealed = aead.encrypt(Nonce::from_slice(&nonce), payload).unwrap();
    [nonce.as_slice(), &sealed].concat()
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
fn a_value_starts_with_the_version_byte_and_the_current_key_id() {
    let c = rotated();
    let sealed = c.encrypt("t", "ctx").unwrap();
    assert_eq!(sealed[0], VERSION);
    assert_eq!(sealed[1..HEADER_LEN], c.key_id().0);
    assert_eq!(c.key_id(), KeyId::of(&B));
    assert_eq!(sealed.len(), HEADER_LEN + NONCE_LEN + 1 + TAG_LEN);
}

#[test]
fn key_ids_are_eight_hex_digits_that_differ_per_key_and_do_not_contain_the_key() {
    let a = KeyId::of(&A);
    assert_ne!(a, KeyId::of(&B));
    assert_eq!(a, cipher().key_id());
    let shown = a.to_string();
    assert_eq!(shown.len(), 8);
    assert!(shown.chars().all(|c| c.is_ascii_hexdigit()));
    // Not a plain SHA-256 fingerprint of the key: the label separates the two.
    let plain = Sha256::digest(A);
    assert_ne!(a.0, plain[..KEY_ID_LEN]);
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
fn a_value_under_the_previous_key_decrypts_and_reseals_under_the_current_key() {
    let old = cipher().encrypt("secret", "ctx").unwrap();
    let c = rotated();
    assert_eq!(c.decrypt(&old, "ctx").unwrap(), "secret");
    let new = c.reseal(&old, "ctx").unwrap().unwrap();
    assert_eq!(new[1..HEADER_LEN], KeyId::of(&B).0);
    let b_alone = TokenCipher::from_bytes(&B).unwrap();
    assert_eq!(b_alone.decrypt(&new, "ctx").unwrap(), "secret");
    assert_eq!(c.reseal(&new, "ctx").unwrap(), None, "already current");
}

#[test]
fn decryption_picks_the_key_named_by_the_key_id_among_several_previous_keys() {
    let under_c = TokenCipher::from_bytes(&C)
        .unwrap()
        .encrypt("from-c", "ctx")
        .unwrap();
    let under_a = cipher().encrypt("from-a", "ctx").unwrap();
    let c = rotated().with_previous_bytes(&C).unwrap();
    assert_eq!(c.previous_key_ids(), vec![KeyId::of(&A), KeyId::of(&C)]);
    assert_eq!(c.decrypt(&under_c, "ctx").unwrap(), "from-c");
    assert_eq!(c.decrypt(&under_a, "ctx").unwrap(), "from-a");
}

#[test]
fn a_value_under_an_unknown_key_id_fails_naming_the_key_id_not_the_key() {
    let sealed = TokenCipher::from_bytes(&C)
        .unwrap()
        .encrypt("secret", "ctx")
        .unwrap();
    let err = rotated().decrypt(&sealed, "ctx").unwrap_err();
    assert_eq!(err, CipherError::UnknownKey(KeyId::of(&C)));
    let message = err.to_string();
    assert!(message.contains(&KeyId::of(&C).to_string()), "{message}");
    assert!(!message.contains(&STANDARD.encode(C)), "{message}");
    assert_eq!(rotated().reseal(&sealed, "ctx"), Err(err));
}

#[test]
fn legacy_values_without_a_version_byte_decrypt_with_the_current_or_a_previous_key() {
    for first in [0x00, VERSION, 0xff] {
        let mut nonce = [3u8; NONCE_LEN];
        nonce[0] = first;
        let old = legacy(&A, nonce, "legacy-token", "1:whoop:access");
        assert_eq!(
            cipher().decrypt(&old, "1:whoop:access").unwrap(),
            "legacy-token"
        );
        assert_eq!(
            rotated().decrypt(&old, "1:whoop:access").unwrap(),
            "legacy-token"
        );
        let new = rotated().reseal(&old, "1:whoop:access").unwrap().unwrap();
        assert_eq!(new[0], VERSION);
        // A legacy value under the current key is re-encrypted too: it has no key id yet.
        assert!(cipher().reseal(&old, "1:whoop:access").unwrap().is_some());
        // In another row it does not open (a first byte 0x01 reads as a key id: UnknownKey).
        assert!(cipher().decrypt(&old, "2:whoop:access").is_err());
    }
}

#[test]
fn a_legacy_value_whose_nonce_spells_a_configured_key_id_still_decrypts() {
    // The 1-in-2^40 case: the random nonce starts with the version byte and a key id.
    let mut nonce = [5u8; NONCE_LEN];
    nonce[0] = VERSION;
    nonce[1..HEADER_LEN].copy_from_slice(&KeyId::of(&A).0);
    let old = legacy(&A, nonce, "unlucky", "ctx");
    assert_eq!(cipher().decrypt(&old, "ctx").unwrap(), "unlucky");
    assert!(cipher().reseal(&old, "ctx").unwrap().is_some());
}

#[test]
fn a_rewritten_version_byte_or_key_id_does_not_decrypt() {
    let c = rotated().with_previous_bytes(&C).unwrap();
    let sealed = c.encrypt("secret", "ctx").unwrap();
    let mut version = sealed.clone();
    version[0] = 0x02;
    assert_eq!(c.decrypt(&version, "ctx"), Err(CipherError::Undecryptable));
    // Relabelled as the previous key's value: that key does not open it.
    let mut relabelled = sealed.clone();
    relabelled[1..HEADER_LEN].copy_from_slice(&KeyId::of(&A).0);
    assert_eq!(
        c.decrypt(&relabelled, "ctx"),
        Err(CipherError::Undecryptable)
    );
    // Stripped to the legacy layout: the header is associated data, so nothing opens it.
    assert_eq!(
        c.decrypt(&sealed[HEADER_LEN..], "ctx"),
        Err(CipherError::Undecryptable)
    );
    let mut one_bit = sealed.clone();
    one_bit[1] ^= 1;
    assert!(c.decrypt(&one_bit, "ctx").is_err());
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
    assert_eq!(
        c.decrypt(&[VERSION; 3], "ctx"),
        Err(CipherError::Undecryptable)
    );
    let other = TokenCipher::from_bytes(&B).unwrap();
    let sealed = c.encrypt("secret", "ctx").unwrap();
    assert_eq!(
        other.decrypt(&sealed, "ctx"),
        Err(CipherError::UnknownKey(c.key_id()))
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
    assert_eq!(
        cipher().with_previous_base64("c2hvcnQ=").err(),
        Some(CipherError::BadKey)
    );
    assert!(cipher().with_previous_base64(&key).is_ok());
}

#[test]
fn debug_output_shows_key_ids_and_never_the_keys() {
    let shown = format!("{:?}", rotated());
    assert!(shown.contains(&KeyId::of(&B).to_string()), "{shown}");
    assert!(shown.contains(&KeyId::of(&A).to_string()), "{shown}");
    for key in [A, B] {
        assert!(!shown.contains(&STANDARD.encode(key)), "{shown}");
        assert!(!shown.contains(&format!("{:?}", key)), "{shown}");
    }
}
