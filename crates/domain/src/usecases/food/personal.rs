//! The user's own foods first: saved products and what they meant by the same words before;
//! then the catalogue, asking (buttons) when the words may mean foods of very different energy;
//! the pick is logged and remembered. Also /products and saving a typed product.

use chrono::Duration;

use super::logging::{new_entry, weigh};
use super::{FoodLogging, History, Outcome};
use crate::conversation::Callback;
use crate::model::{
    FoodChoice, Grams, IdempotencyKey, LocalDate, SavedProductId, UpdateId, User, food_key,
};
use crate::ports::{Amount, FoodFacts, FoodMention};
use crate::reply::{Action, Label, Reply, Say};
use crate::usecases::chat::ChatError;

/// Words are asked about when the most energetic food they may mean has more than this many
/// times the kcal per 100 g of the least (dry oats 389 against cooked 71: 5.5; roast chicken
/// with skin 239 against skinless breast 165: 1.45; raw against boiled egg 143/155: 1.08, not
/// asked). An error of 40 % is about 130 kcal on a 200 g portion of chicken.
pub const AMBIGUITY_RATIO: f64 = 1.4;

/// At most this many candidates are offered.
const MAX_CANDIDATES: usize = 3;

/// How long offered candidates are kept (older ones are removed by the daily cleanup).
pub const CHOICE_KEPT_FOR: Duration = Duration::days(2);

/// What a mention resolved to.
pub(super) enum Resolved {
    /// This food (`remembered`: as the user meant the same words before).
    Food { facts: FoodFacts, remembered: bool },
    /// Ask which of these.
    Ask(Vec<FoodFacts>),
    /// Nothing known by these words.
    NotFound,
}

/// Lines a logging reply gets besides its items.
#[derive(Default)]
pub(super) struct Notes {
    pub(super) remembered: Vec<String>,
    pub(super) usual: Vec<Say>,
    pub(super) asked: Vec<Say>,
    pub(super) buttons: Vec<Vec<Action>>,
}

impl Notes {
    /// The reply with these lines: remembered and usual portions after the items, questions
    /// with their buttons at the end.
    pub(super) fn into_reply(self, mut reply: Reply) -> Reply {
        let after_items = reply
            .parts
            .iter()
            .rposition(|p| matches!(p, Say::FoodItem(_)))
            .map_or(0, |i| i + 1);
        let mut lines = self.usual;
        if !self.remembered.is_empty() {
            lines.push(Say::AsLastTime {
                names: self.remembered,
            });
        }
        for (i, line) in lines.into_iter().enumerate() {
            reply.parts.insert(after_items + i, line);
        }
        reply.parts.extend(self.asked);
        reply.buttons.extend(self.buttons);
        reply
    }
}

/// The candidates, when the facts' alternatives differ a lot in energy from each other.
pub fn candidates(facts: &FoodFacts) -> Option<Vec<FoodFacts>> {
    let mut all: Vec<FoodFacts> = vec![facts.clone()];
    for alternative in &facts.alternatives {
        if !all.iter().any(|c| c.name == alternative.name) {
            all.push(alternative.clone());
        }
    }
    all.truncate(MAX_CANDIDATES);
    let kcal: Vec<f64> = all.iter().map(|c| c.per_100g.kcal.get()).collect();
    let max = kcal.iter().copied().fold(0.0, f64::max);
    let min = kcal.iter().copied().fold(f64::INFINITY, f64::min);
    let differs = all.len() > 1 && (min <= 0.0 && max > 0.0 || max > AMBIGUITY_RATIO * min);
    differs.then(|| {
        all.iter_mut().for_each(|c| c.alternatives.clear());
        all
    })
}

/// The keys a pick is remembered by: the words, and the family they name.
fn meaning_keys(said: &str, family: Option<&str>) -> Vec<String> {
    let mut keys = vec![food_key(said)];
    if let Some(family) = family {
        keys.push(format!("family:{family}"));
    }
    keys
}

impl FoodLogging {
    /// The food a mention means: a saved product of that name, what the user meant by the
    /// same words before, else the catalogue's (asked about when ambiguous).
    pub(super) async fn resolve(
        &self,
        user: &User,
        mention: &FoodMention,
    ) -> Result<Resolved, ChatError> {
        let personal = &self.personal;
        if let Some(product) = personal.products.named(user.id, &mention.said).await? {
            return Ok(Resolved::Food {
                facts: product.facts(),
                remembered: false,
            });
        }
        let words = meaning_keys(&mention.said, None);
        if let Some(facts) = personal.memory.meaning(user.id, &words).await? {
            return Ok(Resolved::Food {
                facts,
                remembered: true,
            });
        }
        let facts = match self
            .catalog
            .find(&mention.said, &mention.lookup_name, user.locale)
            .await
        {
            Ok(Some(facts)) => facts,
            Ok(None) => return Ok(Resolved::NotFound),
            // Every catalogue failed: try again later rather than guess.
            Err(e) => return Err(ChatError::Temporary(e.to_string())),
        };
        if let Some(family) = &facts.family {
            let keys = [format!("family:{family}")];
            if let Some(facts) = personal.memory.meaning(user.id, &keys).await? {
                return Ok(Resolved::Food {
                    facts,
                    remembered: true,
                });
            }
        }
        Ok(match candidates(&facts) {
            Some(candidates) => Resolved::Ask(candidates),
            None => Resolved::Food {
                facts: FoodFacts {
                    alternatives: Vec::new(),
                    ..facts
                },
                remembered: false,
            },
        })
    }

