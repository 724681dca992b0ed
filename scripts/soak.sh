#!/usr/bin/env bash
# Soak test (not part of CI; issue 8): SOAK_MINUTES (default 10) of the load
# tool's mixed workload, paced at SOAK_RATE calls/s (default 300), against the
# release binaries on SQLite with production argon2 costs, and a fault every
# minute: the auth-service frozen (SIGSTOP) for 10 s then thawed, and the
# jobs-service frozen for 5 s, in turn; at minute 3 instead, the auth-service
# stopped (SIGTERM) and started again on the same data (once, so that the new
# process lives long enough to be measured after its warm-up).
# Every 10 s it samples resident memory (all of it, and its anonymous part:
# the heap, without the mapped binary) and open file descriptors of both
# processes. Each process's first 4 minutes are its warm-up: one fault of
# each kind (minutes 1-3) and a minute to settle. The first burst after each
# kind of fault grows the allocator's per-thread arenas once (measured in
# docs/soak.md: seven auth freezes in a row grow the jobs-service after the
# first one only), so growth counts from there. Writes SOAK_OUT (default docs/soak.md): errors by gRPC code (only
# UNAVAILABLE, DEADLINE_EXCEEDED and CANCELLED are expected from the faults,
# plus UNAUTHENTICATED for a refresh whose rotation was made but whose answer
# was lost, which the client then treats as reuse and logs in again), memory
# and descriptors over time. Exits 1 on an unexpected code, on memory growth
# of 10 % or more after warm-up, or on a descriptor leak: more than 2 new
# descriptors after warm-up other than the database's (the pool opens
# connections on demand up to its size, each holding the database file and
# its WAL; they are counted apart and listed at the end).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)

minutes=${SOAK_MINUTES:-10}
rate=${SOAK_RATE:-300}
out=${SOAK_OUT:-$repo/docs/soak.md}

cargo_flags=()
[[ "${CARGO_LOCKED:-}" == 1 ]] && cargo_flags+=(--locked)
cargo build "${cargo_flags[@]}" --release -p auth-service -p jobs-service -p probe -p bench
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin=$target_dir/release
# The services' binaries: by default this host's release build; point
# SOAK_SERVICE_BIN_DIR at the static musl build the images ship (see
# scripts/container-test.sh) to soak what production runs: its allocator is
# musl's, not glibc's.
svc=${SOAK_SERVICE_BIN_DIR:-$bin}

