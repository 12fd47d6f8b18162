//! One retry policy for every wait between attempts: an outside call that failed, an update
//! handled again later, a job tick retried, a poller or a set-up that cannot reach its service.
//!
//! The arithmetic is ours (a few lines), not a crate's: the waits are used in three shapes
//! (a sleep in a loop, an instant stored in PostgreSQL for the next attempt, a delay handed to
//! a scheduler), and the crates made for retries (`backon`, `backoff`) drive the loop
//! themselves and would cover only the first.

use std::time::Duration;

/// How a wait is spread so that many callers failing together do not retry together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Jitter {
    /// Exactly the nominal wait.
    None,
    /// Up to this many percent shorter (25: between 75 % and 100 % of the wait), as OpenAI's
    /// official SDKs do.
    Down(u8),
    /// Up to this many percent either way (20: between 80 % and 120 %).
    Around(u8),
}

/// Exponential backoff: `first` after the first failure, doubled after each further one, never
/// more than `max`, spread by `jitter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Backoff {
    /// The wait after the first failure.
    pub first: Duration,
    /// The longest wait.
    pub max: Duration,
    /// How the wait is spread.
    pub jitter: Jitter,
}

impl Backoff {
    /// `first`, doubled up to `max`, without jitter.
    pub const fn new(first: Duration, max: Duration) -> Self {
        Self {
            first,
            max,
            jitter: Jitter::None,
        }
    }

    /// The same waits, spread by `jitter`.
    pub const fn with_jitter(self, jitter: Jitter) -> Self {
        Self { jitter, ..self }
    }

    /// The wait after `failures` failures in a row (1: the first), before jitter:
    /// `first × 2^(failures − 1)`, at most `max`. Zero failures wait nothing.
    pub fn nominal(&self, failures: u32) -> Duration {
        if failures == 0 {
            return Duration::ZERO;
        }
        let doublings = (failures - 1).min(31);
        self.first
            .saturating_mul(1u32 << doublings)
            .min(self.max.max(self.first))
    }

    /// The wait after `failures` failures with jitter drawn from `random`, a number in
    /// `[0, 1)` the caller draws (the domain has no random source).
    pub fn delay(&self, failures: u32, random: f64) -> Duration {
        let nominal = self.nominal(failures);
        let random = random.clamp(0.0, 1.0);
        let share = |percent: u8| f64::from(percent.min(100)) / 100.0;
        let factor = match self.jitter {
            Jitter::None => 1.0,
            Jitter::Down(percent) => 1.0 - share(percent) * random,
            Jitter::Around(percent) => 1.0 + share(percent) * (2.0 * random - 1.0),
        };
        nominal.mul_f64(factor)
    }

    /// A running series of waits for a loop that retries until it succeeds.
    pub fn series(self) -> Retries {
        Retries {
            backoff: self,
            failures: 0,
        }
    }
}

/// The waits of one retry loop: [`Retries::next_wait`] after each failure, [`Retries::reset`]
/// after a success.
#[derive(Debug, Clone)]
pub struct Retries {
    backoff: Backoff,
    failures: u32,
}

impl Retries {
    /// Counts a failure and returns the (jitter-free) wait before the next attempt.
    pub fn next_wait(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        self.backoff.nominal(self.failures)
    }

    /// Starts over after a success.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Failures since the last success.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn waits_double_from_the_first_up_to_the_cap() {
        let b = Backoff::new(Duration::from_secs(2), Duration::from_secs(300));
        let waits: Vec<u64> = (0..=10).map(|n| b.nominal(n).as_secs()).collect();
        assert_eq!(waits, [0, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(b.nominal(u32::MAX), Duration::from_secs(300));
    }

    #[test]
    fn a_series_counts_failures_and_starts_over_after_a_success() {
        let mut r = Backoff::new(Duration::from_millis(100), Duration::from_millis(350)).series();
        let waits: Vec<u128> = (0..4).map(|_| r.next_wait().as_millis()).collect();
        assert_eq!(waits, [100, 200, 350, 350]);
        assert_eq!(r.failures(), 4);
        r.reset();
        assert_eq!(r.next_wait(), Duration::from_millis(100));
    }

    #[test]
    fn jitter_spreads_within_its_share() {
        let b = Backoff::new(Duration::from_secs(8), Duration::from_secs(8));
        let down = b.with_jitter(Jitter::Down(25));
        assert_eq!(down.delay(1, 0.0), Duration::from_secs(8));
        assert_eq!(down.delay(1, 1.0), Duration::from_secs(6));
        let around = b.with_jitter(Jitter::Around(25));
        assert_eq!(around.delay(1, 0.0), Duration::from_secs(6));
        assert_eq!(around.delay(1, 0.5), Duration::from_secs(8));
        assert_eq!(around.delay(1, 1.0), Duration::from_secs(10));
    }

    proptest! {
        #[test]
        fn waits_never_shrink_and_never_pass_the_cap(
            first_ms in 1u64..10_000,
            max_ms in 1u64..1_000_000,
            failures in 1u32..200,
            random in 0.0f64..1.0,
        ) {
            let b = Backoff::new(Duration::from_millis(first_ms), Duration::from_millis(max_ms));
            let cap = Duration::from_millis(max_ms.max(first_ms));
            prop_assert!(b.nominal(failures) <= b.nominal(failures + 1));
            prop_assert!(b.nominal(failures) <= cap);
            prop_assert!(b.nominal(failures) >= Duration::from_millis(first_ms.min(max_ms.max(first_ms))));
            let spread = b.with_jitter(Jitter::Down(25)).delay(failures, random);
            prop_assert!(spread <= b.nominal(failures));
            prop_assert!(spread >= b.nominal(failures).mul_f64(0.75));
        }
    }
}
