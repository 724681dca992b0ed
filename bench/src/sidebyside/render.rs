//! The markdown of `docs/benchmarks.md`.

use std::fmt::Write as _;

use super::Results;
use crate::report::{Latency, Report};

/// Workloads both sides ran, in report order, with what they are.
const PAIRED: [(&str, &str); 7] = [
    (
        "list-postings",
        "ListJobPostings, 50 rows ↔ `GET /api/job_posting/` (all 50)",
    ),
    ("get-posting", "GetJobPosting ↔ `GET /api/job_posting/<id>`"),
    ("get-me", "GetMe ↔ `GET /api/me/`"),
    ("login", "Login ↔ `POST /api/auth/login/`"),
    (
        "refresh",
        "RefreshToken (rotating) ↔ `POST /api/token/refresh/` (not rotating)",
    ),
    ("mixed", "a day of use (same weights both sides)"),
    (
        "create-posting",
        "CreateJobPosting ↔ `POST /api/job_posting/`",
    ),
];

/// One target of the issue.
struct Target {
    what: &'static str,
    figure: String,
    met: Option<bool>,
}

fn rps(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

fn ms(value: Option<f64>) -> String {
    value.map_or_else(
        || "–".to_owned(),
        |v| {
            if v >= 100.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.2}")
            }
        },
    )
}

fn mark(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "**met**",
        Some(false) => "**not met**",
        None => "not measured",
    }
}

fn errors(report: &Report) -> String {
    if report.errors.is_empty() {
        "0".to_owned()
    } else {
        report
            .errors
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn targets(r: &Results) -> Vec<Target> {
    let ours = |w: &str| r.ours.get(w);
    let base = |w: &str| r.baseline.get(w);
    let mut out = Vec::new();
    let list = ours("list-postings")
        .zip(base("list-postings"))
        .filter(|(_, b)| b.requests > 0);
    out.push(Target {
        what: "ListJobPostings throughput ≥ 30× the baseline's list",
        figure: list.map_or_else(String::new, |(o, b)| {
            format!(
                "{:.1}× ({} vs {} req/s)",
                o.throughput_rps / b.throughput_rps,
                rps(o.throughput_rps),
                rps(b.throughput_rps)
            )
        }),
        met: list.map(|(o, b)| o.throughput_rps >= 30.0 * b.throughput_rps),
    });
    let p99s = list.and_then(|(o, b)| o.latency_ms.p99.zip(b.latency_ms.p99));
    out.push(Target {
        what: "ListJobPostings p99 ≤ 1/10 of the baseline's",
        figure: p99s.map_or_else(String::new, |(o, b)| {
            format!("1/{:.0} ({o:.2} ms vs {b:.1} ms)", b / o)
        }),
        met: p99s.map(|(o, b)| o * 10.0 <= b),
    });
    let interceptor = ours("get-site").zip(ours("health"));
    out.push(Target {
        what: "GetJobSite (authenticated) ≥ 70% of the health check's throughput",
        figure: interceptor.map_or_else(String::new, |(s, h)| {
            format!(
                "{:.0}% ({} vs {} req/s)",
                100.0 * s.throughput_rps / h.throughput_rps,
                rps(s.throughput_rps),
                rps(h.throughput_rps)
            )
        }),
        met: interceptor.map(|(s, h)| s.throughput_rps >= 0.7 * h.throughput_rps),
    });
    let login = ours("login").zip(r.argon2.as_ref());
    out.push(Target {
        what: "Login ≥ 90% of cores ÷ one argon2id verify",
        figure: login.map_or_else(String::new, |(l, a)| {
            format!(
                "{:.0}% ({} logins/s; ceiling {} × 1/{:.1} ms = {:.1}/s)",
                100.0 * l.throughput_rps / a.ceiling_per_s,
                rps(l.throughput_rps),
                a.cores,
                a.median_ms,
                a.ceiling_per_s
            )
        }),
        met: login.map(|(l, a)| l.throughput_rps >= 0.9 * a.ceiling_per_s),
    });
    let storm = r
        .storm
        .as_ref()
        .and_then(|s| s.list.latency_ms.p99.map(|p| (p, s)));
    out.push(Target {
        what: "ListJobPostings p99 < 10 ms while Login is saturated",
        figure: storm.map_or_else(String::new, |(p99, s)| {
            format!(
                "{p99:.2} ms (logins meanwhile: {} /s)",
                rps(s.login.throughput_rps)
            )
        }),
        met: storm.map(|(p99, _)| p99 < 10.0),
    });
    let refresh = ours("refresh");
    out.push(Target {
        what: "RefreshToken (rotation, SQLite) ≥ 2,000/s",
        figure: refresh.map_or_else(String::new, |f| format!("{} /s", rps(f.throughput_rps))),
        met: refresh.map(|f| f.throughput_rps >= 2000.0),
    });
    for (service, label_rss, label_start) in [
        (
            "auth",
            "auth-service idle RSS < 20 MB",
            "auth-service start → SERVING < 200 ms",
        ),
        (
            "jobs",
            "jobs-service idle RSS < 20 MB",
            "jobs-service start → SERVING < 200 ms",
        ),
    ] {
        let s = r.startup.get(service);
        out.push(Target {
            what: label_rss,
            figure: s.map_or_else(String::new, |s| {
                format!(
                    "{:.1} MB (max of {} starts)",
                    s.max_idle_rss_kib as f64 * 1.024 / 1000.0,
                    s.idle_rss_kib.len()
                )
            }),
            // 20 MB = 20,000,000 bytes.
            met: s.map(|s| s.max_idle_rss_kib * 1024 < 20_000_000),
        });
        out.push(Target {
            what: label_start,
            figure: s.map_or_else(String::new, |s| {
                format!(
                    "median {:.0} ms, max {:.0} ms ({} starts)",
                    s.median_ms,
                    s.max_ms,
                    s.start_to_serving_ms.len()
                )
            }),
            met: s.map(|s| s.max_ms < 200.0),
        });
    }
    out
}

fn targets_table(md: &mut String, r: &Results) {
    md.push_str("| target | figure | status |\n| --- | --- | --- |\n");
    for t in targets(r) {
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            t.what,
            if t.figure.is_empty() {
                "–"
            } else {
                &t.figure
            },
            mark(t.met)
        );
    }
}

fn latency_cells(l: &Latency) -> String {
    format!(
        "{} | {} | {} | {} | {} | {}",
        ms(Some(l.mean)),
        ms(l.p50),
        ms(l.p90),
        ms(l.p99),
        ms(l.p999),
        ms(Some(l.max))
    )
}

fn raw_table<'a>(md: &mut String, rows: impl IntoIterator<Item = (&'a str, &'a Report)>) {
    md.push_str(
        "| workload | calls | req/s | mean ms | p50 | p90 | p99 | p99.9 | max | errors |\n",
    );
    md.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (name, report) in rows {
        let _ = writeln!(
            md,
            "| {name} | {} | {} | {} | {} |",
            report.requests,
            rps(report.throughput_rps),
            latency_cells(&report.latency_ms),
            errors(report)
        );
    }
}