source scripts/lib/services.sh
work=$(mktemp -d)
auth_pid= jobs_pid=
cleanup() {
    for pid in $auth_pid $jobs_pid; do
        kill -CONT "$pid" 2>/dev/null || true
        kill -TERM "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

services_env "$svc/auth-service" "$work"
export RUST_LOG=warn
# Started one by one, not by services_start: the auth-service is restarted
# alone at minute 3, and the clean-up thaws frozen processes first.
start_auth() {
    "$svc/auth-service" serve >>"$work/auth.log" 2>&1 &
    auth_pid=$!
    wait_serving "$bin/probe" "$auth_addr"
}
start_auth
"$svc/jobs-service" >>"$work/jobs.log" 2>&1 &
jobs_pid=$!
wait_serving "$bin/probe" "$jobs_addr"
"$bin/bench" seed --users 10 --postings 50 >/dev/null
"$bin/bench" run mixed --users 10 -c 8 --connections 2 --rate "$rate" --timeout 2s \
    -d "${minutes}m" --warmup 5s --allow-errors --json "$work/mixed.json" >"$work/bench.log" 2>&1 &
bench_pid=$!

sample() { # elapsed-seconds service pid
    local rss fds
    rss=$(awk '/^VmRSS:/ {r=$2} /^RssAnon:/ {a=$2} END {print r+0, a+0}' "/proc/$3/status" 2>/dev/null || echo 0 0)
    fds=$(find "/proc/$3/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    socks=$(find "/proc/$3/fd" -mindepth 1 -maxdepth 1 -lname 'socket:*' 2>/dev/null | wc -l)
    dbs=$(find "/proc/$3/fd" -mindepth 1 -maxdepth 1 -lname '*.db*' 2>/dev/null | wc -l)
    echo "$1 $2 $3 $rss $fds $socks $dbs" >>"$work/samples.txt"
}
fault() { # minute elapsed-seconds
    if (($1 == 3)); then
        echo "$2 restart-auth" >>"$work/faults.txt"
        kill -TERM "$auth_pid"; wait "$auth_pid" || true; start_auth
    elif (($1 % 2 == 1)); then
        echo "$2 freeze-auth-10s" >>"$work/faults.txt"
        kill -STOP "$auth_pid"; sleep 10; kill -CONT "$auth_pid"
    else
        echo "$2 freeze-jobs-5s" >>"$work/faults.txt"
        kill -STOP "$jobs_pid"; sleep 5; kill -CONT "$jobs_pid"
    fi
}

start=$SECONDS
next_fault=60
while kill -0 "$bench_pid" 2>/dev/null; do
    elapsed=$((SECONDS - start))
    sample "$elapsed" auth "$auth_pid"
    sample "$elapsed" jobs "$jobs_pid"
    if ((elapsed >= next_fault && elapsed < minutes * 60)); then
        fault $((next_fault / 60)) "$elapsed"
        next_fault=$((next_fault + 60))
    fi
    sleep 10
done
wait "$bench_pid" || { cat "$work/bench.log" >&2; exit 1; }
# What each process holds open at the end, for the report.
for service in auth jobs; do
    pid_var=${service}_pid
    find "/proc/${!pid_var}/fd" -mindepth 1 -maxdepth 1 -printf '%l\n' 2>/dev/null >"$work/$service-fds.txt" || true
done

python3 - "$work" "$out" "$minutes" "$rate" <<'EOF'
import json, sys, datetime, platform, os
work, out, minutes, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
report = json.load(open(f"{work}/mixed.json"))
latency = report["latency_ms"]
samples = [line.split() for line in open(f"{work}/samples.txt")]
faults = [line.split() for line in open(f"{work}/faults.txt")]
expected = {"Unavailable", "DeadlineExceeded", "Cancelled", "Unauthenticated"}
unexpected = {code: n for code, n in report["errors"].items() if code not in expected}
lines = [
    "# Soak test",
    "",
    f"`{'SOAK_SERVICE_BIN_DIR=' + os.environ['SOAK_SERVICE_BIN_DIR'] + ' ' if os.environ.get('SOAK_SERVICE_BIN_DIR') else ''}"
    f"SOAK_MINUTES={minutes} SOAK_RATE={rate} scripts/soak.sh`, run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC "
    f"on {os.cpu_count()} cores ({platform.machine()}), release binaries, SQLite, production argon2 costs.",
    "The mixed workload (bench/src/workloads/mixed.rs) paced open-loop, 8 calls in flight at most, 2 s deadline;",
    "a fault every minute: auth-service frozen 10 s and jobs-service frozen 5 s in turn, the auth-service restarted at minute 3.",
    "Each process's first 4 minutes are its warm-up (a fault of each kind, then a minute); growth is measured from there to its last sample.",
    "",
    "## Calls",
    "",
    f"{report['requests']} calls, {report['throughput_rps']:.0f}/s; p50 {latency['p50'] or 0:.2f} ms, "
    f"p99 {latency['p99'] or 0:.2f} ms, max {latency['max']:.0f} ms.",
    "",
    "| code | calls | expected |",
    "| --- | ---: | --- |",
]
for code, n in sorted(report["errors"].items()):
    lines.append(f"| {code} | {n} | {'yes' if code in expected else '**no**'} |")
if not report["errors"]:
    lines.append("| (none) | 0 | |")
lines += ["", "Faults injected (second of the run, fault):", ""]
lines += [f"- {t} s: {name}" for t, name in faults]
verdicts = []
for service in ("auth", "jobs"):
    rows = [(int(t), int(pid), int(rss), int(anon), int(fds), int(socks), int(dbs))
            for t, s, pid, rss, anon, fds, socks, dbs in samples if s == service]
    lines += ["", f"## {service}-service: resident memory and open descriptors", "",
              "| second | pid | RSS (MiB) | of which anonymous (MiB) | fds | of which sockets | of which the database's |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for t, pid, rss, anon, fds, socks, dbs in rows:
        if t % 60 < 10 or t == rows[-1][0]:
            lines.append(f"| {t} | {pid} | {rss / 1024:.1f} | {anon / 1024:.1f} | {fds} | {socks} | {dbs} |")
    # Growth within one process, from the end of its warm-up (its first
    # 4 minutes) to its last sample.
    born, by_pid = {}, {}
    for t, pid, rss, anon, fds, socks, dbs in rows:
        born.setdefault(pid, t)
        if t >= born[pid] + 240:
            # The database's descriptors are not leak candidates: the pool
            # opens connections on demand up to its size, each holding the
            # database and its WAL, so they rise to a bound and stay.
            by_pid.setdefault(pid, []).append((t, rss, fds - dbs))
    held = {}
    for target in open(f"{work}/{service}-fds.txt").read().split():
        kind = "socket" if target.startswith("socket:") else os.path.basename(target)
        held[kind] = held.get(kind, 0) + 1
    lines += ["", "Open at the end: " + ", ".join(f"{kind} × {n}" for kind, n in sorted(held.items())) + "."]
    for pid, points in by_pid.items():
        if len(points) < 6:
            continue
        first, last = points[0], points[-1]
        growth = (last[1] - first[1]) / first[1] * 100
        fd_growth = last[2] - first[2]
        ok = growth < 10 and fd_growth <= 2
        verdicts.append(ok)
        lines.append("")
        lines.append(f"pid {pid}, {first[0]} s → {last[0]} s: RSS {first[1]/1024:.1f} → {last[1]/1024:.1f} MiB "
                     f"({growth:+.1f} %), fds other than the database's {first[2]} → {last[2]}: "
                     f"{'ok' if ok else '**growth**'}")
lines += ["", "## Verdict", "",
          "unexpected codes: " + (", ".join(f"{c}={n}" for c, n in unexpected.items()) or "none") + "; "
          + ("memory and descriptors steady" if all(verdicts) else "**memory or descriptors grew**"), ""]
open(out, "w").write("\n".join(lines))
print("\n".join(lines))
sys.exit(0 if not unexpected and all(verdicts) else 1)
EOF
