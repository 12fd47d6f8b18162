//! A request budget: keeps our calls under a provider's per-app rate limits (WHOOP: 100 a
//! minute and 10,000 a day) so the provider does not have to answer 429.
//!
//! Every request first [`acquire`](RequestBudget::acquire)s a permit and holds it until the
//! answer is in; every answer's quota headers go to [`observe`](RequestBudget::observe). The
//! limits are per *app*, so every process using one client id must share one budget: the
//! PostgreSQL adapter does; the WHOOP adapter's in-process budget covers one process.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use thiserror::Error;

/// What the provider said about the app's quota (WHOOP: `X-RateLimit-Remaining` and
/// `X-RateLimit-Reset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServerQuota {
    /// Requests left in the binding window.
    pub remaining: Option<u32>,
    /// Until the binding window frees a request.
    pub reset: Option<Duration>,
}

/// The budget cannot allow a request within the time the caller is willing to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("the request budget is spent: retry in {retry_after:?}")]
pub struct BudgetExhausted {
    /// When a request will be allowed (at the earliest).
    pub retry_after: Duration,
}

/// Permission to send one request. Hold it until the answer has arrived, then drop it: an
/// implementation may count the request from that moment (the server counted it somewhere
/// between sending and answering, so counting from the end can never undercount).
pub struct BudgetPermit {
    on_release: Option<Box<dyn FnOnce() + Send>>,
}

impl fmt::Debug for BudgetPermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BudgetPermit").finish_non_exhaustive()
    }
}

impl BudgetPermit {
    /// A permit with nothing to do on release.
    pub fn unconditional() -> Self {
        Self { on_release: None }
    }

    /// A permit that runs `release` when dropped.
    pub fn with_release(release: impl FnOnce() + Send + 'static) -> Self {
        Self {
            on_release: Some(Box::new(release)),
        }
    }
}

impl Drop for BudgetPermit {
    fn drop(&mut self) {
        if let Some(release) = self.on_release.take() {
            release();
        }
    }
}

/// A client-side limiter for a provider's per-app rate limits.
#[async_trait]
pub trait RequestBudget: Send + Sync + fmt::Debug {
    /// Waits until one more request may be sent, up to `max_wait`; fails at once when it is
    /// clear that the wait would be longer.
    async fn acquire(&self, max_wait: Duration) -> Result<BudgetPermit, BudgetExhausted>;

    /// Takes in what the server said; with 0 remaining, requests pause until the reset.
    fn observe(&self, quota: &ServerQuota);
}

/// No limit at all (for tests of other things, and benchmarks with the limit lifted).
#[derive(Debug, Clone, Copy, Default)]
pub struct Unlimited;

#[async_trait]
impl RequestBudget for Unlimited {
    async fn acquire(&self, _max_wait: Duration) -> Result<BudgetPermit, BudgetExhausted> {
        Ok(BudgetPermit::unconditional())
    }

    fn observe(&self, _quota: &ServerQuota) {}
}

/// The limits of a budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// At most this many requests in any `window` (counted from when each answer arrived).
    pub per_window: u32,
    /// The sliding window.
    pub window: Duration,
    /// At most this many requests per 24 hours (counted from when each was sent).
    pub per_day: u32,
}

impl RateLimits {
    /// WHOOP's default per-app limits: 100 a minute, 10,000 a day.
    pub const WHOOP: RateLimits = RateLimits {
        per_window: 100,
        window: Duration::from_secs(60),
        per_day: 10_000,
    };
}
