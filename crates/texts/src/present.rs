//! The presenter: a typed [`Reply`] in the user's language, as a Telegram message.

use wellness_domain::model::{
    BriefingTimes, CalorieGoal, DayTotals, FoodEntry, Locale, NutritionSource, Provider,
};
use wellness_domain::ports::{
    AssistantError, OutgoingMessage, Presenter, TranscriptionError, Upserted,
};
use wellness_domain::reply::{ConnectionState, Label, Reply, Say, WhoopAccess};
use wellness_domain::usecases::whoop::SyncReport;

use crate::bundle::{Texts, number, nutrient_args, text};
use crate::calendar::clock;

impl Presenter for Texts {
    fn render(&self, locale: Locale, reply: &Reply) -> OutgoingMessage {
        reply.to_message(
            |say| self.say(locale, say),
            |label| self.label(locale, label),
        )
    }
}

impl Texts {
    /// One part of a reply.
    pub fn say(&self, locale: Locale, say: &Say) -> String {
        match say {
            Say::Welcome { name, returning } => self.welcome(locale, name, *returning),
            Say::Help => self.help(locale),
            Say::UnknownCommand { command } => {
                let unknown = self.t(locale, "unknown-command", &[text("command", command)]);
                format!("{unknown}\n\n{}", self.help(locale))
            }
            Say::Unsupported => self.plain(locale, "unsupported"),
            Say::Today {
                overview,
                whoop_connected,
            } => self.today(locale, overview, *whoop_connected),
            Say::Answer(answer) => answer.clone(),
            Say::Briefing(briefing) => self.briefing(locale, briefing),
            Say::ExportCaption => self.plain(locale, "export-caption"),
            Say::ConfirmDelete => self.plain(locale, "confirm-delete"),
            Say::DataDeleted { whoop } => self.plain(
                locale,
                match whoop {
                    WhoopAccess::NotConnected => "data-deleted",
                    WhoopAccess::Revoked => "data-deleted-whoop-revoked",
                    WhoopAccess::NotRevoked => "data-deleted-whoop-not-revoked",
                },
            ),
            Say::DataKept => self.plain(locale, "data-kept"),
            _ => self
                .settings(locale, say)
                .or_else(|| self.food(locale, say))
                .or_else(|| self.voice(locale, say))
                .or_else(|| self.providers(locale, say))
                .or_else(|| self.personal(locale, say))
                .unwrap_or_default(),
        }
    }

    /// What a button says.
    pub fn label(&self, locale: Locale, label: &Label) -> String {
        match label {
            Label::Undo => self.plain(locale, "button-undo"),
            Label::ChangeGrams => self.plain(locale, "button-change-grams"),
            Label::ChangeGramsOf(name) => {
                self.t(locale, "button-change-grams-of", &[text("name", name)])
            }
            Label::DeleteEverything => self.plain(locale, "button-delete-everything"),
            Label::KeepMyData => self.plain(locale, "button-keep-my-data"),
            Label::OpenDashboard => self.plain(locale, "button-open-dashboard"),
            Label::MenuDashboard => self.plain(locale, "menu-button-dashboard"),
            Label::Candidate(name) => name.clone(),
            Label::DeleteProduct(name) => {
                self.t(locale, "button-delete-product", &[text("name", name)])
            }
            Label::LabelSaveAndLog => self.plain(locale, "button-label-save-and-log"),
            Label::LabelSaveOnly => self.plain(locale, "button-label-save-only"),
            Label::LabelCancel => self.plain(locale, "button-label-cancel"),
            Label::MealLogAll => self.plain(locale, "button-meal-log-all"),
            Label::MealCancel => self.plain(locale, "button-meal-cancel"),
            Label::MealEditItem(name) => self.t(locale, "button-meal-edit", &[text("name", name)]),
        }
    }

    fn welcome(&self, locale: Locale, name: &str, returning: bool) -> String {
        let name = name.trim();
        let mut text_ = if name.is_empty() {
            self.plain(locale, "welcome-hello")
        } else {
            self.t(locale, "welcome-hello-name", &[text("name", name)])
        };
        if returning {
            text_.push(' ');
            text_.push_str(&self.plain(locale, "welcome-back"));
        }
        text_.push(' ');
        text_.push_str(&self.plain(locale, "welcome-body"));
        text_
    }

