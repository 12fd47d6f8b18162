//! Keeps the bot under Telegram's flood limits so it is not answered with 429 in the first place.
//!
//! Two limits, as in Telegram's guidance: about one message per second per chat and about 30
//! per second overall. Both are measured from the moment a send *finished*, not when it
//! started: Telegram counts a message when it processes it, which is somewhere between the two,
//! so counting from the end keeps us under the limit however long the request took.
//!
//! - Per chat: a FIFO lock per chat (one send at a time), then a wait until `per_chat_interval`
//!   after the previous send to that chat finished.
//! - Overall: a FIFO semaphore of `global_per_sec` permits; a permit comes back one second after
//!   its send finished (a sliding window).
//!
//! Idle chats are forgotten, so memory follows the number of recently active chats.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, sleep_until};
use wellness_domain::model::ChatId;

/// The window of the overall limit.
const GLOBAL_WINDOW: Duration = Duration::from_secs(1);

/// Below this many tracked chats, idle ones are not swept.
const MIN_SWEEP_THRESHOLD: usize = 256;

/// Idle chats are swept at least this often (when more than the minimum are tracked).
const SWEEP_PERIOD: Duration = Duration::from_secs(10);

/// When a chat may receive its next message.
type ChatSlot = Arc<AsyncMutex<Instant>>;

#[derive(Debug)]
struct Chats {
    slots: HashMap<ChatId, ChatSlot>,
    /// Sweep idle chats when this many are tracked...
    sweep_at: usize,
    /// ...or when this time has come.
    sweep_after: Instant,
}

/// Paces outgoing messages: at most `global_per_sec` per second overall and one per
/// `per_chat_interval` per chat. Share one (in an `Arc`) between everything that sends.
pub struct OutboundLimiter {
    global: Arc<Semaphore>,
    global_per_sec: usize,
    per_chat_interval: Duration,
    chats: Mutex<Chats>,
}

impl fmt::Debug for OutboundLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboundLimiter")
            .field("global_per_sec", &self.global_per_sec)
            .field("per_chat_interval", &self.per_chat_interval)
            .field("tracked_chats", &self.tracked_chats())
            .finish()
    }
}

impl Default for OutboundLimiter {
    /// Telegram's guideline: 30 messages per second, one per second per chat.
    fn default() -> Self {
        Self::new(30, Duration::from_secs(1))
    }
}

impl OutboundLimiter {
    /// At most `global_per_sec` messages per second overall (at least 1) and one per
    /// `per_chat_interval` to any one chat.
    pub fn new(global_per_sec: u32, per_chat_interval: Duration) -> Self {
        let global_per_sec = usize::try_from(global_per_sec.max(1))
            .unwrap_or(usize::MAX)
            .min(Semaphore::MAX_PERMITS);
        Self {
            global: Arc::new(Semaphore::new(global_per_sec)),
            global_per_sec,
            per_chat_interval,
            chats: Mutex::new(Chats {
                slots: HashMap::new(),
                sweep_at: MIN_SWEEP_THRESHOLD,
                sweep_after: Instant::now() + SWEEP_PERIOD,
            }),
        }
    }

    /// Waits until a message may be sent to `chat`; hold the permit until the send has finished
    /// (successfully or not). Never fails; waiters are served in order, per chat and overall.
    pub async fn acquire(&self, chat: ChatId) -> SendPermit {
        let slot = self.slot(chat);
        let not_before = slot.lock_owned().await;
        sleep_until(*not_before).await;
        let global = Arc::clone(&self.global).acquire_owned().await.ok();
        SendPermit {
            kind: PermitKind::Local(LocalPermit {
                chat: not_before,
                global,
                per_chat_interval: self.per_chat_interval,
                deferred_until: None,
            }),
        }
    }

    /// How many chats are remembered now (for metrics and tests).
    pub fn tracked_chats(&self) -> usize {
        self.lock_chats().slots.len()
    }

    fn lock_chats(&self) -> std::sync::MutexGuard<'_, Chats> {
        self.chats.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn slot(&self, chat: ChatId) -> ChatSlot {
        let mut chats = self.lock_chats();
        let now = Instant::now();
        let tracked = chats.slots.len();
        if tracked >= chats.sweep_at || (tracked > MIN_SWEEP_THRESHOLD && now >= chats.sweep_after)
        {
            // A chat is idle when nobody holds or waits for it and its pause is over.
            chats.slots.retain(|_, slot| {
                Arc::strong_count(slot) > 1
                    || slot.try_lock().map_or(true, |not_before| *not_before > now)
            });
            chats.sweep_at = (chats.slots.len() * 2).max(MIN_SWEEP_THRESHOLD);
            chats.sweep_after = now + SWEEP_PERIOD;
        }
        Arc::clone(
            chats
                .slots
                .entry(chat)
                .or_insert_with(|| Arc::new(AsyncMutex::new(Instant::now()))),
        )
    }
}

