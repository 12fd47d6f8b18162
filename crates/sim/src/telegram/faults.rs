//! Scripted failures of the Bot API, for fault drills: the next calls answer a 5xx, a body that
//! is not JSON, or nothing for a while, or are carried out with their answer lost. Telegram
//! itself has such hours; a bot must live through them without losing or doubling replies.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What goes wrong. All but [`Fault::AnswerLost`] fail instead of the call: nothing is sent or
/// recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Answer this HTTP status (5xx) with Telegram's error envelope.
    Status {
        /// The status, also the `error_code`.
        status: u16,
    },
    /// Answer 200 with a body that is not JSON (a proxy's page cut short).
    Garbage,
    /// Hold the connection this long, then answer 504 (a client with a shorter timeout sees a
    /// timeout).
    Hang {
        /// How long, in milliseconds.
        millis: u64,
    },
    /// Carry the call out (a message is sent and recorded), then drop the connection before
    /// the answer: only the status line gets through. The client cannot tell it from a call
    /// that failed.
    AnswerLost,
}

impl Fault {
    /// `Hang` for `duration`.
    pub fn hang(duration: Duration) -> Self {
        Fault::Hang {
            millis: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

/// A fault for the next `times` calls, optionally of one method only (`sendMessage`; compared
/// without case, as Telegram does).
pub type FaultRule = crate::faults::FaultRule<Fault>;

/// The rules armed in a simulator.
pub(crate) type Faults = crate::faults::Faults<Fault>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_hits_only_its_method_and_only_so_many_times() {
        let mut faults = Faults::ignoring_case();
        faults.add(
            FaultRule::next(Fault::Status { status: 502 })
                .for_method("sendMessage")
                .times(2),
        );
        faults.add(FaultRule::next(Fault::Garbage));
        assert_eq!(faults.take("getMe"), Some(Fault::Garbage));
        assert_eq!(faults.take("getMe"), None);
        assert_eq!(
            faults.take("sendmessage"),
            Some(Fault::Status { status: 502 })
        );
        assert_eq!(
            faults.take("sendMessage"),
            Some(Fault::Status { status: 502 })
        );
        assert_eq!(faults.take("sendMessage"), None);
        assert_eq!(faults.served(), 3);
    }

    #[test]
    fn rules_read_from_the_control_api_json() {
        let rule: FaultRule = serde_json::from_str(
            r#"{"fault":{"kind":"hang","millis":1500},"method":"sendMessage","times":3}"#,
        )
        .unwrap();
        assert_eq!(rule.fault, Fault::hang(Duration::from_millis(1500)));
        assert_eq!(rule.times, 3);
        let garbage: FaultRule = serde_json::from_str(r#"{"fault":{"kind":"garbage"}}"#).unwrap();
        assert_eq!(garbage.times, 1);
        assert_eq!(garbage.method, None);
        let lost: FaultRule = serde_json::from_str(r#"{"fault":{"kind":"answer_lost"}}"#).unwrap();
        assert_eq!(lost.fault, Fault::AnswerLost);
    }
}
