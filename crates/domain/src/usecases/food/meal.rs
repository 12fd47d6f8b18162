//! Photos of meals (behind `openai.meal_photos`): a vision model names the foods it sees and
//! estimates their grams; the calories come from the user's own foods and the catalogue, never
//! from the model. The estimate is shown as a draft that says it is one; nothing is logged
//! until "Log all". Foods that are not known, or whose words may mean foods of very different
//! energy, are left out and named, not guessed. Each food waits as a choice offered under the
//! photo's message (item 0, 1, …), as a label's reading does.

use super::logging::new_entry;
use super::personal::Resolved;
use super::{FoodLogging, History, Outcome};
use crate::conversation::{Callback, MealAction, PendingQuestion, Question};
use crate::model::{
    EntrySource, FoodChoice, Grams, IdempotencyKey, Kcal, LocalDate, Meal, MealItem, UpdateId, User,
};
use crate::ports::{Amount, FoodFacts, FoodMention};
use crate::reply::{Action, Label, MealDraftItem, Reply, Say};
use crate::usecases::chat::ChatError;

/// At most this many foods of one photo are offered.
pub const MAX_MEAL_ITEMS: usize = 6;

/// How long the grams question about one food of an estimate waits for its answer.
const AWAIT_MEAL_GRAMS_FOR: chrono::Duration = chrono::Duration::minutes(15);

/// A kept food of the estimate with its grams (none for a choice that is no meal's).
fn weighed(choice: &FoodChoice) -> Option<(&FoodFacts, Grams)> {
    match (choice.candidates.first(), &choice.mention.amount) {
        (Some(facts), Amount::Grams(grams)) => Some((facts, *grams)),
        _ => None,
    }
}

/// One food's line of the estimate: the catalogue's kcal for the estimated grams.
fn draft_item(facts: &FoodFacts, grams: Grams) -> MealDraftItem {
    MealDraftItem {
        name: facts.name.clone(),
        grams,
        kcal: facts.per_100g.per_100g_scaled(grams).kcal,
    }
}

/// The estimate with its total and its buttons: one per food to correct its grams, then
/// "Log all" and "Cancel".
fn draft(update: UpdateId, items: Vec<MealDraftItem>, left_out: Vec<String>) -> Reply {
    let total = items
        .iter()
        .fold(Kcal::default(), |sum, item| sum + item.kcal);
    let button = |label, action| Action::callback(label, Callback::Meal { update, action });
    let edits: Vec<Vec<Action>> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let item_no = u8::try_from(i).unwrap_or(u8::MAX);
            vec![button(
                Label::MealEditItem(item.name.clone()),
                MealAction::Edit(item_no),
            )]
        })
        .collect();
    let mut reply = Reply::one(Say::MealDraft {
        items,
        total,
        left_out,
    });
    reply.buttons.extend(edits);
    reply.buttons.push(vec![
        button(Label::MealLogAll, MealAction::LogAll),
        button(Label::MealCancel, MealAction::Cancel),
    ]);
    reply
}

impl FoodLogging {
    /// Resolves the foods seen and shows the estimate with "Log all" and "Cancel".
    pub async fn offer_meal(
        &self,
        user: &User,
        update: UpdateId,
        seen: Vec<MealItem>,
    ) -> Result<Outcome, ChatError> {
        let now = self.clock.now();
        let meal = Meal::at_local_time(user.time_zone.local(now).time());
        let (mut items, mut left_out) = (Vec::new(), Vec::new());
        for food in seen.into_iter().take(MAX_MEAL_ITEMS) {
            let mention = FoodMention {
                said: food.said.clone(),
                lookup_name: food.lookup_name.clone(),
                amount: Amount::Grams(food.grams),
                meal: None,
            };
            // Ambiguous words are not guessed on a plate: the user types those.
            let Resolved::Food { facts, .. } = self.resolve(user, &mention).await? else {
                left_out.push(food.said);
                continue;
            };
            items.push(draft_item(&facts, food.grams));
            let choice = FoodChoice {
                update_id: update,
                item: u8::try_from(items.len() - 1).unwrap_or(u8::MAX),
                mention,
                candidates: vec![facts],
                meal,
                source: EntrySource::MealPhoto,
            };
            self.personal.memory.offer(user.id, &choice, now).await?;
        }
        let history = History::Exchange {
            said: "[photo of a meal]".to_owned(),
            intent: Some("estimate_meal"),
        };
        if items.is_empty() {
            return Ok(Outcome {
                reply: Reply::one(Say::MealNothingKnown { seen: left_out }),
                history,
            });
        }
        Ok(Outcome {
            reply: draft(update, items, left_out),
            history,
        })
    }

