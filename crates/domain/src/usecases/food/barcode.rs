//! Photos of a product's barcode: downloaded within Telegram's limit, the barcode read (off the
//! async runtime, by the adapter), checked (check digit, no in-store codes), the product found
//! in the product sources in order, then logged like any food: grams from the caption, else the
//! package's serving, else the grams are asked first (nothing is logged until a number answers:
//! 100 g would be a guess that can be far off). A photo with no barcode goes to the label reader when there is one
//! (`label.rs`). Every failure is a clear reply that logs nothing.

use std::sync::Arc;

use chrono::Duration;

use super::label::LabelDraft;
use super::{FoodLogging, History, Outcome, typed_grams};
use crate::conversation::{Callback, PendingQuestion, Question};
use crate::model::{
    Barcode, BarcodeError, EntrySource, FoodChoice, Grams, IdempotencyKey, LocalDate, Meal,
    MealItem, NewFoodEntry, Nutrients, NutritionSource, Product, UpdateId, User,
};
use crate::ports::{
    Amount, BarcodeReader, FoodFacts, FoodMention, Messenger, MessengerError, PhotoReader,
    PortionSize, ProductCatalog, ProductSources, Scan,
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
    /// A nutrition label, read: shown to the user before anything is saved or logged.
    Label(LabelDraft),
    /// A meal, its foods and grams estimated: shown before anything is logged.
    Meal(Vec<MealItem>),
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
    /// Reads photos with no barcode (a vision model), when configured: nutrition labels, and
    /// meals when `meals` is on.
    pub vision: Option<Arc<dyn PhotoReader>>,
    /// Whether meals are estimated from photos (`openai.meal_photos`).
    pub meals: bool,
}

impl std::fmt::Debug for BarcodePhotos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BarcodePhotos")
    }
}

