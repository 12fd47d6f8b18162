//! Free text and voice: the assistant understands, the catalogue gives the numbers, the log
//! keeps them, the reply lists each item with the day's total and buttons to undo or correct.

use chrono::Duration;

use crate::conversation::{Callback, PendingQuestion, Question};
use crate::i18n;
use crate::model::{
    ConversationMessage, EntrySource, FoodEntry, FoodEntryId, Grams, IdempotencyKey,
    InboundMessage, LocalDate, Locale, Meal, NewFoodEntry, NutritionSource, Role, UpdateId, User,
};
use crate::ports::{
    Amount, AssistantContext, AssistantError, Button, ContextScope, FoodFacts, FoodMention, Intent,
    Interpretation, OutgoingMessage, PortionSize,
};
use crate::usecases::chat::{ChatError, ChatService};
use crate::usecases::profile::{self, SettingsError};

/// How much conversation the assistant sees.
const HISTORY_WINDOW: Duration = Duration::hours(24);
const HISTORY_LIMIT: i64 = 50;
/// How long "send the new grams" waits for an answer.
const AWAIT_GRAMS_FOR: Duration = Duration::minutes(15);

/// Limits on voice notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoiceLimits {
    /// Longest note accepted, seconds.
    pub max_secs: u32,
    /// Largest file accepted, bytes (Telegram bots can download at most 20 MB).
    pub max_bytes: u64,
}

impl Default for VoiceLimits {
    fn default() -> Self {
        Self {
            max_secs: 120,
            max_bytes: 20 * 1024 * 1024,
        }
    }
}

/// What a reply consists of.
struct Reply {
    lines: Vec<String>,
    buttons: Vec<Vec<Button>>,
    intent: Option<&'static str>,
}

impl Reply {
    fn text(lines: Vec<String>, intent: Option<&'static str>) -> Self {
        Self {
            lines,
            buttons: Vec::new(),
            intent,
        }
    }
}

fn intent_code(intent: Intent) -> &'static str {
    match intent {
        Intent::LogFood => "log_food",
        Intent::QueryData => "query_data",
        Intent::DeleteEntry => "delete_entry",
        Intent::SetGoal => "set_goal",
        Intent::General => "general",
    }
}

/// Reads "150", "150 g", "150г", "1,5 кг"-free plain grams typed after "how many grams?".
fn typed_grams(text: &str) -> Option<Grams> {
    let t = text.trim().to_lowercase();
    let number: String = t
        .trim_end_matches(|c: char| c.is_alphabetic() || c == '.' || c.is_whitespace())
        .replace(',', ".");
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let unit = t[number.len().min(t.len())..].trim();
    if !(unit.is_empty() || unit.starts_with('g') || unit.starts_with('г')) {
        return None;
    }
    number.parse::<f64>().ok().and_then(|g| Grams::new(g).ok())
}

