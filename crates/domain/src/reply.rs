//! What the bot says, as data. Use cases build a [`Reply`]; a [`Presenter`](crate::ports::Presenter)
//! outside the domain renders it in the user's language (Telegram text, a page, JSON). Every
//! number in a reply comes from here, so no text can invent one.

use crate::conversation::Callback;
use crate::model::{
    BriefingTimes, CalorieGoal, DayTotals, FoodEntry, Grams, Kcal, Nutrients, NutritionSource,
    Provider, SavedProduct, UserTimeZone,
};
use crate::ports::{AssistantError, Button, ButtonPress, OutgoingMessage, TranscriptionError};
use crate::usecases::briefing::Briefing;
use crate::usecases::today::DayOverview;
use crate::usecases::whoop::SyncReport;

/// A provider's state, as /sync reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// This deployment has no credentials for the provider.
    NotConfigured,
    /// The user has not connected it.
    NotConnected,
    /// Connected and working.
    Connected,
    /// The provider refused our tokens: reconnect.
    Broken,
}

/// One thing the bot says: a line or a paragraph of a reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Say {
    /// The greeting on /start.
    Welcome {
        /// The user's first name (may be empty).
        name: String,
        /// They had an account already.
        returning: bool,
    },
    /// What the bot can do.
    Help,
    /// A command the bot does not know.
    UnknownCommand {
        /// As typed, without "/".
        command: String,
    },
    /// Something the bot cannot read (a sticker, a photo).
    Unsupported,
    /// The goal now.
    GoalCurrent(CalorieGoal),
    /// The goal was changed.
    GoalSet(CalorieGoal),
    /// The goal asked for is not a goal.
    GoalInvalid,
    /// The time zone now.
    TimeZoneCurrent(UserTimeZone),
    /// The time zone was changed.
    TimeZoneSet(UserTimeZone),
    /// The time zone asked for does not exist.
    TimeZoneInvalid {
        /// What the user typed.
        typed: String,
    },
    /// The language was switched (to the one the reply is rendered in).
    LanguageSet,
    /// The state of each connection.
    SyncStatus(Vec<(Provider, ConnectionState)>),
    /// This deployment cannot connect the provider.
    ConnectNotConfigured(Provider),
    /// A single-use link to connect the provider.
    ConnectLink {
        /// Which provider.
        provider: Provider,
        /// The link.
        url: String,
    },
    /// The briefing times were changed.
    BriefingTimesSet(BriefingTimes),
    /// /briefing_time needs two times, morning first.
    BriefingTimesUsage,
    /// Briefings were switched on or off.
    BriefingsSwitched {
        /// Now on.
        on: bool,
        /// The times they come at.
        times: BriefingTimes,
    },
    /// /today.
    Today {
        /// The day so far (boxed: the largest part by far).
        overview: Box<DayOverview>,
        /// Whether WHOOP is connected (what to say when there are no records).
        whoop_connected: bool,
    },
    /// The heading of a logging reply: how many items were logged.
    Logged {
        /// Items logged (at least one).
        count: usize,
    },
    /// One logged (or changed) item with its numbers.
    FoodItem(FoodEntry),
    /// A mention the catalogue does not know: not logged.
    FoodNotFound {
        /// The user's words.
        said: String,
    },
    /// A portion that cannot be weighed: not logged.
    UnknownPortion {
        /// The user's words.
        said: String,
    },
    /// Where the numbers came from.
    Sources(Vec<NutritionSource>),
    /// Nothing in the message could be logged.
    NothingLogged,
    /// The day's total against the goal after a change.
    DayTotal {
        /// Today's totals.
        totals: DayTotals,
        /// The goal.
        goal: CalorieGoal,
    },
    /// Undo voided these entries.
    Undone {
        /// Their names.
        names: Vec<String>,
    },
    /// Undo of something already undone.
    NothingToUndo,
    /// "Delete the last entry" deleted it.
    EntryDeleted(FoodEntry),
    /// There is no entry to delete.
    NothingToDelete,
    /// How many grams should this entry be?
    AskGrams(FoodEntry),
    /// The heading of a portion change.
    PortionChanged,
    /// The entry to change is gone.
    EntryGone,
    /// The assistant's own answer (OpenAI's words, or the offline rules' template).
    Answer(String),
    /// The assistant could not help; the message was kept.
    AssistantFailed(AssistantError),
    /// The offline rules stood in for the assistant.
    UsedFallback,
    /// The message could not be handled after every attempt and was set aside.
    SetAside,
    /// Too many messages at once: the next ones, for this long, are skipped.
    SlowDown {
        /// Seconds until messages are read again.
        seconds: i64,
    },
    /// /sync ran a moment ago: the next one in this many minutes.
    SyncCooldown {
        /// Minutes to wait.
        minutes: i64,
    },
    /// The assistant's answer was not grounded in the data and there are no rules to answer
    /// instead: the data does not hold what was asked.
    NotInData,
    /// What was heard in a voice note.
    Heard {
        /// The transcript.
        text: String,
    },
    /// A voice note over the limit.
    VoiceTooLong {
        /// Its length.
        secs: u32,
        /// The limit.
        max: u32,
    },
    /// No transcription service is configured.
    VoiceUnavailable,
    /// Transcription failed.
    TranscriptionFailed(TranscriptionError),
    /// The voice note had no words.
    HeardNothing,
    /// The voice note could not be downloaded.
    VoiceDownloadFailed,
    /// A photo without a barcode that could be read: what works offline.
    NoBarcode,
    /// The photo is no image that can be opened.
    PhotoUnreadable,
    /// The grams of a package are asked before anything is logged.
    AskPackageGrams {
        /// The food's name.
        name: String,
    },
    /// A photo with neither a barcode nor a nutrition label (the label reader is configured).
    NoBarcodeNorLabel,
    /// The label was read, with its numbers: nothing is saved or logged until a button says.
    LabelRead {
        /// The product's name.
        name: String,
        /// Energy and macros per 100 g.
        per_100g: Nutrients,
        /// The serving's weight, when printed.
        serving: Option<Grams>,
        /// The grams the caption said.
        grams: Option<Grams>,
    },
    /// A label whose calories could not be read (or only per serving, with no serving weight).
    LabelWithoutNumbers,
    /// A label read without the product's name (and no caption to name it).
    LabelNeedsName,
    /// Reading the label failed (the model refused or answered nonsense).
    LabelFailed,
    /// The label's reading was dropped: nothing saved or logged.
    LabelCancelled,
    /// A meal estimated from a photo, before anything is logged: each food with its estimated
    /// grams and the catalogue's kcal for them.
    MealDraft {
        /// The foods found in the catalogue.
        items: Vec<MealDraftItem>,
        /// Their kcal together.
        total: Kcal,
        /// Foods seen but not found (or too ambiguous to guess), left out.
        left_out: Vec<String>,
    },
    /// A meal was seen, but none of its foods is known well enough to estimate.
    MealNothingKnown {
        /// What was seen.
        seen: Vec<String>,
    },
    /// The grams of one food of a meal's estimate are asked.
    AskMealGrams {
        /// The food's name.
        name: String,
        /// The estimated grams.
        grams: Grams,
    },
    /// Meal photos are turned off on this server.
    MealPhotosOff,
    /// The meal's estimate was dropped: nothing logged.
    MealCancelled,
    /// The photo is larger than the bot may download.
    PhotoTooBig {
        /// The limit, in megabytes.
        max_mb: u64,
    },
    /// The barcode is a shop's own code (prefix 2), no product.
    InStoreBarcode {
        /// Its digits.
        code: String,
    },
    /// No product database knows the barcode.
    ProductNotFound {
        /// Its digits.
        code: String,
    },
    /// The product is known, without its calories.
    ProductWithoutCalories {
        /// Its name.
        name: String,
        /// Its digits.
        code: String,
    },
    /// The product a barcode stands for (before the logged item).
    ProductFound {
        /// Its name.
        name: String,
        /// Its digits.
        code: String,
    },
    /// WHOOP refused our tokens: reconnect.
    WhoopReconnect,
    /// WHOOP was connected; the first sync is on its way.
    WhoopConnected,
    /// A WHOOP sync's counts.
    WhoopSynced(SyncReport),
    /// WHOOP could not be reached for now.
    WhoopSyncFailed,
    /// FatSecret was connected.
    FatsecretConnected,
    /// The FatSecret diary was read.
    FatsecretImported {
        /// Entries new here.
        new_entries: usize,
    },
    /// The FatSecret diary could not be read for now.
    FatsecretImportFailed,
    /// FatSecret refused our tokens: reconnect.
    FatsecretReconnect,
    /// The caption of the data export.
    ExportCaption,
    /// Asking before erasing everything.
    ConfirmDelete,
    /// Everything was erased.
    DataDeleted {
        /// What became of WHOOP's access.
        whoop: WhoopAccess,
    },
    /// The user kept their data.
    DataKept,
    /// A morning briefing or an evening summary.
    Briefing(Briefing),
    /// The words name foods whose energy differs a lot: which one? (buttons follow).
    ChooseFood {
        /// The user's words.
        said: String,
        /// The candidates' names and energy per 100 g, in button order.
        candidates: Vec<(String, Kcal)>,
    },
    /// These items were taken as the user meant the same words last time.
    AsLastTime {
        /// The foods' names.
        names: Vec<String>,
    },
    /// This item was weighed as the user's usual portion.
    UsualPortion {
        /// The food's name.
        name: String,
        /// The portion.
        grams: Grams,
    },
    /// The candidates offered are no longer kept (picked already, or too old).
    ChoiceGone,
    /// A product was saved.
    ProductSaved(SavedProduct),
    /// The user's saved products (may be none).
    Products(Vec<SavedProduct>),
    /// A saved product was deleted.
    ProductDeleted {
        /// Its name.
        name: String,
    },
    /// The product to delete is gone already.
    ProductGone,
}

