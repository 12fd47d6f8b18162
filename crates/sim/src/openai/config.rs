//! Settings of a simulated OpenAI API.

/// Settings of an [`super::OpenAiSim`].
#[derive(Clone, PartialEq, Eq)]
pub struct OpenAiSimConfig {
    /// The one API key accepted (`Authorization: Bearer <key>`).
    pub api_key: String,
    /// The organization named in rate-limit messages.
    pub organization: String,
    /// What an English (or unspecified) audio without a registered transcript says.
    pub default_transcript_en: String,
    /// What a Ukrainian (`language=uk`) audio without a registered transcript says.
    pub default_transcript_uk: String,
    /// Largest audio file accepted (OpenAI: 25 MB).
    pub max_audio_bytes: usize,
    /// Largest JSON request body accepted.
    pub max_json_bytes: usize,
    /// When set, the control surface (`/__sim/…`) requires it in the `x-sim-control-token`
    /// header (the sandbox sets a random one per process); `None` leaves it open, as tests use it.
    pub control_token: Option<String>,
}

impl std::fmt::Debug for OpenAiSimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A test key, but shown as little as a real one would be.
        f.debug_struct("OpenAiSimConfig")
            .field("organization", &self.organization)
            .field("max_audio_bytes", &self.max_audio_bytes)
            .finish_non_exhaustive()
    }
}

impl Default for OpenAiSimConfig {
    fn default() -> Self {
        Self {
            api_key: "sk-sim-0123456789abcdefghijklmnopqrstuvwxyzABCD".to_owned(),
            organization: "org-wellness-sim".to_owned(),
            default_transcript_en: "I had 2 eggs and a banana for breakfast".to_owned(),
            default_transcript_uk: "На сніданок 2 яйця і 200 г гречки".to_owned(),
            max_audio_bytes: 25 * 1024 * 1024,
            max_json_bytes: 4 * 1024 * 1024,
            control_token: None,
        }
    }
}

impl OpenAiSimConfig {
    /// Accepts `api_key` instead of the default.
    pub fn with_api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = api_key.into();
        self
    }

    /// Sets what audio without a registered transcript says, in English and Ukrainian.
    pub fn with_default_transcripts(
        mut self,
        english: impl Into<String>,
        ukrainian: impl Into<String>,
    ) -> Self {
        self.default_transcript_en = english.into();
        self.default_transcript_uk = ukrainian.into();
        self
    }
}
