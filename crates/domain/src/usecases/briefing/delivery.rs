//! When a briefing is due, queueing the due ones (each once per user, kind and local day, as a
//! durable task any instance may take) and delivering one.

use chrono::{DateTime, Duration, LocalResult, NaiveTime, TimeZone as _, Utc};

use super::{Briefing, STALE_AFTER, compose_briefing};
use crate::model::{ChatId, DueBriefing, LocalDate, NotificationKind, User, UserTimeZone};
use crate::ports::{
    FoodLog, Messenger, MessengerError, Notifications, Presenter, StorageError, Users,
    WearableStore,
};
use crate::usecases::chat::ChatError;

/// The instant a local wall-clock `time` happens on `day` in `zone`: the first occurrence when
/// the clocks go back, the moment of the jump when the clocks skip over it.
pub fn scheduled_instant(day: LocalDate, time: NaiveTime, zone: UserTimeZone) -> DateTime<Utc> {
    let mut local = day.date().and_time(time);
    // Gaps are at most a few hours; step minute by minute to the first time that exists.
    for _ in 0..=(24 * 60) {
        match zone.tz().from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.with_timezone(&Utc),
            LocalResult::None => local += Duration::minutes(1),
        }
    }
    local.and_utc()
}

/// The user's local time of a kind of briefing.
fn briefing_time(user: &User, kind: NotificationKind) -> NaiveTime {
    match kind {
        NotificationKind::MorningBriefing => user.briefing_times.morning,
        NotificationKind::EveningSummary => user.briefing_times.evening,
    }
}

/// The local day whose briefing of `kind` is due for `user` at `now`, if any: its time has
/// passed, by less than [`STALE_AFTER`]. Yesterday is checked too, so a late-evening time stays
/// due past midnight.
pub fn due_day(user: &User, kind: NotificationKind, now: DateTime<Utc>) -> Option<LocalDate> {
    if !user.briefings_enabled {
        return None;
    }
    let zone = user.time_zone;
    let today = LocalDate::of(now, zone);
    let time = briefing_time(user, kind);
    [today, today.previous()].into_iter().find(|day| {
        let at = scheduled_instant(*day, time, zone);
        at <= now && now - at < STALE_AFTER
    })
}

/// What one check queued.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BriefingRound {
    /// Users with briefings enabled that were looked at.
    pub users: u32,
    /// Briefings due now.
    pub due: u32,
    /// Briefings this check claimed and queued.
    pub queued: u32,
}

impl BriefingRound {
    /// Due, but claimed before (queued or sent by an earlier check or another instance).
    pub fn already_claimed(&self) -> u32 {
        self.due.saturating_sub(self.queued)
    }

    /// A line for logs.
    pub fn summary(&self) -> String {
        format!(
            "{} users, {} due, {} queued, {} already claimed",
            self.users,
            self.due,
            self.queued,
            self.already_claimed()
        )
    }
}

/// Queues every briefing due at `now` (see the module docs for the rules), visiting users with
/// briefings enabled `page_size` at a time: each due briefing not claimed before is claimed and
/// gets its durable task in one step ([`Notifications::queue`]), so however often and on
/// however many instances this runs, each is queued once, and the sending is spread over every
/// instance's task workers ([`deliver_briefing`]). Only a storage failure fails the check; what
/// it queued before stays queued and the next check picks up the rest.
pub async fn queue_due_briefings(
    now: DateTime<Utc>,
    users: &dyn Users,
    notifications: &dyn Notifications,
    page_size: i64,
) -> Result<BriefingRound, StorageError> {
    let page_size = page_size.max(1);
    let mut round = BriefingRound::default();
    let mut after = None;
    loop {
        let page = users.page(after, page_size).await?;
        let Some(last) = page.last() else {
            break;
        };
        after = Some(last.id);
        let full = i64::try_from(page.len()).unwrap_or(i64::MAX) >= page_size;
        let mut due = Vec::new();
        for user in page.iter().filter(|u| u.briefings_enabled) {
            round.users += 1;
            for kind in [
                NotificationKind::MorningBriefing,
                NotificationKind::EveningSummary,
            ] {
                if let Some(day) = due_day(user, kind, now) {
                    due.push(DueBriefing {
                        user: user.id,
                        kind,
                        day,
                    });
                }
            }
        }
        round.due += u32::try_from(due.len()).unwrap_or(u32::MAX);
        if !due.is_empty() {
            round.queued += notifications.queue(&due, now).await?;
        }
        if !full {
            break;
        }
    }
    Ok(round)
}

