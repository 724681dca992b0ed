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

source scripts/lib/services.sh
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

services_env "$bin/auth-service" "$work"
services_start "$bin" "$work" "$bin/probe"

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
