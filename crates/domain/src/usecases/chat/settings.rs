//! Profile and settings: the goal, the time zone, the language, the briefing times.

use std::sync::Arc;

use crate::conversation::{Command, Setting};
use crate::model::{Locale, User, UserSettingChange};
use crate::ports::Users;
use crate::reply::Say;
use crate::usecases::chat::ChatError;
use crate::usecases::profile;

/// Changing settings: only the users port.
#[derive(Clone)]
pub struct Settings {
    /// People.
    pub users: Arc<dyn Users>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Settings")
    }
}

impl Settings {
    /// A settings command: what to say and the language to say it in (the new one after
    /// /language); `None` when the command is not a settings command.
    pub async fn command(
        &self,
        user: &User,
        command: &Command,
    ) -> Result<Option<(Say, Locale)>, ChatError> {
        let say = match command {
            Command::Goal(Setting::Show) => Say::GoalCurrent(user.calorie_goal),
            Command::Goal(Setting::Set(goal)) => Say::GoalSet(
                self.change(user, UserSettingChange::CalorieGoal(*goal))
                    .await?
                    .calorie_goal,
            ),
            Command::Goal(Setting::Invalid(_)) => Say::GoalInvalid,
            Command::TimeZone(Setting::Show) => Say::TimeZoneCurrent(user.time_zone),
            Command::TimeZone(Setting::Set(zone)) => Say::TimeZoneSet(
                self.change(user, UserSettingChange::TimeZone(*zone))
                    .await?
                    .time_zone,
            ),
            Command::TimeZone(Setting::Invalid(typed)) => Say::TimeZoneInvalid {
                typed: typed.clone(),
            },
            Command::Language(wanted) => {
                let wanted = wanted.unwrap_or(user.locale.other());
                let updated = self.change(user, UserSettingChange::Locale(wanted)).await?;
                return Ok(Some((Say::LanguageSet, updated.locale)));
            }
            Command::BriefingTime(Setting::Set(times)) => {
                let updated = self
                    .change(user, UserSettingChange::BriefingTimes(*times))
                    .await?;
                Say::BriefingTimesSet(updated.briefing_times)
            }
            Command::BriefingTime(Setting::Show | Setting::Invalid(_)) => Say::BriefingTimesUsage,
            Command::Briefings { on } => {
                let updated = self
                    .change(user, UserSettingChange::BriefingsEnabled(*on))
                    .await?;
                Say::BriefingsSwitched {
                    on: updated.briefings_enabled,
                    times: updated.briefing_times,
                }
            }
            _ => return Ok(None),
        };
        Ok(Some((say, user.locale)))
    }

    async fn change(&self, user: &User, change: UserSettingChange) -> Result<User, ChatError> {
        Ok(profile::apply(self.users.as_ref(), user.id, change).await?)
    }
}
