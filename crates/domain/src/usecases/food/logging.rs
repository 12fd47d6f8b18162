//! Understanding a message and acting on it: log the foods, delete the last entry, set the goal
//! said in words, or answer a question from the user's data.

use chrono::Duration;

use super::personal::{Notes, Resolved};
use super::{FoodLogging, History, Outcome};
use crate::conversation::Callback;
use crate::grounding;
use crate::model::{
    EntrySource, FoodChoice, FoodEntry, Grams, IdempotencyKey, LocalDate, Meal, NewFoodEntry,
    NutritionSource, UpdateId, User,
};
use crate::ports::{
    Amount, AssistantContext, AssistantError, AssistantText, ContextScope, FoodFacts, FoodMention,
    Intent, Interpretation, PortionSize,
};
use crate::reply::{Action, Label, Reply, Say};
use crate::usecases::chat::ChatError;
use crate::usecases::profile::{self, SettingsError};

/// How much conversation the assistant sees.
const HISTORY_WINDOW: Duration = Duration::hours(24);
const HISTORY_LIMIT: i64 = 50;

fn intent_code(intent: Intent) -> &'static str {
    match intent {
        Intent::LogFood => "log_food",
        Intent::QueryData => "query_data",
        Intent::DeleteEntry => "delete_entry",
        Intent::SetGoal => "set_goal",
        Intent::General => "general",
    }
}

/// Grams of a mention, from its weight or its portions; `None` when it cannot be weighed.
pub(super) fn weigh(mention: &FoodMention, facts: &FoodFacts) -> Option<Grams> {
    match &mention.amount {
        Amount::Grams(g) => Some(*g),
        Amount::Portions { count, unit } => {
            let portion: Option<&PortionSize> = match unit {
                None => facts.portions.first(),
                Some(unit) => facts.portions.iter().find(|p| p.unit == Some(*unit)),
            };
            portion.and_then(|p| Grams::new(count * p.grams.get()).ok())
        }
        Amount::Unmeasured { .. } => None,
    }
}

impl FoodLogging {
    /// Free text (or a transcript): the answer to a pending grams question, else understood
    /// and acted on.
    pub async fn text(
        &self,
        user: &User,
        update_id: UpdateId,
        text: &str,
        source: EntrySource,
    ) -> Result<Outcome, ChatError> {
        let (reply, intent) = match self.awaited_grams(user, text).await? {
            Some(reply) => (reply, Some("change_grams")),
            None if self.personal.reader.read_product(text).is_some() => {
                (self.save_product(user, text).await?, Some("save_product"))
            }
            None => {
                self.understand_and_act(user, update_id, text, source)
                    .await?
            }
        };
        Ok(Outcome {
            reply,
            history: History::Exchange {
                said: text.to_owned(),
                intent,
            },
        })
    }

    /// The assistant's view of the user's situation now.
    async fn context(&self, user: &User) -> Result<AssistantContext, ChatError> {
        let now = self.clock.now();
        let day = LocalDate::of(now, user.time_zone);
        let history = self
            .conversations
            .recent(user.id, now - HISTORY_WINDOW, HISTORY_LIMIT)
            .await?;
        let today_entries = self.food.entries_on(user.id, day).await?;
        let today_totals = self.food.day_totals(user.id, day).await?;
        let wearable = self.wearables.snapshot(user.id, now).await?;
        Ok(AssistantContext {
            history,
            today_entries,
            today_totals,
            wearable,
            ..Self::basic_context(user, now)
        })
    }

    /// The part of the context that costs no query: language, local time, goal.
    fn basic_context(user: &User, now: chrono::DateTime<chrono::Utc>) -> AssistantContext {
        AssistantContext {
            locale: user.locale,
            local_now: user.time_zone.local(now).naive_local(),
            history: Vec::new(),
            today_entries: Vec::new(),
            today_totals: Default::default(),
            calorie_goal: user.calorie_goal,
            wearable: Default::default(),
            yesterday_entries: Vec::new(),
            past_days: Vec::new(),
        }
    }