/// Grams of a mention, from its weight or its portions; `None` when it cannot be weighed.
fn weigh(mention: &FoodMention, facts: &FoodFacts) -> Option<Grams> {
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

impl ChatService {
    /// The assistant's view of the user's situation now.
    pub(crate) async fn context(&self, user: &User) -> Result<AssistantContext, ChatError> {
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
        }
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

    /// "Today: 223 of 2000 kcal — 1777 left." for the user's local day, from the database's sum.
    async fn day_total(&self, user: &User) -> Result<String, ChatError> {
        let day = LocalDate::of(self.clock.now(), user.time_zone);
        let totals = self.food.day_totals(user.id, day).await?;
        Ok(i18n::food::day_total(
            user.locale,
            &totals,
            user.calorie_goal,
        ))
    }

    async fn remember(
        &self,
        user: &User,
        role: Role,
        content: &str,
        intent: Option<&str>,
    ) -> Result<(), ChatError> {
        let message = self.message(user, role, content, intent);
        self.conversations.append(&[message]).await?;
        Ok(())
    }

    fn message(
        &self,
        user: &User,
        role: Role,
        content: &str,
        intent: Option<&str>,
    ) -> ConversationMessage {
        ConversationMessage {
            user_id: user.id,
            role,
            content: content.to_owned(),
            intent: intent.map(str::to_owned),
            created_at: self.clock.now(),
        }
    }

    /// A voice note: download, transcribe, then the same flow as text.
    pub(crate) async fn voice(
        &self,
        user: &User,
        message: &InboundMessage,
        file_id: &str,
        duration_secs: u32,
    ) -> Result<(), ChatError> {
        let locale = user.locale;
        let Some(transcriber) = &self.transcriber else {
            return self
                .say(message.chat, i18n::assistant::voice_unavailable(locale))
                .await;
        };
        if duration_secs > self.voice.max_secs {
            let text = i18n::assistant::voice_too_long(locale, duration_secs, self.voice.max_secs);
            return self.say(message.chat, text).await;
        }
        let audio = match self.messenger.download(file_id, self.voice.max_bytes).await {
            Ok(audio) => audio,
            Err(
                crate::ports::MessengerError::Rejected(_)
                | crate::ports::MessengerError::Unreachable(_),
            ) => {
                return self
                    .say(message.chat, i18n::assistant::voice_download_failed(locale))
                    .await;
            }
            // Telegram is down: the update is retried later, nothing is lost.
            Err(e) => return Err(ChatError::Temporary(e.to_string())),
        };
        let heard = match transcriber.transcribe(&audio, locale).await {
            Ok(text) => text.trim().to_owned(),
            Err(e) => {
                self.remember(
                    user,
                    Role::User,
                    "[voice note]",
                    Some("transcription_failed"),
                )
                .await?;
                return self
                    .say(
                        message.chat,
                        i18n::assistant::transcription_failed(locale, &e),
                    )
                    .await;
            }
        };
        if heard.is_empty() {
            return self
                .say(message.chat, i18n::assistant::heard_nothing(locale))
                .await;
        }
        self.text(
            user,
            message,
            &heard,
            EntrySource::Voice,
            vec![i18n::assistant::heard(locale, &heard)],
        )
        .await
    }

    /// Free text (or a transcript): understand, act, reply.
    pub(crate) async fn text(
        &self,
        user: &User,
        message: &InboundMessage,
        text: &str,
        source: EntrySource,
        preface: Vec<String>,
    ) -> Result<(), ChatError> {
        let mut reply = match self.awaited_grams(user, text).await? {
            Some(reply) => reply,
            None => {
                self.understand_and_act(user, message.update_id, text, source)
                    .await?
            }
        };
        let mut lines = preface;
        lines.append(&mut reply.lines);
        let body = lines.join("\n");
        let outgoing = OutgoingMessage {
            text: body.clone(),
            buttons: std::mem::take(&mut reply.buttons),
        };
        let sent = self
            .messenger
            .send(message.chat, &outgoing)
            .await
            .map(|_| ());
        self.deliver(sent)?;
        // Remembered once the reply is out: the reply waits for no extra round trip, and a send
        // that fails and is retried does not leave the user's message in the history twice.
        let exchange = [
            self.message(user, Role::User, text, reply.intent),
            self.message(user, Role::Assistant, &body, None),
        ];
        self.conversations.append(&exchange).await?;
        Ok(())
    }

    /// When the bot asked "how many grams?" and this is the answer, changes that entry. Any
    /// text ends the wait: only the message right after the question answers it.
    async fn awaited_grams(&self, user: &User, text: &str) -> Result<Option<Reply>, ChatError> {
        let asked = self.pending.take(user.id, self.clock.now()).await?;
        let (
            Some(grams),
            Some(PendingQuestion {
                question: Question::Grams(id),
                ..
            }),
        ) = (typed_grams(text), asked)
        else {
            return Ok(None);
        };
        let locale = user.locale;
        let Some(entry) = self.food.get(user.id, id).await? else {
            return Ok(Some(Reply::text(
                vec![i18n::food::entry_gone(locale)],
                Some("change_grams"),
            )));
        };
        let scaled = entry.nutrients.scaled(grams.get() / entry.grams.get());
        let Some(changed) = self.food.change_portion(user.id, id, grams, scaled).await? else {
            return Ok(Some(Reply::text(
                vec![i18n::food::entry_gone(locale)],
                Some("change_grams"),
            )));
        };
        let total = self.day_total(user).await?;
        Ok(Some(Reply::text(
            vec![
                i18n::food::portion_changed(locale),
                i18n::food::item(locale, &changed),
                total,
            ],
            Some("change_grams"),
        )))
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

    async fn understand_and_act(
        &self,
        user: &User,
        update_id: UpdateId,
        text: &str,
        source: EntrySource,
    ) -> Result<Reply, ChatError> {
        let locale = user.locale;
        // Rules that read the words alone get no queried context: a food log then costs no
        // query before its insert. Questions get all of it below.
        let scope = self.interpret_scope();
        let mut context = match scope {
            ContextScope::Full => self.context(user).await?,
            ContextScope::Basic => Self::basic_context(user, self.clock.now()),
        };
        let (interpretation, mut fell_back) = match self.interpret(text, &context).await {
            Ok(x) => x,
            Err(e) => return Ok(Reply::text(vec![i18n::assistant::failed(locale, &e)], None)),
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
                let (answer, answer_fell_back) = match (&interpretation.reply, intent) {
                    (Some(reply), Intent::General) if !reply.trim().is_empty() => {
                        (reply.clone(), false)
                    }
                    _ => {
                        if scope == ContextScope::Basic {
                            context = self.context(user).await?;
                        }
                        self.answer(text, &context).await
                    }
                };
                fell_back |= answer_fell_back;
                Reply::text(vec![answer], None)
            }
        };
        reply.intent = Some(intent_code(intent));
        if fell_back {
            reply.lines.push(i18n::assistant::used_fallback(locale));
        }
        Ok(reply)
    }

    /// Answers from the context; `true` when the offline rules stood in.
    async fn answer(&self, question: &str, context: &AssistantContext) -> (String, bool) {
        match self.assistant.answer(question, context).await {
            Ok(answer) => (answer, false),
            Err(e) => match &self.fallback_assistant {
                Some(fallback) => match fallback.answer(question, context).await {
                    Ok(answer) => (answer, true),
                    Err(_) => (i18n::assistant::failed(context.locale, &e), false),
                },
                None => (i18n::assistant::failed(context.locale, &e), false),
            },
        }
    }

    async fn log_food(
        &self,
        user: &User,
        update_id: UpdateId,
        foods: &[FoodMention],
        source: EntrySource,
    ) -> Result<Reply, ChatError> {
        let locale = user.locale;
        let now = self.clock.now();
        let local = user.time_zone.local(now);
        let day = LocalDate::of(now, user.time_zone);
        let default_meal = Meal::at_local_time(local.time());
        let mut entries = Vec::new();
        let mut problems = Vec::new();
        let mut sources: Vec<NutritionSource> = Vec::new();
        for (index, mention) in foods.iter().enumerate() {
            let facts = match self
                .catalog
                .find(&mention.said, &mention.lookup_name, locale)
                .await
            {
                Ok(Some(facts)) => facts,
                Ok(None) => {
                    problems.push(i18n::food::not_found(locale, &mention.said));
                    continue;
                }
                // Every catalogue failed: try again later rather than guess.
                Err(e) => return Err(ChatError::Temporary(e.to_string())),
            };
            let Some(grams) = weigh(mention, &facts) else {
                problems.push(i18n::food::unknown_portion(locale, &mention.said));
                continue;
            };
            if !sources.contains(&facts.source) {
                sources.push(facts.source);
            }
            entries.push(NewFoodEntry {
                user_id: user.id,
                name: mention.said.trim().to_owned(),
                grams,
                nutrients: facts.per_100g.per_100g_scaled(grams),
                meal: mention.meal.unwrap_or(default_meal),
                source,
                nutrition_source: facts.source,
                local_date: day,
                logged_at: now,
                idempotency_key: IdempotencyKey::for_update_item(update_id, index),
                catalogue_ref: facts.catalogue_ref.clone(),
                diary_link: None,
            });
        }
        let logged = if entries.is_empty() {
            Vec::new()
        } else {
            self.food.log(&entries).await?.entries
        };
        let mut lines = Vec::new();
        if logged.is_empty() {
            lines.push(i18n::food::nothing_logged(locale));
        } else {
            lines.push(i18n::food::logged(locale, logged.len()));
            lines.extend(logged.iter().map(|e| i18n::food::item(locale, e)));
        }
        lines.extend(problems);
        let mut buttons = Vec::new();
        if !logged.is_empty() {
            let total = self.day_total(user).await?;
            lines.push(total);
            lines.push(i18n::food::source(locale, &sources));
            buttons.push(vec![Button {
                label: i18n::food::undo_button(locale),
                data: Callback::Undo(update_id).encode(),
            }]);
            buttons.push(change_buttons(locale, &logged));
        }
        Ok(Reply {
            lines,
            buttons,
            intent: None,
        })
    }

    async fn delete_last(&self, user: &User) -> Result<Reply, ChatError> {
        let locale = user.locale;
        let Some(last) = self.food.latest(user.id).await? else {
            return Ok(Reply::text(
                vec![i18n::food::nothing_to_delete(locale)],
                None,
            ));
        };
        let voided = self.food.void(user.id, &[last.id]).await?;
        let Some(entry) = voided.first() else {
            return Ok(Reply::text(
                vec![i18n::food::nothing_to_delete(locale)],
                None,
            ));
        };
        let total = self.day_total(user).await?;
        Ok(Reply::text(
            vec![i18n::food::deleted(locale, entry), total],
            None,
        ))
    }

    async fn set_goal(&self, user: &User, goal: Option<i64>) -> Result<Reply, ChatError> {
        let locale = user.locale;
        let typed = goal.map(|g| g.to_string()).unwrap_or_default();
        let line = match profile::set_calorie_goal(self.users.as_ref(), user.id, &typed).await {
            Ok(updated) => i18n::goal_set(locale, updated.calorie_goal),
            Err(SettingsError::Goal(_)) => i18n::goal_invalid(locale),
            Err(e) => return Err(e.into()),
        };
        Ok(Reply::text(vec![line], None))
    }

    /// A button under a logging reply (or under /delete's question).
    pub(crate) async fn button(
        &self,
        user: &User,
        message: &InboundMessage,
        callback_id: &str,
        callback: Option<Callback>,
    ) -> Result<(), ChatError> {
        let locale = user.locale;
        self.deliver(self.messenger.answer_button(callback_id, None).await)?;
        match callback {
            // A button of no message of ours: answered (so the spinner stops), nothing else.
            None => Ok(()),
            Some(Callback::ConfirmDelete) => self.erase(user, message.chat).await,
            Some(Callback::CancelDelete) => {
                self.say(message.chat, i18n::privacy::kept(locale)).await
            }
            Some(Callback::Undo(update)) => self.undo(user, message, update).await,
            Some(Callback::ChangeGrams(id)) => self.ask_grams(user, message, id).await,
        }
    }

    async fn undo(
        &self,
        user: &User,
        message: &InboundMessage,
        update: UpdateId,
    ) -> Result<(), ChatError> {
        let locale = user.locale;
        let undone = self
            .food
            .void_by_key_prefix(user.id, &format!("tg:{update}:"))
            .await?;
        let text = if undone.is_empty() {
            i18n::food::nothing_to_undo(locale)
        } else {
            let names: Vec<String> = undone.iter().map(|e| e.name.clone()).collect();
            let total = self.day_total(user).await?;
            format!("{}\n{}", i18n::food::undone(locale, &names), total)
        };
        // Pressing a button moves the conversation on: a grams question asked before is over.
        self.pending.take(user.id, self.clock.now()).await?;
        self.remember(user, Role::Assistant, &text, Some("undo"))
            .await?;
        self.say(message.chat, text).await
    }

    async fn ask_grams(
        &self,
        user: &User,
        message: &InboundMessage,
        id: FoodEntryId,
    ) -> Result<(), ChatError> {
        let locale = user.locale;
        let now = self.clock.now();
        let text = match self.food.get(user.id, id).await? {
            Some(entry) if entry.status == crate::model::EntryStatus::Active => {
                i18n::food::ask_grams(locale, &entry)
            }
            _ => i18n::food::entry_gone(locale),
        };
        // Asked even of an entry gone meanwhile: the answer then says it is gone again.
        let asked = PendingQuestion {
            question: Question::Grams(id),
            expires_at: now + AWAIT_GRAMS_FOR,
        };
        self.pending.ask(user.id, &asked, now).await?;
        self.remember(user, Role::Assistant, &text, Some("change_grams"))
            .await?;
        self.say(message.chat, text).await
    }
}

fn change_buttons(locale: Locale, logged: &[FoodEntry]) -> Vec<Button> {
    if let [only] = logged {
        return vec![Button {
            label: i18n::food::change_button(locale, None),
            data: Callback::ChangeGrams(only.id).encode(),
        }];
    }
    logged
        .iter()
        .take(4)
        .map(|e| Button {
            label: i18n::food::change_button(locale, Some(&e.name)),
            data: Callback::ChangeGrams(e.id).encode(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_grams_accept_plain_numbers_and_gram_units_only() {
        assert_eq!(typed_grams("150").map(Grams::get), Some(150.0));
        assert_eq!(typed_grams(" 150 g ").map(Grams::get), Some(150.0));
        assert_eq!(typed_grams("150г").map(Grams::get), Some(150.0));
        assert_eq!(typed_grams("12,5 грам").map(Grams::get), Some(12.5));
        assert_eq!(typed_grams("2 eggs"), None);
        assert_eq!(typed_grams("0"), None);
        assert_eq!(typed_grams("hello"), None);
    }
}

#[cfg(test)]
mod flow_tests {
    use std::sync::{Arc, Mutex};

    use chrono::{TimeZone, Utc};
    use futures_executor::block_on;

    use super::*;
    use crate::model::*;
    use crate::ports::*;

    fn user() -> User {
        User {
            id: UserId::new(1).unwrap(),
            telegram_id: TelegramUserId::new(77).unwrap(),
            first_name: "Ann".into(),
            locale: Locale::En,
            time_zone: UserTimeZone::DEFAULT,
            calorie_goal: CalorieGoal::DEFAULT,
            briefing_times: BriefingTimes::default(),
            briefings_enabled: true,
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    fn nutrients(kcal: f64, p: f64, f: f64, c: f64) -> Nutrients {
        Nutrients {
            kcal: Kcal::new(kcal).unwrap(),
            protein: MacroGrams::new(p).unwrap(),
            fat: MacroGrams::new(f).unwrap(),
            carbs: MacroGrams::new(c).unwrap(),
        }
    }

    fn facts(name: &str, per_100g: Nutrients, portion: (&str, f64)) -> FoodFacts {
        FoodFacts {
            name: name.into(),
            per_100g,
            portions: vec![PortionSize {
                name: portion.0.into(),
                unit: Unit::in_phrase(portion.0),
                grams: Grams::new(portion.1).unwrap(),
            }],
            source: NutritionSource::OfflineCatalogue,
            catalogue_ref: None,
        }
    }

    fn mention(said: &str, lookup: &str, amount: Amount) -> FoodMention {
        FoodMention {
            said: said.into(),
            lookup_name: lookup.into(),
            amount,
            meal: None,
        }
    }

    /// A food log that keeps entries in memory.
    #[derive(Default)]
    struct MemoryLog(Mutex<Vec<FoodEntry>>);

    #[async_trait::async_trait]
    impl FoodLog for MemoryLog {
        async fn log(&self, entries: &[NewFoodEntry]) -> Result<Logged, StorageError> {
            let mut all = self.0.lock().unwrap();
            let mut out = Vec::new();
            let mut created = false;
            for e in entries {
                if let Some(existing) = all.iter().find(|x| x.idempotency_key == e.idempotency_key)
                {
                    out.push(existing.clone());
                    continue;
                }
                created = true;
                let entry = FoodEntry {
                    id: FoodEntryId::new(all.len() as i64 + 1).unwrap(),
                    user_id: e.user_id,
                    name: e.name.clone(),
                    grams: e.grams,
                    nutrients: e.nutrients,
                    meal: e.meal,
                    source: e.source,
                    nutrition_source: e.nutrition_source,
                    local_date: e.local_date,
                    logged_at: e.logged_at,
                    status: EntryStatus::Active,
                    idempotency_key: e.idempotency_key.clone(),
                    catalogue_ref: None,
                    diary_link: None,
                };
                all.push(entry.clone());
                out.push(entry);
            }
            Ok(Logged {
                entries: out,
                created,
            })
        }
        async fn day_totals(&self, _u: UserId, _d: LocalDate) -> Result<DayTotals, StorageError> {
            let all = self.0.lock().unwrap();
            let active: Vec<&FoodEntry> = all
                .iter()
                .filter(|e| e.status == EntryStatus::Active)
                .collect();
            Ok(DayTotals {
                entries: active.len() as u32,
                nutrients: active.iter().map(|e| e.nutrients).sum(),
            })
        }
        async fn entries_on(
            &self,
            _u: UserId,
            _d: LocalDate,
        ) -> Result<Vec<FoodEntry>, StorageError> {
            Ok(self.0.lock().unwrap().clone())
        }
        async fn latest(&self, _u: UserId) -> Result<Option<FoodEntry>, StorageError> {
            Ok(self
                .0
                .lock()
                .unwrap()
                .iter()
                .rev()
                .find(|e| e.status == EntryStatus::Active)
                .cloned())
        }
        async fn void(
            &self,
            _u: UserId,
            ids: &[FoodEntryId],
        ) -> Result<Vec<FoodEntry>, StorageError> {
            let mut out = Vec::new();
            for e in self.0.lock().unwrap().iter_mut() {
                if ids.contains(&e.id) && e.status == EntryStatus::Active {
                    e.status = EntryStatus::Voided;
                    out.push(e.clone());
                }
            }
            Ok(out)
        }
        async fn void_by_key_prefix(
            &self,
            _u: UserId,
            prefix: &str,
        ) -> Result<Vec<FoodEntry>, StorageError> {
            let mut out = Vec::new();
            for e in self.0.lock().unwrap().iter_mut() {
                if e.idempotency_key.as_str().starts_with(prefix) && e.status == EntryStatus::Active
                {
                    e.status = EntryStatus::Voided;
                    out.push(e.clone());
                }
            }
            Ok(out)
        }
        async fn change_portion(
            &self,
            _u: UserId,
            id: FoodEntryId,
            grams: Grams,
            n: Nutrients,
        ) -> Result<Option<FoodEntry>, StorageError> {
            let mut all = self.0.lock().unwrap();
            Ok(all
                .iter_mut()
                .find(|e| e.id == id && e.status == EntryStatus::Active)
                .map(|e| {
                    e.grams = grams;
                    e.nutrients = n;
                    e.clone()
                }))
        }
        async fn get(
            &self,
            _u: UserId,
            id: FoodEntryId,
        ) -> Result<Option<FoodEntry>, StorageError> {
            Ok(self.0.lock().unwrap().iter().find(|e| e.id == id).cloned())
        }
    }

    /// Conversations in memory.
    #[derive(Default)]
    struct MemoryConversations(Mutex<Vec<ConversationMessage>>);

    #[async_trait::async_trait]
    impl Conversations for MemoryConversations {
        async fn append(&self, m: &[ConversationMessage]) -> Result<(), StorageError> {
            self.0.lock().unwrap().extend_from_slice(m);
            Ok(())
        }
        async fn recent(
            &self,
            _u: UserId,
            _since: chrono::DateTime<Utc>,
            limit: i64,
        ) -> Result<Vec<ConversationMessage>, StorageError> {
            let all = self.0.lock().unwrap();
            let skip = all.len().saturating_sub(limit as usize);
            Ok(all[skip..].to_vec())
        }
        async fn delete_older_than(&self, _b: chrono::DateTime<Utc>) -> Result<u64, StorageError> {
            Ok(0)
        }
    }

    /// Pending questions kept in memory, with their expiry.
    #[derive(Default)]
    struct MemoryPending(Mutex<Option<crate::conversation::PendingQuestion>>);

    #[async_trait::async_trait]
    impl PendingQuestions for MemoryPending {
        async fn ask(
            &self,
            _u: UserId,
            q: &crate::conversation::PendingQuestion,
            _now: chrono::DateTime<Utc>,
        ) -> Result<(), StorageError> {
            *self.0.lock().unwrap() = Some(*q);
            Ok(())
        }
        async fn take(
            &self,
            _u: UserId,
            now: chrono::DateTime<Utc>,
        ) -> Result<Option<crate::conversation::PendingQuestion>, StorageError> {
            Ok(self.0.lock().unwrap().take().filter(|q| q.expires_at > now))
        }
    }

    struct World {
        service: ChatService,
        sent: Arc<Mutex<Vec<OutgoingMessage>>>,
        log: Arc<MemoryLog>,
    }

    fn world(assistant: MockAssistant, fallback: Option<MockAssistant>) -> World {
        let mut users = MockUsers::new();
        users.expect_register().returning(|_| {
            Ok(Registration {
                user: user(),
                is_new: false,
            })
        });
        let mut catalog = MockFoodCatalog::new();
        catalog.expect_find().returning(|_, lookup, _| {
            Ok(match lookup {
                "egg" => Some(facts(
                    "egg",
                    nutrients(143.0, 12.6, 9.5, 0.7),
                    ("egg", 50.0),
                )),
                "bread" => Some(facts(
                    "bread",
                    nutrients(265.0, 9.0, 3.2, 49.0),
                    ("slice", 30.0),
                )),
                _ => None,
            })
        });
        let mut wearables = MockWearableStore::new();
        wearables
            .expect_snapshot()
            .returning(|_, _| Ok(WearableSnapshot::default()));
        let sent = Arc::new(Mutex::new(Vec::new()));
        let sink = sent.clone();
        let mut messenger = MockMessenger::new();
        messenger.expect_send().returning(move |_, m| {
            sink.lock().unwrap().push(m.clone());
            Ok(SentMessage { message_id: 9 })
        });
        messenger.expect_answer_button().returning(|_, _| Ok(()));
        let mut clock = MockClock::new();
        // 06:30 UTC is 09:30 in Kyiv (summer): breakfast.
        clock
            .expect_now()
            .return_const(Utc.with_ymd_and_hms(2026, 6, 1, 6, 30, 0).unwrap());
        let mut links = MockConnectLinks::new();
        links.expect_is_configured().return_const(false);
        let log = Arc::new(MemoryLog::default());
        World {
            service: ChatService {
                users: Arc::new(users),
                food: log.clone(),
                wearables: Arc::new(wearables),
                credentials: Arc::new(MockCredentialStore::new()),
                links: Arc::new(links),
                messenger: Arc::new(messenger),
                clock: Arc::new(clock),
                conversations: Arc::new(MemoryConversations::default()),
                pending: Arc::new(MemoryPending::default()),
                assistant: Arc::new(assistant),
                fallback_assistant: fallback.map(|f| Arc::new(f) as Arc<dyn Assistant>),
                catalog: Arc::new(catalog),
                transcriber: None,
                voice: VoiceLimits::default(),
                whoop: None,
                user_data: Arc::new(MockUserData::new()),
                fatsecret: None,
            },
            sent,
            log,
        }
    }

    fn text(update: i64, body: &str) -> InboundMessage {
        InboundMessage {
            update_id: UpdateId::new(update).unwrap(),
            chat: ChatId(77),
            sender: Sender {
                telegram_id: TelegramUserId::new(77).unwrap(),
                first_name: "Ann".into(),
                language_code: Some("en".into()),
            },
            event: Inbound::Text(body.into()),
            sent_at: Utc::now(),
        }
    }

    fn logs_eggs_and_bread() -> MockAssistant {
        let mut a = MockAssistant::new();
        a.expect_interpret_reads().return_const(ContextScope::Full);
        a.expect_interpret().returning(|_, _| {
            Ok(Interpretation {
                intent: Intent::LogFood,
                foods: vec![
                    mention(
                        "eggs",
                        "egg",
                        Amount::Portions {
                            count: 2.0,
                            unit: None,
                        },
                    ),
                    mention(
                        "bread",
                        "bread",
                        Amount::Portions {
                            count: 1.0,
                            unit: Some(Unit::Slice),
                        },
                    ),
                    mention(
                        "unicorn steak",
                        "unicorn steak",
                        Amount::Grams(Grams::new(200.0).unwrap()),
                    ),
                ],
                calorie_goal: None,
                reply: None,
            })
        });
        a
    }

    #[test]
    fn a_unit_the_food_has_no_portion_of_or_no_unit_of_ours_is_asked_for_in_grams() {
        let mut a = MockAssistant::new();
        a.expect_interpret_reads().return_const(ContextScope::Full);
        a.expect_interpret().returning(|_, _| {
            Ok(Interpretation {
                intent: Intent::LogFood,
                foods: vec![
                    mention(
                        "a cup of eggs",
                        "egg",
                        Amount::Portions {
                            count: 1.0,
                            unit: Some(Unit::Cup),
                        },
                    ),
                    mention(
                        "3 sticks of bread",
                        "bread",
                        Amount::Unmeasured {
                            count: 3.0,
                            unit: "stick".into(),
                        },
                    ),
                ],
                calorie_goal: None,
                reply: None,
            })
        });
        let w = world(a, None);
        block_on(
            w.service
                .handle(&text(10, "a cup of eggs and 3 sticks of bread")),
        )
        .unwrap();
        let sent = w.sent.lock().unwrap();
        assert_eq!(
            sent[0].text,
            "Nothing was logged.\n\
             • \"a cup of eggs\": I don't know how much a portion weighs — tell me the grams, e.g. \"150 g a cup of eggs\".\n\
             • \"3 sticks of bread\": I don't know how much a portion weighs — tell me the grams, e.g. \"150 g 3 sticks of bread\"."
        );
        assert!(w.log.0.lock().unwrap().is_empty());
    }

    #[test]
    fn logs_each_item_with_the_day_total_and_offers_undo_and_change() {
        let w = world(logs_eggs_and_bread(), None);
        block_on(w.service.handle(&text(10, "2 eggs and a slice of bread"))).unwrap();
        let sent = w.sent.lock().unwrap();
        assert_eq!(
            sent[0].text,
            "Logged 2 items:\n\
             • eggs — 100 g: 143 kcal (P 12.6 · F 9.5 · C 0.7 g)\n\
             • bread — 30 g: 80 kcal (P 2.7 · F 1 · C 14.7 g)\n\
             • \"unicorn steak\": I couldn't find it, so I didn't log it. Try another name or add the grams.\n\
             Today: 223 of 2000 kcal — 1777 left.\n\
             Numbers from: built-in catalogue (USDA FoodData Central)."
        );
        assert_eq!(sent[0].buttons[0][0].data, "undo:10");
        assert_eq!(sent[0].buttons[1].len(), 2, "one change button per item");
        let log = w.log.0.lock().unwrap();
        assert!(log.iter().all(|e| e.meal == Meal::Breakfast));
        assert_eq!(log[0].idempotency_key.as_str(), "tg:10:0");
    }

    #[test]
    fn the_same_update_twice_logs_once() {
        let w = world(logs_eggs_and_bread(), None);
        block_on(w.service.handle(&text(10, "2 eggs"))).unwrap();
        block_on(w.service.handle(&text(10, "2 eggs"))).unwrap();
        assert_eq!(w.log.0.lock().unwrap().len(), 2);
    }

    #[test]
    fn undo_voids_the_messages_entries_and_change_grams_rescales() {
        let w = world(logs_eggs_and_bread(), None);
        block_on(w.service.handle(&text(10, "2 eggs and bread"))).unwrap();
        let mut press = text(11, "");
        press.event = Inbound::Button {
            callback_id: "cb".into(),
            callback: Some(Callback::ChangeGrams(FoodEntryId::new(1).unwrap())),
            message_id: Some(9),
        };
        block_on(w.service.handle(&press)).unwrap();
        block_on(w.service.handle(&text(12, "150"))).unwrap();
        {
            let sent = w.sent.lock().unwrap();
            assert_eq!(
                sent[1].text,
                "How many grams of eggs (now 100 g)? Send a number, e.g. 150."
            );
            assert_eq!(
                sent[2].text,
                "Changed:\n• eggs — 150 g: 215 kcal (P 18.9 · F 14.3 · C 1 g)\nToday: 294 of 2000 kcal — 1706 left."
            );
        }
        press.event = Inbound::Button {
            callback_id: "cb2".into(),
            callback: Some(Callback::Undo(UpdateId::new(10).unwrap())),
            message_id: Some(9),
        };
        block_on(w.service.handle(&press)).unwrap();
        let sent = w.sent.lock().unwrap();
        assert_eq!(
            sent[3].text,
            "Undone: eggs, bread.\nToday: 0 of 2000 kcal — 2000 left."
        );
    }

    #[test]
    fn when_the_assistant_fails_the_offline_rules_stand_in_and_say_so() {
        let mut failing = MockAssistant::new();
        failing
            .expect_interpret_reads()
            .return_const(ContextScope::Full);
        failing
            .expect_interpret()
            .returning(|_, _| Err(AssistantError::QuotaExceeded));
        let w = world(failing, Some(logs_eggs_and_bread()));
        block_on(w.service.handle(&text(10, "2 eggs"))).unwrap();
        let sent = w.sent.lock().unwrap();
        assert!(
            sent[0]
                .text
                .ends_with("(The AI assistant is unavailable: I used the built-in food list.)"),
            "{}",
            sent[0].text
        );
        assert_eq!(w.log.0.lock().unwrap().len(), 2);
    }

    #[test]
    fn each_assistant_failure_gets_a_clear_reply_and_the_message_is_kept() {
        for (error, expected) in [
            (AssistantError::QuotaExceeded, "out of quota"),
            (AssistantError::Refused("no".into()), "declined"),
            (AssistantError::Malformed("{".into()), "couldn't read"),
            (AssistantError::Unavailable("503".into()), "can't reach"),
        ] {
            let mut failing = MockAssistant::new();
            failing
                .expect_interpret_reads()
                .return_const(ContextScope::Full);
            let e = error.clone();
            failing
                .expect_interpret()
                .returning(move |_, _| Err(e.clone()));
            let w = world(failing, None);
            block_on(w.service.handle(&text(10, "2 eggs"))).unwrap();
            assert!(
                w.sent.lock().unwrap()[0].text.contains(expected),
                "{error:?}"
            );
            let kept = block_on(w.service.conversations.recent(
                UserId::new(1).unwrap(),
                Utc::now(),
                10,
            ))
            .unwrap();
            assert_eq!(kept[0].content, "2 eggs", "the user's message is kept");
            assert!(w.log.0.lock().unwrap().is_empty());
        }
    }

    #[test]
    fn questions_are_answered_from_the_context() {
        let mut a = MockAssistant::new();
        a.expect_interpret_reads().return_const(ContextScope::Full);
        a.expect_interpret().returning(|_, _| {
            Ok(Interpretation {
                intent: Intent::QueryData,
                foods: vec![],
                calorie_goal: None,
                reply: None,
            })
        });
        a.expect_answer().returning(|_, ctx| {
            Ok(format!(
                "You've had {} g of protein.",
                ctx.today_totals.nutrients.protein
            ))
        });
        let w = world(a, None);
        block_on(w.service.handle(&text(10, "how much protein today?"))).unwrap();
        assert_eq!(w.sent.lock().unwrap()[0].text, "You've had 0 g of protein.");
    }

    /// "2 eggs" as an assistant reads it.
    fn two_eggs() -> Interpretation {
        Interpretation {
            intent: Intent::LogFood,
            foods: vec![mention(
                "eggs",
                "egg",
                Amount::Portions {
                    count: 2.0,
                    unit: None,
                },
            )],
            calorie_goal: None,
            reply: None,
        }
    }

    /// An assistant that reads only the words gets no queried context for a food log: no
    /// conversation, entries or WHOOP queries before the insert.
    #[test]
    fn rules_that_read_the_words_alone_log_food_without_querying_the_context() {
        let mut a = MockAssistant::new();
        a.expect_interpret_reads().return_const(ContextScope::Basic);
        a.expect_interpret().returning(|_, ctx| {
            assert!(ctx.history.is_empty() && ctx.today_entries.is_empty());
            assert_eq!(ctx.locale, Locale::En);
            Ok(two_eggs())
        });
        let mut w = world(a, None);
        let mut wearables = MockWearableStore::new();
        wearables.expect_snapshot().never();
        w.service.wearables = Arc::new(wearables);
        block_on(w.service.handle(&text(10, "2 eggs"))).unwrap();
        // The second message has a conversation and an entry before it: still not read.
        block_on(w.service.handle(&text(11, "2 eggs"))).unwrap();
        let sent = w.sent.lock().unwrap();
        assert!(
            sent[1].text.contains("Today: 286 of 2000 kcal"),
            "the day total still comes from the log: {}",
            sent[1].text
        );
    }

    /// The same assistant answering a question gets the whole context: numbers come from data.
    #[test]
    fn a_question_to_rules_that_read_the_words_alone_still_gets_the_whole_context() {
        let mut a = MockAssistant::new();
        a.expect_interpret_reads().return_const(ContextScope::Basic);
        a.expect_interpret().returning(|text, _| {
            Ok(if text.starts_with("how") {
                Interpretation {
                    intent: Intent::QueryData,
                    foods: vec![],
                    calorie_goal: None,
                    reply: None,
                }
            } else {
                two_eggs()
            })
        });
        a.expect_answer().returning(|_, ctx| {
            Ok(format!(
                "{} entries, {} g of protein, {} messages before.",
                ctx.today_entries.len(),
                ctx.today_totals.nutrients.protein,
                ctx.history.len()
            ))
        });
        let w = world(a, None);
        block_on(w.service.handle(&text(10, "2 eggs"))).unwrap();
        block_on(w.service.handle(&text(11, "how much protein today?"))).unwrap();
        assert_eq!(
            w.sent.lock().unwrap()[1].text,
            "1 entries, 12.6 g of protein, 2 messages before."
        );
    }

    /// A fallback that reads the conversation makes the context whole, whatever the first
    /// assistant needs: it may be the one that reads this message.
    #[test]
    fn the_context_is_as_whole_as_the_most_demanding_assistant_needs() {
        let mut failing = MockAssistant::new();
        failing
            .expect_interpret_reads()
            .return_const(ContextScope::Basic);
        failing
            .expect_interpret()
            .returning(|_, _| Err(AssistantError::Unavailable("503".into())));
        let mut w = world(failing, Some(logs_eggs_and_bread()));
        let mut wearables = MockWearableStore::new();
        wearables
            .expect_snapshot()
            .times(1)
            .returning(|_, _| Ok(WearableSnapshot::default()));
        w.service.wearables = Arc::new(wearables);
        block_on(w.service.handle(&text(10, "2 eggs"))).unwrap();
        assert_eq!(w.log.0.lock().unwrap().len(), 2);
    }
}
