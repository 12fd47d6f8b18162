//! The read limit, kept by this process: at most `per_window` reads in any `window`.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

#[derive(Debug)]
pub(crate) struct ReadLimit {
    per_window: usize,
    window: Duration,
    max_wait: Duration,
    sent: Mutex<VecDeque<Instant>>,
}

impl ReadLimit {
    pub(crate) fn new(per_window: usize, window: Duration, max_wait: Duration) -> Self {
        Self {
            per_window: per_window.max(1),
            window,
            max_wait,
            sent: Mutex::new(VecDeque::new()),
        }
    }

    /// Takes a place in the window, waiting for one when it is full; `Err` when the wait would
    /// be longer than `max_wait`. Waiters queue on the lock, first come first served.
    pub(crate) async fn acquire(&self) -> Result<(), ()> {
        let mut sent = self.sent.lock().await;
        let now = Instant::now();
        while sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            sent.pop_front();
        }
        if sent.len() >= self.per_window {
            let free_at = sent.front().map_or(now, |t| *t + self.window);
            if free_at.duration_since(now) > self.max_wait {
                return Err(());
            }
            tokio::time::sleep_until(free_at).await;
            sent.pop_front();
        }
        sent.push_back(Instant::now());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn reads_wait_for_room_in_the_window() {
        let limit = ReadLimit::new(2, Duration::from_secs(60), Duration::from_secs(61));
        let start = Instant::now();
        assert!(limit.acquire().await.is_ok());
        assert!(limit.acquire().await.is_ok());
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert!(limit.acquire().await.is_ok());
        assert_eq!(start.elapsed(), Duration::from_secs(60));
        let strict = ReadLimit::new(1, Duration::from_secs(60), Duration::from_secs(5));
        assert!(strict.acquire().await.is_ok());
        assert_eq!(strict.acquire().await, Err(()));
    }
}
