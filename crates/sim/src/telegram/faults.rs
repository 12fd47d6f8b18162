//! Scripted failures of the Bot API, for fault drills: the next calls answer a 5xx, a body that
//! is not JSON, or nothing for a while. Telegram itself has such hours; a bot must live through
//! them without losing or doubling replies.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What goes wrong. None of these carries the call out: nothing is sent or recorded.
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
}

impl Fault {
    /// `Hang` for `duration`.
    pub fn hang(duration: Duration) -> Self {
        Fault::Hang {
            millis: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

/// A fault for the next `times` calls, optionally of one method only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    /// What goes wrong.
    pub fault: Fault,
    /// Only calls of this method (`sendMessage`; compared without case, as Telegram does);
    /// every method when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// How many calls it hits.
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

impl FaultRule {
    /// `fault` for the next call of any method.
    pub fn next(fault: Fault) -> Self {
        Self {
            fault,
            method: None,
            times: 1,
        }
    }

    /// Only calls of `method`.
    pub fn for_method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// For the next `times` matching calls.
    pub fn times(mut self, times: u32) -> Self {
        self.times = times;
        self
    }

    fn matches(&self, method: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
    }
}

/// Rules still to apply, first match wins, and how many calls they hit.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    rules: Vec<FaultRule>,
    served: u64,
}

impl Faults {
    pub(crate) fn add(&mut self, rule: FaultRule) {
        if rule.times > 0 {
            self.rules.push(rule);
        }
    }

    /// The fault for a call of `method`, using up one of its `times`.
    pub(crate) fn take(&mut self, method: &str) -> Option<Fault> {
        let index = self.rules.iter().position(|r| r.matches(method))?;
        let rule = &mut self.rules[index];
        let fault = rule.fault;
        rule.times -= 1;
        if rule.times == 0 {
            self.rules.remove(index);
        }
        self.served += 1;
        Some(fault)
    }

    pub(crate) fn served(&self) -> u64 {
        self.served
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_hits_only_its_method_and_only_so_many_times() {
        let mut faults = Faults::default();
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
    }
}
