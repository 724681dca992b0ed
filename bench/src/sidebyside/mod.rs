//! The side-by-side report: reads a results directory written by
//! `scripts/benchmarks.sh` (bench and wrk JSON, h2load text, the argon2,
//! storm and start-up figures, `meta.env`, `commands.txt`) and renders
//! `docs/benchmarks.md`, every target marked met or not with its figure.

mod render;
mod targets;

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use anyhow::Context as _;
use serde::Deserialize;

use crate::report::{Latency, Report};

/// Everything one run measured.
#[derive(Debug, Default)]
pub struct Results {
    pub meta: BTreeMap<String, String>,
    /// `bench` reports by workload.
    pub ours: BTreeMap<String, Report>,
    /// wrk reports of the baseline by workload.
    pub baseline: BTreeMap<String, Report>,
    /// h2load reports by workload.
    pub h2load: BTreeMap<String, Report>,
    pub storm: Option<Storm>,
    pub baseline_storm_list: Option<Report>,
    pub baseline_storm_login: Option<Report>,
    pub argon2: Option<Argon2>,
    pub startup: BTreeMap<String, Startup>,
    pub commands: String,
    /// Hand-written notes (profiles, fixes) appended to the report.
    pub notes: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Storm {
    pub login: Report,
    pub list: Report,
}

#[derive(Debug, Deserialize)]
pub struct Argon2 {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    pub samples: usize,
    pub median_ms: f64,
    pub min_ms: f64,
    pub cores: usize,
    pub ceiling_per_s: f64,
}

#[derive(Debug, Deserialize)]
pub struct Startup {
    pub start_to_serving_ms: Vec<f64>,
    pub median_ms: f64,
    pub max_ms: f64,
    pub idle_rss_kib: Vec<u64>,
    pub max_idle_rss_kib: u64,
}

fn json<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<Option<T>> {
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path)?;
    serde_json::from_str(&text)
        .map(Some)
        .with_context(|| format!("parsing {}", path.display()))
}

/// Reads h2load's summary: throughput, mean and max time per request, and
/// its failure counts (HTTP-level only: gRPC statuses travel in trailers,
/// which h2load does not read).
pub fn parse_h2load(workload: &str, text: &str) -> anyhow::Result<Report> {
    let mut report = Report {
        tool: "h2load".to_owned(),
        workload: workload.to_owned(),
        ..Report::default()
    };
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("finished in ") {
            // finished in 10.00s, 12345.67 req/s, 1.23MB/s
            let mut parts = rest.split(", ");
            report.elapsed_s = parts
                .next()
                .and_then(|s| s.trim_end_matches('s').parse().ok())
                .unwrap_or(0.0);
            report.throughput_rps = parts
                .next()
                .and_then(|s| s.trim_end_matches(" req/s").parse().ok())
                .unwrap_or(0.0);
        } else if let Some(rest) = line.strip_prefix("requests: ") {
            // 1000 total, 1000 started, 1000 done, 1000 succeeded, 0 failed, 0 errored, 0 timeout
            for part in rest.split(", ") {
                let (count, what) = part.split_once(' ').unwrap_or((part, ""));
                let count: u64 = count.parse().unwrap_or(0);
                match what {
                    "done" => report.requests = count,
                    "failed" | "errored" | "timeout" if count > 0 => {
                        report.errors.insert(what.to_owned(), count);
                    }
                    _ => {}
                }
            }
        } else if let Some(rest) = line.strip_prefix("time for request:") {
            // min max mean sd +/-sd
            let values: Vec<f64> = rest.split_whitespace().filter_map(millis).collect();
            if values.len() >= 3 {
                report.latency_ms = Latency {
                    mean: values[2],
                    max: values[1],
                    ..Latency::default()
                };
            }
        }
    }
    anyhow::ensure!(
        report.throughput_rps > 0.0,
        "no `finished in` line in h2load output"
    );
    Ok(report)
}

/// `123us`, `4.56ms` or `1.2s` in milliseconds.
fn millis(text: &str) -> Option<f64> {
    let (number, factor) = if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

impl Results {
    /// Loads whatever the directory holds; missing parts render as "not
    /// measured".
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let mut results = Self::default();
        let entries =
            std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            if let Some(workload) = name
                .strip_prefix("ours-")
                .and_then(|n| n.strip_suffix(".json"))
            {
                if workload != "storm" {
                    results
                        .ours
                        .insert(workload.to_owned(), Report::load(&path)?);
                }
            } else if let Some(workload) = name
                .strip_prefix("base-")
                .and_then(|n| n.strip_suffix(".json"))
            {
                if !workload.starts_with("storm") {
                    results
                        .baseline
                        .insert(workload.to_owned(), Report::load(&path)?);
                }
            } else if let Some(workload) = name
                .strip_prefix("h2load-")
                .and_then(|n| n.strip_suffix(".txt"))
            {
                let text = std::fs::read_to_string(&path)?;
                results
                    .h2load
                    .insert(workload.to_owned(), parse_h2load(workload, &text)?);
            } else if let Some(service) = name
                .strip_prefix("startup-")
                .and_then(|n| n.strip_suffix(".json"))
                && let Some(startup) = json(&path)?
            {
                results.startup.insert(service.to_owned(), startup);
            }
        }
        results.storm = json(&dir.join("ours-storm.json"))?;
        results.baseline_storm_list = json(&dir.join("base-storm-list.json"))?;
        results.baseline_storm_login = json(&dir.join("base-storm-login.json"))?;
        results.argon2 = json(&dir.join("argon2.json"))?;
        if let Ok(meta) = std::fs::read_to_string(dir.join("meta.env")) {
            for line in meta.lines() {
                if let Some((key, value)) = line.split_once('=') {
                    results.meta.insert(key.to_owned(), value.to_owned());
                }
            }
        }
        results.commands = std::fs::read_to_string(dir.join("commands.txt")).unwrap_or_default();
        Ok(results)
    }
}

/// Renders the markdown for the results in `dir`, with `notes` (a
/// hand-written markdown file) appended if given.
pub fn render(dir: &Path, notes: Option<&Path>) -> anyhow::Result<String> {
    let mut results = Results::load(dir)?;
    if let Some(notes) = notes {
        results.notes = Some(
            std::fs::read_to_string(notes)
                .with_context(|| format!("reading {}", notes.display()))?,
        );
    }
    Ok(render::markdown(&results))
}

#[cfg(test)]
mod tests {
    use super::*;

    const H2LOAD: &str = "\
finished in 10.00s, 23456.70 req/s, 1.23MB/s
requests: 234567 total, 234567 started, 234567 done, 234560 succeeded, 7 failed, 0 errored, 0 timeout
status codes: 234567 2xx, 0 3xx, 0 4xx, 0 5xx
                     min         max         mean         sd        +/- sd
time for request:      120us     12.30ms       650us       200us    90.00%
";

    #[test]
    fn h2load_summaries_are_read() {
        let report = parse_h2load("health", H2LOAD).unwrap();
        assert!((report.throughput_rps - 23456.70).abs() < 1e-9);
        assert_eq!(report.requests, 234567);
        assert_eq!(report.errors.get("failed"), Some(&7));
        assert!((report.latency_ms.mean - 0.65).abs() < 1e-9);
        assert!((report.latency_ms.max - 12.3).abs() < 1e-9);
    }
}
