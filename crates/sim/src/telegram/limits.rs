//! Flood limits: Telegram answers 429 "Too Many Requests: retry after N" when a bot sends more
//! than about one message per second to one chat or about 30 per second overall.
//!
//! Counted methods (each successful call is one message): `sendMessage`, `sendDocument`,
//! `sendPhoto` and `editMessageText` (Telegram throttles edits like sends). Chat actions,
//! callback answers and reads are not counted. A call refused with 429 is not counted either.
//! The windows slide: a chat may send again `per` after the oldest message inside the window.
//! The counters are the simulator's, shared by every caller (every instance of a bot talks to
//! one simulator), and it remembers the most messages attempted within any one second
//! (refused ones included), whether or not limits are on.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// At most `max_messages` within any window of length `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max_messages: u32,
    pub per: Duration,
}

impl RateLimit {
    /// `max_messages` per `per`.
    pub const fn new(max_messages: u32, per: Duration) -> Self {
        Self { max_messages, per }
    }
}

/// The simulator's flood limits; `None` disables a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Per chat; Telegram's guideline is 1 message per second.
    pub per_chat: Option<RateLimit>,
    /// Over all chats; Telegram's guideline is 30 messages per second.
    pub global: Option<RateLimit>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            per_chat: Some(RateLimit::new(1, Duration::from_secs(1))),
            global: Some(RateLimit::new(30, Duration::from_secs(1))),
        }
    }
}

impl RateLimits {
    /// No flood limits at all.
    pub const fn disabled() -> Self {
        Self {
            per_chat: None,
            global: None,
        }
    }
}

/// Sliding-window counters for [`RateLimits`].
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    per_chat: HashMap<i64, VecDeque<Instant>>,
    global: VecDeque<Instant>,
    /// Attempts within the last second.
    last_second: VecDeque<Instant>,
    /// The most attempts within any one second (a sliding window).
    peak_per_second: u32,
}

/// The window of [`RateLimiter::peak_per_second`].
const SECOND: Duration = Duration::from_secs(1);

/// Seconds until a window has room again, rounded up and at least 1, as Telegram reports it.
fn wait_for_room(window: &mut VecDeque<Instant>, limit: RateLimit, now: Instant) -> Option<u32> {
    while window
        .front()
        .is_some_and(|&sent| now.duration_since(sent) >= limit.per)
    {
        window.pop_front();
    }
    if window.len() < limit.max_messages as usize {
        return None;
    }
    // With max_messages == 0 nothing ever gets through; report the whole window.
    let oldest = window.front().copied().unwrap_or(now);
    let wait = (oldest + limit.per).saturating_duration_since(now);
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    Some(u32::try_from(seconds.max(1)).unwrap_or(u32::MAX))
}

impl RateLimiter {
    /// Counts one attempted message (admitted or not) towards the peak.
    pub(crate) fn attempted(&mut self, now: Instant) {
        while self
            .last_second
            .front()
            .is_some_and(|&at| now.duration_since(at) >= SECOND)
        {
            self.last_second.pop_front();
        }
        self.last_second.push_back(now);
        let count = u32::try_from(self.last_second.len()).unwrap_or(u32::MAX);
        self.peak_per_second = self.peak_per_second.max(count);
    }

    /// The most messages attempted within any one second so far.
    pub(crate) fn peak_per_second(&self) -> u32 {
        self.peak_per_second
    }

    /// Forgets the peak (the counters stay).
    pub(crate) fn reset_peak(&mut self) {
        self.last_second.clear();
        self.peak_per_second = 0;
    }

    /// Counts one message to `chat_id`, or tells how many seconds the bot must wait.
    pub(crate) fn admit(
        &mut self,
        limits: &RateLimits,
        chat_id: i64,
        now: Instant,
    ) -> Result<(), u32> {
        let chat_window = self.per_chat.entry(chat_id).or_default();
        let chat_wait = limits
            .per_chat
            .and_then(|limit| wait_for_room(chat_window, limit, now));
        let global_wait = limits
            .global
            .and_then(|limit| wait_for_room(&mut self.global, limit, now));
        match chat_wait.max(global_wait) {
            Some(retry_after) => Err(retry_after),
            None => {
                if limits.per_chat.is_some() {
                    chat_window.push_back(now);
                }
                if limits.global.is_some() {
                    self.global.push_back(now);
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_message_within_the_window_waits_until_the_window_slides() {
        let limits = RateLimits {
            per_chat: Some(RateLimit::new(1, Duration::from_millis(1500))),
            global: None,
        };
        let mut limiter = RateLimiter::default();
        let start = Instant::now();
        assert_eq!(limiter.admit(&limits, 1, start), Ok(()));
        assert_eq!(limiter.admit(&limits, 1, start), Err(2));
        assert_eq!(limiter.admit(&limits, 2, start), Ok(()));
        assert_eq!(
            limiter.admit(&limits, 1, start + Duration::from_millis(1500)),
            Ok(())
        );
    }

    #[test]
    fn the_peak_is_the_most_attempts_within_any_one_second() {
        let mut limiter = RateLimiter::default();
        let start = Instant::now();
        let ms = Duration::from_millis;
        for at in [0, 100, 900, 1000, 1050, 1899, 3500] {
            limiter.attempted(start + ms(at));
        }
        // 900, 1000, 1050 and 1899 lie within one second; 0..=900 is three.
        assert_eq!(limiter.peak_per_second(), 4);
        limiter.reset_peak();
        limiter.attempted(start + ms(4000));
        assert_eq!(limiter.peak_per_second(), 1);
    }

    #[test]
    fn global_limit_applies_across_chats() {
        let limits = RateLimits {
            per_chat: None,
            global: Some(RateLimit::new(2, Duration::from_secs(1))),
        };
        let mut limiter = RateLimiter::default();
        let now = Instant::now();
        assert!(limiter.admit(&limits, 1, now).is_ok());
        assert!(limiter.admit(&limits, 2, now).is_ok());
        assert_eq!(limiter.admit(&limits, 3, now), Err(1));
    }
}
