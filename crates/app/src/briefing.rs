//! One user's briefing now, outside the schedule: `wellness briefing` and the sandbox's
//! "Briefing now" button share it.

use chrono::{DateTime, Utc};
use wellness_domain::ports::{
    Clock, Messenger, Notifications, OutgoingMessage, Presenter, SystemClock, Users,
};
use wellness_domain::reply::{Reply, Say};
use wellness_domain::{ChatId, LocalDate, NotificationKind, TelegramUserId, User};
use wellness_postgres::{Database, PgFoodLog, PgNotifications, PgUsers, PgWearableStore};

/// A briefing composed for one user.
#[derive(Debug, Clone)]
pub struct Composed {
    /// Whose.
    pub user: User,
    /// Which.
    pub kind: NotificationKind,
    /// The user's local day it is for.
    pub day: LocalDate,
    /// When it was composed.
    pub now: DateTime<Utc>,
    /// The text in the user's language.
    pub text: String,
}

/// Composes `kind` for the user with this Telegram id, as the scheduler would now.
pub async fn compose(
    db: &Database,
    presenter: &dyn Presenter,
    telegram_id: i64,
    kind: NotificationKind,
) -> anyhow::Result<Composed> {
    let id = TelegramUserId::new(telegram_id).map_err(|e| anyhow::anyhow!("--telegram-id: {e}"))?;
    let user = PgUsers::new(db.clone())
        .find_by_telegram_id(id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no user with Telegram id {telegram_id}"))?;
    let now = SystemClock.now();
    let day = LocalDate::of(now, user.time_zone);
    let briefing = wellness_domain::usecases::briefing::compose_briefing(
        &user,
        kind,
        day,
        now,
        &PgFoodLog::new(db.clone()),
        &PgWearableStore::new(db.clone()),
    )
    .await?;
    let text = presenter
        .render(user.locale, &Reply::one(Say::Briefing(briefing)))
        .text;
    Ok(Composed {
        user,
        kind,
        day,
        now,
        text,
    })
}

impl Composed {
    /// Sends it to the user's chat and records it, so the scheduled one is not sent again
    /// today. Sent even when already recorded (it was asked for); returns whether this was the
    /// first of the day.
    pub async fn send(&self, db: &Database, messenger: &dyn Messenger) -> anyhow::Result<bool> {
        let first = PgNotifications::new(db.clone())
            .claim(self.user.id, self.kind, self.day, self.now)
            .await?;
        messenger
            .send(
                ChatId::private(self.user.telegram_id),
                &OutgoingMessage::text(self.text.clone()),
            )
            .await
            .map_err(|e| anyhow::anyhow!("Telegram: {e}"))?;
        Ok(first)
    }
}
