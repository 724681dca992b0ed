#!/usr/bin/env bash
# Issue 9's tracker-depth figures (docs/benchmarks-depth.md): starts both
# services (release, SQLite, a throwaway data folder, as scripts/run.sh
# does), seeds one user with 2,000 postings through the public RPCs, drives
# GetAnalytics, ListDue and SearchJobPostings at 16 calls in flight, then
# adds the 10,000-posting stress user beside it and drives them again.
#
# Env: DEPTH_DURATION (10s), DEPTH_STRESS (1; 0 skips the stress case),
# DEPTH_OUT (a folder for the JSON results; default a temporary one, kept),
# DEPTH_KEEP (set: keep the services' data folder, to look at the plans).
# Not part of the test command: the figures are measurements, not checks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

duration=${DEPTH_DURATION:-10s}
cargo_flags=()
[[ "${CARGO_LOCKED:-}" == 1 ]] && cargo_flags+=(--locked)
cargo build "${cargo_flags[@]}" --release -p auth-service -p jobs-service -p probe -p bench
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin=$target_dir/release

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
work=$(mktemp -d)
out=${DEPTH_OUT:-$(mktemp -d)}
mkdir -p "$out"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    [[ -n "${DEPTH_KEEP:-}" ]] && echo "bench-depth: data kept in $work" || rm -rf "$work"
}
trap cleanup EXIT

auth_addr=127.0.0.1:$(free_port)
jobs_addr=127.0.0.1:$(free_port)
secret=depth-secret-$RANDOM$RANDOM
hash=$(printf '%s\n' "$secret" | AUTH_DATA_DIR=$work/auth "$bin/auth-service" hash-client-secret)
export AUTH_ADMIN_LISTEN_ADDR=off JOBS_ADMIN_LISTEN_ADDR=off
export AUTH_LISTEN_ADDR=$auth_addr AUTH_DATA_DIR=$work/auth AUTH_SERVICE_CLIENTS="jobs-service:$hash"
export JOBS_LISTEN_ADDR=$jobs_addr JOBS_DATA_DIR=$work/jobs JOBS_AUTH_URL=http://$auth_addr JOBS_SERVICE_CLIENT_SECRET=$secret
"$bin/auth-service" serve >"$work/auth.log" 2>&1 &
pids+=($!)
"$bin/jobs-service" >"$work/jobs.log" 2>&1 &
pids+=($!)
for addr in "$auth_addr" "$jobs_addr"; do
    for _ in $(seq 200); do "$bin/probe" "$addr" 2>/dev/null && break || sleep 0.05; done
done
export BENCH_AUTH_URL=http://$auth_addr BENCH_JOBS_URL=http://$jobs_addr

drive() { # drive PREFIX
    echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    for workload in analytics list-due search; do
        "$bin/bench" run "$workload" --prefix "$1" --users 1 -c 16 --connections 4 \
            -d "$duration" --warmup 2s --json "$out/$1-$workload.json"
    done
}

"$bin/bench" seed-depth --prefix depth --users 1
drive depth
if [[ "${DEPTH_STRESS:-1}" != 0 ]]; then
    "$bin/bench" seed-depth --prefix stress --users 1 --postings 10000
    drive stress
    echo "the 2,000-posting user beside the stress user:"
    drive depth
fi
echo "bench-depth: results in $out"