    /// Adds the days before today to `context`, for an answer: yesterday's entries and the
    /// totals of the 6 days before today (two queries, made for questions and other replies
    /// only, never for a food log).
    async fn add_past_days(
        &self,
        user: &User,
        context: &mut AssistantContext,
    ) -> Result<(), ChatError> {
        // The context's own day: a question asked at midnight stays on one day.
        let today = LocalDate::from_calendar(context.local_now.date());
        let yesterday = today.previous();
        let mut first = yesterday;
        for _ in 0..5 {
            first = first.previous();
        }
        context.yesterday_entries = self.food.entries_on(user.id, yesterday).await?;
        context.past_days = self.food.daily_totals(user.id, first, yesterday).await?;
        Ok(())
    }

    /// What `interpret` needs: the most any assistant that may read this message needs.
    fn interpret_scope(&self) -> ContextScope {
        let fallback = self
            .fallback_assistant
            .as_ref()
            .map(|f| f.interpret_reads());
        self.assistant
            .interpret_reads()
            .max(fallback.unwrap_or(ContextScope::Basic))
    }

    async fn interpret(
        &self,
        text: &str,
        context: &AssistantContext,
    ) -> Result<(Interpretation, bool), AssistantError> {
        match self.assistant.interpret(text, context).await {
            Ok(i) => Ok((i, false)),
            Err(e) => {
                let Some(fallback) = &self.fallback_assistant else {
                    return Err(e);
                };
                match fallback.interpret(text, context).await {
                    Ok(i) if i.intent != Intent::General => Ok((i, true)),
                    _ => Err(e),
                }
            }
        }
    }

    /// The reply and the intent code the history keeps (none when the assistant failed).
    async fn understand_and_act(
        &self,
        user: &User,
        update_id: UpdateId,
        text: &str,
        source: EntrySource,
    ) -> Result<(Reply, Option<&'static str>), ChatError> {
        // Rules that read the words alone get no queried context: a food log then costs no
        // query before its insert. Questions get all of it below.
        let scope = self.interpret_scope();
        let mut context = match scope {
            ContextScope::Full => self.context(user).await?,
            ContextScope::Basic => Self::basic_context(user, self.clock.now()),
        };
        let (interpretation, mut fell_back) = match self.interpret(text, &context).await {
            Ok(x) => x,
            Err(e) => return Ok((Reply::one(Say::AssistantFailed(e)), None)),
        };
        let intent = if interpretation.intent == Intent::LogFood && interpretation.foods.is_empty()
        {
            Intent::General
        } else {
            interpretation.intent
        };
        let mut reply = match intent {
            Intent::LogFood => {
                self.log_food(user, update_id, &interpretation.foods, source)
                    .await?
            }
            Intent::DeleteEntry => self.delete_last(user).await?,
            Intent::SetGoal => self.set_goal(user, interpretation.calorie_goal).await?,
            Intent::QueryData | Intent::General => {
                let free_reply = matches!(&interpretation.reply, Some(r) if !r.trim().is_empty())
                    && intent == Intent::General;
                // A template reply needs no data; a free one is checked against all of it.
                if scope == ContextScope::Basic && (!free_reply || self.assistant.writes_freely()) {
                    context = self.context(user).await?;
                }
                // The days before today, for whatever answers: the rules read them for a
                // question about yesterday or the week, grounding checks a model's reply
                // against them (not loaded, they would read as "nothing logged").
                self.add_past_days(user, &mut context).await?;
                let (answer, answer_fell_back) = match (&interpretation.reply, intent) {
                    (Some(reply), Intent::General) if !reply.trim().is_empty() => {
                        (self.grounded_reply(reply, text, &context).await, false)
                    }
                    _ => self.answer(text, &context).await,
                };
                fell_back |= answer_fell_back;
                Reply::one(answer)
            }
        };
        if fell_back {
            reply.push(Say::UsedFallback);
        }
        Ok((reply, Some(intent_code(intent))))
    }

