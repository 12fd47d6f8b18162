//! The no-credentials defaults: an embedded food catalogue ([`OfflineCatalog`], USDA SR Legacy
//! values for about 350 foods eaten in Ukraine and in English-speaking countries) and a
//! rule-based assistant ([`RuleAssistant`]) that reads food logs, goals, deletions and
//! questions in Ukrainian and English without any network.
//!
//! The data file is `data/foods.tsv`, built from `data/tools/foods.spec` (see `data/README.md`).

mod answer;
mod assistant;
mod catalogue;
mod forms;
mod lex;
mod modifiers;
mod parse;
mod past;
mod product;
mod text;
mod units;
mod vocabulary;

pub use assistant::RuleAssistant;
pub use catalogue::{
    COLUMNS, Catalogue, CatalogueFood, FOODS_TSV, FoodSource, OfflineCatalog, RowError,
};
pub use forms::{FAMILIES_TSV, Family, LABELS_TSV};
pub use units::{Unit, portion_grams};
