//! Names with their form and families of foods the same words may mean.
//!
//! `data/labels.tsv` gives a food the name a reply shows, with its form ("вівсянка, варена",
//! "oat flakes, dry"), so a wrong match is visible at a glance; a food without a label shows
//! its catalogue name. `data/families.tsv` lists the words that name several foods at once
//! ("вівсянка": dry flakes or cooked porridge; "молоко": 2 %, whole or skimmed), with those
//! foods in the order they are offered.

use std::collections::HashMap;

use wellness_domain::Locale;
use wellness_domain::ports::FoodFacts;

use crate::catalogue::{Catalogue, OfflineCatalog, food_words};
use crate::text::{fold_words, stem_key};

/// The labels, embedded at build time.
pub const LABELS_TSV: &str = include_str!("../data/labels.tsv");
/// The families, embedded at build time.
pub const FAMILIES_TSV: &str = include_str!("../data/families.tsv");

/// Foods one phrase may mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    /// Its id ("oats").
    pub id: String,
    /// The foods' ids, in the order they are offered.
    pub members: Vec<String>,
    /// The ambiguous phrases, folded.
    phrases: Vec<Vec<String>>,
}

impl Family {
    /// Whether these folded words are one of the family's ambiguous phrases (or their stems).
    pub(crate) fn is_named_by(&self, words: &[String]) -> bool {
        if words.is_empty() {
            return false;
        }
        let key = stem_key(words);
        self.phrases
            .iter()
            .any(|p| p == words || (key.is_some() && stem_key(p) == key))
    }
}

/// Labels by food id: (English, Ukrainian).
pub(crate) fn labels(tsv: &str) -> HashMap<String, (String, String)> {
    tsv.lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.split('\t').map(str::trim);
            let (id, en, uk) = (fields.next()?, fields.next()?, fields.next()?);
            (!id.is_empty() && !en.is_empty() && !uk.is_empty())
                .then(|| (id.to_owned(), (en.to_owned(), uk.to_owned())))
        })
        .collect()
}

fn split(field: &str) -> impl Iterator<Item = &str> {
    field.split(';').map(str::trim).filter(|s| !s.is_empty())
}

/// The families of a data file (rows without two members are skipped).
pub(crate) fn families(tsv: &str) -> Vec<Family> {
    tsv.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let id = fields.first()?.trim();
            let members: Vec<String> = split(fields.get(1)?).map(str::to_owned).collect();
            let phrases: Vec<Vec<String>> = fields[2..]
                .iter()
                .flat_map(|f| split(f))
                .map(fold_words)
                .filter(|w| !w.is_empty())
                .collect();
            (!id.is_empty() && members.len() >= 2 && !phrases.is_empty()).then(|| Family {
                id: id.to_owned(),
                members,
                phrases,
            })
        })
        .collect()
}

impl Catalogue {
    /// The catalogue with labels and families applied (unknown ids are skipped).
    pub fn with_forms(mut self, labels_tsv: &str, families_tsv: &str) -> Catalogue {
        let labels = labels(labels_tsv);
        for food in &mut self.foods {
            if let Some((en, uk)) = labels.get(&food.id) {
                food.label_en.clone_from(en);
                food.label_uk.clone_from(uk);
            }
        }
        self.families = families(families_tsv)
            .into_iter()
            .filter(|f| f.members.iter().all(|m| self.by_id(m).is_some()))
            .collect();
        self
    }

    /// The families.
    pub fn families(&self) -> &[Family] {
        &self.families
    }

    fn family_named(&self, phrase: &str) -> Option<&Family> {
        let words = food_words(phrase);
        let plain: Vec<String> = words
            .iter()
            .filter(|w| !Catalogue::is_modifier(w))
            .cloned()
            .collect();
        self.families
            .iter()
            .find(|f| f.is_named_by(&words) || f.is_named_by(&plain))
    }

    /// The family the user's words name ("вівсянки"), or, when those words are not in the
    /// catalogue at all, the one the English lookup name does: "вівсяна каша" names cooked
    /// porridge even though its lookup name "oatmeal" is ambiguous.
    pub fn family_of(&self, said: &str, lookup_name: &str) -> Option<&Family> {
        if let Some(family) = self.family_named(said) {
            return Some(family);
        }
        if self.find(said).is_some() {
            return None;
        }
        self.family_named(lookup_name)
    }
}

impl OfflineCatalog {
    /// The facts of the food the words mean, with the other members of its family as
    /// alternatives when the words are ambiguous.
    pub fn resolve(&self, said: &str, lookup_name: &str, locale: Locale) -> Option<FoodFacts> {
        let catalogue = self.catalogue();
        let food = self.lookup(said, lookup_name)?;
        let mut facts = food.facts(locale);
        if let Some(family) = catalogue.family_of(said, lookup_name) {
            facts.family = Some(family.id.clone());
            facts.alternatives = family
                .members
                .iter()
                .filter(|id| **id != food.id)
                .filter_map(|id| catalogue.by_id(id))
                .map(|f| f.facts(locale))
                .collect();
        }
        Some(facts)
    }

    /// The id of the food the words mean and the family, when they name one: what the
    /// resolution-accuracy table checks.
    pub fn resolve_ids(&self, said: &str, lookup_name: &str) -> (Option<&str>, Option<&str>) {
        let food = self.lookup(said, lookup_name).map(|f| f.id.as_str());
        let family = self
            .catalogue()
            .family_of(said, lookup_name)
            .map(|f| f.id.as_str());
        (food, family)
    }
}
