//! The flood budget shared by every instance of the bot: each message asks the domain's
//! [`FloodGate`] (PostgreSQL's in production) before it goes, so all processes together stay
//! under Telegram's limits for the token.
//!
//! Within a process:
//! - one send per chat at a time (a FIFO lock per chat), so a chat's messages keep their order
//!   and do not ask the gate only to hear "your chat is busy";
//! - one asker at a time, in the domain's [`Turns`] order: interactive replies before
//!   broadcasts. When the bot's second is full, the head of the line waits for the time the gate
//!   named while the others wait behind it without asking; a reply arriving meanwhile takes the
//!   head at once. The gate itself holds broadcasts back while any instance's reply waits.
//! - when the gate cannot be asked (the database is down), the process's own
//!   [`OutboundLimiter`] paces the send instead: a reply whose effects are stored is not held
//!   back for a budget nobody can keep, and Telegram's 429 is still retried.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use tokio::sync::{Mutex as AsyncMutex, Notify, OwnedMutexGuard};
use tokio::time::{Instant, sleep_until};
use wellness_domain::model::ChatId;
use wellness_domain::ports::{
    FloodDecision, FloodGate, FloodTicket, FloodWait, SendPriority, Turn, Turns,
};

use crate::limiter::{OutboundLimiter, SendPermit};

/// Told of every send that had to wait (its priority and how long it waited), for metrics.
pub type WaitObserver = Arc<dyn Fn(SendPriority, Duration) + Send + Sync>;

/// A send held back this long or longer counts as a wait (one round trip to the gate does not).
const WAITED: Duration = Duration::from_millis(10);

/// Below this many remembered chats, idle ones are not swept.
const MIN_SWEEP: usize = 256;

/// One send at a time per chat within the process.
#[derive(Debug)]
struct ChatLocks {
    locks: HashMap<ChatId, Arc<AsyncMutex<()>>>,
    /// Sweep idle chats when this many are remembered.
    sweep_at: usize,
}

/// One process's side of the shared flood budget. Share one (in an `Arc`) per bot.
pub struct SharedLimiter {
    gate: Arc<dyn FloodGate>,
    fallback: Arc<OutboundLimiter>,
    chats: Mutex<ChatLocks>,
    turns: Mutex<Turns>,
    changed: Notify,
    on_wait: OnceLock<WaitObserver>,
}

impl fmt::Debug for SharedLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedLimiter")
            .field("gate", &self.gate)
            .field("waiting", &self.lock_turns().len())
            .finish_non_exhaustive()
    }
}

/// A place in the line, given up when dropped (a waiter whose caller gave up leaves too).
struct InLine<'a> {
    limiter: &'a SharedLimiter,
    turn: Turn,
}

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        self.limiter.lock_turns().leave(self.turn);
        self.limiter.changed.notify_waiters();
    }
}

/// What one pass through the line ended with.
enum Asked {
    Go(FloodTicket),
    ChatBusy(Duration),
    Unavailable,
}

impl SharedLimiter {
    /// Sends through `gate`; `fallback` paces them while the gate cannot be asked.
    pub fn new(gate: Arc<dyn FloodGate>, fallback: Arc<OutboundLimiter>) -> Self {
        Self {
            gate,
            fallback,
            chats: Mutex::new(ChatLocks {
                locks: HashMap::new(),
                sweep_at: MIN_SWEEP,
            }),
            turns: Mutex::new(Turns::default()),
            changed: Notify::new(),
            on_wait: OnceLock::new(),
        }
    }

    /// Tells `observer` of every send that waited. Set once; later calls are ignored.
    pub fn observe_waits(&self, observer: WaitObserver) {
        let _ = self.on_wait.set(observer);
    }

    /// Waits until a message may be sent to `chat`; hold the permit until the send has
    /// finished (successfully or not).
    pub async fn acquire(&self, chat: ChatId, priority: SendPriority) -> SendPermit {
        let started = Instant::now();
        let lock = self.chat_lock(chat);
        let chat_guard = lock.lock_owned().await;
        let permit = loop {
            match self.ask_in_line(chat, priority).await {
                Asked::Go(ticket) => {
                    break SendPermit::shared(SharedPermit {
                        chat: Some(chat_guard),
                        gate: Arc::clone(&self.gate),
                        ticket,
                        pause: None,
                    });
                }
                Asked::ChatBusy(wait) => {
                    tokio::time::sleep(wait).await;
                }
                Asked::Unavailable => {
                    drop(chat_guard);
                    break self.fallback.acquire(chat).await;
                }
            }
        };
        let waited = started.elapsed();
        if let Some(observer) = self.on_wait.get().filter(|_| waited >= WAITED) {
            observer(priority, waited);
        }
        permit
    }

