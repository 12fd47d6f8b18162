//! The in-process request budget, and reading WHOOP's quota headers.
//!
//! The [`RequestBudget`] port lives in the domain; [`InProcessBudget`] keeps one process under
//! WHOOP's limits, the PostgreSQL adapter's shared budget keeps every process together under
//! them (the limits are per app).

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::HeaderMap;
use tokio::sync::Semaphore;
use tokio::time::{Instant, sleep_until, timeout_at};
pub use wellness_domain::ports::{
    BudgetExhausted, BudgetPermit, RateLimits, RequestBudget, ServerQuota, Unlimited,
};

/// Reads WHOOP's `X-RateLimit-Remaining` and `X-RateLimit-Reset` (missing or malformed headers
/// give `None`s).
pub fn quota_from_headers(headers: &HeaderMap) -> ServerQuota {
    let number = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    ServerQuota {
        remaining: number("x-ratelimit-remaining").map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
        reset: number("x-ratelimit-reset").map(Duration::from_secs),
    }
}

/// A day, for the daily limit.
const DAY: Duration = Duration::from_secs(86_400);

/// The budget of one process: a sliding window of `per_window` requests per `window`, counted
/// from when each answer arrived, plus `per_day` requests per 24 hours counted from when each
/// was sent; and a pause whenever the server says nothing is left.
///
/// The window is a FIFO semaphore of `per_window` permits; a permit returns to it `window`
/// after its request finished. Cheap to share in an `Arc`.
pub struct InProcessBudget {
    window: Duration,
    per_window: u32,
    per_day: u32,
    slots: Arc<Semaphore>,
    /// When the requests of the last 24 hours were allowed, oldest first.
    day: Mutex<VecDeque<Instant>>,
    /// The server said 0 remaining: nothing goes out before this.
    paused_until: Mutex<Option<Instant>>,
}

impl fmt::Debug for InProcessBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InProcessBudget")
            .field("per_window", &self.per_window)
            .field("window", &self.window)
            .field("per_day", &self.per_day)
            .field("free_now", &self.slots.available_permits())
            .finish()
    }
}

impl Default for InProcessBudget {
    /// WHOOP's default limits: 100 per 60 s and 10,000 per day.
    fn default() -> Self {
        Self::new(100, Duration::from_secs(60), 10_000)
    }
}

impl InProcessBudget {
    /// A budget of these limits.
    pub fn with_limits(limits: RateLimits) -> Self {
        Self::new(limits.per_window, limits.window, limits.per_day)
    }

    /// At most `per_window` requests in any `window` (at least 1) and `per_day` per 24 hours.
    pub fn new(per_window: u32, window: Duration, per_day: u32) -> Self {
        let per_window = per_window.max(1);
        let permits = usize::try_from(per_window)
            .unwrap_or(usize::MAX)
            .min(Semaphore::MAX_PERMITS);
        Self {
            window,
            per_window,
            per_day: per_day.max(1),
            slots: Arc::new(Semaphore::new(permits)),
            day: Mutex::new(VecDeque::new()),
            paused_until: Mutex::new(None),
        }
    }

    /// Counts a request against the day, unless the day is spent: then when it frees one.
    fn take_from_day(&self, now: Instant) -> Result<(), Duration> {
        let mut day = self.day.lock().unwrap_or_else(PoisonError::into_inner);
        while day.front().is_some_and(|t| *t + DAY <= now) {
            day.pop_front();
        }
        if day.len() < usize::try_from(self.per_day).unwrap_or(usize::MAX) {
            day.push_back(now);
            Ok(())
        } else {
            Err(day
                .front()
                .map_or(DAY, |oldest| (*oldest + DAY).saturating_duration_since(now)))
        }
    }

