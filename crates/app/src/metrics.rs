//! Prometheus metrics through the `prometheus` crate: one registry per app, every counter
//! registered with its labels up front, latency histograms per update, per HTTP route and per
//! outside call. Rendered by GET /metrics in the text exposition format.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use prometheus::{
    CounterVec, Encoder as _, GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounterVec,
    Opts, Registry, TextEncoder,
};
use tracing::warn;

/// Retries of outbound calls, by provider: backoff made visible.
const RETRIES: &str = "wellness_outbound_retries_total";

/// Sends held back by the shared Telegram flood budget, and their seconds of waiting.
const BUDGET_WAITS: &str = "wellness_telegram_budget_waits_total";
const BUDGET_WAIT_SECONDS: &str = "wellness_telegram_budget_wait_seconds_total";

/// Every counter: its name, help and label names. `Metrics::inc` with another name is a bug
/// (a test checks every name the code uses is here).
pub const COUNTERS: [(&str, &str, &[&str]); 14] = [
    (
        "wellness_updates_processed_total",
        "Inbound updates handled, by outcome.",
        &["outcome"],
    ),
    (
        "wellness_inbox_claims_total",
        "Inbox claims by the workers, by outcome.",
        &["outcome"],
    ),
    (
        "wellness_webhook_requests_total",
        "Telegram webhook requests, by outcome.",
        &["outcome"],
    ),
    (
        "wellness_whoop_webhooks_total",
        "WHOOP webhooks, by outcome.",
        &["outcome"],
    ),
    (
        "wellness_job_runs_total",
        "Scheduled job ticks run here, by job and outcome.",
        &["job", "outcome"],
    ),
    (
        "wellness_job_retries_total",
        "Retried attempts of scheduled jobs, by job.",
        &["job"],
    ),
    (
        "wellness_outbound_calls_total",
        "Calls to outside services, by provider, call and status.",
        &["provider", "call", "status"],
    ),
    (
        RETRIES,
        "Retries of calls to outside services, by provider.",
        &["provider"],
    ),
    (
        "wellness_ai_ungrounded_total",
        "Assistant texts withheld as not grounded in the user's data, by text and reason.",
        &["text", "why"],
    ),
    (
        "wellness_update_faults_total",
        "Handlings of an update that panicked or hung (each a failed attempt), by fault.",
        &["fault"],
    ),
    (
        "wellness_tasks_total",
        "Durable tasks this instance ran (briefings, follow-ups, WHOOP webhooks), by kind and outcome (ok, retried, parked).",
        &["kind", "outcome"],
    ),
    (
        "wellness_briefings_total",
        "Queued briefings this instance's task workers finished, by outcome (sent, stale, turned_off, undeliverable, given_up).",
        &["outcome"],
    ),
    (
        BUDGET_WAITS,
        "Telegram sends of this instance held back by the bot's shared flood budget, by priority.",
        &["priority"],
    ),
    (
        "wellness_inbox_redriven_total",
        "Updates parked by an outage and sent back to pending by the inbox_redrive job.",
        &[],
    ),
];

/// Upper bounds (seconds) of the latency histograms.
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process's metrics.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    counters: HashMap<&'static str, (IntCounterVec, &'static [&'static str])>,
    processing: Histogram,
    http: HistogramVec,
    outbound: HistogramVec,
    budget_wait_seconds: CounterVec,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

fn histogram(name: &str, help: &str, labels: &[&str]) -> prometheus::Result<HistogramVec> {
    HistogramVec::new(
        HistogramOpts::new(name, help).buckets(BUCKETS.to_vec()),
        labels,
    )
}