    /// Answers from the context; `true` when the offline rules stood in because the
    /// assistant failed. An answer with a figure, day or time the context does not hold is
    /// not sent: the offline rules' answer is (see [`crate::grounding`]).
    async fn answer(&self, question: &str, context: &AssistantContext) -> (Say, bool) {
        match self.assistant.answer(question, context).await {
            Ok(answer) if !self.assistant.writes_freely() => (Say::Answer(answer), false),
            Ok(answer) => match grounding::check(&answer, question, context) {
                Ok(()) => (Say::Answer(answer), false),
                Err(finding) => {
                    self.audit.ungrounded(AssistantText::Answer, &finding);
                    (self.deterministic_answer(question, context).await, false)
                }
            },
            Err(e) => match &self.fallback_assistant {
                Some(fallback) => match fallback.answer(question, context).await {
                    Ok(answer) => (Say::Answer(answer), true),
                    Err(_) => (Say::AssistantFailed(e), false),
                },
                None => (Say::AssistantFailed(e), false),
            },
        }
    }

    /// The assistant's free reply to a message, when it is grounded; else the offline
    /// rules' answer to the same message.
    async fn grounded_reply(&self, reply: &str, said: &str, context: &AssistantContext) -> Say {
        if !self.assistant.writes_freely() {
            return Say::Answer(reply.to_owned());
        }
        match grounding::check(reply, said, context) {
            Ok(()) => Say::Answer(reply.to_owned()),
            Err(finding) => {
                self.audit.ungrounded(AssistantText::Reply, &finding);
                self.deterministic_answer(said, context).await
            }
        }
    }

    /// What the offline rules answer from the same context, or that the data does not hold
    /// it when there are no rules to ask.
    async fn deterministic_answer(&self, question: &str, context: &AssistantContext) -> Say {
        match &self.fallback_assistant {
            Some(rules) => match rules.answer(question, context).await {
                Ok(answer) => Say::Answer(answer),
                Err(_) => Say::NotInData,
            },
            None => Say::NotInData,
        }
    }

    /// Weighs each mention with the numbers of the food it means (the user's own foods
    /// first, then the catalogue) and logs what can be logged, in one statement, keyed by the
    /// update so a redelivered message logs nothing twice. Words that may mean foods of very
    /// different energy are asked about instead (buttons), unless the user answered before.
    async fn log_food(
        &self,
        user: &User,
        update_id: UpdateId,
        foods: &[FoodMention],
        source: EntrySource,
    ) -> Result<Reply, ChatError> {
        let now = self.clock.now();
        let day = LocalDate::of(now, user.time_zone);
        let default_meal = Meal::at_local_time(user.time_zone.local(now).time());
        let (mut entries, mut problems, mut sources) = (Vec::new(), Vec::new(), Vec::new());
        let mut notes = Notes::default();
        for (index, mention) in foods.iter().enumerate() {
            let meal = mention.meal.unwrap_or(default_meal);
            let facts = match self.resolve(user, mention).await? {
                Resolved::Food { facts, remembered } => {
                    if remembered {
                        notes.remembered.push(facts.name.clone());
                    }
                    facts
                }
                Resolved::NotFound => {
                    let said = mention.said.clone();
                    problems.push(Say::FoodNotFound { said });
                    continue;
                }
                Resolved::Ask(candidates) => {
                    let item = u8::try_from(index).unwrap_or(u8::MAX);
                    let choice = FoodChoice {
                        update_id,
                        item,
                        mention: mention.clone(),
                        candidates,
                        meal,
                        source,
                    };
                    self.offer(user, &choice, &mut notes).await?;
                    continue;
                }
            };
            let Some((grams, usual)) = self.weigh_for(user, mention, &facts).await? else {
                problems.push(Say::UnknownPortion {
                    said: mention.said.clone(),
                });
                continue;
            };
            if usual {
                notes.usual.push(Say::UsualPortion {
                    name: facts.name.clone(),
                    grams,
                });
            }
            if !sources.contains(&facts.source) {
                sources.push(facts.source);
            }
            let key = IdempotencyKey::for_update_item(update_id, index);
            entries.push(new_entry(
                user,
                &facts,
                grams,
                (meal, source),
                (day, now),
                key,
            ));
        }
        let logged = if entries.is_empty() {
            Vec::new()
        } else {
            self.food.log(&entries).await?.entries
        };
        if logged.is_empty() && !notes.asked.is_empty() {
            return Ok(notes.into_reply(Reply::of(problems)));
        }
        let reply = self
            .logged_reply(user, update_id, logged, problems, sources)
            .await?;
        Ok(notes.into_reply(reply))
    }

