//! The embedded food catalogue: `data/foods.tsv`, parsed once, indexed by every name, synonym
//! and inflected form in both languages.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use async_trait::async_trait;
use thiserror::Error;
use wellness_domain::ports::{CatalogError, FoodCatalog, FoodFacts, PortionSize};
use wellness_domain::{Grams, Kcal, Locale, MacroGrams, Nutrients, NutritionSource};

use crate::text::{fold_phrase, fold_words, stem, stem_key, stems_are_close};
use crate::units::{Unit, mass_unit, portion_unit, size_word};

/// The data file, embedded at build time.
pub const FOODS_TSV: &str = include_str!("../data/foods.tsv");

/// The columns of the data file, in order.
pub const COLUMNS: [&str; 16] = [
    "id",
    "name_en",
    "name_uk",
    "synonyms_en",
    "synonyms_uk",
    "kcal",
    "protein_g",
    "fat_g",
    "carbs_g",
    "fibre_g",
    "alcohol_g",
    "portions",
    "source",
    "ndb",
    "fdc_id",
    "source_description",
];

/// Where a food's numbers come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FoodSource {
    /// One USDA SR Legacy record.
    SrLegacy {
        /// Its NDB number ("01123"), which FoodData Central keeps for SR Legacy foods.
        ndb: String,
        /// Its FoodData Central id, when it was confirmed.
        fdc_id: Option<u32>,
        /// Its USDA description.
        description: String,
    },
    /// A recipe computed from SR Legacy ingredients (see `data/tools/foods.spec`).
    Recipe {
        /// The ingredients, weights and cooking yield.
        description: String,
    },
}

/// One food of the catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogueFood {
    /// A stable id ("buckwheat").
    pub id: String,
    /// The English name; the assistant's `lookup_name`.
    pub name_en: String,
    /// The Ukrainian name.
    pub name_uk: String,
    /// Other English names and plurals.
    pub synonyms_en: Vec<String>,
    /// Other Ukrainian names and inflected forms.
    pub synonyms_uk: Vec<String>,
    /// Energy and macros per 100 g.
    pub per_100g: Nutrients,
    /// Dietary fibre per 100 g (included in carbs, as USDA reports them).
    pub fibre_g: f64,
    /// Alcohol per 100 g (7 kcal/g, outside the macros).
    pub alcohol_g: f64,
    /// Portions, the typical one first.
    pub portions: Vec<(Unit, Grams)>,
    /// Who gave the numbers.
    pub source: FoodSource,
    /// The English name a reply shows, with the form ("oat flakes, dry"; `data/labels.tsv`),
    /// else the name.
    pub label_en: String,
    /// The Ukrainian name a reply shows ("вівсяні пластівці, сухі"), else the name.
    pub label_uk: String,
}

impl CatalogueFood {
    /// Every name it is known by, in both languages.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        [self.name_en.as_str(), self.name_uk.as_str()]
            .into_iter()
            .chain(self.synonyms_en.iter().map(String::as_str))
            .chain(self.synonyms_uk.iter().map(String::as_str))
    }

    /// Its name in a language.
    pub fn name(&self, locale: Locale) -> &str {
        match locale {
            Locale::Uk => &self.name_uk,
            Locale::En => &self.name_en,
        }
    }

    /// The name a reply shows, with the form, in a language.
    pub fn label(&self, locale: Locale) -> &str {
        match locale {
            Locale::Uk => &self.label_uk,
            Locale::En => &self.label_en,
        }
    }

    /// What the `FoodCatalog` port returns for it.
    pub fn facts(&self, locale: Locale) -> FoodFacts {
        FoodFacts {
            name: self.label(locale).to_owned(),
            per_100g: self.per_100g,
            portions: self
                .portions
                .iter()
                .map(|(unit, grams)| PortionSize {
                    name: unit.key().to_owned(),
                    unit: Some(*unit),
                    grams: *grams,
                })
                .collect(),
            source: NutritionSource::OfflineCatalogue,
            catalogue_ref: None,
            alternatives: Vec::new(),
            family: None,
        }
    }

    /// Whether it has a portion of that unit.
    pub fn has_portion(&self, unit: Unit) -> bool {
        self.portions.iter().any(|(u, _)| *u == unit)
    }
}

