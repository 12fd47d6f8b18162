//! Privacy: /export sends everything we hold, /delete erases it after a confirmation.

use std::sync::Arc;

use crate::conversation::Callback;
use crate::model::{LocalDate, Provider, Secret, Tokens, User};
use crate::ports::{Clock, CredentialStore, UserData, Wearable, WearableError};
use crate::reply::{Action, Label, Reply, Say, WhoopAccess};
use crate::usecases::chat::ChatError;

/// A file of the export: its name, its bytes, and what its caption says.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// File name.
    pub filename: String,
    /// Content.
    pub bytes: Vec<u8>,
    /// Caption, when it has one.
    pub caption: Option<Say>,
}

/// Export and erasure: the ports they need.
#[derive(Clone)]
pub struct Privacy {
    /// Export and erasure of a user's rows.
    pub user_data: Arc<dyn UserData>,
    /// Tokens (WHOOP's are revoked before erasing).
    pub credentials: Arc<dyn CredentialStore>,
    /// WHOOP's API, when configured.
    pub whoop: Option<Arc<dyn Wearable>>,
    /// Time (the files are named by the user's day).
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Privacy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Privacy")
    }
}

impl Privacy {
    /// All the user's data: a JSON document and the food entries as CSV.
    pub async fn export(&self, user: &User) -> Result<Vec<Document>, ChatError> {
        let export = self.user_data.export(user.id).await?;
        let json = serde_json::to_vec_pretty(&export.document)
            .map_err(|e| ChatError::Permanent(e.to_string()))?;
        let day = LocalDate::of(self.clock.now(), user.time_zone);
        Ok(vec![
            Document {
                filename: format!("wellness-export-{day}.json"),
                bytes: json,
                caption: Some(Say::ExportCaption),
            },
            Document {
                filename: format!("wellness-food-{day}.csv"),
                bytes: crate::usecases::privacy::food_csv(&export.food_entries).into_bytes(),
                caption: None,
            },
        ])
    }

    /// /delete: asks first, with the two answers as buttons.
    pub fn confirm(&self) -> Reply {
        Reply {
            parts: vec![Say::ConfirmDelete],
            buttons: vec![vec![
                Action::callback(Label::DeleteEverything, Callback::ConfirmDelete),
                Action::callback(Label::KeepMyData, Callback::CancelDelete),
            ]],
            menu: false,
        }
    }

    /// After the confirmation button: revoke WHOOP, forget every token, erase every row. The
    /// reply says whether WHOOP's access was revoked: an access token WHOOP refuses (expired)
    /// is refreshed once and the revocation tried again; if WHOOP still does not take it, the
    /// user is told to remove the app on WHOOP's side.
    pub async fn erase(&self, user: &User) -> Result<Say, ChatError> {
        let whoop = match (
            &self.whoop,
            self.credentials.get(user.id, Provider::Whoop).await?,
        ) {
            (Some(wearable), Some(c)) => match &c.tokens {
                Tokens::OAuth2 {
                    access_token,
                    refresh_token,
                    ..
                } => revoke(wearable.as_ref(), access_token, refresh_token.as_ref()).await,
                _ => WhoopAccess::NotRevoked,
            },
            (None, Some(_)) => WhoopAccess::NotRevoked,
            (_, None) => WhoopAccess::NotConnected,
        };
        self.user_data.erase(user).await?;
        Ok(Say::DataDeleted { whoop })
    }
}

/// Revokes with the access token, or, when WHOOP refuses it, with a fresh one.
async fn revoke(
    wearable: &dyn Wearable,
    access_token: &Secret,
    refresh_token: Option<&Secret>,
) -> WhoopAccess {
    match wearable.revoke(access_token).await {
        Ok(()) => return WhoopAccess::Revoked,
        Err(WearableError::Unauthorized) => {}
        Err(_) => return WhoopAccess::NotRevoked,
    }
    let Some(refresh_token) = refresh_token else {
        return WhoopAccess::NotRevoked;
    };
    match wearable.refresh(refresh_token).await {
        Ok(grant) => match &grant.tokens {
            Tokens::OAuth2 { access_token, .. } if wearable.revoke(access_token).await.is_ok() => {
                WhoopAccess::Revoked
            }
            _ => WhoopAccess::NotRevoked,
        },
        // The refresh token is refused too: WHOOP has already cut the access off.
        Err(WearableError::InvalidGrant) => WhoopAccess::Revoked,
        Err(_) => WhoopAccess::NotRevoked,
    }
}

#[cfg(test)]
mod tests;
