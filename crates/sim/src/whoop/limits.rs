//! WHOOP's per-app rate limits on the data API, as sliding windows (the strictest reading of
//! "100 requests per minute"): a request is refused when `limit` requests were already
//! accepted in the `window` before it. Refused requests do not count.
//!
//! Every answer carries the headers WHOOP documents:
//! `X-RateLimit-Limit: 100, 100;window=60, 10000;window=86400`, `X-RateLimit-Remaining: 98`
//! and `X-RateLimit-Reset: 3` (whole seconds, rounded up, until the binding limit frees a
//! request). The binding limit is the one with the fewest requests left.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::config::{RateLimit, RateLimits};

/// The rate-limit headers of one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QuotaHeaders {
    pub limit: String,
    pub remaining: u32,
    pub reset_secs: u64,
}

/// What the limiter decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decision {
    pub allowed: bool,
    /// `None` when no limits are configured.
    pub headers: Option<QuotaHeaders>,
}

#[derive(Debug)]
pub(crate) struct ServerLimiter {
    limits: RateLimits,
    /// When accepted requests arrived, oldest first.
    accepted: VecDeque<Instant>,
}

fn ceil_secs(duration: Duration) -> u64 {
    let secs = duration.as_secs();
    if duration.subsec_nanos() > 0 {
        secs + 1
    } else {
        secs
    }
}

impl ServerLimiter {
    pub(crate) fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            accepted: VecDeque::new(),
        }
    }

    pub(crate) fn limits(&self) -> RateLimits {
        self.limits
    }

    fn configured(&self) -> impl Iterator<Item = RateLimit> + '_ {
        [self.limits.short, self.limits.daily].into_iter().flatten()
    }

    /// Requests accepted in the window before `now`, and the oldest of them.
    fn in_window(&self, limit: RateLimit, now: Instant) -> (u32, Option<Instant>) {
        let from = now.checked_sub(limit.window);
        let first = match from {
            Some(from) => self.accepted.partition_point(|t| *t <= from),
            None => 0,
        };
        let count = u32::try_from(self.accepted.len() - first).unwrap_or(u32::MAX);
        (count, self.accepted.get(first).copied())
    }

    /// Counts a request arriving at `now`, unless a limit is reached.
    pub(crate) fn check(&mut self, now: Instant) -> Decision {
        let limits: Vec<RateLimit> = self.configured().collect();
        if limits.is_empty() {
            return Decision {
                allowed: true,
                headers: None,
            };
        }
        let longest = limits.iter().map(|l| l.window).max().unwrap_or_default();
        if let Some(from) = now.checked_sub(longest) {
            while self.accepted.front().is_some_and(|t| *t <= from) {
                self.accepted.pop_front();
            }
        }
        let allowed = limits
            .iter()
            .all(|limit| self.in_window(*limit, now).0 < limit.limit);
        if allowed {
            self.accepted.push_back(now);
        }
        // The binding limit: fewest left (the short one on a tie).
        let mut binding: Option<(u32, u64, RateLimit)> = None;
        for limit in &limits {
            let (count, oldest) = self.in_window(*limit, now);
            let remaining = limit.limit.saturating_sub(count);
            let reset = oldest
                .map(|oldest| ceil_secs((oldest + limit.window).saturating_duration_since(now)))
                .unwrap_or(0);
            if binding.is_none_or(|(least, _, _)| remaining < least) {
                binding = Some((remaining, reset, *limit));
            }
        }
        let headers = binding.map(|(remaining, reset_secs, limit)| {
            let windows: Vec<String> = limits
                .iter()
                .map(|l| format!("{};window={}", l.limit, ceil_secs(l.window)))
                .collect();
            QuotaHeaders {
                limit: format!("{}, {}", limit.limit, windows.join(", ")),
                remaining,
                reset_secs,
            }
        });
        Decision { allowed, headers }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_the_request_over_the_limit_until_the_oldest_leaves_the_window() {
        let mut limiter = ServerLimiter::new(RateLimits::per(3, Duration::from_secs(5)));
        let t0 = Instant::now();
        for i in 0..3 {
            let d = limiter.check(t0 + Duration::from_millis(i * 100));
            assert!(d.allowed);
        }
        let refused = limiter.check(t0 + Duration::from_millis(1000));
        assert!(!refused.allowed);
        let headers = refused.headers.unwrap_or(QuotaHeaders {
            limit: String::new(),
            remaining: 9,
            reset_secs: 0,
        });
        assert_eq!(headers.remaining, 0);
        assert_eq!(headers.reset_secs, 4);
        assert_eq!(headers.limit, "3, 3;window=5, 10000;window=86400");
        assert!(limiter.check(t0 + Duration::from_millis(5001)).allowed);
    }
}
