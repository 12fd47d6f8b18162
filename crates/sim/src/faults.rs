//! Scripted failures, shared by the simulators: a rule says what goes wrong (each simulator has
//! its own `Fault` kinds), for which method, and how many times; the first armed rule that
//! matches a call is used up by one.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::Bytes;
use serde::{Deserialize, Serialize};

/// A body that promises bytes and fails instead: the server closes the connection mid-answer.
pub(crate) struct DroppedBody;

impl MessageBody for DroppedBody {
    type Error = std::io::Error;

    fn size(&self) -> BodySize {
        BodySize::Sized(512)
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection dropped by the simulator",
        ))))
    }
}

/// A fault for the next `times` calls, optionally of one method only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule<F> {
    /// What goes wrong.
    pub fault: F,
    /// Only calls of this method; every call when absent. How names compare is the
    /// simulator's (Telegram ignores case, FatSecret does not).
    #[serde(default)]
    pub method: Option<String>,
    /// How many calls it hits.
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

impl<F> FaultRule<F> {
    /// `fault` for the next call of any method.
    pub fn next(fault: F) -> Self {
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
}

/// Rules still to apply, first match wins, and how many calls they hit.
#[derive(Debug)]
pub(crate) struct Faults<F> {
    rules: Vec<FaultRule<F>>,
    served: u64,
    ignore_case: bool,
}

impl<F> Default for Faults<F> {
    /// Method names compared exactly.
    fn default() -> Self {
        Self {
            rules: Vec::new(),
            served: 0,
            ignore_case: false,
        }
    }
}

impl<F: Clone> Faults<F> {
    /// Method names compared without case (as Telegram does).
    pub(crate) fn ignoring_case() -> Self {
        Self {
            ignore_case: true,
            ..Self::default()
        }
    }

    /// Arms `rule` (a rule for no calls is dropped).
    pub(crate) fn add(&mut self, rule: FaultRule<F>) {
        if rule.times > 0 {
            self.rules.push(rule);
        }
    }

    /// Disarms every rule.
    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    /// The rules still armed.
    pub(crate) fn rules(&self) -> &[FaultRule<F>] {
        &self.rules
    }

    /// The fault for a call of `method`, using up one of its `times`.
    pub(crate) fn take(&mut self, method: &str) -> Option<F> {
        let ignore_case = self.ignore_case;
        let index = self.rules.iter().position(|r| {
            r.method.as_deref().is_none_or(|m| {
                if ignore_case {
                    m.eq_ignore_ascii_case(method)
                } else {
                    m == method
                }
            })
        })?;
        let rule = &mut self.rules[index];
        let fault = rule.fault.clone();
        rule.times -= 1;
        if rule.times == 0 {
            self.rules.remove(index);
        }
        self.served += 1;
        Some(fault)
    }

    /// Calls answered with a fault so far.
    pub(crate) fn served(&self) -> u64 {
        self.served
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_hits_only_its_method_and_only_so_many_times() {
        let mut faults = Faults::ignoring_case();
        faults.add(FaultRule::next(502).for_method("sendMessage").times(2));
        faults.add(FaultRule::next(0));
        assert_eq!(faults.take("getMe"), Some(0));
        assert_eq!(faults.take("getMe"), None);
        assert_eq!(faults.take("sendmessage"), Some(502));
        assert_eq!(faults.take("sendMessage"), Some(502));
        assert_eq!(faults.take("sendMessage"), None);
        assert_eq!(faults.served(), 3);
    }

    #[test]
    fn by_default_method_names_compare_exactly_and_empty_rules_are_dropped() {
        let mut faults = Faults::default();
        faults.add(FaultRule::next(1).for_method("food_entry.create"));
        faults.add(FaultRule::next(2).times(0));
        assert_eq!(faults.rules().len(), 1);
        assert_eq!(faults.take("FOOD_ENTRY.CREATE"), None);
        assert_eq!(faults.take("food_entry.create"), Some(1));
        faults.add(FaultRule::next(3));
        faults.clear();
        assert_eq!(faults.take("food_entry.create"), None);
    }
}
