use serde::{Deserialize, Serialize};

/// The messages the bot sends on its own, at most once per user, kind and local date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// The morning briefing.
    MorningBriefing,
    /// The evening summary.
    EveningSummary,
}

impl NotificationKind {
    /// The storage code.
    pub fn code(self) -> &'static str {
        match self {
            NotificationKind::MorningBriefing => "morning_briefing",
            NotificationKind::EveningSummary => "evening_summary",
        }
    }

    /// Parses the storage code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "morning_briefing" => Some(NotificationKind::MorningBriefing),
            "evening_summary" => Some(NotificationKind::EveningSummary),
            _ => None,
        }
    }
}

/// A briefing due for a user: which, and the user's local day it belongs to. Queued once (its
/// claim and its durable task together), then delivered by whichever instance claims the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DueBriefing {
    /// Whose.
    pub user: crate::model::UserId,
    /// Which.
    pub kind: NotificationKind,
    /// The user's local day.
    pub day: crate::model::LocalDate,
}