pub(super) fn not(say: Say) -> Scanned {
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
        // The label reader gets the photo too when it shows no barcode.
        let kept = self.vision.is_some().then(|| image.clone());
        let code = match self.reader.read(image).await {
            Scan::Code(code) => code,
            Scan::NoBarcode => return self.label(user, kept.as_deref(), caption).await,
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

/// A packaged food to log: its name, numbers and serving, and where they came from.
#[derive(Debug, Clone)]
pub(super) struct Package {
    /// Its name.
    pub name: String,
    /// Energy and macros per 100 g.
    pub per_100g: Nutrients,
    /// The package's serving, when known.
    pub serving: Option<Grams>,
    /// How it reached us and who gave the numbers.
    pub sources: (EntrySource, NutritionSource),
}

impl Package {
    /// The package as the one food offered under message `update_id` (item 0), to be logged
    /// with `amount`.
    pub(super) fn choice(
        &self,
        user: &User,
        update_id: UpdateId,
        amount: Amount,
        now: chrono::DateTime<chrono::Utc>,
    ) -> FoodChoice {
        let facts = FoodFacts {
            name: self.name.clone(),
            per_100g: self.per_100g,
            portions: self
                .serving
                .map(|grams| PortionSize {
                    name: "serving".to_owned(),
                    unit: None,
                    grams,
                })
                .into_iter()
                .collect(),
            source: self.sources.1,
            catalogue_ref: None,
            alternatives: Vec::new(),
            family: None,
        };
        FoodChoice {
            update_id,
            item: 0,
            mention: FoodMention {
                said: self.name.clone(),
                lookup_name: self.name.clone(),
                amount,
                meal: None,
            },
            candidates: vec![facts],
            meal: Meal::at_local_time(user.time_zone.local(now).time()),
            source: self.sources.0,
        }
    }

    /// The package kept as a choice offered under message `update_id`.
    pub(super) fn of_choice(offered: &FoodChoice) -> Option<Package> {
        let facts = offered.candidates.first()?;
        Some(Package {
            name: facts.name.clone(),
            per_100g: facts.per_100g,
            serving: facts.portions.first().map(|p| p.grams),
            sources: (offered.source, facts.source),
        })
    }
}

/// What became of a package.
pub(super) enum Packaged {
    /// Logged: the reply says so.
    Logged(Reply),
    /// Its grams were asked first (kept as a choice under the message until answered).
    Asked(Reply),
}

impl FoodLogging {
    /// Logs a package after `reply`'s first lines: `grams`, else its serving; with neither,
    /// keeps it under the message and asks for the grams first (100 g would be a guess that
    /// can be far off). Keyed as the update's first item, so a second try logs nothing twice.
    pub(super) async fn log_package(
        &self,
        user: &User,
        update_id: UpdateId,
        package: Package,
        grams: Option<Grams>,
        mut reply: Reply,
    ) -> Result<Packaged, ChatError> {
        let now = self.clock.now();
        let Some(grams) = grams.or(package.serving) else {
            let unsaid = Amount::Portions {
                count: 1.0,
                unit: None,
            };
            let choice = package.choice(user, update_id, unsaid, now);
            self.personal.memory.offer(user.id, &choice, now).await?;
            let asked = PendingQuestion {
                question: Question::PackageGrams(update_id),
                expires_at: now + AWAIT_GRAMS_FOR,
            };
            self.pending.ask(user.id, &asked, now).await?;
            reply.push(Say::AskPackageGrams { name: package.name });
            return Ok(Packaged::Asked(reply));
        };
        let (source, nutrition_source) = package.sources;
        let entry = NewFoodEntry {
            user_id: user.id,
            name: package.name,
            grams,
            nutrients: package.per_100g.per_100g_scaled(grams),
            meal: Meal::at_local_time(user.time_zone.local(now).time()),
            source,
            nutrition_source,
            local_date: LocalDate::of(now, user.time_zone),
            logged_at: now,
            idempotency_key: IdempotencyKey::for_update_item(update_id, 0),
            catalogue_ref: None,
            diary_link: None,
        };
        let logged = self.food.log(&[entry]).await?.entries;
        reply.push(Say::Logged {
            count: logged.len(),
        });
        for entry in &logged {
            reply.push(Say::FoodItem(entry.clone()));
        }
        reply.push(self.day_total(user).await?);
        reply.push(Say::Sources(vec![nutrition_source]));
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
        Ok(Packaged::Logged(reply))
    }

    /// The answer to a package's grams question: logs the package kept under the message.
    pub(super) async fn answer_package_grams(
        &self,
        user: &User,
        update_id: UpdateId,
        grams: Grams,
    ) -> Result<Reply, ChatError> {
        let offered = self.personal.memory.offered(user.id, update_id, 0).await?;
        let Some(package) = offered.as_ref().and_then(Package::of_choice) else {
            return Ok(Reply::one(Say::ChoiceGone));
        };
        let reply = Reply::of(Vec::new());
        let (Packaged::Logged(reply) | Packaged::Asked(reply)) = self
            .log_package(user, update_id, package, Some(grams), reply)
            .await?;
        self.personal.memory.withdraw(user.id, update_id, 0).await?;
        Ok(reply)
    }

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
        let reply = Reply::one(Say::ProductFound {
            name: product.name.clone(),
            code: product.barcode.to_string(),
        });
        let package = Package {
            name: product.name.clone(),
            per_100g,
            serving: product.serving,
            sources: (EntrySource::Barcode, product.source),
        };
        let (Packaged::Logged(reply) | Packaged::Asked(reply)) = self
            .log_package(user, update_id, package, grams, reply)
            .await?;
        Ok(Outcome {
            reply,
            history: History::Exchange {
                said: format!("[photo of barcode {}]", product.barcode),
                intent: Some("log_food"),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use futures_executor::block_on;

    use super::*;
    use crate::model::*;
    use crate::ports::{CatalogError, MockBarcodeReader, MockMessenger, MockProductCatalog};

    fn ann() -> User {
        User {
            id: UserId::new(1).unwrap(),
            telegram_id: TelegramUserId::new(500).unwrap(),
            first_name: "Ann".into(),
            locale: Locale::En,
            time_zone: UserTimeZone::DEFAULT,
            calorie_goal: CalorieGoal::DEFAULT,
            briefing_times: BriefingTimes::default(),
            briefings_enabled: true,
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    fn photos(
        download: Result<Vec<u8>, MessengerError>,
        scan: Scan,
        found: Result<Option<Product>, CatalogError>,
    ) -> BarcodePhotos {
        let mut messenger = MockMessenger::new();
        messenger.expect_download().returning(move |_, max| {
            assert_eq!(max, PHOTO_MAX_BYTES);
            download.clone()
        });
        let mut reader = MockBarcodeReader::new();
        reader.expect_read().returning(move |_| scan.clone());
        let mut products = MockProductCatalog::new();
        products
            .expect_by_barcode()
            .returning(move |_, _| found.clone());
        BarcodePhotos {
            messenger: Arc::new(messenger),
            reader: Arc::new(reader),
            products: ProductSources::new(vec![Arc::new(products)]),
            vision: None,
            meals: false,
        }
    }

    fn said(scanned: Result<Scanned, ChatError>) -> Say {
        match scanned {
            Ok(Scanned::Not(outcome)) => outcome.reply.parts[0].clone(),
            other => panic!("expected a reply, got {other:?}"),
        }
    }

    #[test]
    fn every_bad_photo_is_a_reply_and_an_outage_is_temporary() {
        let oats = Scan::Code("4823063112628".into());
        let scan = |p: &BarcodePhotos, file: Option<&str>| block_on(p.scan(&ann(), file, None));
        let ok = photos(Ok(vec![1]), oats.clone(), Ok(None));
        assert_eq!(said(scan(&ok, None)), Say::PhotoTooBig { max_mb: 20 });
        assert_eq!(
            said(scan(&ok, Some("f"))),
            Say::ProductNotFound {
                code: "4823063112628".into()
            }
        );
        let refused = photos(
            Err(MessengerError::Rejected("too big".into())),
            oats.clone(),
            Ok(None),
        );
        assert_eq!(
            said(scan(&refused, Some("f"))),
            Say::PhotoTooBig { max_mb: 20 }
        );
        let down = photos(
            Err(MessengerError::Unavailable("502".into())),
            oats.clone(),
            Ok(None),
        );
        assert!(matches!(
            scan(&down, Some("f")),
            Err(ChatError::Temporary(_))
        ));
        let misread = photos(Ok(vec![1]), Scan::Code("4823063112629".into()), Ok(None));
        assert_eq!(said(scan(&misread, Some("f"))), Say::NoBarcode);
        let in_store = photos(Ok(vec![1]), Scan::Code("2001234000000".into()), Ok(None));
        assert_eq!(
            said(scan(&in_store, Some("f"))),
            Say::InStoreBarcode {
                code: "2001234000000".into()
            }
        );
        let unreadable = photos(Ok(vec![1]), Scan::Unreadable, Ok(None));
        assert_eq!(said(scan(&unreadable, Some("f"))), Say::PhotoUnreadable);
        let failing = photos(
            Ok(vec![1]),
            oats.clone(),
            Err(CatalogError::Unavailable("429".into())),
        );
        assert!(matches!(
            scan(&failing, Some("f")),
            Err(ChatError::Temporary(_))
        ));
        let product = Product {
            barcode: Barcode::new("4823063112628").unwrap(),
            name: "Oat flakes".into(),
            per_100g: None,
            serving: None,
            source: NutritionSource::OpenFoodFacts,
        };
        let no_kcal = photos(Ok(vec![1]), oats.clone(), Ok(Some(product.clone())));
        assert_eq!(
            said(scan(&no_kcal, Some("f"))),
            Say::ProductWithoutCalories {
                name: "Oat flakes".into(),
                code: "4823063112628".into()
            }
        );
        let with_kcal = Product {
            per_100g: Some(Nutrients {
                kcal: Kcal::new(366.0).unwrap(),
                protein: MacroGrams::new(12.0).unwrap(),
                fat: MacroGrams::new(6.5).unwrap(),
                carbs: MacroGrams::new(60.0).unwrap(),
            }),
            ..product
        };
        let found = photos(Ok(vec![1]), oats, Ok(Some(with_kcal.clone())));
        let scanned = block_on(found.scan(&ann(), Some("f"), Some("200 г")));
        assert!(matches!(
            scanned,
            Ok(Scanned::Product { product, grams: Some(g) }) if product == with_kcal && g.get() == 200.0
        ));
    }
}