    fn settings(&self, locale: Locale, say: &Say) -> Option<String> {
        let goal = |g: &CalorieGoal| text("goal", g.to_string());
        Some(match say {
            Say::GoalCurrent(g) => self.t(locale, "goal-current", &[goal(g)]),
            Say::GoalSet(g) => self.t(locale, "goal-set", &[goal(g)]),
            Say::GoalInvalid => self.t(
                locale,
                "goal-invalid",
                &[
                    text("min", CalorieGoal::MIN.to_string()),
                    text("max", CalorieGoal::MAX.to_string()),
                ],
            ),
            Say::TimeZoneCurrent(z) => {
                self.t(locale, "timezone-current", &[text("zone", z.to_string())])
            }
            Say::TimeZoneSet(z) => self.t(locale, "timezone-set", &[text("zone", z.to_string())]),
            Say::TimeZoneInvalid { typed } => {
                self.t(locale, "timezone-invalid", &[text("typed", typed)])
            }
            Say::LanguageSet => self.plain(locale, "language-set"),
            Say::BriefingTimesSet(times) => self.t(locale, "briefing-times-set", &at(*times)),
            Say::BriefingTimesUsage => self.plain(locale, "briefing-times-usage"),
            Say::BriefingsSwitched { on: true, times } => {
                self.t(locale, "briefings-on", &at(*times))
            }
            Say::BriefingsSwitched { on: false, .. } => self.plain(locale, "briefings-off"),
            _ => return None,
        })
    }

    fn food(&self, locale: Locale, say: &Say) -> Option<String> {
        let said = |s: &String| [text("said", s.clone())];
        Some(match say {
            Say::Logged { count } => self.t(locale, "logged", &[number("count", *count as f64)]),
            Say::FoodItem(entry) => self.food_item(locale, entry),
            Say::FoodNotFound { said: s } => self.t(locale, "food-not-found", &said(s)),
            Say::UnknownPortion { said: s } => self.t(locale, "unknown-portion", &said(s)),
            Say::Sources(sources) => self.sources(locale, sources),
            Say::NothingLogged => self.plain(locale, "nothing-logged"),
            Say::DayTotal { totals, goal } => self.day_total(locale, totals, *goal),
            Say::Undone { names } => self.t(locale, "undone", &[text("names", names.join("; "))]),
            Say::NothingToUndo => self.plain(locale, "nothing-to-undo"),
            Say::EntryDeleted(e) => self.t(
                locale,
                "entry-deleted",
                &[
                    text("name", e.name.as_str()),
                    text("grams", e.grams.to_string()),
                    text("kcal", e.nutrients.kcal.to_string()),
                ],
            ),
            Say::NothingToDelete => self.plain(locale, "nothing-to-delete"),
            Say::AskGrams(e) => self.t(
                locale,
                "ask-grams",
                &[
                    text("name", e.name.as_str()),
                    text("grams", e.grams.to_string()),
                ],
            ),
            Say::PortionChanged => self.plain(locale, "portion-changed"),
            Say::EntryGone => self.plain(locale, "entry-gone"),
            _ => return None,
        })
    }

    /// "• eggs — 100 g: 143 kcal (P 12.6 · F 9.5 · C 0.7 g)".
    fn food_item(&self, locale: Locale, e: &FoodEntry) -> String {
        let mut args = vec![
            text("name", e.name.as_str()),
            text("grams", e.grams.to_string()),
        ];
        args.extend(nutrient_args(&e.nutrients));
        self.t(locale, "food-item", &args)
    }

    fn sources(&self, locale: Locale, sources: &[NutritionSource]) -> String {
        let names: Vec<String> = sources
            .iter()
            .map(|s| match s {
                NutritionSource::Fatsecret => self.plain(locale, "source-fatsecret"),
                NutritionSource::OfflineCatalogue => self.plain(locale, "source-catalogue"),
                NutritionSource::OpenFoodFacts => self.plain(locale, "source-openfoodfacts"),
                NutritionSource::SavedProduct => self.plain(locale, "source-saved-product"),
            })
            .collect();
        self.t(locale, "sources", &[text("names", names.join(", "))])
    }

    fn day_total(&self, locale: Locale, totals: &DayTotals, goal: CalorieGoal) -> String {
        let eaten = totals.nutrients.kcal.rounded();
        let left = i64::from(goal.kcal()) - eaten;
        self.t(
            locale,
            "day-total",
            &[
                text("eaten", eaten.to_string()),
                text("goal", goal.kcal().to_string()),
                text("balance", self.balance(locale, left)),
            ],
        )
    }

