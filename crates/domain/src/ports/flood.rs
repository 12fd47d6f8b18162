//! One flood budget per bot: Telegram counts a bot's messages per *token*, however many
//! processes send them (about 30 a second overall, one a second per chat, 20 a minute per
//! group). Every instance asks the same [`FloodGate`] before each message; an adapter shares it
//! (PostgreSQL's `PgFloodGate`). [`Turns`] is the order in which one process's waiters ask:
//! interactive replies before broadcast briefings, each kind first come first served.

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

use crate::model::ChatId;
use crate::ports::StorageError;

/// Who is waiting for the message: a user who just wrote, or nobody in particular.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SendPriority {
    /// A reply to something the user just did: goes first when the budget is short.
    Interactive,
    /// Briefings, summaries and other scheduled notices: wait while interactive sends wait.
    Broadcast,
}

impl SendPriority {
    /// Its name in metrics and logs.
    pub fn code(self) -> &'static str {
        match self {
            SendPriority::Interactive => "interactive",
            SendPriority::Broadcast => "broadcast",
        }
    }
}

/// Telegram's flood limits for one bot token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloodLimits {
    /// Messages per second over all chats (counted from when each send finished).
    pub per_second: u32,
    /// The spacing of messages to one chat.
    pub per_chat_interval: Duration,
    /// Messages per minute to one group (a chat with a negative id).
    pub group_per_minute: u32,
    /// A send unfinished after this long is counted as finished then (its process died).
    pub longest_send: Duration,
}

impl FloodLimits {
    /// Telegram's guidance (Bot FAQ): about 30 messages a second, one a second per chat, 20 a
    /// minute per group; a send's HTTP timeout is 30 s.
    pub const TELEGRAM: FloodLimits = FloodLimits {
        per_second: 30,
        per_chat_interval: Duration::from_secs(1),
        group_per_minute: 20,
        longest_send: Duration::from_secs(40),
    };

    /// The same limits with every count at least 1 (a zero would never let anything go).
    pub fn sane(self) -> Self {
        Self {
            per_second: self.per_second.max(1),
            group_per_minute: self.group_per_minute.max(1),
            ..self
        }
    }

    /// Whether `chat` is a group or channel (Telegram gives them negative ids).
    pub fn is_group(chat: ChatId) -> bool {
        chat.0 < 0
    }
}

impl Default for FloodLimits {
    fn default() -> Self {
        Self::TELEGRAM
    }
}

/// A message that may go: finish it when its answer arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloodTicket(pub i64);

/// Why a message must wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloodWait {
    /// Its chat (or group) had its share.
    Chat(Duration),
    /// The bot had its share of this second, or interactive sends are waiting for it.
    Bot(Duration),
}

impl FloodWait {
    /// How long.
    pub fn duration(self) -> Duration {
        match self {
            FloodWait::Chat(d) | FloodWait::Bot(d) => d,
        }
    }
}

/// What the gate said about one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloodDecision {
    /// Send it now.
    Go(FloodTicket),
    /// Ask again after this.
    Wait(FloodWait),
}

/// The shared flood budget of one bot. One question, one answer: [`take`](FloodGate::take) is
/// a single decision (one round trip for the PostgreSQL adapter), the waiting is the caller's.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait FloodGate: Send + Sync + fmt::Debug {
    /// May a message to `chat` go now? A `Go` counts it at once.
    async fn take(
        &self,
        chat: ChatId,
        priority: SendPriority,
    ) -> Result<FloodDecision, StorageError>;

    /// The send of `ticket` is over; with `pause`, Telegram answered 429 "retry after": its
    /// chat waits that long, and its share of the budget is held as long.
    async fn finish(
        &self,
        ticket: FloodTicket,
        pause: Option<Duration>,
    ) -> Result<(), StorageError>;
}

/// A place in a process's line for the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Turn(u64);

/// The line of one process's waiters: who asks the gate next. Interactive sends first, each
/// priority in arrival order; the head asks, the others wait without asking (so a full second
/// costs the database one question per freed message, not one per waiter).
#[derive(Debug, Default)]
pub struct Turns {
    next: u64,
    interactive: VecDeque<Turn>,
    broadcast: VecDeque<Turn>,
}

impl Turns {
    /// Joins the line at the back of its priority.
    pub fn join(&mut self, priority: SendPriority) -> Turn {
        let turn = Turn(self.next);
        self.next += 1;
        match priority {
            SendPriority::Interactive => self.interactive.push_back(turn),
            SendPriority::Broadcast => self.broadcast.push_back(turn),
        }
        turn
    }

    /// Whose turn it is.
    pub fn head(&self) -> Option<Turn> {
        self.interactive
            .front()
            .or_else(|| self.broadcast.front())
            .copied()
    }

    /// Whether it is `turn`'s turn.
    pub fn is_head(&self, turn: Turn) -> bool {
        self.head() == Some(turn)
    }

    /// Leaves the line (served, or gone to wait for its chat).
    pub fn leave(&mut self, turn: Turn) {
        self.interactive.retain(|t| *t != turn);
        self.broadcast.retain(|t| *t != turn);
    }

    /// How many wait.
    pub fn len(&self) -> usize {
        self.interactive.len() + self.broadcast.len()
    }

    /// Whether nobody waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interactive_waiters_go_before_broadcast_ones_whenever_they_came() {
        let mut turns = Turns::default();
        let briefing = turns.join(SendPriority::Broadcast);
        let second_briefing = turns.join(SendPriority::Broadcast);
        assert!(turns.is_head(briefing));
        let reply = turns.join(SendPriority::Interactive);
        let second_reply = turns.join(SendPriority::Interactive);
        assert!(
            turns.is_head(reply),
            "a reply overtakes the waiting briefing"
        );
        turns.leave(reply);
        assert!(turns.is_head(second_reply));
        turns.leave(second_reply);
        assert!(turns.is_head(briefing));
        turns.leave(briefing);
        assert!(turns.is_head(second_briefing));
        turns.leave(second_briefing);
        assert_eq!(turns.head(), None);
        assert!(turns.is_empty());
    }

    #[test]
    fn each_priority_is_first_come_first_served_and_leaving_keeps_the_order() {
        let mut turns = Turns::default();
        let all: Vec<Turn> = (0..5)
            .map(|_| turns.join(SendPriority::Interactive))
            .collect();
        // The third leaves to wait for its chat; the others keep their places.
        turns.leave(all[2]);
        let mut served = Vec::new();
        while let Some(head) = turns.head() {
            served.push(head);
            turns.leave(head);
        }
        assert_eq!(served, vec![all[0], all[1], all[3], all[4]]);
    }

    #[test]
    fn zero_limits_are_raised_to_one_and_groups_are_negative_chats() {
        let limits = FloodLimits {
            per_second: 0,
            group_per_minute: 0,
            ..FloodLimits::TELEGRAM
        }
        .sane();
        assert_eq!((limits.per_second, limits.group_per_minute), (1, 1));
        assert!(FloodLimits::is_group(ChatId(-100_123)));
        assert!(!FloodLimits::is_group(ChatId(42)));
        assert_eq!(
            FloodWait::Chat(Duration::from_millis(5)).duration(),
            Duration::from_millis(5)
        );
    }
}
