//! Photos of nutrition labels: a photo with no barcode is read by the label reader (a vision
//! model) when one is configured. What it read is shown with its numbers and three buttons
//! ("Save and log", "Only save", "Cancel"): nothing is saved or logged until the user taps one,
//! because a misread digit would otherwise go into the diary unseen. The reading waits as a
//! choice offered under the photo's message (kept, and cleaned up, like food choices).

use super::barcode::{BarcodePhotos, Package, Packaged, Scanned, not};
use super::{FoodLogging, History, Outcome, typed_grams};
use crate::conversation::{Callback, LabelAction};
use crate::model::{
    EntrySource, Grams, NutritionSource, PhotoReading, ProductDraft, UpdateId, User,
};
use crate::ports::{Amount, AssistantError};
use crate::reply::{Action, Label, Reply, Say};
use crate::usecases::chat::ChatError;

/// A label read from a photo, before the user said what to do with it.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelDraft {
    /// The product as it would be saved.
    pub product: ProductDraft,
    /// The serving's weight, when printed.
    pub serving: Option<Grams>,
    /// The grams the caption said.
    pub grams: Option<Grams>,
}

/// The name a caption gives the product: the caption, unless it is only grams ("200 г").
fn caption_name(caption: Option<&str>) -> Option<String> {
    let caption = caption.map(str::trim).filter(|c| !c.is_empty())?;
    typed_grams(caption).is_none().then(|| caption.to_owned())
}

impl BarcodePhotos {
    /// A photo with no barcode: its nutrition label, when a label reader is configured. A
    /// reader that is down is temporary (the photo is read again later); one that refused or
    /// answered nonsense gets a reply.
    pub(super) async fn label(
        &self,
        user: &User,
        image: Option<&[u8]>,
        caption: Option<&str>,
    ) -> Result<Scanned, ChatError> {
        let (Some(vision), Some(image)) = (&self.vision, image) else {
            return Ok(not(Say::NoBarcode));
        };
        let reading = match vision
            .read_photo(image, caption.map(str::to_owned), user.locale)
            .await
        {
            Ok(PhotoReading::Label(reading)) => reading,
            Ok(PhotoReading::Meal(items)) if self.meals => return Ok(Scanned::Meal(items)),
            Ok(PhotoReading::Meal(_)) => return Ok(not(Say::MealPhotosOff)),
            Ok(PhotoReading::Nothing) => return Ok(not(Say::NoBarcodeNorLabel)),
            Err(AssistantError::Unavailable(reason)) => return Err(ChatError::Temporary(reason)),
            Err(_) => return Ok(not(Say::LabelFailed)),
        };
        let Some(per_100g) = reading.nutrients_per_100g() else {
            return Ok(not(Say::LabelWithoutNumbers));
        };
        let Some(name) = reading.name.or_else(|| caption_name(caption)) else {
            return Ok(not(Say::LabelNeedsName));
        };
        Ok(Scanned::Label(LabelDraft {
            product: ProductDraft { name, per_100g },
            serving: reading.serving,
            grams: caption.and_then(typed_grams),
        }))
    }
}

impl FoodLogging {
    /// Shows what the label says and keeps it under the photo's message until a button says
    /// what to do with it.
    pub async fn offer_label(
        &self,
        user: &User,
        update: UpdateId,
        draft: LabelDraft,
    ) -> Result<Outcome, ChatError> {
        let now = self.clock.now();
        let name = draft.product.name.clone();
        let package = Package {
            name: name.clone(),
            per_100g: draft.product.per_100g,
            serving: draft.serving,
            sources: (EntrySource::Label, NutritionSource::SavedProduct),
        };
        let said = draft.grams.map_or(
            Amount::Portions {
                count: 1.0,
                unit: None,
            },
            Amount::Grams,
        );
        let choice = package.choice(user, update, said, now);
        self.personal.memory.offer(user.id, &choice, now).await?;
        let button = |label, action| Action::callback(label, Callback::Label { update, action });
        let mut reply = Reply::one(Say::LabelRead {
            name,
            per_100g: draft.product.per_100g,
            serving: draft.serving,
            grams: draft.grams,
        });
        reply.buttons.push(vec![
            button(Label::LabelSaveAndLog, LabelAction::SaveAndLog),
            button(Label::LabelSaveOnly, LabelAction::SaveOnly),
        ]);
        reply
            .buttons
            .push(vec![button(Label::LabelCancel, LabelAction::Cancel)]);
        Ok(Outcome {
            reply,
            history: History::Exchange {
                said: "[photo of a nutrition label]".to_owned(),
                intent: Some("read_photo"),
            },
        })
    }

    /// A button under a label's reading. The reading is forgotten once acted on, so a second
    /// tap finds it gone; acting twice (a retried update) saves the same product again and
    /// logs nothing twice (the entry is keyed by the photo's message).
    pub async fn answer_label(
        &self,
        user: &User,
        update: UpdateId,
        action: LabelAction,
    ) -> Result<Outcome, ChatError> {
        let history = History::BotOnly { intent: "label" };
        let offered = self.personal.memory.offered(user.id, update, 0).await?;
        let Some((offered, package)) =
            offered.and_then(|o| Package::of_choice(&o).map(|package| (o, package)))
        else {
            return Ok(Outcome {
                reply: Reply::one(Say::ChoiceGone),
                history,
            });
        };
        let reply = match action {
            LabelAction::Cancel => Reply::one(Say::LabelCancelled),
            LabelAction::SaveOnly | LabelAction::SaveAndLog => {
                let draft = ProductDraft {
                    name: package.name.clone(),
                    per_100g: package.per_100g,
                };
                let saved = self
                    .personal
                    .products
                    .save(user.id, &draft, self.clock.now())
                    .await?;
                let reply = Reply::one(Say::ProductSaved(saved));
                if action == LabelAction::SaveOnly {
                    reply
                } else {
                    let grams = match offered.mention.amount {
                        Amount::Grams(grams) => Some(grams),
                        _ => None,
                    };
                    match self
                        .log_package(user, update, package, grams, reply)
                        .await?
                    {
                        Packaged::Logged(reply) => reply,
                        // The package now waits under the message for its grams.
                        Packaged::Asked(reply) => return Ok(Outcome { reply, history }),
                    }
                }
            }
        };
        self.personal.memory.withdraw(user.id, update, 0).await?;
        Ok(Outcome { reply, history })
    }
}
