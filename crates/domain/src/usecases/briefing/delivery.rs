//! When a briefing is due and sending the due ones, each once per user, kind and local day.

use chrono::{DateTime, Duration, LocalResult, NaiveTime, TimeZone as _, Utc};

use super::{Briefing, STALE_AFTER, compose_briefing};
use crate::model::{ChatId, LocalDate, NotificationKind, User, UserId, UserTimeZone};
use crate::ports::{
    FoodLog, Messenger, MessengerError, Notifications, StorageError, Users, WearableStore,
};

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

/// The ports [`send_due_briefings`] works through.
#[derive(Clone, Copy)]
pub struct BriefingPorts<'a> {
    /// Who gets briefings.
    pub users: &'a dyn Users,
    /// Their food.
    pub food: &'a dyn FoodLog,
    /// Their WHOOP records.
    pub wearables: &'a dyn WearableStore,
    /// Once-per-day claims.
    pub notifications: &'a dyn Notifications,
    /// Where briefings go.
    pub messenger: &'a dyn Messenger,
    /// Renders them in the user's language.
    pub presenter: &'a dyn crate::ports::Presenter,
}

impl std::fmt::Debug for BriefingPorts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BriefingPorts").finish_non_exhaustive()
    }
}

/// Why one user's briefing did not go out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BriefingFailure {
    /// Whose.
    pub user: UserId,
    /// Which.
    pub kind: NotificationKind,
    /// The local day.
    pub day: LocalDate,
    /// What went wrong.
    pub reason: String,
    /// The claim was given back (or never taken), so a later check tries again.
    pub will_retry: bool,
}

/// What one run of [`send_due_briefings`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BriefingRound {
    /// Users with briefings enabled that were looked at.
    pub users: u32,
    /// Briefings due now.
    pub due: u32,
    /// Briefings sent by this run.
    pub sent: u32,
    /// Due, but already claimed (sent earlier, or by another instance).
    pub already_claimed: u32,
    /// Briefings that failed.
    pub failures: Vec<BriefingFailure>,
}

impl BriefingRound {
    /// Failures that a later check will try again.
    pub fn to_retry(&self) -> usize {
        self.failures.iter().filter(|f| f.will_retry).count()
    }

    /// A line for logs.
    pub fn summary(&self) -> String {
        format!(
            "{} users, {} due, {} sent, {} already claimed, {} to retry, {} undeliverable",
            self.users,
            self.due,
            self.sent,
            self.already_claimed,
            self.to_retry(),
            self.failures.len() - self.to_retry()
        )
    }
}

/// Sends every briefing due at `now` (see the module docs for the rules), visiting users with
/// briefings enabled `page_size` at a time. A briefing that fails to send for a reason that may
/// pass (the messenger was unavailable or rate-limited, storage failed) gives its claim back, so
/// a later check retries it; one that cannot be delivered (the user blocked the bot) keeps it, so
/// it is not retried every few minutes. Only a failure to list users fails the whole run.
pub async fn send_due_briefings(
    now: DateTime<Utc>,
    ports: &BriefingPorts<'_>,
    page_size: i64,
) -> Result<BriefingRound, StorageError> {
    let page_size = page_size.max(1);
    let mut round = BriefingRound::default();
    let mut after = None;
    loop {
        let page = ports.users.page(after, page_size).await?;
        let Some(last) = page.last() else {
            break;
        };
        after = Some(last.id);
        let full = i64::try_from(page.len()).unwrap_or(i64::MAX) >= page_size;
        for user in page.iter().filter(|u| u.briefings_enabled) {
            round.users += 1;
            for kind in [
                NotificationKind::MorningBriefing,
                NotificationKind::EveningSummary,
            ] {
                if let Some(day) = due_day(user, kind, now) {
                    round.due += 1;
                    send_one(user, kind, day, now, ports, &mut round).await;
                }
            }
        }
        if !full {
            break;
        }
    }
    Ok(round)
}

async fn send_one(
    user: &User,
    kind: NotificationKind,
    day: LocalDate,
    now: DateTime<Utc>,
    ports: &BriefingPorts<'_>,
    round: &mut BriefingRound,
) {
    let failure = |reason: String, will_retry: bool| BriefingFailure {
        user: user.id,
        kind,
        day,
        reason,
        will_retry,
    };
    match ports.notifications.claim(user.id, kind, day, now).await {
        Ok(true) => {}
        Ok(false) => {
            round.already_claimed += 1;
            return;
        }
        Err(e) => {
            round.failures.push(failure(format!("claim: {e}"), true));
            return;
        }
    }
    let sent = match compose_briefing(user, kind, day, now, ports.food, ports.wearables).await {
        Ok(briefing) => {
            let morning = matches!(briefing, Briefing::Morning(_));
            let reply = crate::reply::Reply::one(crate::reply::Say::Briefing(briefing));
            // The morning briefing opens the day: the dashboard is one tap away.
            let reply = if morning {
                reply.with_dashboard()
            } else {
                reply
            };
            let message = ports.presenter.render(user.locale, &reply);
            ports
                .messenger
                .send(ChatId::private(user.telegram_id), &message)
                .await
                .map_err(|e| {
                    let retry = matches!(
                        e,
                        MessengerError::Unavailable(_) | MessengerError::RateLimited { .. }
                    );
                    (format!("send: {e}"), retry)
                })
        }
        Err(e) => Err((format!("compose: {e}"), true)),
    };
    match sent {
        Ok(_) => round.sent += 1,
        Err((reason, false)) => round.failures.push(failure(reason, false)),
        Err((reason, true)) => {
            let released = ports.notifications.release(user.id, kind, day).await;
            round.failures.push(match released {
                Ok(()) => failure(reason, true),
                Err(e) => failure(format!("{reason}; release: {e}"), false),
            });
        }
    }
}