/// A row of the data file that could not be read; it is skipped.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("foods.tsv line {line}: {message}")]
pub struct RowError {
    /// The line number, 1-based.
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

#[derive(Debug, Default)]
struct Index {
    /// Folded name → food.
    exact: HashMap<String, usize>,
    /// Stemmed name → foods.
    stems: HashMap<String, Vec<usize>>,
    /// Every folded name as words and their stems, for the fuzzy pass.
    names: Vec<(Vec<String>, Vec<String>, usize)>,
}

/// A parsed catalogue with its index.
#[derive(Debug)]
pub struct Catalogue {
    pub(crate) foods: Vec<CatalogueFood>,
    errors: Vec<RowError>,
    index: Index,
    /// Families of foods one phrase may mean (`data/families.tsv`).
    pub(crate) families: Vec<crate::forms::Family>,
}

fn number(field: &str, what: &str) -> Result<f64, String> {
    let value: f64 = field
        .trim()
        .parse()
        .map_err(|_| format!("{what} {field:?} is not a number"))?;
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(format!("{what} {value} is negative or not finite"))
    }
}

fn list(field: &str) -> Vec<String> {
    field
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// "cup=240;tbsp=15" as units and weights.
fn portions(field: &str) -> Result<Vec<(Unit, Grams)>, String> {
    let mut portions = Vec::new();
    for portion in list(field) {
        let (key, grams) = portion
            .split_once('=')
            .ok_or_else(|| format!("portion {portion:?} is not unit=grams"))?;
        let unit = Unit::from_key(key.trim()).ok_or_else(|| format!("unknown unit {key:?}"))?;
        let grams = Grams::new(number(grams, "portion grams")?).map_err(|e| e.to_string())?;
        portions.push((unit, grams));
    }
    Ok(portions)
}

fn parse_row(fields: &[&str]) -> Result<CatalogueFood, String> {
    if fields.len() != COLUMNS.len() {
        return Err(format!(
            "expected {} tab-separated columns, found {}",
            COLUMNS.len(),
            fields.len()
        ));
    }
    let id = fields[0].trim();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(format!("bad id {id:?}"));
    }
    let (name_en, name_uk) = (fields[1].trim().to_owned(), fields[2].trim().to_owned());
    if name_en.is_empty() || name_uk.is_empty() {
        return Err("a food needs an English and a Ukrainian name".into());
    }
    let macro_grams = |i: usize| -> Result<MacroGrams, String> {
        MacroGrams::new(number(fields[i], COLUMNS[i])?).map_err(|e| e.to_string())
    };
    let per_100g = Nutrients {
        kcal: Kcal::new(number(fields[5], "kcal")?).map_err(|e| e.to_string())?,
        protein: macro_grams(6)?,
        fat: macro_grams(7)?,
        carbs: macro_grams(8)?,
    };
    let fibre_g = number(fields[9], "fibre_g")?;
    let alcohol_g = number(fields[10], "alcohol_g")?;
    let portions = portions(fields[11])?;
    if portions.is_empty() {
        return Err("a food needs at least one portion".into());
    }
    let description = fields[15].trim().to_owned();
    if description.is_empty() {
        return Err("the source description is missing".into());
    }
    let source = match fields[12].trim() {
        "sr_legacy" => {
            let ndb = fields[13].trim();
            if ndb.len() != 5 || !ndb.chars().all(|c| c.is_ascii_digit()) {
                return Err(format!("bad NDB number {ndb:?}"));
            }
            let fdc_id = match fields[14].trim() {
                "unknown" => None,
                id => Some(id.parse().map_err(|_| format!("bad FDC id {id:?}"))?),
            };
            FoodSource::SrLegacy {
                ndb: ndb.to_owned(),
                fdc_id,
                description,
            }
        }
        "recipe" => FoodSource::Recipe { description },
        other => return Err(format!("unknown source {other:?}")),
    };
    Ok(CatalogueFood {
        id: id.to_owned(),
        label_en: name_en.clone(),
        label_uk: name_uk.clone(),
        name_en,
        name_uk,
        synonyms_en: list(fields[3]),
        synonyms_uk: list(fields[4]),
        per_100g,
        fibre_g,
        alcohol_g,
        portions,
        source,
    })
}

/// Whether `word` is a modifier or a size word.
fn is_modifier(word: &str) -> bool {
    crate::modifiers::MODIFIERS.contains(&word) || size_word(word).is_some()
}

