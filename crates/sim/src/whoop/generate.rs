//! Plausible, deterministic WHOOP data for a member.
//!
//! Every night is a pure function of (user id, local date): the same member gets the same
//! sleeps, cycles, recoveries and workouts for a given date whenever the simulator starts. Only
//! which records exist yet (and the strain of the open cycle) depends on the time.
//!
//! Layout, counting cycles back from the open one (k = 0):
//! - a cycle starts when the night's sleep starts and ends when the next night's does; the newest
//!   is open (no `end`);
//! - a sleep per night (once it ended), its recovery a few minutes later, naps on about one day
//!   in five, workouts on about three days in five;
//! - sleep and recovery of k = 3 are UNSCORABLE, of k = 11 PENDING_SCORE; cycle k = 6 is
//!   UNSCORABLE, k = 13 PENDING_SCORE; the newest workout is PENDING_SCORE and the fifth newest
//!   UNSCORABLE; everything else is SCORED.

use chrono::{DateTime, Datelike as _, Duration, NaiveDate, NaiveTime, TimeZone as _, Utc};

use super::config::{WhoopUser, format_offset};
use super::records::{
    BasicProfile, BodyMeasurement, CycleRecord, CycleScore, RecoveryRecord, RecoveryScore, Score,
    SleepNeeded, SleepRecord, SleepScore, StageSummary, UserRecords, WorkoutRecord, WorkoutScore,
    ZoneDurations, ms,
};

/// SplitMix64: small, fast and stable across releases (unlike `rand`'s generators).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Seeded by a member, a day and what is being made.
    pub(crate) fn for_day(user_id: i64, day: i64, salt: u64) -> Self {
        let mut rng = Self::new(
            (user_id as u64)
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add((day as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9))
                .wrapping_add(salt.wrapping_mul(0x94D0_49BB_1331_11EB)),
        );
        rng.next_u64();
        rng
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// In `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// In `[low, high)` (or `low` when the range is empty).
    pub(crate) fn range(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        let span = (high - low) as u64;
        low + (self.next_u64() % span) as i64
    }

    /// In `[low, high)`, rounded to `decimals`.
    pub(crate) fn float(&mut self, low: f64, high: f64, decimals: i32) -> f64 {
        let scale = 10f64.powi(decimals);
        ((low + (high - low) * self.unit()) * scale).round() / scale
    }

    /// A version-4-shaped UUID.
    pub(crate) fn uuid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            8 + (b >> 62),
            (b >> 48) & 0xfff,
            b & 0xffff_ffff_ffff
        )
    }
}

const SPORTS: [&str; 8] = [
    "running",
    "cycling",
    "functional-fitness",
    "walking",
    "weightlifting",
    "yoga",
    "swimming",
    "hiit",
];

/// A workout's numbers for its sport and length.
pub(crate) fn workout_score(rng: &mut Rng, sport: &str, duration: Duration) -> WorkoutScore {
    let millis = duration.num_milliseconds().max(0);
    let minutes = millis as f64 / 60_000.0;
    let average_heart_rate = rng.range(105, 160) as i32;
    let max_heart_rate = average_heart_rate + rng.range(15, 40) as i32;
    // Zones: most time in 1-3, some in 0 and 4, little in 5; the six add up to the duration.
    let weights = [0.08, 0.22, 0.3, 0.25, 0.11, 0.04];
    let mut zones = [0i64; 6];
    let mut assigned = 0;
    for (zone, weight) in zones.iter_mut().zip(weights).skip(1) {
        *zone = (millis as f64 * weight) as i64;
        assigned += *zone;
    }
    zones[0] = millis - assigned;
    let (distance, altitude) = match sport {
        "running" => (Some(minutes * rng.float(150.0, 220.0, 0)), true),
        "cycling" => (Some(minutes * rng.float(350.0, 550.0, 0)), true),
        "walking" => (Some(minutes * rng.float(80.0, 110.0, 0)), false),
        "swimming" => (Some(minutes * rng.float(30.0, 45.0, 0)), false),
        _ => (None, false),
    };
    WorkoutScore {
        strain: rng.float(5.0, 16.0, 4),
        average_heart_rate,
        max_heart_rate,
        kilojoule: (minutes * rng.float(25.0, 50.0, 2) * 100.0).round() / 100.0,
        percent_recorded: 100.0,
        distance_meter: distance.map(|d| (d * 100.0).round() / 100.0),
        altitude_gain_meter: altitude.then(|| rng.float(5.0, 120.0, 2)),
        altitude_change_meter: altitude.then(|| rng.float(-5.0, 5.0, 2)),
        zone_durations: ZoneDurations {
            zone_zero_milli: zones[0],
            zone_one_milli: zones[1],
            zone_two_milli: zones[2],
            zone_three_milli: zones[3],
            zone_four_milli: zones[4],
            zone_five_milli: zones[5],
        },
    }
}