    /// The estimate as it is kept now (after a food's grams were corrected).
    async fn kept_draft(&self, user: &User, update: UpdateId) -> Result<Reply, ChatError> {
        let offered = self.offered_meal(user, update).await?;
        let items: Vec<MealDraftItem> = offered
            .iter()
            .filter_map(weighed)
            .map(|(facts, grams)| draft_item(facts, grams))
            .collect();
        if items.is_empty() {
            return Ok(Reply::one(Say::ChoiceGone));
        }
        Ok(draft(update, items, Vec::new()))
    }

    /// The foods of the estimate under `update` still kept, in order.
    async fn offered_meal(
        &self,
        user: &User,
        update: UpdateId,
    ) -> Result<Vec<FoodChoice>, ChatError> {
        let mut offered = Vec::new();
        for item in 0..MAX_MEAL_ITEMS {
            let item = u8::try_from(item).unwrap_or(u8::MAX);
            if let Some(choice) = self.personal.memory.offered(user.id, update, item).await? {
                offered.push(choice);
            }
        }
        Ok(offered)
    }

    /// The answer to "how many grams of …" about one food of the estimate: changes it and
    /// shows the estimate again.
    pub(super) async fn answer_meal_grams(
        &self,
        user: &User,
        update: UpdateId,
        item: u8,
        grams: Grams,
    ) -> Result<Reply, ChatError> {
        let Some(mut choice) = self.personal.memory.offered(user.id, update, item).await? else {
            return Ok(Reply::one(Say::ChoiceGone));
        };
        choice.mention.amount = Amount::Grams(grams);
        self.personal
            .memory
            .offer(user.id, &choice, self.clock.now())
            .await?;
        self.kept_draft(user, update).await
    }

    /// "Log all" or "Cancel" under a meal's estimate. The estimate is forgotten once acted on;
    /// acting twice (a retried update) logs nothing twice (each food is keyed by the photo's
    /// message and its place in the estimate).
    pub async fn answer_meal(
        &self,
        user: &User,
        update: UpdateId,
        action: MealAction,
    ) -> Result<Outcome, ChatError> {
        let history = History::BotOnly { intent: "meal" };
        let now = self.clock.now();
        let offered = self.offered_meal(user, update).await?;
        if offered.is_empty() {
            return Ok(Outcome {
                reply: Reply::one(Say::ChoiceGone),
                history,
            });
        }
        let reply = match action {
            MealAction::Edit(item) => {
                let food = offered.iter().find(|c| c.item == item).and_then(weighed);
                let Some((facts, grams)) = food else {
                    return Ok(Outcome {
                        reply: Reply::one(Say::ChoiceGone),
                        history,
                    });
                };
                let asked = PendingQuestion {
                    question: Question::MealGrams { update, item },
                    expires_at: now + AWAIT_MEAL_GRAMS_FOR,
                };
                self.pending.ask(user.id, &asked, now).await?;
                // The estimate waits: nothing is withdrawn.
                let say = Say::AskMealGrams {
                    name: facts.name.clone(),
                    grams,
                };
                return Ok(Outcome {
                    reply: Reply::one(say),
                    history,
                });
            }
            MealAction::Cancel => Reply::one(Say::MealCancelled),
            MealAction::LogAll => {
                let (mut entries, mut sources) = (Vec::new(), Vec::new());
                for choice in &offered {
                    let Some((facts, grams)) = weighed(choice) else {
                        continue;
                    };
                    entries.push(new_entry(
                        user,
                        facts,
                        grams,
                        (choice.meal, choice.source),
                        (LocalDate::of(now, user.time_zone), now),
                        IdempotencyKey::for_update_item(update, usize::from(choice.item)),
                    ));
                    sources.push(facts.source);
                }
                let logged = self.food.log(&entries).await?.entries;
                self.logged_reply(user, update, logged, Vec::new(), sources)
                    .await?
            }
        };
        for choice in &offered {
            self.personal
                .memory
                .withdraw(user.id, update, choice.item)
                .await?;
        }
        Ok(Outcome { reply, history })
    }
}
