//! Prometheus metrics, kept by hand: a few counters and one histogram need no library.
//!
//! Rendered by GET /metrics in the text exposition format.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Retries of outbound calls, by provider: backoff made visible.
const RETRIES: &str = "wellness_outbound_retries_total";

/// Upper bounds (seconds) of the processing-latency histogram.
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// A counter's name and label set.
type CounterKey = (&'static str, Vec<(&'static str, String)>);

/// The process's metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<CounterKey, u64>>,
    processing: Mutex<Histogram>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave a counter half-written: keep going.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Metrics {
    /// Adds one to a counter with labels.
    pub fn inc(&self, name: &'static str, labels: &[(&'static str, &str)]) {
        let mut counters = lock(&self.counters);
        // A counter seen before is found without allocating (a few dozen exist): this runs for
        // every webhook request.
        let seen = counters.iter_mut().find(|((n, l), _)| {
            *n == name
                && l.len() == labels.len()
                && l.iter()
                    .zip(labels)
                    .all(|((k, v), (k2, v2))| k == k2 && v == v2)
        });
        if let Some((_, value)) = seen {
            *value += 1;
            return;
        }
        let key = (
            name,
            labels.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        );
        *counters.entry(key).or_default() += 1;
    }

    /// A callback for a client's retries: each one adds to
    /// `wellness_outbound_retries_total{provider}`.
    pub fn retry_observer(self: &Arc<Self>, provider: &'static str) -> Arc<dyn Fn() + Send + Sync> {
        let metrics = Arc::clone(self);
        Arc::new(move || metrics.inc(RETRIES, &[("provider", provider)]))
    }

    /// Records how long processing an update took.
    pub fn observe_processing(&self, took: Duration) {
        let secs = took.as_secs_f64();
        let mut h = lock(&self.processing);
        h.count += 1;
        h.sum += secs;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
    }

    /// The text exposition, with gauges read now.
    pub fn render(&self, gauges: &[Gauge]) -> String {
        let mut out = String::new();
        let counters = lock(&self.counters);
        let mut last = "";
        for ((name, labels), value) in counters.iter() {
            if *name != last {
                let _ = writeln!(out, "# TYPE {name} counter");
                last = name;
            }
            let _ = writeln!(out, "{name}{} {value}", render_labels(labels));
        }
        drop(counters);
        let h = lock(&self.processing);
        let name = "wellness_update_processing_seconds";
        let _ = writeln!(out, "# HELP {name} Time to process one inbound update.");
        let _ = writeln!(out, "# TYPE {name} histogram");
        for (i, bound) in BUCKETS.iter().enumerate() {
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {}", h.counts[i]);
        }
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", h.count);
        let _ = writeln!(out, "{name}_sum {}", h.sum);
        let _ = writeln!(out, "{name}_count {}", h.count);
        drop(h);
        for gauge in gauges {
            let _ = writeln!(out, "# HELP {} {}", gauge.name, gauge.help);
            let _ = writeln!(out, "# TYPE {} gauge", gauge.name);
            for (labels, value) in &gauge.samples {
                let _ = writeln!(out, "{}{} {value}", gauge.name, render_labels(labels));
            }
        }
        out
    }
}

/// A value read at scrape time, with its samples.
#[derive(Debug, Clone)]
pub struct Gauge {
    /// Metric name.
    pub name: &'static str,
    /// One line of help.
    pub help: &'static str,
    /// Label sets and values.
    pub samples: Vec<(Vec<(&'static str, String)>, f64)>,
}

fn render_labels(labels: &[(&'static str, String)]) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}=\"{}\"",
                v.replace('\\', "\\\\")
                    .replace('"', "\\\"")
                    .replace('\n', "\\n")
            )
        })
        .collect();
    format!("{{{}}}", parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histogram_and_gauges_in_prometheus_text_format() {
        let m = Metrics::default();
        m.inc("wellness_updates_processed_total", &[("outcome", "ok")]);
        m.inc("wellness_updates_processed_total", &[("outcome", "ok")]);
        m.inc("wellness_updates_processed_total", &[("outcome", "parked")]);
        m.observe_processing(Duration::from_millis(30));
        let text = m.render(&[Gauge {
            name: "wellness_inbox_depth",
            help: "Updates waiting.",
            samples: vec![
                (vec![("state", "pending".into())], 3.0),
                (vec![("state", "parked".into())], 0.0),
            ],
        }]);
        assert!(
            text.contains("wellness_updates_processed_total{outcome=\"ok\"} 2"),
            "{text}"
        );
        assert!(text.contains("wellness_updates_processed_total{outcome=\"parked\"} 1"));
        assert!(text.contains("wellness_update_processing_seconds_bucket{le=\"0.025\"} 0"));
        assert!(text.contains("wellness_update_processing_seconds_bucket{le=\"0.05\"} 1"));
        assert!(text.contains("wellness_update_processing_seconds_count 1"));
        assert!(text.contains("wellness_inbox_depth{state=\"pending\"} 3"));
        assert_eq!(text.matches("# TYPE wellness_inbox_depth gauge").count(), 1);
        assert_eq!(
            text.matches("# TYPE wellness_updates_processed_total counter")
                .count(),
            1
        );
    }

    #[test]
    fn a_retry_observer_counts_retries_by_provider() {
        let m = Arc::new(Metrics::default());
        let whoop = m.retry_observer("whoop");
        whoop();
        whoop();
        m.retry_observer("openai")();
        let text = m.render(&[]);
        assert!(
            text.contains("wellness_outbound_retries_total{provider=\"whoop\"} 2"),
            "{text}"
        );
        assert!(text.contains("wellness_outbound_retries_total{provider=\"openai\"} 1"));
    }
}