/// A sleep's numbers for its time in bed.
pub(crate) fn sleep_score(rng: &mut Rng, in_bed: Duration, nap: bool) -> SleepScore {
    let in_bed = in_bed.num_milliseconds().max(0);
    let awake = (in_bed as f64 * rng.float(0.04, 0.12, 3)) as i64;
    let asleep = in_bed - awake;
    let slow_wave = (asleep as f64 * rng.float(0.15, 0.25, 3)) as i64;
    let rem = (asleep as f64 * rng.float(0.18, 0.27, 3)) as i64;
    let light = asleep - slow_wave - rem;
    SleepScore {
        stage_summary: StageSummary {
            total_in_bed_time_milli: in_bed,
            total_awake_time_milli: awake,
            total_no_data_time_milli: 0,
            total_light_sleep_time_milli: light,
            total_slow_wave_sleep_time_milli: slow_wave,
            total_rem_sleep_time_milli: rem,
            sleep_cycle_count: if nap { 1 } else { rng.range(3, 6) as i32 },
            disturbance_count: rng.range(if nap { 0 } else { 4 }, if nap { 3 } else { 16 }) as i32,
        },
        sleep_needed: SleepNeeded {
            baseline_milli: rng.range(26_500_000, 29_500_000),
            need_from_sleep_debt_milli: rng.range(0, 2_400_000),
            need_from_recent_strain_milli: rng.range(0, 900_000),
            need_from_recent_nap_milli: if nap { 0 } else { -rng.range(0, 600_000) },
        },
        respiratory_rate: Some(rng.float(13.5, 17.5, 6)),
        sleep_performance_percentage: (!nap).then(|| rng.float(60.0, 100.0, 0)),
        sleep_consistency_percentage: (!nap).then(|| rng.float(55.0, 98.0, 0)),
        sleep_efficiency_percentage: Some(
            ((asleep as f64 / in_bed.max(1) as f64) * 100_000.0).round() / 1000.0,
        ),
    }
}

/// A morning's recovery.
pub(crate) fn recovery_score(rng: &mut Rng) -> RecoveryScore {
    RecoveryScore {
        user_calibrating: false,
        recovery_score: rng.float(18.0, 99.0, 0),
        resting_heart_rate: rng.float(46.0, 66.0, 0),
        hrv_rmssd_milli: rng.float(25.0, 110.0, 6),
        spo2_percentage: Some(rng.float(94.0, 99.0, 4)),
        skin_temp_celsius: Some(rng.float(32.6, 34.4, 2)),
    }
}

/// A day's strain; an open cycle has had `hours` so far.
pub(crate) fn cycle_score(rng: &mut Rng, hours: f64, open: bool) -> CycleScore {
    let average_heart_rate = rng.range(55, 75) as i32;
    if open {
        let progress = (hours / 18.0).clamp(0.05, 1.0);
        CycleScore {
            strain: ((2.0 + 12.0 * progress * rng.unit()) * 10_000.0).round() / 10_000.0,
            kilojoule: (hours * rng.float(330.0, 450.0, 2)).round(),
            average_heart_rate,
            max_heart_rate: average_heart_rate + rng.range(40, 100) as i32,
        }
    } else {
        CycleScore {
            strain: rng.float(5.0, 18.0, 4),
            kilojoule: rng.float(7_000.0, 12_500.0, 3),
            average_heart_rate,
            max_heart_rate: average_heart_rate + rng.range(60, 115) as i32,
        }
    }
}

/// The member's profile.
pub(crate) fn profile(user: &WhoopUser) -> BasicProfile {
    BasicProfile {
        user_id: user.user_id,
        email: user.email.clone(),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
    }
}

/// The member's body measurements.
pub(crate) fn body(user_id: i64) -> BodyMeasurement {
    let mut rng = Rng::for_day(user_id, 0, 99);
    BodyMeasurement {
        height_meter: rng.float(1.55, 1.95, 4),
        weight_kilogram: rng.float(52.0, 98.0, 4),
        max_heart_rate: rng.range(180, 201) as i32,
    }
}

/// The id of the cycle that starts on the night of `date` (unique per member and date).
fn cycle_id(user_id: i64, date: NaiveDate) -> i64 {
    (user_id.rem_euclid(100_000) + 1) * 1_000_000 + i64::from(date.num_days_from_ce())
}

