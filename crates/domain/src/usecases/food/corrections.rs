//! Corrections: undo what a message logged, change an entry's grams (the bot asks, the next
//! message answers), delete the last entry.

use chrono::Duration;

use super::{FoodLogging, History, Outcome, typed_grams};
use crate::conversation::{PendingQuestion, Question};
use crate::model::{EntryStatus, FoodEntryId, UpdateId, User};
use crate::reply::{Reply, Say};
use crate::usecases::chat::ChatError;

/// How long "send the new grams" waits for an answer.
const AWAIT_GRAMS_FOR: Duration = Duration::minutes(15);

impl FoodLogging {
    /// Undo under a logging reply: voids everything that update logged.
    pub async fn undo(&self, user: &User, update: UpdateId) -> Result<Outcome, ChatError> {
        let undone = self
            .food
            .void_by_key_prefix(user.id, &format!("tg:{update}:"))
            .await?;
        let reply = if undone.is_empty() {
            Reply::one(Say::NothingToUndo)
        } else {
            let names = undone.iter().map(|e| e.name.clone()).collect();
            Reply::of(vec![Say::Undone { names }, self.day_total(user).await?])
        };
        // Pressing a button moves the conversation on: a grams question asked before is over.
        self.pending.take(user.id, self.clock.now()).await?;
        Ok(Outcome {
            reply,
            history: History::BotOnly { intent: "undo" },
        })
    }

    /// Change grams under a logging reply: asks for the new weight and waits for it.
    pub async fn ask_grams(&self, user: &User, id: FoodEntryId) -> Result<Outcome, ChatError> {
        let now = self.clock.now();
        let say = match self.food.get(user.id, id).await? {
            Some(entry) if entry.status == EntryStatus::Active => Say::AskGrams(entry),
            _ => Say::EntryGone,
        };
        // Asked even of an entry gone meanwhile: the answer then says it is gone again.
        let asked = PendingQuestion {
            question: Question::Grams(id),
            expires_at: now + AWAIT_GRAMS_FOR,
        };
        self.pending.ask(user.id, &asked, now).await?;
        Ok(Outcome {
            reply: Reply::one(say),
            history: History::BotOnly {
                intent: "change_grams",
            },
        })
    }

    /// When the bot asked "how many grams?" and this is the answer, changes that entry. Any
    /// text ends the wait: only the message right after the question answers it.
    pub(super) async fn awaited_grams(
        &self,
        user: &User,
        text: &str,
    ) -> Result<Option<Reply>, ChatError> {
        let asked = self.pending.take(user.id, self.clock.now()).await?;
        let (Some(grams), Some(PendingQuestion { question, .. })) = (typed_grams(text), asked)
        else {
            return Ok(None);
        };
        let id = match question {
            Question::Grams(id) => id,
            Question::PackageGrams(update) => {
                return self
                    .answer_package_grams(user, update, grams)
                    .await
                    .map(Some);
            }
            Question::MealGrams { update, item } => {
                return self
                    .answer_meal_grams(user, update, item, grams)
                    .await
                    .map(Some);
            }
        };
        let Some(entry) = self.food.get(user.id, id).await? else {
            return Ok(Some(Reply::one(Say::EntryGone)));
        };
        let scaled = entry.nutrients.scaled(grams.get() / entry.grams.get());
        let Some(changed) = self.food.change_portion(user.id, id, grams, scaled).await? else {
            return Ok(Some(Reply::one(Say::EntryGone)));
        };
        // The corrected weight is the user's usual portion of that food from now on.
        self.personal
            .memory
            .set_usual_portion(
                user.id,
                &crate::model::food_key(&changed.name),
                grams,
                self.clock.now(),
            )
            .await?;
        Ok(Some(Reply::of(vec![
            Say::PortionChanged,
            Say::FoodItem(changed),
            self.day_total(user).await?,
        ])))
    }

    /// "Delete the last entry" said in words.
    pub(super) async fn delete_last(&self, user: &User) -> Result<Reply, ChatError> {
        let Some(last) = self.food.latest(user.id).await? else {
            return Ok(Reply::one(Say::NothingToDelete));
        };
        let voided = self.food.void(user.id, &[last.id]).await?;
        let Some(entry) = voided.into_iter().next() else {
            return Ok(Reply::one(Say::NothingToDelete));
        };
        Ok(Reply::of(vec![
            Say::EntryDeleted(entry),
            self.day_total(user).await?,
        ]))
    }
}
