//! When to retry and how long to wait: the official SDKs' rules.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;

use crate::config::RetryPolicy;

/// What a response's headers say about retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct RetryHint {
    /// `retry-after-ms`, else `Retry-After` (seconds or an HTTP date).
    pub retry_after: Option<Duration>,
    /// `x-should-retry: true|false`, which overrides the status.
    pub should_retry: Option<bool>,
}

impl RetryHint {
    pub(crate) fn from_headers(headers: &HeaderMap, now: DateTime<Utc>) -> Self {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let from_millis = header("retry-after-ms")
            .and_then(|v| v.parse::<f64>().ok())
            .and_then(|ms| Duration::try_from_secs_f64(ms / 1000.0).ok());
        let from_seconds = || {
            let value = header("retry-after")?;
            match value.parse::<f64>() {
                Ok(seconds) => Duration::try_from_secs_f64(seconds).ok(),
                Err(_) => DateTime::parse_from_rfc2822(value)
                    .ok()
                    .and_then(|at| (at.with_timezone(&Utc) - now).to_std().ok()),
            }
        };
        let should_retry = match header("x-should-retry") {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ => None,
        };
        Self {
            retry_after: from_millis.or_else(from_seconds),
            should_retry,
        }
    }
}

/// Whether a status is worth another attempt: 408, 409, 429 and 5xx.
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 409 | 429) || status >= 500
}

/// The wait before attempt `failed_attempts + 1`: the server's ask when it made one (capped
/// at `max_retry_after`), else the policy's backoff (`0.5 s × 2^(failed_attempts − 1)` up to
/// 8 s, less up to 25 % jitter, by default).
pub(crate) fn delay(
    failed_attempts: u32,
    asked: Option<Duration>,
    policy: &RetryPolicy,
) -> Duration {
    if let Some(asked) = asked.filter(|d| !d.is_zero()) {
        return asked.min(policy.max_retry_after);
    }
    policy.backoff.delay(failed_attempts, rand::random::<f64>())
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderName, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    HeaderName::from_static(name),
                    HeaderValue::from_str(value).unwrap(),
                )
            })
            .collect()
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-10T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn retry_after_ms_wins_over_retry_after() {
        let hint = RetryHint::from_headers(
            &headers(&[("retry-after-ms", "250"), ("retry-after", "1")]),
            now(),
        );
        assert_eq!(hint.retry_after, Some(Duration::from_millis(250)));
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_as_an_http_date() {
        let seconds = RetryHint::from_headers(&headers(&[("retry-after", "2")]), now());
        assert_eq!(seconds.retry_after, Some(Duration::from_secs(2)));
        let date = RetryHint::from_headers(
            &headers(&[("retry-after", "Tue, 10 Mar 2026 08:00:05 GMT")]),
            now(),
        );
        assert_eq!(date.retry_after, Some(Duration::from_secs(5)));
        let past = RetryHint::from_headers(
            &headers(&[("retry-after", "Tue, 10 Mar 2026 07:00:00 GMT")]),
            now(),
        );
        assert_eq!(past.retry_after, None);
        let garbage = RetryHint::from_headers(&headers(&[("retry-after", "soon")]), now());
        assert_eq!(garbage, RetryHint::default());
        let forced = RetryHint::from_headers(&headers(&[("x-should-retry", "false")]), now());
        assert_eq!(forced.should_retry, Some(false));
    }

    #[test]
    fn asked_waits_are_capped_and_backoff_doubles_with_jitter() {
        let policy = RetryPolicy::default();
        assert_eq!(
            delay(1, Some(Duration::from_secs(300)), &policy),
            policy.max_retry_after
        );
        assert_eq!(
            delay(1, Some(Duration::from_millis(20)), &policy),
            Duration::from_millis(20)
        );
        for (failed, full) in [(1, 500), (2, 1000), (3, 2000), (10, 8000)] {
            let waited = delay(failed, None, &policy);
            let full = Duration::from_millis(full);
            assert!(
                waited <= full && waited >= full.mul_f64(0.75),
                "{failed}: {waited:?}"
            );
        }
        assert!(delay(1, Some(Duration::ZERO), &policy) <= Duration::from_millis(500));
    }

    #[test]
    fn timeouts_conflicts_rate_limits_and_server_errors_are_retryable() {
        for status in [408, 409, 429, 500, 502, 503] {
            assert!(retryable_status(status), "{status}");
        }
        for status in [400, 401, 403, 404, 413, 422] {
            assert!(!retryable_status(status), "{status}");
        }
    }
}
