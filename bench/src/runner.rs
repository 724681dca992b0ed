//! The load loop: `concurrency` workers, each a task calling its workload
//! back to back (closed loop, like wrk and h2load) or on a shared schedule
//! (`--rate`, open loop: latency is then measured from the time a call was
//! due, so a stalled server cannot hide its queue — the coordinated-omission
//! correction of wrk2). A warm-up phase runs first and is not recorded; then
//! either a fixed duration or a fixed number of calls is measured.
//!
//! Each worker records into its own histograms (no locks on the hot path);
//! they are merged once at the end.

use std::{
    collections::BTreeMap,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::Context as _;
use hdrhistogram::Histogram;
use tokio::task::JoinSet;

use crate::{
    report::{Report, Summary},
    workloads::{Outcome, Worker, Workload},
};

/// How long and how hard to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Calls in flight at once (= workers).
    pub concurrency: usize,
    /// Unrecorded time before measuring.
    pub warmup: Duration,
    /// Measure for this long...
    pub duration: Option<Duration>,
    /// ...or for this many calls.
    pub requests: Option<u64>,
    /// Calls per second across all workers (open loop); `None`: as fast as
    /// the workers go.
    pub rate: Option<f64>,
}

/// Highest latency the histograms hold, in microseconds (a minute).
const MAX_MICROS: u64 = 60_000_000;

fn histogram() -> Histogram<u64> {
    // Three significant digits: p99.9 of a 1 ms call is resolved to 1 µs.
    #[allow(clippy::unwrap_used)] // constant, valid bounds
    Histogram::new_with_bounds(1, MAX_MICROS, 3).unwrap()
}

/// What one worker saw.
struct Recorder {
    latency: Vec<Histogram<u64>>,
    errors: BTreeMap<String, u64>,
    last_done: Option<Instant>,
}

impl Recorder {
    fn new(operations: usize) -> Self {
        Self {
            latency: (0..operations).map(|_| histogram()).collect(),
            errors: BTreeMap::new(),
            last_done: None,
        }
    }

    fn record(&mut self, outcome: &Outcome, latency: Duration, done: Instant) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(MAX_MICROS);
        if let Some(histogram) = self.latency.get_mut(outcome.operation) {
            histogram.saturating_record(micros.max(1));
        }
        if let Err(code) = outcome.result {
            *self.errors.entry(format!("{code:?}")).or_default() += 1;
        }
        self.last_done = Some(done);
    }

    fn merge(&mut self, other: Self) {
        for (mine, theirs) in self.latency.iter_mut().zip(&other.latency) {
            // Same bounds on both sides, so adding cannot fail.
            let _ = mine.add(theirs);
        }
        for (code, count) in other.errors {
            *self.errors.entry(code).or_default() += count;
        }
        self.last_done = self.last_done.max(other.last_done);
    }
}

/// When calls are due in `--rate` mode: call `i` at `start + i / rate`.
struct Schedule {
    start: Instant,
    interval: Duration,
    next: AtomicU64,
}

impl Schedule {
    fn next(&self) -> Instant {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        self.start + self.interval.mul_f64(i as f64)
    }
}

/// The phases every worker follows.
struct Plan {
    measure_from: Instant,
    end: Option<Instant>,
    /// Measured calls still to start, in `--requests` mode.
    remaining: Option<AtomicU64>,
    schedule: Option<Schedule>,
}

impl Plan {
    /// Takes a slot for a measured call in `--requests` mode.
    fn claim(&self) -> bool {
        match &self.remaining {
            None => true,
            Some(left) => left
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok(),
        }
    }
}

async fn drive<W: Worker>(mut worker: W, plan: Arc<Plan>, operations: usize) -> Recorder {
    let mut recorder = Recorder::new(operations);
    loop {
        let due = match &plan.schedule {
            Some(schedule) => {
                let due = schedule.next();
                tokio::time::sleep_until(due.into()).await;
                due
            }
            None => Instant::now(),
        };
        if plan.end.is_some_and(|end| due >= end) {
            break;
        }
        let measured = due >= plan.measure_from;
        if measured && !plan.claim() {
            break;
        }
        let outcome = worker.call().await;
        let done = Instant::now();
        if measured {
            recorder.record(&outcome, done.saturating_duration_since(due), done);
        }
    }
    recorder
}

/// Runs `workload` under `options` and reports what was measured.
pub async fn run<W: Workload>(workload: W, options: &RunOptions) -> anyhow::Result<Report> {
    anyhow::ensure!(options.concurrency > 0, "--concurrency must be at least 1");
    anyhow::ensure!(
        options.duration.is_some() || options.requests.is_some(),
        "give --duration or --requests"
    );
    let operations = workload.operations();
    // Workers are made before the clock starts: their set-up (a login for
    // a refresh chain, say) is not part of the measurement.
    let mut workers = Vec::with_capacity(options.concurrency);
    for index in 0..options.concurrency {
        workers.push(
            workload
                .worker(index)
                .await
                .with_context(|| format!("setting up worker {index}"))?,
        );
    }
    let start = Instant::now();
    let measure_from = start + options.warmup;
    let plan = Arc::new(Plan {
        measure_from,
        end: options.duration.map(|d| measure_from + d),
        remaining: options.requests.map(AtomicU64::new),
        schedule: options.rate.map(|rate| Schedule {
            start,
            interval: Duration::from_secs_f64(1.0 / rate.max(1e-3)),
            next: AtomicU64::new(0),
        }),
    });
    let mut tasks = JoinSet::new();
    for worker in workers {
        tasks.spawn(drive(worker, plan.clone(), operations.len()));
    }
    let mut total = Recorder::new(operations.len());
    while let Some(recorder) = tasks.join_next().await {
        total.merge(recorder.context("a worker panicked")?);
    }
    let elapsed = total.last_done.map_or(Duration::ZERO, |done| {
        done.saturating_duration_since(measure_from)
    });
    let mut all = histogram();
    for histogram in &total.latency {
        let _ = all.add(histogram);
    }
    let per_operation = if operations.len() > 1 {
        operations
            .iter()
            .zip(&total.latency)
            .map(|(name, histogram)| Summary::new(name, histogram, elapsed))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Report::new(
        Summary::new(workload.name(), &all, elapsed),
        total.errors,
        per_operation,
    ))
}
