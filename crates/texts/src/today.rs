//! /today: the day's food against the goal, last night's sleep and today's recovery.

use wellness_domain::model::Locale;
use wellness_domain::usecases::today::DayOverview;

use crate::bundle::{Texts, number, text};

impl Texts {
    pub(crate) fn today(&self, locale: Locale, o: &DayOverview, whoop_connected: bool) -> String {
        let n = &o.totals.nutrients;
        let mut lines = vec![self.t(
            locale,
            "today-heading",
            &[
                text("date", self.day_and_month(locale, o.day.date())),
                text("eaten", n.kcal.rounded().to_string()),
                text("goal", o.goal.kcal().to_string()),
                text("balance", self.balance(locale, o.remaining_kcal())),
            ],
        )];
        if o.totals.entries == 0 {
            lines.push(self.plain(locale, "today-nothing-logged"));
        } else {
            lines.push(self.t(
                locale,
                "today-macros",
                &[
                    text("protein", n.protein.to_string()),
                    text("fat", n.fat.to_string()),
                    text("carbs", n.carbs.to_string()),
                    number("count", o.totals.entries),
                ],
            ));
        }
        lines.extend(self.wearable_lines(locale, o, whoop_connected));
        lines.join("\n")
    }

    fn wearable_lines(
        &self,
        locale: Locale,
        o: &DayOverview,
        whoop_connected: bool,
    ) -> Vec<String> {
        let w = &o.wearable;
        let mut lines = Vec::new();
        if let Some(sleep) = &w.last_sleep {
            lines.push(match sleep.score.score() {
                Some(s) => {
                    let asleep = text("asleep", self.duration(locale, s.asleep()));
                    match s.performance {
                        Some(p) => self.t(
                            locale,
                            "today-sleep-performance",
                            &[asleep, text("performance", p.to_string())],
                        ),
                        None => self.t(locale, "today-sleep", &[asleep]),
                    }
                }
                None => self.plain(locale, "today-sleep-unscored"),
            });
        }
        if let Some(recovery) = &w.latest_recovery {
            lines.push(match recovery.score.score() {
                Some(r) => self.t(
                    locale,
                    "today-recovery",
                    &[
                        text("recovery", r.recovery.to_string()),
                        text("hrv", r.hrv_rmssd_milli.round().to_string()),
                        text("rhr", r.resting_heart_rate.round().to_string()),
                    ],
                ),
                None => self.plain(locale, "today-recovery-unscored"),
            });
        }
        if w.last_sleep.is_none() && w.latest_recovery.is_none() {
            lines.push(if whoop_connected {
                self.plain(locale, "today-no-wearable")
            } else {
                self.plain(locale, "today-connect-whoop")
            });
        }
        lines
    }
}
