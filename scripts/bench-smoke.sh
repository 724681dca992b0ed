#!/usr/bin/env bash
# Smoke test of the load tool, so it cannot rot: starts both services on free
# ports with a throwaway SQLite data folder, seeds a little data, runs every
# workload of `bench` for about a second (the depth ones also over a small
# `seed-depth` user), the login storm, the argon2 and
# start-up probes and the report renderer, and fails on any failed call
# (bench exits 1 when a call fails). Not a benchmark: the figures mean nothing.
#
# Env: BENCH_SMOKE_PROFILE (release, the default, or dev) picks the binaries.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

profile=${BENCH_SMOKE_PROFILE:-release}
cargo_flags=()
[[ "${CARGO_LOCKED:-}" == 1 ]] && cargo_flags+=(--locked)
cargo build "${cargo_flags[@]}" --profile "$profile" -p auth-service -p jobs-service -p probe -p bench
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
[[ "$profile" == dev ]] && bin=$target_dir/debug || bin=$target_dir/$profile

source scripts/lib/services.sh
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "bench-smoke: FAILED: $*" >&2
    tail -n 20 "$work"/*.log >&2 || true
    exit 1
}

services_env "$bin/auth-service" "$work"
# Cheap argon2 parameters keep logins (and the seeding) fast here.
export AUTH_ARGON2_MEMORY_KIB=1024 AUTH_ARGON2_ITERATIONS=1
services_start "$bin" "$work" "$bin/probe" || fail "the services never became SERVING"
bench=("$bin/bench")
common=(--users 3 -c 4 --connections 2 -d 1s --warmup 300ms)
"${bench[@]}" seed --users 3 --postings 20 || fail "seed"
mkdir -p "$work/results"
for workload in $("${bench[@]}" workloads | cut -d' ' -f1); do
    "${bench[@]}" run "$workload" "${common[@]}" --json "$work/results/ours-$workload.json" ||
        fail "workload $workload"
done
# The depth seeder, and the depth workloads over its (small) user.
"${bench[@]}" seed-depth --prefix depth --users 1 --postings 40 --contacts 10 --interviews 3 -c 4 ||
    fail "seed-depth"
for workload in analytics list-due search; do
    "${bench[@]}" run "$workload" --prefix depth --users 1 -c 4 --connections 2 -d 1s --warmup 200ms ||
        fail "workload $workload over the depth seed"
done
"${bench[@]}" run list-postings --users 3 -c 2 --connections 1 -n 50 --warmup 0s --rate 200 ||
    fail "a paced run of a fixed number of calls"
"${bench[@]}" login-storm --users 3 --login-concurrency 4 --list-concurrency 2 --list-rate 50 \
    -d 1s --warmup 300ms --json "$work/results/ours-storm.json" || fail "login-storm"
"${bench[@]}" argon2 --samples 2 --json "$work/results/argon2.json" || fail "argon2"
"${bench[@]}" grpc-body list-postings "$work/body" || fail "grpc-body"
[[ $(od -An -tx1 "$work/body" | tr -d ' \n') == 00000000020832 ]] || fail "the list request body is not framed as expected"
"${bench[@]}" token "$work/token" || fail "token"
[[ $(stat -c %a "$work/token") == 600 ]] || fail "the token file is readable by others"
# A second jobs-service on the same data, started and stopped by the probe.
spare=127.0.0.1:$(free_port)
"${bench[@]}" startup --addr "$spare" --service jobsearch.jobs.v1.JobsService --runs 1 --idle 100ms \
    --json "$work/results/startup-jobs.json" -- env JOBS_LISTEN_ADDR="$spare" "$bin/jobs-service" || fail "startup"
"${bench[@]}" report "$work/results" "$work/benchmarks.md" || fail "report"
grep -q '^## Targets' "$work/benchmarks.md" || fail "the report has no targets table"
echo "bench-smoke: passed"