fn side_by_side(md: &mut String, r: &Results) {
    md.push_str("| workload | this project req/s | baseline req/s | **throughput ×** | p99 ours ms | p99 baseline ms | **p99 ÷** |\n");
    md.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    let storm = r
        .storm
        .as_ref()
        .map(|s| &s.list)
        .zip(r.baseline_storm_list.as_ref());
    let pairs = PAIRED
        .iter()
        .filter_map(|(w, what)| Some((*what, r.ours.get(*w)?, r.baseline.get(*w)?)))
        .chain(storm.map(|(o, b)| {
            (
                "ListJobPostings during a login storm (ours paced, baseline 4 connections)",
                o,
                b,
            )
        }));
    for (what, o, b) in pairs {
        // A side that finished no call in the window has no ratio.
        let ratio = if b.requests > 0 && b.throughput_rps > 0.0 {
            format!("**{:.1}×**", o.throughput_rps / b.throughput_rps)
        } else {
            "– (baseline finished no call)".to_owned()
        };
        let p99 = o
            .latency_ms
            .p99
            .zip(b.latency_ms.p99)
            .filter(|(o, b)| *o > 0.0 && *b > 0.0);
        let _ = writeln!(
            md,
            "| {what} | {} | {} | {ratio} | {} | {} | **{}** |",
            rps(o.throughput_rps),
            rps(b.throughput_rps),
            ms(o.latency_ms.p99),
            if b.requests > 0 {
                ms(b.latency_ms.p99)
            } else {
                "–".to_owned()
            },
            p99.map_or_else(|| "–".to_owned(), |(o, b)| format!("{:.2}", o / b)),
        );
    }
}