    /// "1350 left" / "120 over".
    pub(crate) fn balance(&self, locale: Locale, left: i64) -> String {
        if left >= 0 {
            self.t(locale, "balance-left", &[text("kcal", left.to_string())])
        } else {
            self.t(locale, "balance-over", &[text("kcal", (-left).to_string())])
        }
    }

    fn voice(&self, locale: Locale, say: &Say) -> Option<String> {
        Some(match say {
            Say::AssistantFailed(e) => match e {
                AssistantError::QuotaExceeded => self.plain(locale, "assistant-quota"),
                AssistantError::Refused(_) => self.plain(locale, "assistant-refused"),
                AssistantError::Malformed(_) => self.plain(locale, "assistant-malformed"),
                AssistantError::Unavailable(_) => self.plain(locale, "assistant-unavailable"),
            },
            Say::UsedFallback => self.plain(locale, "used-fallback"),
            Say::NotInData => self.plain(locale, "not-in-data"),
            Say::SetAside => self.plain(locale, "set-aside"),
            Say::SlowDown { seconds } => {
                self.t(locale, "slow-down", &[number("seconds", *seconds as f64)])
            }
            Say::SyncCooldown { minutes } => self.t(
                locale,
                "sync-cooldown",
                &[number("minutes", *minutes as f64)],
            ),
            Say::Heard { text: heard } => self.t(locale, "heard", &[text("text", heard)]),
            Say::VoiceTooLong { secs, max } => self.t(
                locale,
                "voice-too-long",
                &[text("secs", secs.to_string()), text("max", max.to_string())],
            ),
            Say::VoiceUnavailable => self.plain(locale, "voice-unavailable"),
            Say::TranscriptionFailed(TranscriptionError::QuotaExceeded) => {
                self.plain(locale, "transcription-quota")
            }
            Say::TranscriptionFailed(_) => self.plain(locale, "transcription-failed"),
            Say::HeardNothing => self.plain(locale, "heard-nothing"),
            Say::VoiceDownloadFailed => self.plain(locale, "voice-download-failed"),
            _ => return self.photos(locale, say),
        })
    }

    fn photos(&self, locale: Locale, say: &Say) -> Option<String> {
        Some(match say {
            Say::NoBarcode => self.plain(locale, "photo-no-barcode"),
            Say::NoBarcodeNorLabel => self.plain(locale, "photo-no-barcode-nor-label"),
            Say::AskPackageGrams { name } => {
                self.t(locale, "ask-package-grams", &[text("name", name.as_str())])
            }
            Say::PhotoUnreadable => self.plain(locale, "photo-unreadable"),
            Say::PhotoTooBig { max_mb } => {
                self.t(locale, "photo-too-big", &[text("max", max_mb.to_string())])
            }
            Say::InStoreBarcode { code } => {
                self.t(locale, "barcode-in-store", &[text("code", code.as_str())])
            }
            Say::ProductNotFound { code } => {
                self.t(locale, "product-not-found", &[text("code", code.as_str())])
            }
            Say::ProductWithoutCalories { name, code } => self.t(
                locale,
                "product-without-calories",
                &[text("name", name.as_str()), text("code", code.as_str())],
            ),
            Say::ProductFound { name, code } => self.t(
                locale,
                "product-found",
                &[text("name", name.as_str()), text("code", code.as_str())],
            ),
            _ => return self.vision(locale, say),
        })
    }

    /// A meal's estimate: each food, the total, what was left out, the reminder.
    fn meal_draft(
        &self,
        locale: Locale,
        items: &[wellness_domain::reply::MealDraftItem],
        total: wellness_domain::model::Kcal,
        left_out: &[String],
    ) -> String {
        let mut lines = vec![self.plain(locale, "meal-draft")];
        lines.extend(items.iter().map(|item| {
            self.t(
                locale,
                "meal-draft-item",
                &[
                    text("name", item.name.as_str()),
                    text("grams", item.grams.to_string()),
                    text("kcal", item.kcal.to_string()),
                ],
            )
        }));
        lines.push(self.t(
            locale,
            "meal-draft-total",
            &[text("kcal", total.to_string())],
        ));
        if !left_out.is_empty() {
            lines.push(self.t(
                locale,
                "meal-left-out",
                &[text("names", left_out.join(", "))],
            ));
        }
        lines.push(self.plain(locale, "meal-draft-check"));
        lines.join("\n")
    }

