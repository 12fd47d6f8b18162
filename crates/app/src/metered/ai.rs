//! The AI side's decorators: the assistant, the transcriber, the photo reader and the audit of
//! ungrounded texts, each counting its calls (and their latency) by provider and outcome.

use std::sync::Arc;

use async_trait::async_trait;
use wellness_domain::grounding::Finding;
use wellness_domain::ports::{
    AnswerAudit, Assistant, AssistantContext, AssistantError, AssistantText, ContextScope,
    Interpretation, PhotoReader, Transcriber, TranscriptionError,
};
use wellness_domain::{Locale, PhotoReading};

use super::{CALLS, assistant_status, timed};
use crate::metrics::Metrics;

/// An `Assistant` that counts its calls.
pub struct MeteredAssistant {
    /// The real one.
    pub inner: Arc<dyn Assistant>,
    /// "openai" or "offline".
    pub provider: &'static str,
    /// Where counts go.
    pub metrics: Arc<Metrics>,
}

#[async_trait]
impl Assistant for MeteredAssistant {
    fn interpret_reads(&self) -> ContextScope {
        self.inner.interpret_reads()
    }

    fn writes_freely(&self) -> bool {
        self.inner.writes_freely()
    }

    async fn interpret(
        &self,
        text: &str,
        context: &AssistantContext,
    ) -> Result<Interpretation, AssistantError> {
        let r = timed(
            &self.metrics,
            "openai",
            "interpret",
            self.inner.interpret(text, context),
        )
        .await;
        self.metrics.inc(
            CALLS,
            &[
                ("provider", self.provider),
                ("call", "interpret"),
                ("status", assistant_status(&r)),
            ],
        );
        r
    }

    async fn answer(
        &self,
        question: &str,
        context: &AssistantContext,
    ) -> Result<String, AssistantError> {
        let r = timed(
            &self.metrics,
            "openai",
            "answer",
            self.inner.answer(question, context),
        )
        .await;
        self.metrics.inc(
            CALLS,
            &[
                ("provider", self.provider),
                ("call", "answer"),
                ("status", assistant_status(&r)),
            ],
        );
        r
    }
}

/// A `Transcriber` that counts its calls.
pub struct MeteredTranscriber {
    /// The real one.
    pub inner: Arc<dyn Transcriber>,
    /// Where counts go.
    pub metrics: Arc<Metrics>,
}

#[async_trait]
impl Transcriber for MeteredTranscriber {
    async fn transcribe(&self, audio: &[u8], locale: Locale) -> Result<String, TranscriptionError> {
        let r = timed(
            &self.metrics,
            "openai",
            "transcribe",
            self.inner.transcribe(audio, locale),
        )
        .await;
        let status = match &r {
            Ok(_) => "ok",
            Err(TranscriptionError::Unavailable(_)) => "unavailable",
            Err(TranscriptionError::QuotaExceeded) => "quota_exceeded",
            Err(TranscriptionError::Rejected(_)) => "rejected",
        };
        self.metrics.inc(
            CALLS,
            &[
                ("provider", "openai"),
                ("call", "transcribe"),
                ("status", status),
            ],
        );
        r
    }
}

/// Reads photos, counting calls and their latency (`openai`, `read_photo`).
pub struct MeteredPhotoReader {
    /// The real one.
    pub inner: Arc<dyn PhotoReader>,
    /// Where counts go.
    pub metrics: Arc<Metrics>,
}

#[async_trait]
impl PhotoReader for MeteredPhotoReader {
    async fn read_photo(
        &self,
        image: &[u8],
        hint: Option<String>,
        locale: Locale,
    ) -> Result<PhotoReading, AssistantError> {
        let r = timed(
            &self.metrics,
            "openai",
            "read_photo",
            self.inner.read_photo(image, hint, locale),
        )
        .await;
        let status = match &r {
            Ok(_) => "ok",
            Err(AssistantError::Unavailable(_)) => "unavailable",
            Err(AssistantError::QuotaExceeded) => "quota_exceeded",
            Err(AssistantError::Refused(_)) => "refused",
            Err(AssistantError::Malformed(_)) => "malformed",
        };
        self.metrics.inc(
            CALLS,
            &[
                ("provider", "openai"),
                ("call", "read_photo"),
                ("status", status),
            ],
        );
        r
    }
}

/// Counts the assistant's texts withheld as not grounded in the data
/// (`wellness_ai_ungrounded_total`) and logs why; the text itself only at debug level, with
/// every digit masked.
#[derive(Debug)]
pub struct MeteredAudit {
    /// Where counts go.
    pub metrics: Arc<Metrics>,
}

impl AnswerAudit for MeteredAudit {
    fn ungrounded(&self, text: AssistantText, finding: &Finding) {
        self.metrics.inc(
            "wellness_ai_ungrounded_total",
            &[("text", text.code()), ("why", finding.why.code())],
        );
        tracing::info!(
            text = text.code(),
            why = %finding.why,
            "the assistant's text was not grounded in the data: the rules answered instead"
        );
        tracing::debug!(text = text.code(), masked = %finding.masked, "the withheld text");
    }
}