/// How a queued briefing's task is retried: with the inbox's backoff (2 s doubling to 5
/// minutes) for as long as the briefing can still be sent, so a Telegram or database outage of
/// minutes or an hour delays the briefings instead of dropping them; past [`STALE_AFTER`] the
/// next attempt finds it stale and ends the task.
pub fn briefing_retries() -> crate::usecases::inbox::InboxPolicy {
    crate::usecases::inbox::InboxPolicy {
        max_attempts: 45,
        ..Default::default()
    }
}

/// What [`deliver_briefing`] works through.
#[derive(Clone, Copy)]
pub struct DeliveryPorts<'a> {
    /// Their food.
    pub food: &'a dyn FoodLog,
    /// Their WHOOP records.
    pub wearables: &'a dyn WearableStore,
    /// Where briefings go.
    pub messenger: &'a dyn Messenger,
    /// Renders them in the user's language.
    pub presenter: &'a dyn Presenter,
}

impl std::fmt::Debug for DeliveryPorts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliveryPorts").finish_non_exhaustive()
    }
}

/// What became of a queued briefing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Sent.
    Sent,
    /// Not sent: its time passed more than [`STALE_AFTER`] ago (the task waited through an
    /// outage), and a stale "good morning" is worse than none.
    Stale,
    /// Not sent: the user turned briefings off since it was queued.
    TurnedOff,
    /// Not sent and never will be (the user blocked the bot): not retried.
    Undeliverable(String),
}

impl Delivery {
    /// A label for logs and metrics.
    pub fn label(&self) -> &'static str {
        match self {
            Delivery::Sent => "sent",
            Delivery::Stale => "stale",
            Delivery::TurnedOff => "turned_off",
            Delivery::Undeliverable(_) => "undeliverable",
        }
    }
}

/// Composes and sends `user`'s queued briefing of `kind` for their local `day`, as known at
/// `now`. A failure that may pass (storage, Telegram unavailable or rate-limited) is a
/// temporary error: the task is tried again with backoff, its claim kept, so nothing else
/// sends it meanwhile. A task taken over from an instance that died mid-send sends again: the
/// one case of a second copy, when the first went out in the moment between Telegram taking it
/// and the task being marked done (Telegram has no idempotency key to ask with).
pub async fn deliver_briefing(
    user: &User,
    kind: NotificationKind,
    day: LocalDate,
    now: DateTime<Utc>,
    ports: &DeliveryPorts<'_>,
) -> Result<Delivery, ChatError> {
    if !user.briefings_enabled {
        return Ok(Delivery::TurnedOff);
    }
    let at = scheduled_instant(day, briefing_time(user, kind), user.time_zone);
    if now - at >= STALE_AFTER {
        return Ok(Delivery::Stale);
    }
    let briefing = compose_briefing(user, kind, day, now, ports.food, ports.wearables).await?;
    let morning = matches!(briefing, Briefing::Morning(_));
    let reply = crate::reply::Reply::one(crate::reply::Say::Briefing(briefing));
    // The morning briefing opens the day: the dashboard is one tap away.
    let reply = if morning {
        reply.with_dashboard()
    } else {
        reply
    };
    let message = ports.presenter.render(user.locale, &reply);
    match ports
        .messenger
        .send(ChatId::private(user.telegram_id), &message)
        .await
    {
        Ok(_) => Ok(Delivery::Sent),
        Err(MessengerError::Unreachable(reason)) => Ok(Delivery::Undeliverable(reason)),
        Err(MessengerError::Unavailable(reason)) => Err(ChatError::Temporary(reason)),
        Err(MessengerError::RateLimited { retry_after_secs }) => Err(ChatError::Temporary(
            format!("rate limited for {retry_after_secs} s"),
        )),
        Err(MessengerError::Rejected(reason)) => Err(ChatError::Permanent(reason)),
    }
}
