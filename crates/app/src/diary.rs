//! The FatSecret diary outbox worker: a tokio task that claims due rows and writes them through.

use std::sync::Arc;
use std::time::Duration;

use tracing::warn;
use wellness_domain::ports::{Clock, CredentialStore, DiaryOutbox, FoodDiary, Messenger, Users};
use wellness_domain::usecases::fatsecret::OutboxPorts;

/// How often the worker looks for due rows.
const POLL: Duration = Duration::from_millis(500);

/// Everything the worker needs.
#[derive(Clone)]
pub struct OutboxWorker {
    /// The outbox.
    pub outbox: Arc<dyn DiaryOutbox>,
    /// What the bot says (reconnect notices).
    pub presenter: Arc<dyn wellness_domain::ports::Presenter>,
    /// Tokens.
    pub credentials: Arc<dyn CredentialStore>,
    /// FatSecret's diary.
    pub diary: Arc<dyn FoodDiary>,
    /// People.
    pub users: Arc<dyn Users>,
    /// The bot, to tell a user to reconnect.
    pub messenger: Option<Arc<dyn Messenger>>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for OutboxWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OutboxWorker")
    }
}

impl OutboxWorker {
    /// Starts the worker; it stops after the row in hand when `stop` turns true (a row cut
    /// short by a kill is taken again when its lease runs out, and settled by reading the day).
    pub fn spawn(
        self,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            while !*stop.borrow() {
                if let Err(e) = self.tick().await {
                    warn!(error = %e, "FatSecret outbox tick failed");
                }
                tokio::select! {
                    () = tokio::time::sleep(POLL) => {}
                    _ = stop.changed() => {}
                }
            }
        })
    }

    /// Claims due rows and carries each out.
    pub async fn tick(&self) -> Result<usize, wellness_domain::ports::StorageError> {
        let items = self
            .outbox
            .claim(self.clock.now(), chrono::Duration::seconds(60), 16)
            .await?;
        let ports = OutboxPorts {
            presenter: self.presenter.as_ref(),
            outbox: self.outbox.as_ref(),
            credentials: self.credentials.as_ref(),
            diary: self.diary.as_ref(),
            users: self.users.as_ref(),
            messenger: self.messenger.as_deref(),
            clock: self.clock.as_ref(),
        };
        for item in &items {
            if let Err(e) = ports.process(item).await {
                warn!(error = %e, outbox = item.id, "FatSecret outbox row failed");
            }
        }
        Ok(items.len())
    }
}
