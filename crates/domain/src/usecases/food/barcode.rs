//! Photos of a product's barcode: downloaded within Telegram's limit, the barcode read (off the
//! async runtime, by the adapter), checked (check digit, no in-store codes), the product found
//! in the product sources in order, then logged like any food: grams from the caption, else the
//! package's serving, else 100 g with the grams question asked at once (the answer rescales it,
//! as after Change grams). Every failure is a clear reply that logs nothing.

use std::sync::Arc;

use chrono::Duration;

use super::{FoodLogging, History, Outcome, typed_grams};
use crate::conversation::{Callback, PendingQuestion, Question};
use crate::model::{
    Barcode, BarcodeError, EntrySource, Grams, IdempotencyKey, LocalDate, Meal, NewFoodEntry,
    Product, UpdateId, User,
};
use crate::ports::{
    BarcodeReader, Messenger, MessengerError, ProductCatalog, ProductSources, Scan,
};
use crate::reply::{Action, Label, Reply, Say};
use crate::usecases::chat::ChatError;

/// How long the grams question after a barcode waits for its answer.
const AWAIT_GRAMS_FOR: Duration = Duration::minutes(15);

/// The largest photo a bot may download (Telegram: 20 MB).
pub const PHOTO_MAX_BYTES: u64 = 20 * 1024 * 1024;

/// What a barcode photo gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Scanned {
    /// A product with its calories, and the grams the caption said.
    Product {
        /// The product.
        product: Product,
        /// Grams from the caption.
        grams: Option<Grams>,
    },
    /// Nothing to log: the reply says why.
    Not(Outcome),
}

/// Reading barcode photos: the ports it needs.
#[derive(Clone)]
pub struct BarcodePhotos {
    /// Downloads the photo.
    pub messenger: Arc<dyn Messenger>,
    /// Reads the barcode.
    pub reader: Arc<dyn BarcodeReader>,
    /// Where products are looked up, in order (the user's own products first, when they
    /// exist; then Open Food Facts; then FatSecret).
    pub products: ProductSources,
}

impl std::fmt::Debug for BarcodePhotos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BarcodePhotos")
    }
}

fn not(say: Say) -> Scanned {
    Scanned::Not(Outcome {
        reply: Reply::one(say),
        history: History::Nothing,
    })
}

impl BarcodePhotos {
    /// Downloads the photo and finds the product its barcode stands for. A Telegram or product
    /// database outage is temporary (the update is retried later).
    pub async fn scan(
        &self,
        user: &User,
        file_id: Option<&str>,
        caption: Option<&str>,
    ) -> Result<Scanned, ChatError> {
        let too_big = Say::PhotoTooBig {
            max_mb: PHOTO_MAX_BYTES / (1024 * 1024),
        };
        let Some(file_id) = file_id else {
            return Ok(not(too_big));
        };
        let image = match self.messenger.download(file_id, PHOTO_MAX_BYTES).await {
            Ok(image) => image,
            Err(MessengerError::Rejected(_) | MessengerError::Unreachable(_)) => {
                return Ok(not(too_big));
            }
            Err(e) => return Err(ChatError::Temporary(e.to_string())),
        };
        let code = match self.reader.read(image).await {
            Scan::Code(code) => code,
            Scan::NoBarcode => return Ok(not(Say::NoBarcode)),
            Scan::Unreadable => return Ok(not(Say::PhotoUnreadable)),
        };
        let barcode = match Barcode::new(&code) {
            Ok(barcode) => barcode,
            Err(BarcodeError::InStore(code)) => return Ok(not(Say::InStoreBarcode { code })),
            // A misread: as if no barcode was there.
            Err(BarcodeError::Invalid(_)) => return Ok(not(Say::NoBarcode)),
        };
        let product = match self.products.by_barcode(&barcode, user.locale).await {
            Ok(Some(product)) => product,
            Ok(None) => return Ok(not(Say::ProductNotFound { code })),
            Err(e) => return Err(ChatError::Temporary(e.to_string())),
        };
        if product.per_100g.is_none() {
            return Ok(not(Say::ProductWithoutCalories {
                name: product.name,
                code,
            }));
        }
        Ok(Scanned::Product {
            product,
            grams: caption.and_then(typed_grams),
        })
    }
}

impl FoodLogging {
    /// Logs a product found by its barcode: the caption's grams, else a serving, else 100 g
    /// and the grams question. Keyed by the update, so a redelivered photo logs once.
    pub async fn log_product(
        &self,
        user: &User,
        update_id: UpdateId,
        product: Product,
        grams: Option<Grams>,
    ) -> Result<Outcome, ChatError> {
        let Some(per_100g) = product.per_100g else {
            return Ok(Outcome {
                reply: Reply::one(Say::ProductWithoutCalories {
                    name: product.name,
                    code: product.barcode.to_string(),
                }),
                history: History::Nothing,
            });
        };
        let now = self.clock.now();
        let (grams, ask) = match grams.or(product.serving) {
            Some(grams) => (grams, false),
            None => (
                Grams::new(100.0).map_err(|e| ChatError::Temporary(e.to_string()))?,
                true,
            ),
        };
        let entry = NewFoodEntry {
            user_id: user.id,
            name: product.name.clone(),
            grams,
            nutrients: per_100g.per_100g_scaled(grams),
            meal: Meal::at_local_time(user.time_zone.local(now).time()),
            source: EntrySource::Barcode,
            nutrition_source: product.source,
            local_date: LocalDate::of(now, user.time_zone),
            logged_at: now,
            idempotency_key: IdempotencyKey::for_update_item(update_id, 0),
            catalogue_ref: None,
            diary_link: None,
        };
        let logged = self.food.log(&[entry]).await?.entries;
        let mut reply = Reply::one(Say::ProductFound {
            name: product.name.clone(),
            code: product.barcode.to_string(),
        });
        reply.push(Say::Logged {
            count: logged.len(),
        });
        for entry in &logged {
            reply.push(Say::FoodItem(entry.clone()));
        }
        if let (true, Some(entry)) = (ask, logged.first()) {
            let asked = PendingQuestion {
                question: Question::Grams(entry.id),
                expires_at: now + AWAIT_GRAMS_FOR,
            };
            self.pending.ask(user.id, &asked, now).await?;
            reply.push(Say::AskGrams(entry.clone()));
        }
        reply.push(self.day_total(user).await?);
        reply.push(Say::Sources(vec![product.source]));
        reply.buttons.push(vec![Action::callback(
            Label::Undo,
            Callback::Undo(update_id),
        )]);
        if let Some(entry) = logged.first() {
            reply.buttons.push(vec![Action::callback(
                Label::ChangeGrams,
                Callback::ChangeGrams(entry.id),
            )]);
        }
        Ok(Outcome {
            reply,
            history: History::Exchange {
                said: format!("[photo of barcode {}]", product.barcode),
                intent: Some("log_food"),
            },
        })
    }
}