/// The right to send one message; dropping it records when the send finished.
#[derive(Debug)]
pub struct SendPermit {
    kind: PermitKind,
}

#[derive(Debug)]
enum PermitKind {
    Local(LocalPermit),
    Shared(crate::flood::SharedPermit),
}

impl SendPermit {
    pub(crate) fn shared(permit: crate::flood::SharedPermit) -> Self {
        Self {
            kind: PermitKind::Shared(permit),
        }
    }

    /// Telegram asked to wait `pause` (a 429): later sends to this chat wait at least that long.
    pub fn defer(&mut self, pause: Duration) {
        match &mut self.kind {
            PermitKind::Local(local) => local.deferred_until = Some(Instant::now() + pause),
            PermitKind::Shared(shared) => shared.defer(pause),
        }
    }
}

/// A permit of this process's own limiter.
#[derive(Debug)]
struct LocalPermit {
    chat: OwnedMutexGuard<Instant>,
    global: Option<OwnedSemaphorePermit>,
    per_chat_interval: Duration,
    deferred_until: Option<Instant>,
}

impl Drop for LocalPermit {
    fn drop(&mut self) {
        let finished = Instant::now();
        let next = finished + self.per_chat_interval;
        *self.chat = self
            .deferred_until
            .map_or(next, |deferred| deferred.max(next));
        if let Some(permit) = self.global.take() {
            // The permit returns to the pool one window after the send finished.
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(async move {
                        sleep_until(finished + GLOBAL_WINDOW).await;
                        drop(permit);
                    });
                }
                Err(_) => drop(permit),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elapsed_since(start: Instant) -> Duration {
        Instant::now().duration_since(start)
    }

    #[tokio::test(start_paused = true)]
    async fn spaces_messages_to_one_chat_by_the_interval() {
        let limiter = OutboundLimiter::new(30, Duration::from_secs(1));
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..3 {
            let permit = limiter.acquire(ChatId(1)).await;
            times.push(elapsed_since(start));
            drop(permit);
        }
        assert_eq!(
            times,
            vec![
                Duration::ZERO,
                Duration::from_secs(1),
                Duration::from_secs(2)
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn lets_different_chats_go_at_once_up_to_the_global_limit() {
        let limiter = Arc::new(OutboundLimiter::new(30, Duration::from_secs(1)));
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for chat in 0..60 {
            let limiter = Arc::clone(&limiter);
            tasks.spawn(async move {
                let permit = limiter.acquire(ChatId(chat)).await;
                let at = elapsed_since(start);
                drop(permit);
                at
            });
        }
        let mut times = tasks.join_all().await;
        times.sort();
        assert!(
            times[..30].iter().all(|t| *t == Duration::ZERO),
            "{times:?}"
        );
        assert!(
            times[30..].iter().all(|t| *t == Duration::from_secs(1)),
            "{times:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn counts_the_interval_from_when_the_send_finished() {
        let limiter = OutboundLimiter::new(30, Duration::from_secs(1));
        let start = Instant::now();
        let permit = limiter.acquire(ChatId(7)).await;
        tokio::time::sleep(Duration::from_millis(400)).await; // a slow request
        drop(permit);
        let _second = limiter.acquire(ChatId(7)).await;
        assert_eq!(elapsed_since(start), Duration::from_millis(1400));
    }

    #[tokio::test(start_paused = true)]
    async fn a_deferred_chat_waits_for_telegrams_retry_after() {
        let limiter = OutboundLimiter::new(30, Duration::from_secs(1));
        let start = Instant::now();
        let mut permit = limiter.acquire(ChatId(7)).await;
        permit.defer(Duration::from_secs(5));
        drop(permit);
        let _next = limiter.acquire(ChatId(7)).await;
        assert_eq!(elapsed_since(start), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn serves_waiters_of_one_chat_in_order() {
        let limiter = Arc::new(OutboundLimiter::new(30, Duration::from_millis(100)));
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..5 {
            let limiter = Arc::clone(&limiter);
            let order = Arc::clone(&order);
            tasks.spawn(async move {
                let _permit = limiter.acquire(ChatId(1)).await;
                order.lock().unwrap().push(n);
            });
            // Queue them in a known order.
            tokio::task::yield_now().await;
        }
        tasks.join_all().await;
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3, 4]);
    }

    #[tokio::test(start_paused = true)]
    async fn forgets_idle_chats() {
        let limiter = OutboundLimiter::new(100_000, Duration::from_millis(10));
        for chat in 0..5_000 {
            drop(limiter.acquire(ChatId(chat)).await);
        }
        assert!(limiter.tracked_chats() <= 5_000);
        tokio::time::sleep(SWEEP_PERIOD).await;
        for chat in 10_000..10_010 {
            drop(limiter.acquire(ChatId(chat)).await);
        }
        assert!(
            limiter.tracked_chats() <= 10,
            "still tracking {}",
            limiter.tracked_chats()
        );
    }
}
