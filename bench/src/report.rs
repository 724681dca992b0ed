//! What a run reports: throughput, latency percentiles and errors by gRPC
//! code, as text for people and JSON for the side-by-side report. The same
//! shape is produced for the baseline's wrk runs (by `wrk/report.lua`) and
//! for h2load (parsed), so the report compares like with like.

use std::{collections::BTreeMap, path::Path, time::Duration};

use anyhow::Context as _;
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Latency figures in milliseconds. Percentiles are absent where a tool
/// does not report them (h2load gives only mean and max).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    pub mean: f64,
    #[serde(default)]
    pub p50: Option<f64>,
    #[serde(default)]
    pub p90: Option<f64>,
    #[serde(default)]
    pub p99: Option<f64>,
    #[serde(default)]
    pub p999: Option<f64>,
    pub max: f64,
}

impl Latency {
    fn from_micros(histogram: &Histogram<u64>) -> Self {
        let ms = |micros: u64| micros as f64 / 1000.0;
        let at = |q: f64| Some(ms(histogram.value_at_quantile(q)));
        Self {
            mean: histogram.mean() / 1000.0,
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            p999: at(0.999),
            max: ms(histogram.max()),
        }
    }
}

/// Figures for one workload, or one operation of a mixed workload.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    pub name: String,
    pub requests: u64,
    pub throughput_rps: f64,
    pub latency_ms: Latency,
}

impl Summary {
    /// Figures from a histogram of microseconds over `elapsed`.
    pub fn new(name: &str, histogram: &Histogram<u64>, elapsed: Duration) -> Self {
        let requests = histogram.len();
        let seconds = elapsed.as_secs_f64();
        Self {
            name: name.to_owned(),
            requests,
            throughput_rps: if seconds > 0.0 {
                requests as f64 / seconds
            } else {
                0.0
            },
            latency_ms: Latency::from_micros(histogram),
        }
    }
}

/// One run of one workload.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Report {
    /// `bench`, `wrk` or `h2load`.
    pub tool: String,
    pub workload: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub connections: usize,
    /// Calls in flight at once.
    #[serde(default)]
    pub concurrency: usize,
    #[serde(default)]
    pub rate: Option<f64>,
    /// Measured time, seconds.
    pub elapsed_s: f64,
    /// Measured calls, failed ones included.
    pub requests: u64,
    /// Calls per second, failed ones included (as wrk and h2load count).
    pub throughput_rps: f64,
    pub latency_ms: Latency,
    /// Failed calls by gRPC code (or HTTP status / socket error for wrk).
    #[serde(default)]
    pub errors: BTreeMap<String, u64>,
    /// Per-operation figures of a mixed workload.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<Summary>,
}

impl Report {
    /// A `bench` report; the caller fills in how it was driven.
    pub fn new(total: Summary, errors: BTreeMap<String, u64>, operations: Vec<Summary>) -> Self {
        Self {
            tool: "bench".to_owned(),
            workload: total.name,
            elapsed_s: 0.0,
            requests: total.requests,
            throughput_rps: total.throughput_rps,
            latency_ms: total.latency_ms,
            errors,
            operations,
            ..Self::default()
        }
        .with_elapsed(total.requests, total.throughput_rps)
    }

    fn with_elapsed(mut self, requests: u64, rps: f64) -> Self {
        if rps > 0.0 {
            self.elapsed_s = requests as f64 / rps;
        }
        self
    }

    /// Failed calls in total.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// Reads a JSON report.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }

    /// Human-readable lines.
    pub fn text(&self) -> String {
        let mut out = format!(
            "{:<18} {:>10.1} req/s  {}  ({} calls in {:.1} s, {} in flight over {} connection(s){})\n",
            self.workload,
            self.throughput_rps,
            latency_text(&self.latency_ms),
            self.requests,
            self.elapsed_s,
            self.concurrency,
            self.connections,
            self.rate
                .map(|r| format!(", paced at {r} req/s"))
                .unwrap_or_default(),
        );
        for op in &self.operations {
            out.push_str(&format!(
                "  {:<16} {:>10.1} req/s  {}  ({} calls)\n",
                op.name,
                op.throughput_rps,
                latency_text(&op.latency_ms),
                op.requests
            ));
        }
        if self.errors.is_empty() {
            out.push_str("  errors: none\n");
        } else {
            let list: Vec<String> = self
                .errors
                .iter()
                .map(|(c, n)| format!("{c} {n}"))
                .collect();
            out.push_str(&format!("  errors: {}\n", list.join(", ")));
        }
        out
    }
}

/// `p50 … p99.9 max` in milliseconds.
pub fn latency_text(latency: &Latency) -> String {
    let f = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"));
    format!(
        "ms: mean {:.2} p50 {} p90 {} p99 {} p99.9 {} max {:.2}",
        latency.mean,
        f(latency.p50),
        f(latency.p90),
        f(latency.p99),
        f(latency.p999),
        latency.max
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_the_histogram_in_milliseconds() {
        let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
        for micros in 1..=1000 {
            histogram.record(micros * 10).unwrap();
        }
        let summary = Summary::new("x", &histogram, Duration::from_secs(2));
        assert_eq!(summary.requests, 1000);
        assert!((summary.throughput_rps - 500.0).abs() < 1e-9);
        let p99 = summary.latency_ms.p99.unwrap();
        assert!((p99 - 9.9).abs() < 0.01, "{p99}");
        assert!((summary.latency_ms.max - 10.0).abs() < 0.01);
    }

    #[test]
    fn a_report_survives_json() {
        let report = Report {
            tool: "wrk".into(),
            workload: "list-postings".into(),
            requests: 10,
            errors: [("Non2xx".to_owned(), 2)].into(),
            ..Report::default()
        };
        let json = serde_json::to_string(&report).unwrap();
        let back: Report = serde_json::from_str(&json).unwrap();
        assert_eq!(back.error_count(), 2);
        assert_eq!(back.workload, "list-postings");
    }
}