    /// Joins the line, asks the gate when it is this waiter's turn, and waits at the head
    /// while the bot's second is full.
    async fn ask_in_line(&self, chat: ChatId, priority: SendPriority) -> Asked {
        let place = InLine {
            limiter: self,
            turn: self.join(priority),
        };
        loop {
            self.until_head(place.turn).await;
            match self.gate.take(chat, priority).await {
                Ok(FloodDecision::Go(ticket)) => return Asked::Go(ticket),
                Ok(FloodDecision::Wait(FloodWait::Chat(wait))) => return Asked::ChatBusy(wait),
                Ok(FloodDecision::Wait(FloodWait::Bot(wait))) => {
                    self.pause_at_head(place.turn, Instant::now() + wait).await;
                }
                Err(error) => {
                    tracing::warn!(%error, "flood budget unavailable: this process paces alone");
                    return Asked::Unavailable;
                }
            }
        }
    }

    fn join(&self, priority: SendPriority) -> Turn {
        let turn = self.lock_turns().join(priority);
        // A sleeping head of lower priority gives way.
        self.changed.notify_waiters();
        turn
    }

    /// Returns when it is `turn`'s turn.
    async fn until_head(&self, turn: Turn) {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.lock_turns().is_head(turn) {
                return;
            }
            notified.await;
        }
    }

    /// Sleeps until `wake`, or until someone takes the head from `turn`.
    async fn pause_at_head(&self, turn: Turn, wake: Instant) {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if !self.lock_turns().is_head(turn) {
                return;
            }
            tokio::select! {
                () = sleep_until(wake) => return,
                () = notified => {}
            }
        }
    }

    fn lock_turns(&self) -> std::sync::MutexGuard<'_, Turns> {
        self.turns.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn chat_lock(&self, chat: ChatId) -> Arc<AsyncMutex<()>> {
        let mut chats = self.chats.lock().unwrap_or_else(PoisonError::into_inner);
        if chats.locks.len() >= chats.sweep_at {
            // Nobody holds or waits for an idle chat's lock. The next sweep waits until the map
            // has doubled, so sweeping costs O(1) a call however many chats are busy.
            chats.locks.retain(|_, lock| Arc::strong_count(lock) > 1);
            chats.sweep_at = (chats.locks.len() * 2).max(MIN_SWEEP);
        }
        Arc::clone(chats.locks.entry(chat).or_default())
    }

    /// How many chats are remembered now (for tests).
    pub fn tracked_chats(&self) -> usize {
        self.chats
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .locks
            .len()
    }
}

/// A message the gate let go; dropping it tells the gate the send is over (in the background,
/// holding the chat until then, so the chat's next message sees this one finished).
pub(crate) struct SharedPermit {
    chat: Option<OwnedMutexGuard<()>>,
    gate: Arc<dyn FloodGate>,
    ticket: FloodTicket,
    pause: Option<Duration>,
}

impl fmt::Debug for SharedPermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedPermit")
            .field("ticket", &self.ticket)
            .field("pause", &self.pause)
            .finish_non_exhaustive()
    }
}

impl SharedPermit {
    pub(crate) fn defer(&mut self, pause: Duration) {
        self.pause = Some(pause);
    }
}

impl Drop for SharedPermit {
    fn drop(&mut self) {
        let (gate, ticket, pause, chat) = (
            Arc::clone(&self.gate),
            self.ticket,
            self.pause,
            self.chat.take(),
        );
        // Without a runtime the send counts as in flight until the gate's longest send.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(error) = gate.finish(ticket, pause).await {
                    tracing::warn!(%error, "could not record a finished Telegram send");
                }
                drop(chat);
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use async_trait::async_trait;
    use wellness_domain::ports::StorageError;

    use super::*;

    /// A gate that is full for `full_for`, then lets everything go; records who asked.
    #[derive(Debug)]
    struct Scripted {
        opens: Instant,
        asked: Mutex<Vec<(i64, SendPriority)>>,
        granted: Mutex<Vec<i64>>,
        down: AtomicBool,
    }