    pub(super) async fn logged_reply(
        &self,
        user: &User,
        update_id: UpdateId,
        logged: Vec<FoodEntry>,
        problems: Vec<Say>,
        sources: Vec<NutritionSource>,
    ) -> Result<Reply, ChatError> {
        let mut reply = Reply::default();
        if logged.is_empty() {
            reply.push(Say::NothingLogged);
        } else {
            reply.push(Say::Logged {
                count: logged.len(),
            });
        }
        reply.parts.extend(problems_after(&logged, problems));
        if logged.is_empty() {
            return Ok(reply);
        }
        reply.push(self.day_total(user).await?);
        reply.push(Say::Sources(sources));
        reply.buttons.push(vec![Action::callback(
            Label::Undo,
            Callback::Undo(update_id),
        )]);
        reply.buttons.push(change_buttons(&logged));
        Ok(reply)
    }

    async fn set_goal(&self, user: &User, goal: Option<i64>) -> Result<Reply, ChatError> {
        let typed = goal.map(|g| g.to_string()).unwrap_or_default();
        let say = match profile::set_calorie_goal(self.users.as_ref(), user.id, &typed).await {
            Ok(updated) => Say::GoalSet(updated.calorie_goal),
            Err(SettingsError::Goal(_)) => Say::GoalInvalid,
            Err(e) => return Err(e.into()),
        };
        Ok(Reply::one(say))
    }
}

/// The logged items, then what could not be logged.
fn problems_after(logged: &[FoodEntry], problems: Vec<Say>) -> Vec<Say> {
    logged
        .iter()
        .cloned()
        .map(Say::FoodItem)
        .chain(problems)
        .collect()
}

/// One "change grams" button, or one per item (at most four) when several were logged.
fn change_buttons(logged: &[FoodEntry]) -> Vec<Action> {
    if let [only] = logged {
        return vec![Action::callback(
            Label::ChangeGrams,
            Callback::ChangeGrams(only.id),
        )];
    }
    logged
        .iter()
        .take(4)
        .map(|e| {
            Action::callback(
                Label::ChangeGramsOf(e.name.clone()),
                Callback::ChangeGrams(e.id),
            )
        })
        .collect()
}

/// The entry of a resolved, weighed mention.
pub(super) fn new_entry(
    user: &User,
    facts: &crate::ports::FoodFacts,
    grams: Grams,
    (meal, source): (Meal, EntrySource),
    (local_date, logged_at): (LocalDate, chrono::DateTime<chrono::Utc>),
    idempotency_key: IdempotencyKey,
) -> NewFoodEntry {
    NewFoodEntry {
        user_id: user.id,
        name: facts.name.clone(),
        grams,
        nutrients: facts.per_100g.per_100g_scaled(grams),
        meal,
        source,
        nutrition_source: facts.source,
        local_date,
        logged_at,
        idempotency_key,
        catalogue_ref: facts.catalogue_ref.clone(),
        diary_link: None,
    }
}