fn local_time(date: NaiveDate, hour: u32, minute: u32) -> chrono::NaiveDateTime {
    date.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN))
}

/// A night: when its sleep starts and ends.
struct Night {
    date: NaiveDate,
    onset: DateTime<Utc>,
    wake: DateTime<Utc>,
}

/// Everything a member has recorded in the last `history_days` days before `now`.
pub(crate) fn history(user: &WhoopUser, now: DateTime<Utc>, history_days: u32) -> UserRecords {
    let offset = user.offset();
    let offset_text = format_offset(offset);
    let user_id = user.user_id;
    let today = now.with_timezone(&offset).date_naive();
    let to_utc = |local: chrono::NaiveDateTime| {
        offset
            .from_local_datetime(&local)
            .single()
            .map(|t| ms(t.with_timezone(&Utc)))
            .unwrap_or_else(|| ms(local.and_utc()))
    };

    let mut nights = Vec::new();
    for back in (0..=i64::from(history_days) + 1).rev() {
        let date = today - Duration::days(back);
        let mut rng = Rng::for_day(user_id, i64::from(date.num_days_from_ce()), 1);
        let onset = to_utc(local_time(date, 22, 30))
            + Duration::minutes(rng.range(0, 120))
            + Duration::milliseconds(rng.range(0, 60_000));
        let wake = onset + Duration::minutes(390 + rng.range(0, 150));
        if onset <= now {
            nights.push(Night { date, onset, wake });
        }
    }

    let mut records = UserRecords::default();
    let newest = nights.len().saturating_sub(1);
    for (index, night) in nights.iter().enumerate() {
        let k = newest - index;
        let day = i64::from(night.date.num_days_from_ce());
        let id = cycle_id(user_id, night.date);
        let end = nights.get(index + 1).map(|next| next.onset);
        let mut rng = Rng::for_day(user_id, day, 2);

        // The cycle.
        let created_at = (night.onset + Duration::minutes(1)).min(ms(now));
        let updated_at = end.map_or_else(
            || (ms(now) - Duration::minutes(1)).max(created_at),
            |end| end + Duration::minutes(rng.range(5, 40)),
        );
        let hours = (end.unwrap_or(now) - night.onset).num_minutes() as f64 / 60.0;
        let score = match k {
            6 => Score::Unscorable,
            13 => Score::PendingScore,
            _ => Score::Scored(cycle_score(&mut rng, hours, end.is_none())),
        };
        records.cycles.push(CycleRecord {
            id,
            user_id,
            created_at,
            updated_at,
            start: night.onset,
            end,
            timezone_offset: offset_text.clone(),
            score,
        });

        // The night's sleep and the recovery made from it.
        if night.wake <= now - Duration::minutes(5) {
            let mut rng = Rng::for_day(user_id, day, 3);
            let sleep_id = rng.uuid();
            let created_at = night.wake + Duration::milliseconds(rng.range(60_000, 180_000));
            let (sleep_score_value, recovery) = match k {
                3 => (Score::Unscorable, Score::Unscorable),
                11 => (Score::PendingScore, Score::PendingScore),
                _ => (
                    Score::Scored(sleep_score(&mut rng, night.wake - night.onset, false)),
                    Score::Scored(recovery_score(&mut rng)),
                ),
            };
            records.sleeps.push(SleepRecord {
                id: sleep_id.clone(),
                cycle_id: id,
                user_id,
                created_at,
                updated_at: created_at + Duration::milliseconds(rng.range(1_000, 60_000)),
                start: night.onset,
                end: night.wake,
                timezone_offset: offset_text.clone(),
                nap: false,
                score: sleep_score_value,
            });
            let recovery_at = night.wake + Duration::milliseconds(rng.range(180_000, 290_000));
            records.recoveries.push(RecoveryRecord {
                cycle_id: id,
                sleep_id,
                user_id,
                created_at: recovery_at,
                updated_at: recovery_at + Duration::milliseconds(rng.range(1_000, 10_000)),
                score: recovery,
            });
        }

        let next_day = night.date + Duration::days(1);
        let fits = |start: DateTime<Utc>, finish: DateTime<Utc>| {
            start > night.wake
                && end.is_none_or(|end| finish < end)
                && finish <= now - Duration::minutes(5)
        };

        // A nap on about one day in five.
        let mut rng = Rng::for_day(user_id, day, 4);
        if rng.range(0, 5) == 0 {
            let start = to_utc(local_time(next_day, 14, 0))
                + Duration::minutes(rng.range(0, 120))
                + Duration::milliseconds(rng.range(0, 60_000));
            let finish = start + Duration::minutes(rng.range(20, 60));
            if fits(start, finish) {
                let created_at = finish + Duration::milliseconds(rng.range(60_000, 120_000));
                records.sleeps.push(SleepRecord {
                    id: rng.uuid(),
                    cycle_id: id,
                    user_id,
                    created_at,
                    updated_at: created_at + Duration::milliseconds(rng.range(1_000, 30_000)),
                    start,
                    end: finish,
                    timezone_offset: offset_text.clone(),
                    nap: true,
                    score: Score::Scored(sleep_score(&mut rng, finish - start, true)),
                });
            }
        }

        // Workouts on about three days in five: late morning, evening, sometimes both.
        let mut rng = Rng::for_day(user_id, day, 5);
        let roll = rng.unit();
        let slots: &[(u32, u32)] = if roll < 0.1 {
            &[(10, 30), (18, 30)]
        } else if roll < 0.35 {
            &[(10, 30)]
        } else if roll < 0.6 {
            &[(18, 30)]
        } else {
            &[]
        };
        for &(hour, minute) in slots {
            let start = to_utc(local_time(next_day, hour, minute))
                + Duration::minutes(rng.range(0, 60))
                + Duration::milliseconds(rng.range(0, 60_000));
            let finish = start + Duration::minutes(rng.range(25, 95));
            if !fits(start, finish) {
                continue;
            }
            let sport = SPORTS
                .get(usize::try_from(rng.range(0, SPORTS.len() as i64)).unwrap_or(0))
                .copied()
                .unwrap_or("running");
            let created_at = finish + Duration::milliseconds(rng.range(60_000, 300_000));
            records.workouts.push(WorkoutRecord {
                id: rng.uuid(),
                user_id,
                created_at,
                updated_at: created_at + Duration::milliseconds(rng.range(1_000, 60_000)),
                start,
                end: finish,
                timezone_offset: offset_text.clone(),
                sport_name: sport.to_owned(),
                score: Score::Scored(workout_score(&mut rng, sport, finish - start)),
            });
        }
    }

    sort_newest_first(&mut records);
    if let Some(newest) = records.workouts.first_mut() {
        newest.score = Score::PendingScore;
    }
    if let Some(fifth) = records.workouts.get_mut(4) {
        fifth.score = Score::Unscorable;
    }
    records
}

