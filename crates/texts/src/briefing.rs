//! The morning briefing and the evening summary. Every number comes from the composed
//! briefing; each text is at most 6 lines.

use wellness_domain::model::{Locale, Meal};
use wellness_domain::usecases::briefing::{
    Briefing, BurnReport, EveningSummary, EveningTip, FoodReport, MorningBriefing, MorningTip,
    RecoveryReport, SleepReport, WorkoutLine,
};

use crate::bundle::{Texts, text};

impl Texts {
    pub(crate) fn briefing(&self, locale: Locale, briefing: &Briefing) -> String {
        match briefing {
            Briefing::Morning(b) => self.morning(locale, b),
            Briefing::Evening(s) => self.evening(locale, s),
        }
    }

    /// Greeting, sleep, recovery, yesterday's food, a tip (5 lines).
    fn morning(&self, locale: Locale, b: &MorningBriefing) -> String {
        let date = text("date", self.day_and_month(locale, b.day.date()));
        let name = b.first_name.trim();
        let greeting = if name.is_empty() {
            self.t(locale, "morning-greeting", &[date])
        } else {
            self.t(locale, "morning-greeting-name", &[date, text("name", name)])
        };
        [
            greeting,
            self.sleep_line(locale, b.sleep),
            self.recovery_line(locale, b.recovery),
            self.yesterday_line(locale, &b.yesterday),
            self.morning_tip(locale, b.tip),
        ]
        .join("\n")
    }

    fn sleep_line(&self, locale: Locale, s: SleepReport) -> String {
        match s {
            SleepReport::Scored {
                asleep,
                performance,
            } => {
                let asleep = text("asleep", self.duration(locale, asleep));
                match performance {
                    Some(p) => self.t(
                        locale,
                        "morning-sleep-performance",
                        &[asleep, text("performance", p.to_string())],
                    ),
                    None => self.t(locale, "morning-sleep", &[asleep]),
                }
            }
            SleepReport::Missing => self.plain(locale, "morning-sleep-missing"),
            SleepReport::Pending => self.plain(locale, "morning-sleep-pending"),
            SleepReport::Unscorable => self.plain(locale, "morning-sleep-unscorable"),
        }
    }

    fn recovery_line(&self, locale: Locale, r: RecoveryReport) -> String {
        match r {
            RecoveryReport::Scored {
                score,
                hrv_ms,
                resting_hr,
            } => self.t(
                locale,
                "morning-recovery",
                &[
                    text("recovery", score.to_string()),
                    text("hrv", hrv_ms.round().to_string()),
                    text("rhr", resting_hr.round().to_string()),
                ],
            ),
            RecoveryReport::Missing => self.plain(locale, "morning-recovery-missing"),
            RecoveryReport::Pending => self.plain(locale, "morning-recovery-pending"),
            RecoveryReport::Unscorable => self.plain(locale, "morning-recovery-unscorable"),
        }
    }

    fn yesterday_line(&self, locale: Locale, f: &FoodReport) -> String {
        let goal = text("goal", f.goal.to_string());
        if !f.logged_anything() {
            return self.t(locale, "yesterday-nothing", &[goal]);
        }
        let balance = match f.remaining() {
            0 => self.plain(locale, "yesterday-on-goal"),
            l if l > 0 => self.t(locale, "yesterday-under", &[text("kcal", l.to_string())]),
            l => self.t(locale, "yesterday-over", &[text("kcal", (-l).to_string())]),
        };
        self.t(
            locale,
            "yesterday",
            &[
                text("eaten", f.eaten.to_string()),
                goal,
                text("balance", balance),
            ],
        )
    }

    fn morning_tip(&self, locale: Locale, tip: MorningTip) -> String {
        match tip {
            MorningTip::LighterDay { recovery } => self.t(
                locale,
                "tip-lighter-day",
                &[text("recovery", recovery.to_string())],
            ),
            MorningTip::EarlierBedtime { asleep } => self.t(
                locale,
                "tip-earlier-bedtime",
                &[text("asleep", self.duration(locale, asleep))],
            ),
            MorningTip::ProteinAtBreakfast { protein } => self.t(
                locale,
                "tip-protein-at-breakfast",
                &[text("protein", protein.to_string())],
            ),
            MorningTip::LogMeals => self.plain(locale, "tip-log-meals"),
            MorningTip::ReadyForMore { recovery } => self.t(
                locale,
                "tip-ready-for-more",
                &[text("recovery", recovery.to_string())],
            ),
            MorningTip::SteadyDay => self.plain(locale, "tip-steady-day"),
        }
    }