    impl Scripted {
        fn new(full_for: Duration) -> Arc<Self> {
            Arc::new(Self {
                opens: Instant::now() + full_for,
                asked: Mutex::default(),
                granted: Mutex::default(),
                down: AtomicBool::new(false),
            })
        }
    }

    #[async_trait]
    impl FloodGate for Scripted {
        async fn take(
            &self,
            chat: ChatId,
            priority: SendPriority,
        ) -> Result<FloodDecision, StorageError> {
            if self.down.load(Ordering::SeqCst) {
                return Err(StorageError::Unavailable("down".to_owned()));
            }
            self.asked.lock().unwrap().push((chat.0, priority));
            let now = Instant::now();
            if now < self.opens {
                return Ok(FloodDecision::Wait(FloodWait::Bot(self.opens - now)));
            }
            self.granted.lock().unwrap().push(chat.0);
            Ok(FloodDecision::Go(FloodTicket(chat.0)))
        }

        async fn finish(
            &self,
            _ticket: FloodTicket,
            _pause: Option<Duration>,
        ) -> Result<(), StorageError> {
            Ok(())
        }
    }

    fn limiter(gate: Arc<Scripted>) -> Arc<SharedLimiter> {
        Arc::new(SharedLimiter::new(
            gate,
            Arc::new(OutboundLimiter::new(1000, Duration::ZERO)),
        ))
    }

    #[tokio::test(start_paused = true)]
    async fn replies_overtake_waiting_briefings_and_only_the_head_asks() {
        let gate = Scripted::new(Duration::from_secs(1));
        let limiter = limiter(gate.clone());
        let waits = Arc::new(Mutex::new(Vec::new()));
        let seen = waits.clone();
        limiter.observe_waits(Arc::new(move |p, d| seen.lock().unwrap().push((p, d))));
        let mut tasks = tokio::task::JoinSet::new();
        for chat in 0..5 {
            let limiter = limiter.clone();
            tasks.spawn(async move {
                drop(limiter.acquire(ChatId(chat), SendPriority::Broadcast).await);
            });
            tokio::task::yield_now().await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        for chat in 100..102 {
            let limiter = limiter.clone();
            tasks.spawn(async move {
                drop(
                    limiter
                        .acquire(ChatId(chat), SendPriority::Interactive)
                        .await,
                );
            });
            tokio::task::yield_now().await;
        }
        tasks.join_all().await;
        assert_eq!(*gate.granted.lock().unwrap(), vec![100, 101, 0, 1, 2, 3, 4]);
        // While the second was full only the head asked: the first briefing, then the reply
        // that took its place; not every waiter each time.
        let asked = gate.asked.lock().unwrap().clone();
        assert!(asked.len() <= 9, "{asked:?}");
        assert_eq!(waits.lock().unwrap().len(), 7);
        assert!(
            waits
                .lock()
                .unwrap()
                .iter()
                .all(|(_, d)| *d >= Duration::from_millis(700))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiter_that_gives_up_leaves_the_line() {
        let gate = Scripted::new(Duration::from_secs(1));
        let limiter = limiter(gate.clone());
        let gave_up = tokio::time::timeout(
            Duration::from_millis(100),
            limiter.acquire(ChatId(1), SendPriority::Interactive),
        )
        .await;
        assert!(gave_up.is_err());
        assert!(limiter.lock_turns().is_empty());
        drop(limiter.acquire(ChatId(2), SendPriority::Broadcast).await);
        assert_eq!(*gate.granted.lock().unwrap(), vec![2]);
    }

    #[tokio::test(start_paused = true)]
    async fn idle_chats_are_forgotten() {
        let limiter = limiter(Scripted::new(Duration::ZERO));
        for chat in 0..1_000 {
            drop(limiter.acquire(ChatId(chat), SendPriority::Broadcast).await);
            // The finish runs (a chat's lock is let go after it).
            tokio::task::yield_now().await;
        }
        assert!(
            limiter.tracked_chats() <= MIN_SWEEP,
            "{}",
            limiter.tracked_chats()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn without_the_gate_the_process_paces_alone() {
        let gate = Scripted::new(Duration::ZERO);
        gate.down.store(true, Ordering::SeqCst);
        let limiter = limiter(gate.clone());
        drop(limiter.acquire(ChatId(1), SendPriority::Interactive).await);
        assert!(gate.granted.lock().unwrap().is_empty());
        assert!(limiter.lock_turns().is_empty());
    }
}