impl Catalogue {
    /// Parses a data file; bad rows are skipped and reported in `errors()`, never a panic.
    pub fn parse(tsv: &str) -> Catalogue {
        let mut catalogue = Catalogue {
            foods: Vec::new(),
            errors: Vec::new(),
            index: Index::default(),
            families: Vec::new(),
        };
        let mut ids: HashMap<String, usize> = HashMap::new();
        for (i, line) in tsv.lines().enumerate() {
            let line_no = i + 1;
            if i == 0 {
                let header: Vec<&str> = line.split('\t').collect();
                if header != COLUMNS {
                    catalogue.errors.push(RowError {
                        line: line_no,
                        message: format!("the header should be {}", COLUMNS.join(" ")),
                    });
                }
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let food = match parse_row(&fields) {
                Ok(food) => food,
                Err(message) => {
                    catalogue.errors.push(RowError {
                        line: line_no,
                        message,
                    });
                    continue;
                }
            };
            if let Some(first) = ids.get(&food.id) {
                catalogue.errors.push(RowError {
                    line: line_no,
                    message: format!("id {:?} repeats line {first}", food.id),
                });
                continue;
            }
            let clash = food.names().find_map(|name| {
                let key = fold_phrase(name);
                match catalogue.index.exact.get(&key) {
                    Some(other) => Some(format!(
                        "the name {name:?} already names {:?}",
                        catalogue.foods[*other].id
                    )),
                    None if key.is_empty() => Some(format!("the name {name:?} has no letters")),
                    None => None,
                }
            });
            if let Some(message) = clash {
                catalogue.errors.push(RowError {
                    line: line_no,
                    message,
                });
                continue;
            }
            ids.insert(food.id.clone(), line_no);
            catalogue.add(food);
        }
        catalogue
    }

    fn add(&mut self, food: CatalogueFood) {
        let at = self.foods.len();
        for name in food.names() {
            let words = fold_words(name);
            self.index.exact.insert(words.join(" "), at);
            if let Some(stem) = stem_key(&words) {
                let rows = self.index.stems.entry(stem).or_default();
                if !rows.contains(&at) {
                    rows.push(at);
                }
            }
            let stems = words.iter().map(|w| stem(w)).collect();
            self.index.names.push((words, stems, at));
        }
        self.foods.push(food);
    }

    /// The foods.
    pub fn foods(&self) -> &[CatalogueFood] {
        &self.foods
    }

    /// The rows that were skipped.
    pub fn errors(&self) -> &[RowError] {
        &self.errors
    }

    /// A food by its id.
    pub fn by_id(&self, id: &str) -> Option<&CatalogueFood> {
        self.foods.iter().find(|f| f.id == id)
    }

    /// The food whose name, synonym or inflected form is exactly these folded words, or whose
    /// stems are, when only one food has them.
    pub(crate) fn exact_or_stem(&self, words: &[String]) -> Option<usize> {
        if words.is_empty() {
            return None;
        }
        if let Some(at) = self.index.exact.get(&words.join(" ")) {
            return Some(*at);
        }
        match self.index.stems.get(&stem_key(words)?) {
            Some(rows) if rows.len() == 1 => rows.first().copied(),
            _ => None,
        }
    }

    pub(crate) fn fuzzy(&self, words: &[String]) -> Option<usize> {
        if words.is_empty() || words.len() > 6 {
            return None;
        }
        let typed_stems: Vec<String> = words.iter().map(|w| stem(w)).collect();
        let mut found: Option<usize> = None;
        for (name, stems, at) in &self.index.names {
            if name.len() == words.len()
                && (0..name.len())
                    .all(|i| stems_are_close(&words[i], &typed_stems[i], &name[i], &stems[i]))
            {
                match found {
                    Some(other) if other != *at => return None,
                    _ => found = Some(*at),
                }
            }
        }
        found
    }

    /// Looks up a phrase as a user or another assistant said it: exact names and inflections
    /// first, then without descriptive words, then a conservative fuzzy match that must point
    /// at one food only. None when unsure.
    pub fn find(&self, phrase: &str) -> Option<&CatalogueFood> {
        self.find_any(&[phrase])
    }

    fn find_any(&self, phrases: &[&str]) -> Option<&CatalogueFood> {
        let cleaned: Vec<Vec<String>> = phrases.iter().map(|p| food_words(p)).collect();
        let plain: Vec<Vec<String>> = cleaned
            .iter()
            .map(|w| w.iter().filter(|w| !is_modifier(w)).cloned().collect())
            .collect();
        let at = cleaned
            .iter()
            .find_map(|w| self.exact_or_stem(w))
            .or_else(|| plain.iter().find_map(|w| self.exact_or_stem(w)))
            .or_else(|| plain.iter().find_map(|w| self.fuzzy(w)))?;
        self.foods.get(at)
    }

    pub(crate) fn food(&self, at: usize) -> Option<&CatalogueFood> {
        self.foods.get(at)
    }

    pub(crate) fn is_modifier(word: &str) -> bool {
        is_modifier(word)
    }
}

/// The words of a phrase that can name a food: numbers and units dropped ("2 яйця" → "яйця").
pub(crate) fn food_words(phrase: &str) -> Vec<String> {
    let words = fold_words(phrase);
    let kept: Vec<String> = words
        .iter()
        .filter(|w| {
            !w.chars().all(|c| c.is_ascii_digit())
                && mass_unit(w).is_none()
                && portion_unit(w).is_none()
                && !matches!(w.as_str(), "a" | "an")
        })
        .cloned()
        .collect();
    if kept.is_empty() { words } else { kept }
}

static EMBEDDED: LazyLock<Arc<Catalogue>> = LazyLock::new(|| {
    let catalogue = Catalogue::parse(FOODS_TSV)
        .with_forms(crate::forms::LABELS_TSV, crate::forms::FAMILIES_TSV);
    for error in catalogue.errors() {
        tracing::error!(%error, "skipped a row of the embedded food catalogue");
    }
    Arc::new(catalogue)
});

/// The embedded catalogue as a `FoodCatalog`: numbers from USDA SR Legacy, no network.
#[derive(Debug, Clone)]
pub struct OfflineCatalog {
    catalogue: Arc<Catalogue>,
}

impl Default for OfflineCatalog {
    fn default() -> Self {
        Self::new()
    }
}

impl OfflineCatalog {
    /// The embedded catalogue (parsed on first use, once per process).
    pub fn new() -> Self {
        Self {
            catalogue: Arc::clone(&EMBEDDED),
        }
    }

