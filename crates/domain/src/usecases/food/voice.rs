//! Voice notes: downloaded within Telegram's limit, transcribed, then logged like text.

use std::sync::Arc;

use super::{History, Outcome};
use crate::model::User;
use crate::ports::{Messenger, MessengerError, Transcriber};
use crate::reply::{Reply, Say};
use crate::usecases::chat::ChatError;

/// Limits on voice notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoiceLimits {
    /// Longest note accepted, seconds.
    pub max_secs: u32,
    /// Largest file accepted, bytes (Telegram bots can download at most 20 MB).
    pub max_bytes: u64,
}

impl Default for VoiceLimits {
    fn default() -> Self {
        Self {
            max_secs: 120,
            max_bytes: 20 * 1024 * 1024,
        }
    }
}

/// What a voice note said, or why it could not be heard.
#[derive(Debug, Clone, PartialEq)]
pub enum Heard {
    /// The transcript (not empty).
    Text(String),
    /// It could not be heard: the reply says why.
    Not(Outcome),
}

/// Hearing voice notes: the ports it needs.
#[derive(Clone)]
pub struct VoiceNotes {
    /// Voice to text; `None` when no service is configured.
    pub transcriber: Option<Arc<dyn Transcriber>>,
    /// Downloads the note.
    pub messenger: Arc<dyn Messenger>,
    /// Limits on notes.
    pub limits: VoiceLimits,
}

impl std::fmt::Debug for VoiceNotes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VoiceNotes")
    }
}

fn not(say: Say, history: History) -> Heard {
    Heard::Not(Outcome {
        reply: Reply::one(say),
        history,
    })
}

impl VoiceNotes {
    /// Downloads and transcribes a note; a Telegram outage is temporary (retried later).
    pub async fn hear(
        &self,
        user: &User,
        file_id: &str,
        duration_secs: u32,
    ) -> Result<Heard, ChatError> {
        let Some(transcriber) = &self.transcriber else {
            return Ok(not(Say::VoiceUnavailable, History::Nothing));
        };
        if duration_secs > self.limits.max_secs {
            let too_long = Say::VoiceTooLong {
                secs: duration_secs,
                max: self.limits.max_secs,
            };
            return Ok(not(too_long, History::Nothing));
        }
        let audio = match self
            .messenger
            .download(file_id, self.limits.max_bytes)
            .await
        {
            Ok(audio) => audio,
            Err(MessengerError::Rejected(_) | MessengerError::Unreachable(_)) => {
                return Ok(not(Say::VoiceDownloadFailed, History::Nothing));
            }
            // Telegram is down: the update is retried later, nothing is lost.
            Err(e) => return Err(ChatError::Temporary(e.to_string())),
        };
        let heard = match transcriber.transcribe(&audio, user.locale).await {
            Ok(text) => text.trim().to_owned(),
            Err(e) => {
                let history = History::UserOnly {
                    said: "[voice note]".to_owned(),
                    intent: "transcription_failed",
                };
                return Ok(not(Say::TranscriptionFailed(e), history));
            }
        };
        if heard.is_empty() {
            return Ok(not(Say::HeardNothing, History::Nothing));
        }
        Ok(Heard::Text(heard))
    }
}