/// What a button says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    /// Undo what a message logged.
    Undo,
    /// Change the grams of the only item logged.
    ChangeGrams,
    /// Change the grams of this item (one of several).
    ChangeGramsOf(String),
    /// Erase everything.
    DeleteEverything,
    /// Keep the data.
    KeepMyData,
    /// Open the Mini App dashboard.
    OpenDashboard,
    /// The chat's menu button that opens the Mini App dashboard.
    MenuDashboard,
    /// One of the foods some words may mean.
    Candidate(String),
    /// Delete this saved product.
    DeleteProduct(String),
    /// A label read from a photo: save the product and log it.
    LabelSaveAndLog,
    /// A label read from a photo: save the product only.
    LabelSaveOnly,
    /// A label read from a photo: neither.
    LabelCancel,
    /// A meal estimated from a photo: log it all.
    MealLogAll,
    /// A meal estimated from a photo: log nothing.
    MealCancel,
    /// A meal estimated from a photo: change the grams of this food.
    MealEditItem(String),
}

/// One food of a meal's estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct MealDraftItem {
    /// The catalogue's name.
    pub name: String,
    /// The estimated weight.
    pub grams: Grams,
    /// Its energy by the catalogue.
    pub kcal: Kcal,
}

/// A button under a reply: what it says and what pressing it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// What it says.
    pub label: Label,
    /// What pressing it does.
    pub press: Press,
}