    /// A catalogue from another data file in the same format (for tests and tools).
    pub fn from_tsv(tsv: &str) -> Self {
        Self {
            catalogue: Arc::new(Catalogue::parse(tsv)),
        }
    }

    /// The parsed catalogue.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// Rows of the data file that were skipped (log them at start-up).
    pub fn load_errors(&self) -> &[RowError] {
        self.catalogue.errors()
    }

    /// The food the user's words or the English lookup name mean, when sure.
    pub fn lookup(&self, said: &str, lookup_name: &str) -> Option<&CatalogueFood> {
        self.catalogue.find_any(&[said, lookup_name])
    }
}

#[async_trait]
impl FoodCatalog for OfflineCatalog {
    async fn find(
        &self,
        said: &str,
        lookup_name: &str,
        locale: Locale,
    ) -> Result<Option<FoodFacts>, CatalogError> {
        Ok(self.resolve(said, lookup_name, locale))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalogue_parses_without_errors() {
        let catalogue = OfflineCatalog::new();
        assert_eq!(catalogue.load_errors(), &[]);
        assert!(catalogue.catalogue().foods().len() >= 300);
    }

    #[test]
    fn a_malformed_row_is_skipped_and_reported() {
        let header = COLUMNS.join("\t");
        let good = "egg\tegg\tяйце\teggs\tяйця\t143\t12.56\t9.51\t0.72\t0\t0\tpiece=50\tsr_legacy\t01123\t171287\tEgg, whole, raw, fresh";
        let bad = "toast\ttoast\tтост\t\t\tlots\t1\t1\t1\t0\t0\tslice=27\tsr_legacy\t18070\tunknown\tBread";
        let short = "x\ty";
        let catalogue = Catalogue::parse(&format!("{header}\n{good}\n{bad}\n{short}\n"));
        assert_eq!(catalogue.foods().len(), 1);
        assert_eq!(catalogue.errors().len(), 2);
        assert_eq!(catalogue.errors()[0].line, 3);
        assert!(catalogue.errors()[0].message.contains("kcal"));
    }

    #[test]
    fn a_name_used_by_two_foods_is_an_error() {
        let header = COLUMNS.join("\t");
        let a = "a\tapple\tяблуко\t\t\t52\t0.3\t0.2\t13.8\t2.4\t0\tpiece=182\trecipe\t\t\trecipe";
        let b = "b\tApple\tгруша\t\t\t57\t0.4\t0.1\t15.2\t3.1\t0\tpiece=178\trecipe\t\t\trecipe";
        let catalogue = Catalogue::parse(&format!("{header}\n{a}\n{b}\n"));
        assert_eq!(catalogue.foods().len(), 1);
        assert!(catalogue.errors()[0].message.contains("Apple"));
    }
}