    /// Food against the goal, WHOOP's burn and strain, workouts, meals, a tip for tomorrow
    /// (at most 5 lines).
    fn evening(&self, locale: Locale, s: &EveningSummary) -> String {
        let mut lines = vec![self.evening_food_line(locale, s), self.burn_line(locale, s)];
        if let Some(line) = self.workouts_line(locale, s) {
            lines.push(line);
        }
        if !s.meals.is_empty() {
            lines.push(self.meals_line(locale, s));
        }
        lines.push(self.evening_tip(locale, s.tip));
        lines.join("\n")
    }

    fn evening_food_line(&self, locale: Locale, s: &EveningSummary) -> String {
        let date = text("date", self.day_and_month(locale, s.day.date()));
        let f = &s.food;
        let goal = text("goal", f.goal.to_string());
        if !f.logged_anything() {
            return self.t(locale, "evening-nothing", &[date, goal]);
        }
        self.t(
            locale,
            "evening-food",
            &[
                date,
                text("eaten", f.eaten.to_string()),
                goal,
                text("balance", self.balance(locale, f.remaining())),
            ],
        )
    }

    fn burn_line(&self, locale: Locale, s: &EveningSummary) -> String {
        match (s.burn, s.net()) {
            (BurnReport::Scored { burned, strain }, Some(net)) => {
                let net = match net {
                    0 => self.plain(locale, "net-balanced"),
                    n if n < 0 => self.t(locale, "net-deficit", &[text("kcal", (-n).to_string())]),
                    n => self.t(locale, "net-surplus", &[text("kcal", n.to_string())]),
                };
                self.t(
                    locale,
                    "burn",
                    &[
                        text("burned", burned.to_string()),
                        text("net", net),
                        text("strain", format!("{strain:.1}")),
                    ],
                )
            }
            (BurnReport::Pending, _) => self.plain(locale, "burn-pending"),
            (BurnReport::Unscorable, _) => self.plain(locale, "burn-unscorable"),
            _ => self.plain(locale, "burn-missing"),
        }
    }

    fn workout(&self, locale: Locale, w: &WorkoutLine) -> String {
        let sport = text("sport", w.sport.as_str());
        match w.strain {
            Some(strain) => self.t(
                locale,
                "workout-strain",
                &[sport, text("strain", format!("{strain:.1}"))],
            ),
            None => self.t(locale, "workout-unscored", &[sport]),
        }
    }

    /// Workouts are listed when there are any; "none" is said only when WHOOP has data for the
    /// day (without it, the burn line already says WHOOP data is missing).
    fn workouts_line(&self, locale: Locale, s: &EveningSummary) -> Option<String> {
        if s.workouts.is_empty() {
            return match s.burn {
                BurnReport::Missing => None,
                _ => Some(self.plain(locale, "workouts-none")),
            };
        }
        let list: Vec<String> = s.workouts.iter().map(|w| self.workout(locale, w)).collect();
        Some(self.t(locale, "workouts", &[text("list", list.join(", "))]))
    }

    fn meal_name(&self, locale: Locale, meal: Meal) -> String {
        match meal {
            Meal::Breakfast => self.plain(locale, "meal-breakfast"),
            Meal::Lunch => self.plain(locale, "meal-lunch"),
            Meal::Dinner => self.plain(locale, "meal-dinner"),
            Meal::Snack => self.plain(locale, "meal-snack"),
        }
    }

    fn meals_line(&self, locale: Locale, s: &EveningSummary) -> String {
        let list: Vec<String> = s
            .meals
            .iter()
            .map(|m| {
                self.t(
                    locale,
                    "meal-kcal",
                    &[
                        text("meal", self.meal_name(locale, m.meal)),
                        text("kcal", m.kcal.to_string()),
                    ],
                )
            })
            .collect();
        self.t(locale, "meals", &[text("list", list.join(" · "))])
    }

    fn evening_tip(&self, locale: Locale, tip: EveningTip) -> String {
        match tip {
            EveningTip::OverGoal { over } => {
                self.t(locale, "tip-over-goal", &[text("over", over.to_string())])
            }
            EveningTip::LogAsYouGo => self.plain(locale, "tip-log-as-you-go"),
            EveningTip::RecoverAfterStrain { strain } => self.t(
                locale,
                "tip-recover-after-strain",
                &[text("strain", format!("{strain:.1}"))],
            ),
            EveningTip::EatEnough { under } => self.t(
                locale,
                "tip-eat-enough",
                &[text("under", under.to_string())],
            ),
            EveningTip::MoreProtein { protein } => self.t(
                locale,
                "tip-more-protein",
                &[text("protein", protein.to_string())],
            ),
            EveningTip::KeepRhythm => self.plain(locale, "tip-keep-rhythm"),
        }
    }
}