impl Action {
    /// A button that sends `callback` back.
    pub fn callback(label: Label, callback: Callback) -> Self {
        Self {
            label,
            press: Press::Callback(callback),
        }
    }
}

/// What pressing a button does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Press {
    /// The bot gets this back.
    Callback(Callback),
    /// The Mini App dashboard opens.
    OpenDashboard,
}

/// A whole reply: its parts (rendered one per line) and rows of buttons.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reply {
    /// What is said, in order.
    pub parts: Vec<Say>,
    /// Rows of buttons.
    pub buttons: Vec<Vec<Action>>,
    /// Also make the chat's menu button open the dashboard, labelled in the reply's language
    /// (Telegram's default button has one label for every chat; a chat's own follows its
    /// user's language).
    pub menu: bool,
}

impl Reply {
    /// A reply of one part.
    pub fn one(say: Say) -> Self {
        Self {
            parts: vec![say],
            buttons: Vec::new(),
            menu: false,
        }
    }

    /// A reply of these parts, without buttons.
    pub fn of(parts: Vec<Say>) -> Self {
        Self {
            parts,
            buttons: Vec::new(),
            menu: false,
        }
    }

    /// Also sets the chat's menu button to the dashboard, in the reply's language.
    pub fn with_menu_button(mut self) -> Self {
        self.menu = true;
        self
    }

    /// Adds a row with the button that opens the Mini App dashboard.
    pub fn with_dashboard(mut self) -> Self {
        self.buttons.push(vec![Action {
            label: Label::OpenDashboard,
            press: Press::OpenDashboard,
        }]);
        self
    }

    /// Adds a part at the end.
    pub fn push(&mut self, say: Say) {
        self.parts.push(say);
    }

    /// The reply as a message, its parts and labels rendered by a presenter: parts one per
    /// line (an empty one leaves no blank line), buttons with their callback data.
    pub fn to_message(
        &self,
        say: impl Fn(&Say) -> String,
        label: impl Fn(&Label) -> String,
    ) -> OutgoingMessage {
        OutgoingMessage {
            text: self
                .parts
                .iter()
                .map(say)
                .filter(|line| !line.is_empty())
                .collect::<Vec<_>>()
                .join("\n"),
            buttons: self
                .buttons
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|action| Button {
                            label: label(&action.label),
                            press: match &action.press {
                                Press::Callback(callback) => {
                                    ButtonPress::Callback(callback.encode())
                                }
                                Press::OpenDashboard => ButtonPress::OpenDashboard,
                            },
                        })
                        .collect()
                })
                .collect(),
            menu_button: self.menu.then(|| label(&Label::MenuDashboard)),
        }
    }
}

impl From<Say> for Reply {
    fn from(say: Say) -> Self {
        Reply::one(say)
    }
}

/// What became of WHOOP's access to the account when the user's data was erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhoopAccess {
    /// WHOOP was not connected.
    NotConnected,
    /// WHOOP took the revocation (or had already cut the access off).
    Revoked,
    /// WHOOP could not be asked or did not take it: the user should remove the app there.
    NotRevoked,
}