    /// The grams of a mention and whether they are the user's usual portion: "вівсянка"
    /// without an amount is the portion the user last set with Change grams.
    pub(super) async fn weigh_for(
        &self,
        user: &User,
        mention: &FoodMention,
        facts: &FoodFacts,
    ) -> Result<Option<(Grams, bool)>, ChatError> {
        if let Amount::Portions { count, unit: None } = mention.amount
            && count == 1.0
            && let Some(usual) = self
                .personal
                .memory
                .usual_portion(user.id, &food_key(&facts.name))
                .await?
        {
            return Ok(Some((usual, true)));
        }
        Ok(weigh(mention, facts).map(|g| (g, false)))
    }

    /// Keeps the candidates and adds the question with one button per candidate.
    pub(super) async fn offer(
        &self,
        user: &User,
        choice: &FoodChoice,
        notes: &mut Notes,
    ) -> Result<(), ChatError> {
        self.personal
            .memory
            .offer(user.id, choice, self.clock.now())
            .await?;
        notes.asked.push(Say::ChooseFood {
            said: choice.mention.said.clone(),
            candidates: choice
                .candidates
                .iter()
                .map(|c| (c.name.clone(), c.per_100g.kcal))
                .collect(),
        });
        notes.buttons.push(
            choice
                .candidates
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    Action::callback(
                        Label::Candidate(c.name.clone()),
                        Callback::PickFood {
                            update: choice.update_id,
                            item: choice.item,
                            choice: u8::try_from(i).unwrap_or(u8::MAX),
                        },
                    )
                })
                .collect(),
        );
        Ok(())
    }

    /// A candidate button: logs it (keyed as the mention it answers, so Undo of that message
    /// voids it too, and a second press logs nothing twice) and remembers it as the user's
    /// meaning of the words.
    pub async fn pick(
        &self,
        user: &User,
        update: UpdateId,
        item: u8,
        choice: u8,
    ) -> Result<Outcome, ChatError> {
        let history = History::BotOnly {
            intent: "pick_food",
        };
        let offered = self.personal.memory.offered(user.id, update, item).await?;
        let Some((offered, facts)) = offered.and_then(|o| {
            let facts = o.candidates.get(usize::from(choice)).cloned()?;
            Some((o, facts))
        }) else {
            return Ok(Outcome {
                reply: Reply::one(Say::ChoiceGone),
                history,
            });
        };
        let now = self.clock.now();
        let keys = meaning_keys(&offered.mention.said, offered_family(&offered));
        self.personal
            .memory
            .remember(user.id, &keys, &facts, now)
            .await?;
        let Some((grams, _)) = self.weigh_for(user, &offered.mention, &facts).await? else {
            let said = offered.mention.said.clone();
            return Ok(Outcome {
                reply: Reply::one(Say::UnknownPortion { said }),
                history,
            });
        };
        let entry = new_entry(
            user,
            &facts,
            grams,
            (offered.meal, offered.source),
            (LocalDate::of(now, user.time_zone), now),
            IdempotencyKey::for_update_item(update, usize::from(item)),
        );
        let logged = self.food.log(&[entry]).await?.entries;
        let reply = self
            .logged_reply(user, update, logged, Vec::new(), vec![facts.source])
            .await?;
        Ok(Outcome { reply, history })
    }

    /// "granola 450 kcal per 100 g": saves (or replaces) the product.
    pub(super) async fn save_product(&self, user: &User, text: &str) -> Result<Reply, ChatError> {
        let Some(draft) = self.personal.reader.read_product(text) else {
            return Ok(Reply::one(Say::NothingLogged));
        };
        let saved = self
            .personal
            .products
            .save(user.id, &draft, self.clock.now())
            .await?;
        Ok(Reply::one(Say::ProductSaved(saved)))
    }

    /// /products: the user's saved products, a delete button for each (at most 20).
    pub async fn products(&self, user: &User) -> Result<Reply, ChatError> {
        let products = self.personal.products.list(user.id).await?;
        let buttons = products
            .iter()
            .take(20)
            .map(|p| {
                vec![Action::callback(
                    Label::DeleteProduct(p.name.clone()),
                    Callback::DeleteProduct(p.id),
                )]
            })
            .collect();
        Ok(Reply {
            parts: vec![Say::Products(products)],
            buttons,
            menu: false,
        })
    }

    /// The delete button of /products.
    pub async fn delete_product(
        &self,
        user: &User,
        id: SavedProductId,
    ) -> Result<Reply, ChatError> {
        Ok(Reply::one(
            match self.personal.products.delete(user.id, id).await? {
                Some(product) => Say::ProductDeleted { name: product.name },
                None => Say::ProductGone,
            },
        ))
    }
}

/// The family the offered candidates came from (the first that names one).
fn offered_family(choice: &FoodChoice) -> Option<&str> {
    choice.candidates.iter().find_map(|c| c.family.as_deref())
}
