//! What operators must see and users need not: a model's reply withheld because it was not
//! grounded in the user's data.

use crate::grounding::Finding;

/// Which of the assistant's texts failed the grounding check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssistantText {
    /// An answer to a question about the user's data.
    Answer,
    /// The free reply to a message that is not food, a goal or a question.
    Reply,
}

impl AssistantText {
    /// A label for metrics.
    pub fn code(self) -> &'static str {
        match self {
            AssistantText::Answer => "answer",
            AssistantText::Reply => "reply",
        }
    }
}

/// Told of every reply withheld (the app counts them in `wellness_ai_ungrounded_total` and
/// logs the masked text at debug level).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AnswerAudit: Send + Sync {
    /// A text of the assistant was not sent as written, for this reason.
    fn ungrounded(&self, text: AssistantText, finding: &Finding);
}
