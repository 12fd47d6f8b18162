//! What the transcription endpoint checks of an uploaded file, and how it recognises one.

/// File extensions the transcription endpoint accepts (whisper-1 and gpt-4o transcribers).
/// `oga` is left out: Telegram's voice notes sent as `.oga` have been refused as an invalid
/// format, which is why clients send them as `voice.ogg`.
pub const SUPPORTED_EXTENSIONS: [&str; 9] = [
    "flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "ogg", "wav", "webm",
];

/// A stable fingerprint of a file's bytes (64-bit FNV-1a, `fnv1a64:` and 16 hex digits): the
/// key under which tests register a transcript for an audio file.
pub fn audio_fingerprint(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("fnv1a64:{hash:016x}")
}

/// The container a file's first bytes announce, if it is audio we know.
pub(crate) fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"OggS") {
        Some("ogg")
    } else if starts(b"fLaC") {
        Some("flac")
    } else if starts(b"ID3") || (bytes.len() > 1 && bytes[0] == 0xff && bytes[1] & 0xe0 == 0xe0) {
        Some("mp3")
    } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WAVE") {
        Some("wav")
    } else if bytes.get(4..8) == Some(b"ftyp") {
        Some("mp4")
    } else if starts(&[0x1a, 0x45, 0xdf, 0xa3]) {
        Some("webm")
    } else {
        None
    }
}

/// The extension of a file name, lowercased.
pub(crate) fn extension(file_name: &str) -> Option<String> {
    let (_, extension) = file_name.rsplit_once('.')?;
    Some(extension.to_ascii_lowercase())
}

/// Seconds of audio: from the last granule position for OGG/Opus (48 kHz), otherwise a rough
/// guess from the size (16 kB/s); at least 1.
pub(crate) fn duration_secs(bytes: &[u8]) -> f64 {
    let ogg_samples = (0..bytes.len().saturating_sub(14))
        .rev()
        .find(|&i| &bytes[i..i + 4] == b"OggS")
        .and_then(|i| bytes.get(i + 6..i + 14))
        .and_then(|granule| granule.try_into().ok())
        .map(u64::from_le_bytes);
    let seconds = match ogg_samples {
        // The count of samples of a short note: exact enough as f64.
        Some(samples) if bytes.starts_with(b"OggS") => samples as f64 / 48_000.0,
        _ => bytes.len() as f64 / 16_000.0,
    };
    (seconds * 10.0).round().max(10.0) / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telegram::silent_voice_note;

    #[test]
    fn voice_notes_are_recognised_and_timed() {
        let note = silent_voice_note(3);
        assert_eq!(sniff(&note), Some("ogg"));
        let seconds = duration_secs(&note);
        assert!((3.0..3.1).contains(&seconds), "{seconds}");
        assert_eq!(sniff(b"hello, I am text"), None);
        assert_eq!(extension("voice.OGG").as_deref(), Some("ogg"));
        assert_ne!(audio_fingerprint(b"a"), audio_fingerprint(b"b"));
        assert_eq!(audio_fingerprint(b"").len(), "fnv1a64:".len() + 16);
    }
}
