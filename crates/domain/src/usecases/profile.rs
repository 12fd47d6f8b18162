//! Registering people and changing their settings.

use thiserror::Error;

use crate::model::{
    BriefingTimes, CalorieGoal, InvalidBriefingTimes, InvalidCalorieGoal, Locale, NewUser,
    UnknownTimeZone, User, UserId, UserSettingChange, UserTimeZone,
};
use crate::ports::{Registration, StorageError, Users};

/// Registers someone on first contact (and refreshes their name later).
pub async fn register(users: &dyn Users, new_user: &NewUser) -> Result<Registration, StorageError> {
    users.register(new_user).await
}

/// A settings change was refused.
#[derive(Debug, Error)]
pub enum SettingsError {
    /// The goal was not a number in 500..=10000.
    #[error(transparent)]
    Goal(#[from] InvalidCalorieGoal),
    /// Not an IANA time zone.
    #[error(transparent)]
    TimeZone(#[from] UnknownTimeZone),
    /// Briefing times were not HH:MM with the morning first.
    #[error(transparent)]
    BriefingTimes(#[from] InvalidBriefingTimes),
    /// The user no longer exists.
    #[error("the user {0} does not exist")]
    NoSuchUser(UserId),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Applies a setting already validated (a parsed command's value).
pub async fn apply(
    users: &dyn Users,
    user: UserId,
    change: UserSettingChange,
) -> Result<User, SettingsError> {
    users
        .change(user, &change)
        .await?
        .ok_or(SettingsError::NoSuchUser(user))
}

/// Sets the daily calorie goal from what the user typed ("1800").
pub async fn set_calorie_goal(
    users: &dyn Users,
    user: UserId,
    typed: &str,
) -> Result<User, SettingsError> {
    let goal = CalorieGoal::parse(typed)?;
    apply(users, user, UserSettingChange::CalorieGoal(goal)).await
}

/// Sets the time zone from an IANA name ("Europe/Kyiv").
pub async fn set_time_zone(
    users: &dyn Users,
    user: UserId,
    typed: &str,
) -> Result<User, SettingsError> {
    let zone = UserTimeZone::parse(typed)?;
    apply(users, user, UserSettingChange::TimeZone(zone)).await
}

/// Switches the bot's language.
pub async fn set_locale(
    users: &dyn Users,
    user: UserId,
    locale: Locale,
) -> Result<User, SettingsError> {
    apply(users, user, UserSettingChange::Locale(locale)).await
}

/// Sets the briefing times from "HH:MM" and "HH:MM".
pub async fn set_briefing_times(
    users: &dyn Users,
    user: UserId,
    morning: &str,
    evening: &str,
) -> Result<User, SettingsError> {
    let times = BriefingTimes::parse(morning, evening)?;
    apply(users, user, UserSettingChange::BriefingTimes(times)).await
}

/// Turns briefings on or off.
pub async fn set_briefings_enabled(
    users: &dyn Users,
    user: UserId,
    enabled: bool,
) -> Result<User, SettingsError> {
    apply(users, user, UserSettingChange::BriefingsEnabled(enabled)).await
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use futures_executor::block_on;
    use mockall::predicate::eq;

    use super::*;
    use crate::model::TelegramUserId;
    use crate::ports::MockUsers;

    fn user(goal: i64) -> User {
        User {
            id: UserId::new(1).unwrap(),
            telegram_id: TelegramUserId::new(100).unwrap(),
            first_name: "Olena".into(),
            locale: Locale::Uk,
            time_zone: UserTimeZone::DEFAULT,
            calorie_goal: CalorieGoal::new(goal).unwrap(),
            briefing_times: BriefingTimes::default(),
            briefings_enabled: true,
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    #[test]
    fn a_valid_goal_is_stored() {
        let id = UserId::new(1).unwrap();
        let mut users = MockUsers::new();
        users
            .expect_change()
            .with(
                eq(id),
                eq(UserSettingChange::CalorieGoal(
                    CalorieGoal::new(1800).unwrap(),
                )),
            )
            .times(1)
            .returning(|_, _| Ok(Some(user(1800))));
        let updated = block_on(set_calorie_goal(&users, id, "1800")).unwrap();
        assert_eq!(updated.calorie_goal.kcal(), 1800);
    }

    #[test]
    fn an_out_of_range_goal_is_refused_without_touching_storage() {
        let users = MockUsers::new(); // any call would panic: no expectations
        let id = UserId::new(1).unwrap();
        assert!(matches!(
            block_on(set_calorie_goal(&users, id, "12000")),
            Err(SettingsError::Goal(_))
        ));
        assert!(matches!(
            block_on(set_calorie_goal(&users, id, "abc")),
            Err(SettingsError::Goal(_))
        ));
    }

    #[test]
    fn an_unknown_time_zone_is_refused() {
        let users = MockUsers::new();
        let id = UserId::new(1).unwrap();
        assert!(matches!(
            block_on(set_time_zone(&users, id, "Europe/Atlantis")),
            Err(SettingsError::TimeZone(_))
        ));
    }

    #[test]
    fn a_vanished_user_is_reported() {
        let mut users = MockUsers::new();
        users.expect_change().returning(|_, _| Ok(None));
        let id = UserId::new(9).unwrap();
        assert!(matches!(
            block_on(set_briefings_enabled(&users, id, false)),
            Err(SettingsError::NoSuchUser(u)) if u == id
        ));
    }
}