    /// What a vision model read in a photo: a label, a meal.
    fn vision(&self, locale: Locale, say: &Say) -> Option<String> {
        Some(match say {
            Say::LabelRead {
                name,
                per_100g: n,
                serving,
                grams,
            } => {
                let mut args = vec![text("name", name.as_str())];
                args.extend(nutrient_args(n));
                let mut lines = vec![self.t(locale, "label-read", &args)];
                for (id, grams) in [("label-serving", serving), ("label-grams", grams)] {
                    if let Some(grams) = grams {
                        lines.push(self.t(locale, id, &[text("grams", grams.to_string())]));
                    }
                }
                lines.push(self.plain(locale, "label-check"));
                lines.join("\n")
            }
            Say::LabelWithoutNumbers => self.plain(locale, "label-without-numbers"),
            Say::LabelNeedsName => self.plain(locale, "label-needs-name"),
            Say::LabelFailed => self.plain(locale, "label-failed"),
            Say::LabelCancelled => self.plain(locale, "label-cancelled"),
            Say::MealDraft {
                items,
                total,
                left_out,
            } => self.meal_draft(locale, items, *total, left_out),
            Say::MealNothingKnown { seen } => self.t(
                locale,
                "meal-nothing-known",
                &[text("names", seen.join(", "))],
            ),
            Say::MealPhotosOff => self.plain(locale, "meal-photos-off"),
            Say::AskMealGrams { name, grams } => self.t(
                locale,
                "ask-meal-grams",
                &[
                    text("name", name.as_str()),
                    text("grams", grams.to_string()),
                ],
            ),
            Say::MealCancelled => self.plain(locale, "meal-cancelled"),
            _ => return None,
        })
    }

    fn providers(&self, locale: Locale, say: &Say) -> Option<String> {
        let provider = |p: &Provider| text("provider", p.to_string());
        Some(match say {
            Say::SyncStatus(states) => self.sync_status(locale, states),
            Say::ConnectNotConfigured(p) => {
                self.t(locale, "connect-not-configured", &[provider(p)])
            }
            Say::ConnectLink { provider: p, url } => self.t(
                locale,
                "connect-link",
                &[provider(p), text("url", url.as_str())],
            ),
            Say::WhoopReconnect => self.plain(locale, "whoop-reconnect"),
            Say::WhoopConnected => self.plain(locale, "whoop-connected"),
            Say::WhoopSynced(report) => self.whoop_synced(locale, report),
            Say::WhoopSyncFailed => self.plain(locale, "whoop-sync-failed"),
            Say::FatsecretConnected => self.plain(locale, "fatsecret-connected"),
            Say::FatsecretImported { new_entries } => self.t(
                locale,
                "fatsecret-imported",
                &[number("count", *new_entries as f64)],
            ),
            Say::FatsecretImportFailed => self.plain(locale, "fatsecret-import-failed"),
            Say::FatsecretReconnect => self.plain(locale, "fatsecret-reconnect"),
            _ => return None,
        })
    }

    fn sync_status(&self, locale: Locale, states: &[(Provider, ConnectionState)]) -> String {
        let mut lines = vec![self.plain(locale, "sync-heading")];
        for (provider, state) in states {
            let command = text(
                "command",
                match provider {
                    Provider::Whoop => "/connect_whoop",
                    Provider::Fatsecret => "/connect_fatsecret",
                },
            );
            let state = match state {
                ConnectionState::NotConfigured => self.plain(locale, "sync-not-configured"),
                ConnectionState::NotConnected => self.t(locale, "sync-not-connected", &[command]),
                ConnectionState::Connected => self.plain(locale, "sync-connected"),
                ConnectionState::Broken => self.t(locale, "sync-broken", &[command]),
            };
            lines.push(self.t(
                locale,
                "sync-line",
                &[text("provider", provider.to_string()), text("state", state)],
            ));
        }
        lines.join("\n")
    }

    fn whoop_synced(&self, locale: Locale, r: &SyncReport) -> String {
        let n = |name, u: Upserted| text(name, (u.inserted + u.updated).to_string());
        self.t(
            locale,
            "whoop-synced",
            &[
                n("sleeps", r.sleeps),
                n("recoveries", r.recoveries),
                n("workouts", r.workouts),
                n("days", r.cycles),
            ],
        )
    }
}

fn at(times: BriefingTimes) -> [crate::bundle::Arg<'static>; 2] {
    [
        text("morning", clock(times.morning)),
        text("evening", clock(times.evening)),
    ]
}
