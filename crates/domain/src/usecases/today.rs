//! "How is my day going?": the food totals of the user's local day and the latest WHOOP records.

use crate::model::{CalorieGoal, DayTotals, Kcal, LocalDate, User, WearableSnapshot};
use crate::ports::{Clock, FoodLog, StorageError, WearableStore};

/// The state of a user's day.
#[derive(Debug, Clone, PartialEq)]
pub struct DayOverview {
    /// The user's local date now.
    pub day: LocalDate,
    /// Food eaten so far.
    pub totals: DayTotals,
    /// Their goal.
    pub goal: CalorieGoal,
    /// Last night's sleep, today's recovery, the current cycle.
    pub wearable: WearableSnapshot,
}

impl DayOverview {
    /// kcal left to the goal (negative when over it).
    pub fn remaining_kcal(&self) -> i64 {
        i64::from(self.goal.kcal()) - self.totals.nutrients.kcal.rounded()
    }

    /// Eaten so far.
    pub fn eaten(&self) -> Kcal {
        self.totals.nutrients.kcal
    }
}

/// Builds the overview of the user's current local day.
pub async fn day_overview(
    user: &User,
    food: &dyn FoodLog,
    wearables: &dyn WearableStore,
    clock: &dyn Clock,
) -> Result<DayOverview, StorageError> {
    let now = clock.now();
    let day = LocalDate::of(now, user.time_zone);
    let totals = food.day_totals(user.id, day).await?;
    let wearable = wearables.snapshot(user.id, now).await?;
    Ok(DayOverview {
        day,
        totals,
        goal: user.calorie_goal,
        wearable,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use futures_executor::block_on;
    use mockall::predicate::{always, eq};

    use super::*;
    use crate::model::{
        BriefingTimes, Locale, MacroGrams, Nutrients, TelegramUserId, UserId, UserTimeZone,
    };
    use crate::ports::{MockClock, MockFoodLog, MockWearableStore};

    #[test]
    fn counts_the_users_local_day_not_the_utc_one() {
        let user = User {
            id: UserId::new(3).unwrap(),
            telegram_id: TelegramUserId::new(300).unwrap(),
            first_name: "Taras".into(),
            locale: Locale::Uk,
            time_zone: UserTimeZone::DEFAULT,
            calorie_goal: CalorieGoal::new(1800).unwrap(),
            briefing_times: BriefingTimes::default(),
            briefings_enabled: true,
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        };
        let mut clock = MockClock::new();
        // 23:30 UTC on 14 May is 02:30 on 15 May in Kyiv.
        clock
            .expect_now()
            .return_const(Utc.with_ymd_and_hms(2026, 5, 14, 23, 30, 0).unwrap());
        let kyiv_day = LocalDate::from_calendar(NaiveDate::from_ymd_opt(2026, 5, 15).unwrap());
        let mut food = MockFoodLog::new();
        food.expect_day_totals()
            .with(eq(user.id), eq(kyiv_day))
            .times(1)
            .returning(|_, _| {
                Ok(DayTotals {
                    entries: 2,
                    nutrients: Nutrients {
                        kcal: Kcal::new(650.0).unwrap(),
                        protein: MacroGrams::new(30.0).unwrap(),
                        ..Nutrients::default()
                    },
                })
            });
        let mut wearables = MockWearableStore::new();
        wearables
            .expect_snapshot()
            .with(eq(user.id), always())
            .returning(|_, _| Ok(WearableSnapshot::default()));

        let overview = block_on(day_overview(&user, &food, &wearables, &clock)).unwrap();
        assert_eq!(overview.day, kyiv_day);
        assert_eq!(overview.remaining_kcal(), 1150);
        assert_eq!(overview.eaten().rounded(), 650);
    }
}