/// The whole document.
pub fn markdown(r: &Results) -> String {
    let meta = |k: &str| r.meta.get(k).map_or("?", String::as_str);
    let mut md = String::new();
    md.push_str("# Benchmarks: the Rust services beside the Django baseline\n\n");
    md.push_str("Generated by `scripts/benchmarks.sh` (one command: builds, installs and seeds the Django\n");
    md.push_str("baseline, runs everything below and writes this file). Ratios are *this project ÷ baseline*,\n");
    let _ = writeln!(
        md,
        "measured in one run on one machine; that run took {}.\n",
        meta("runtime")
    );
    md.push_str("## Targets\n\n");
    targets_table(&mut md, r);
    md.push_str("\n## Side by side\n\nSame data (10 users × 3 sites × 50 postings, same value spread), same calls in flight.\n");
    md.push_str(
        "*p99 ÷* is this project's p99 divided by the baseline's (below 1: ours is lower).\n\n",
    );
    side_by_side(&mut md, r);
    md.push_str("\n## Machine and settings\n\n");
    for key in [
        "date",
        "cpu",
        "cores",
        "memory",
        "kernel",
        "rustc",
        "commit",
        "python",
        "wrk",
        "h2load",
        "settings",
        "loadavg_start",
        "loadavg_end",
        "runtime",
    ] {
        let _ = writeln!(md, "- **{key}**: {}", meta(key));
    }
    md.push_str("\n## Raw figures\n\n### This project (`bench`, tonic over HTTP/2)\n\n");
    raw_table(&mut md, r.ours.iter().map(|(k, v)| (k.as_str(), v)));
    if let Some(mixed) = r.ours.get("mixed") {
        md.push_str("\nThe day-of-use mix, per operation:\n\n");
        let ops: Vec<Report> = mixed
            .operations
            .iter()
            .map(|op| Report {
                requests: op.requests,
                throughput_rps: op.throughput_rps,
                latency_ms: op.latency_ms.clone(),
                ..Report::default()
            })
            .collect();
        raw_table(
            &mut md,
            mixed
                .operations
                .iter()
                .zip(&ops)
                .map(|(op, rep)| (op.name.as_str(), rep)),
        );
    }
    md.push_str("\n### Baseline (wrk, HTTP/1.1, gunicorn 2 sync workers)\n\n");
    raw_table(&mut md, r.baseline.iter().map(|(k, v)| (k.as_str(), v)));
    md.push_str("\n### Login storm\n\n");
    let storm_rows: Vec<(&str, &Report)> = [
        r.storm
            .as_ref()
            .map(|s| ("ours: Login (saturating)", &s.login)),
        r.storm
            .as_ref()
            .map(|s| ("ours: ListJobPostings (paced)", &s.list)),
        r.baseline_storm_login
            .as_ref()
            .map(|b| ("baseline: login", b)),
        r.baseline_storm_list
            .as_ref()
            .map(|b| ("baseline: list", b)),
    ]
    .into_iter()
    .flatten()
    .collect();
    raw_table(&mut md, storm_rows);
    md.push_str("\n### Cross-check: `bench` against h2load\n\nSame server, same request bytes, same connections and streams in flight; h2load sees HTTP\nstatuses only (a gRPC error travels in trailers), so `bench`'s error count is the authority on gRPC codes.\n\n");
    md.push_str("| workload | bench req/s | h2load req/s | h2load ÷ bench | bench mean ms | h2load mean ms | h2load failures |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (w, h) in &r.h2load {
        if let Some(b) = r.ours.get(w) {
            let _ = writeln!(
                md,
                "| {w} | {} | {} | {:.2} | {} | {} | {} |",
                rps(b.throughput_rps),
                rps(h.throughput_rps),
                h.throughput_rps / b.throughput_rps,
                ms(Some(b.latency_ms.mean)),
                ms(Some(h.latency_ms.mean)),
                errors(h)
            );
        }
    }
    if let Some(a) = &r.argon2 {
        let _ = writeln!(
            md,
            "\n### argon2id\n\nOne verification with the auth-service's hasher and parameters (m = {} KiB, t = {}, p = {}), one at a time: median {:.2} ms, min {:.2} ms over {} samples; {} cores → ceiling {:.1} logins/s.",
            a.memory_kib,
            a.iterations,
            a.parallelism,
            a.median_ms,
            a.min_ms,
            a.samples,
            a.cores,
            a.ceiling_per_s
        );
    }
    md.push_str("\n### Start-up and idle memory\n\nProcess spawn → first SERVING answer for the service's health name, with the databases the runs\nabove filled; resident set read from `/proc` after 2 s idle.\n\n| service | start → SERVING, ms (each start) | idle RSS, KiB (each start) |\n| --- | --- | --- |\n");
    for (service, s) in &r.startup {
        let times: Vec<String> = s
            .start_to_serving_ms
            .iter()
            .map(|t| format!("{t:.0}"))
            .collect();
        let rss: Vec<String> = s.idle_rss_kib.iter().map(u64::to_string).collect();
        let _ = writeln!(
            md,
            "| {service} | {} | {} |",
            times.join(", "),
            rss.join(", ")
        );
    }
    md.push_str("\n## Exact commands\n\nAs run by `scripts/benchmarks.sh` (ports were free ones; `$BENCH_HOME` is its work folder):\n\n```sh\n");
    md.push_str(&r.commands);
    md.push_str("```\n");
    if let Some(notes) = &r.notes {
        md.push('\n');
        md.push_str(notes.trim_end());
        md.push('\n');
    }
    md.push_str("\n## Closing: the targets\n\n");
    targets_table(&mut md, r);
    md
}