impl Metrics {
    /// Registers every metric. Fails only on a bad definition here, which the tests catch.
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let mut counters = HashMap::new();
        for (name, help, labels) in COUNTERS {
            let counter = IntCounterVec::new(Opts::new(name, help), labels)?;
            registry.register(Box::new(counter.clone()))?;
            counters.insert(name, (counter, labels));
        }
        let processing = Histogram::with_opts(
            HistogramOpts::new(
                "wellness_update_processing_seconds",
                "Time to process one inbound update.",
            )
            .buckets(BUCKETS.to_vec()),
        )?;
        registry.register(Box::new(processing.clone()))?;
        let http = histogram(
            "wellness_http_request_duration_seconds",
            "Time to answer an HTTP request, by route pattern, method and status.",
            &["route", "method", "status"],
        )?;
        registry.register(Box::new(http.clone()))?;
        let outbound = histogram(
            "wellness_outbound_call_duration_seconds",
            "Time of a call to an outside service (its retries included), by provider and call.",
            &["provider", "call"],
        )?;
        registry.register(Box::new(outbound.clone()))?;
        let budget_wait_seconds = CounterVec::new(
            Opts::new(
                BUDGET_WAIT_SECONDS,
                "Seconds Telegram sends of this instance waited for the shared flood budget, by priority.",
            ),
            &["priority"],
        )?;
        registry.register(Box::new(budget_wait_seconds.clone()))?;
        Ok(Self {
            registry,
            counters,
            processing,
            http,
            outbound,
            budget_wait_seconds,
        })
    }

    /// Adds one to a counter with labels (given by name, in any order).
    pub fn inc(&self, name: &'static str, labels: &[(&'static str, &str)]) {
        self.add(name, labels, 1);
    }

    /// Adds `n` to a counter with labels (given by name, in any order).
    pub fn add(&self, name: &'static str, labels: &[(&'static str, &str)], n: u64) {
        let Some((counter, names)) = self.counters.get(name) else {
            warn!(name, "a counter that is not registered");
            return;
        };
        // At most three labels: their values in registration order, without allocating (this
        // runs for every webhook request).
        let mut values = [""; 3];
        for (slot, label) in values.iter_mut().zip(names.iter()) {
            *slot = labels
                .iter()
                .find(|(k, _)| k == label)
                .map_or("", |(_, v)| v);
        }
        match counter.get_metric_with_label_values(&values[..names.len()]) {
            Ok(c) => c.inc_by(n),
            Err(e) => warn!(name, error = %e, "a counter's labels do not match"),
        }
    }

    /// A callback for a client's retries: each one adds to
    /// `wellness_outbound_retries_total{provider}`.
    pub fn retry_observer(self: &Arc<Self>, provider: &'static str) -> Arc<dyn Fn() + Send + Sync> {
        let metrics = Arc::clone(self);
        Arc::new(move || metrics.inc(RETRIES, &[("provider", provider)]))
    }

    /// A callback for sends the shared flood budget held back: each adds to
    /// `wellness_telegram_budget_waits_total{priority}` and its seconds to
    /// `wellness_telegram_budget_wait_seconds_total{priority}`.
    pub fn budget_wait_observer(self: &Arc<Self>) -> wellness_telegram::WaitObserver {
        let metrics = Arc::clone(self);
        Arc::new(move |priority, waited| {
            metrics.inc(BUDGET_WAITS, &[("priority", priority.code())]);
            metrics
                .budget_wait_seconds
                .with_label_values(&[priority.code()])
                .inc_by(waited.as_secs_f64());
        })
    }

    /// Records how long processing an update took.
    pub fn observe_processing(&self, took: Duration) {
        self.processing.observe(took.as_secs_f64());
    }

    /// Records how long an HTTP request took, by its route pattern (never its path: the
    /// label's values stay few).
    pub fn observe_http(&self, route: &str, method: &str, status: u16, took: Duration) {
        let status = status.to_string();
        self.http
            .with_label_values(&[route, method, status.as_str()])
            .observe(took.as_secs_f64());
    }

    /// Records how long a call to an outside service took.
    pub fn observe_call(&self, provider: &str, call: &str, took: Duration) {
        self.outbound
            .with_label_values(&[provider, call])
            .observe(took.as_secs_f64());
    }

    /// The text exposition, with gauges read now (registered for this scrape only, so a
    /// gauge that could not be read is absent rather than stale).
    pub fn render(&self, gauges: &[Gauge]) -> String {
        let mut families = self.registry.gather();
        let scrape = Registry::new();
        for gauge in gauges {
            if let Err(e) = register_gauge(&scrape, gauge) {
                warn!(gauge = gauge.name, error = %e, "a gauge did not register");
            }
        }
        families.extend(scrape.gather());
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&families, &mut out) {
            warn!(error = %e, "metrics did not encode");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

fn register_gauge(registry: &Registry, gauge: &Gauge) -> prometheus::Result<()> {
    let names: Vec<&str> = gauge
        .samples
        .first()
        .map(|(labels, _)| labels.iter().map(|(k, _)| *k).collect())
        .unwrap_or_default();
    let vec = GaugeVec::new(Opts::new(gauge.name, gauge.help), &names)?;
    for (labels, value) in &gauge.samples {
        let values: Vec<&str> = labels.iter().map(|(_, v)| v.as_str()).collect();
        vec.get_metric_with_label_values(&values)?.set(*value);
    }
    registry.register(Box::new(vec))
}

/// A value read at scrape time, with its samples (each with the same label names).
#[derive(Debug, Clone)]
pub struct Gauge {
    /// Metric name.
    pub name: &'static str,
    /// One line of help.
    pub help: &'static str,
    /// Label sets and values.
    pub samples: Vec<(Vec<(&'static str, String)>, f64)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histogram_and_gauges_in_prometheus_text_format() {
        let m = Metrics::new().unwrap();
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
        let m = Arc::new(Metrics::new().unwrap());
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

    #[test]
    fn budget_waits_are_counted_with_their_seconds_by_priority() {
        let m = Arc::new(Metrics::new().unwrap());
        let observe = m.budget_wait_observer();
        observe(
            wellness_domain::ports::SendPriority::Broadcast,
            Duration::from_millis(1500),
        );
        observe(
            wellness_domain::ports::SendPriority::Broadcast,
            Duration::from_millis(250),
        );
        let text = m.render(&[]);
        assert!(
            text.contains("wellness_telegram_budget_waits_total{priority=\"broadcast\"} 2"),
            "{text}"
        );
        assert!(
            text.contains(
                "wellness_telegram_budget_wait_seconds_total{priority=\"broadcast\"} 1.75"
            ),
            "{text}"
        );
    }

    #[test]
    fn labels_are_matched_by_name_and_latencies_by_route_and_service() {
        let m = Metrics::new().unwrap();
        m.inc(
            "wellness_outbound_calls_total",
            &[("status", "ok"), ("provider", "whoop"), ("call", "sleeps")],
        );
        m.observe_http("/whoop/callback", "GET", 200, Duration::from_millis(7));
        m.observe_call("telegram", "send", Duration::from_millis(120));
        let text = m.render(&[]);
        assert!(
            text.contains(
                "wellness_outbound_calls_total{call=\"sleeps\",provider=\"whoop\",status=\"ok\"} 1"
            ),
            "{text}"
        );
        assert!(text.contains(
            "wellness_http_request_duration_seconds_bucket{method=\"GET\",route=\"/whoop/callback\",status=\"200\",le=\"0.01\"} 1"
        ), "{text}");
        assert!(text.contains(
            "wellness_outbound_call_duration_seconds_bucket{call=\"send\",provider=\"telegram\",le=\"0.1\"} 0"
        ), "{text}");
        assert!(text.contains(
            "wellness_outbound_call_duration_seconds_bucket{call=\"send\",provider=\"telegram\",le=\"0.25\"} 1"
        ), "{text}");
    }

    #[test]
    fn every_counter_the_code_adds_to_is_registered() {
        let source = concat!(
            include_str!("bot.rs"),
            include_str!("schedule.rs"),
            include_str!("metered.rs"),
            include_str!("routes/telegram.rs"),
            include_str!("routes/whoop.rs"),
            include_str!("followups.rs"),
        );
        let used: Vec<&str> = source
            .match_indices("\"wellness_")
            .map(|(at, _)| {
                let name = &source[at + 1..];
                &name[..name.find('"').unwrap_or(name.len())]
            })
            .filter(|name| name.ends_with("_total"))
            .collect();
        assert!(used.len() >= 5, "{used:?}");
        for name in used {
            assert!(
                COUNTERS.iter().any(|(n, _, _)| *n == name),
                "{name} is not registered"
            );
        }
    }
}
