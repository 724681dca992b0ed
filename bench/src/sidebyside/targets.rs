//! The targets, each with its figure and whether it is met.

use std::fmt::Write as _;

use super::{Results, render::rps};

/// One target of the issue.
struct Target {
    what: &'static str,
    figure: String,
    met: Option<bool>,
}

fn mark(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "**met**",
        Some(false) => "**not met**",
        None => "not measured",
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

pub(super) fn targets_table(md: &mut String, r: &Results) {
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