/// Orders every list by `start` descending (recoveries by their sleep's start).
pub(crate) fn sort_newest_first(records: &mut UserRecords) {
    records
        .cycles
        .sort_by_key(|c| std::cmp::Reverse((c.start, c.id)));
    records
        .sleeps
        .sort_by(|a, b| (b.start, &b.id).cmp(&(a.start, &a.id)));
    records
        .workouts
        .sort_by(|a, b| (b.start, &b.id).cmp(&(a.start, &a.id)));
    let sleep_start = |sleep_id: &str| {
        records
            .sleeps
            .iter()
            .find(|s| s.id == sleep_id)
            .map(|s| s.start)
    };
    let mut keyed: Vec<_> = records
        .recoveries
        .drain(..)
        .map(|r| (sleep_start(&r.sleep_id), r))
        .collect();
    keyed.sort_by(|(a_start, a), (b_start, b)| (b_start, b.cycle_id).cmp(&(a_start, a.cycle_id)));
    records.recoveries = keyed.into_iter().map(|(_, r)| r).collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn the_same_member_and_time_give_the_same_history() {
        let user = WhoopUser::new(10129);
        let now = at("2026-03-10T12:00:00Z");
        assert_eq!(history(&user, now, 45), history(&user, now, 45));
        assert_ne!(
            history(&user, now, 45).sleeps.first().map(|s| s.id.clone()),
            history(&WhoopUser::new(10130), now, 45)
                .sleeps
                .first()
                .map(|s| s.id.clone())
        );
    }

    #[test]
    fn a_night_does_not_change_when_the_simulator_starts_later() {
        let user = WhoopUser::new(77);
        let early = history(&user, at("2026-03-10T12:00:00Z"), 45);
        let later = history(&user, at("2026-03-12T12:00:00Z"), 45);
        let night = early
            .sleeps
            .iter()
            .find(|s| !s.nap && s.start < at("2026-03-05T00:00:00Z"));
        assert!(night.is_some());
        assert!(later.sleeps.iter().any(|s| Some(s) == night));
    }

    #[test]
    fn uuids_look_like_uuids() {
        let id = Rng::new(5).uuid();
        assert_eq!(id.len(), 36, "{id}");
        assert_eq!(id.as_bytes()[14], b'4');
    }
}