    fn paused_until(&self) -> Option<Instant> {
        *self
            .paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl RequestBudget for InProcessBudget {
    async fn acquire(&self, max_wait: Duration) -> Result<BudgetPermit, BudgetExhausted> {
        let start = Instant::now();
        let deadline = start + max_wait;
        let exhausted = |until: Instant| BudgetExhausted {
            retry_after: until.saturating_duration_since(Instant::now()),
        };
        if let Some(until) = self.paused_until().filter(|until| *until > deadline) {
            return Err(exhausted(until));
        }
        let slot = match timeout_at(deadline, Arc::clone(&self.slots).acquire_owned()).await {
            Ok(Ok(slot)) => slot,
            // Closed never happens (we never close it); treat it like a full window.
            Ok(Err(_)) | Err(_) => {
                return Err(BudgetExhausted {
                    retry_after: self.window,
                });
            }
        };
        // A pause that began while we queued.
        if let Some(until) = self.paused_until().filter(|until| *until > Instant::now()) {
            if until > deadline {
                return Err(exhausted(until));
            }
            sleep_until(until).await;
        }
        if let Err(wait) = self.take_from_day(Instant::now()) {
            // The slot goes back at once: nothing was sent.
            return Err(BudgetExhausted { retry_after: wait });
        }
        let window = self.window;
        Ok(BudgetPermit::with_release(move || {
            // The slot is free again a full window after the answer arrived.
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(async move {
                        tokio::time::sleep(window).await;
                        drop(slot);
                    });
                }
                Err(_) => drop(slot),
            }
        }))
    }

    fn observe(&self, quota: &ServerQuota) {
        if quota.remaining != Some(0) {
            return;
        }
        let Some(reset) = quota.reset else {
            return;
        };
        let until = Instant::now() + reset;
        let mut paused = self
            .paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if paused.is_none_or(|current| current < until) {
            *paused = Some(until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: Duration = Duration::from_secs(3600);

    #[tokio::test(start_paused = true)]
    async fn the_request_over_the_window_waits_until_a_window_after_the_first_finished() {
        let budget = InProcessBudget::new(2, Duration::from_secs(5), 100);
        let start = Instant::now();
        let first = budget.acquire(LONG).await;
        let second = budget.acquire(LONG).await;
        assert!(first.is_ok() && second.is_ok());
        tokio::time::sleep(Duration::from_secs(1)).await;
        drop(first); // answered at t = 1 s
        drop(second);
        let third = budget.acquire(LONG).await;
        assert!(third.is_ok());
        assert_eq!(start.elapsed(), Duration::from_secs(6));
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_longer_than_allowed_fails_with_retry_after() {
        let budget = InProcessBudget::new(1, Duration::from_secs(60), 100);
        let held = budget.acquire(LONG).await;
        assert!(held.is_ok());
        drop(held);
        let refused = budget.acquire(Duration::from_secs(5)).await;
        assert_eq!(
            refused.map(|_| ()),
            Err(BudgetExhausted {
                retry_after: Duration::from_secs(60)
            })
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_daily_limit_refuses_with_the_time_until_the_oldest_leaves_the_day() {
        let budget = InProcessBudget::new(100, Duration::from_secs(1), 2);
        assert!(budget.acquire(LONG).await.is_ok());
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert!(budget.acquire(LONG).await.is_ok());
        let refused = budget.acquire(LONG).await;
        assert_eq!(
            refused.map(|_| ()),
            Err(BudgetExhausted {
                retry_after: DAY - Duration::from_secs(10)
            })
        );
    }

    #[tokio::test(start_paused = true)]
    async fn zero_remaining_pauses_everything_until_the_reset() {
        let budget = InProcessBudget::default();
        let start = Instant::now();
        budget.observe(&ServerQuota {
            remaining: Some(3),
            reset: Some(Duration::from_secs(9)),
        });
        assert!(budget.acquire(LONG).await.is_ok());
        assert_eq!(start.elapsed(), Duration::ZERO);
        budget.observe(&ServerQuota {
            remaining: Some(0),
            reset: Some(Duration::from_secs(4)),
        });
        assert!(budget.acquire(Duration::from_secs(1)).await.is_err());
        assert!(budget.acquire(LONG).await.is_ok());
        assert_eq!(start.elapsed(), Duration::from_secs(4));
    }

    #[test]
    fn reads_whoops_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "X-RateLimit-Remaining",
            reqwest::header::HeaderValue::from_static("0"),
        );
        headers.insert(
            "X-RateLimit-Reset",
            reqwest::header::HeaderValue::from_static("3"),
        );
        headers.insert(
            "X-RateLimit-Limit",
            reqwest::header::HeaderValue::from_static("100, 100;window=60, 10000;window=86400"),
        );
        assert_eq!(
            quota_from_headers(&headers),
            ServerQuota {
                remaining: Some(0),
                reset: Some(Duration::from_secs(3))
            }
        );
        assert_eq!(
            quota_from_headers(&HeaderMap::new()),
            ServerQuota::default()
        );
    }
}
