#!/usr/bin/env bash
# Reproduces docs/benchmarks.md from scratch, in one go on this machine:
#   1. builds the release binaries (auth-service, jobs-service, probe, bench);
#   2. installs wrk and h2load if missing (Debian packages wrk, nghttp2-client);
#   3. sets up the Django baseline (its setup.sh: a venv from PyPI, migrations)
#      in $BENCH_HOME/baseline, seeds it (seed.sh) and starts it under gunicorn;
#   4. starts both services as scripts/run.sh does (SQLite, development keys,
#      the revocation feed) on free ports, and seeds them alike (bench seed);
#   5. drives each workload on both sides at the same concurrency, interleaved
#      (ours with `bench`, the baseline with wrk + bench/baseline/baseline.lua),
#      cross-checks `bench` against h2load, times one argon2id verify, the
#      login storm, start-up and idle memory;
#   6. writes docs/benchmarks.md (bench report) from $BENCH_HOME/results.
#
# Env: BENCH_HOME (/var/tmp/jobsearch-bench), BENCH_DURATION (10s), BENCH_WARMUP
# (2s), BENCH_CONCURRENCY (16 calls in flight), BENCH_CONNECTIONS (4 HTTP/2
# connections), BENCH_USERS (10), BASELINE_DIR (the django-seed folder),
# BENCH_OUT (docs/benchmarks.md). Everything listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
started=$SECONDS

duration=${BENCH_DURATION:-10s}
warmup=${BENCH_WARMUP:-2s}
concurrency=${BENCH_CONCURRENCY:-16}
connections=${BENCH_CONNECTIONS:-4}
users=${BENCH_USERS:-10}
work=${BENCH_HOME:-/var/tmp/jobsearch-bench}
out=$work/results
doc=${BENCH_OUT:-docs/benchmarks.md}
seconds() { local d=$1; d=${d%s}; echo "$d"; }

baseline=${BASELINE_DIR:-}
for candidate in "$root/../shared/baselines/django-seed" "$root/../../shared/baselines/django-seed"; do
    [[ -z "$baseline" && -f "$candidate/setup.sh" ]] && baseline=$(cd "$candidate" && pwd)
done
[[ -n "$baseline" ]] || { echo "benchmarks: set BASELINE_DIR to the django-seed folder" >&2; exit 2; }

# --- tools -------------------------------------------------------------------
if ! command -v wrk >/dev/null || ! command -v h2load >/dev/null; then
    sudo_cmd=()
    [[ $EUID -ne 0 ]] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get install -o DPkg::Lock::Timeout=300 -y wrk nghttp2-client ||
        { "${sudo_cmd[@]}" apt-get update -o DPkg::Lock::Timeout=300 &&
            "${sudo_cmd[@]}" apt-get install -o DPkg::Lock::Timeout=300 -y wrk nghttp2-client; }
fi

cargo_flags=()
[[ "${CARGO_LOCKED:-}" == 1 ]] && cargo_flags+=(--locked)
cargo build "${cargo_flags[@]}" --release -p auth-service -p jobs-service -p probe -p bench
# Where cargo put them (CARGO_TARGET_DIR, a config file or a wrapper may move it).
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin=$target_dir/release
bench=$bin/bench

rm -rf "$out" "$work/data"
mkdir -p "$out" "$work/data"
commands=$out/commands.txt
: >"$commands"
# Runs a command after recording it; the access token h2load sends is
# recorded as the file it came from, never as itself.
token_value=never-matches
run() {
    local line
    line=$(printf '%q ' "$@")
    line=${line//$token_value/\$(cat \$BENCH_HOME/token)}
    line=${line//$work/\$BENCH_HOME}
    printf '%s\n' "${line//$root\//}" >>"$commands"
    "$@"
}
# Records what runs without going through run() (servers, backgrounded loads).
note() { printf '# %s\n' "$*" >>"$commands"; }
source scripts/lib/services.sh

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# --- the baseline --------------------------------------------------------------
export BASELINE_HOME=$work/baseline
mkdir -p "$BASELINE_HOME"
rm -f "$BASELINE_HOME/db.sqlite3"
run "$baseline/setup.sh"
run "$baseline/seed.sh" --users "$users"
base_port=$(free_port)
base_url=http://127.0.0.1:$base_port
note "baseline: $baseline/run.sh $base_port (gunicorn, 2 sync workers), in the background"
"$baseline/run.sh" "$base_port" >"$work/baseline.log" 2>&1 &
base_pid=$!
pids+=("$base_pid")
for _ in $(seq 100); do
    curl -s -o /dev/null "$base_url/api/me/" && break
    sleep 0.1
done

# --- our services, as scripts/run.sh starts them ----------------------------------
services_env "$bin/auth-service" "$work/data"
start_services() { services_start "$bin" "$work" "$bin/probe"; }
stop_services() {
    kill -TERM "$auth_pid" "$jobs_pid"
    wait "$auth_pid" "$jobs_pid" 2>/dev/null || true
}
note "services: auth-service serve and jobs-service as scripts/run.sh starts them, with AUTH_LISTEN_ADDR, AUTH_DATA_DIR, AUTH_SERVICE_CLIENTS, JOBS_LISTEN_ADDR, JOBS_DATA_DIR, JOBS_AUTH_URL, JOBS_SERVICE_CLIENT_SECRET set (free ports, \$BENCH_HOME/data)"
note "each wrk run below follows an unrecorded ${warmup} warm-up run of the same wrk command"
start_services
run "$bench" seed --users "$users"

# --- the measurements -------------------------------------------------------------
run python3 bench/baseline/fixture.py "$base_url" "$users" bench "$work/fixture.lua"
export BENCH_FIXTURE=$work/fixture.lua

ours() { # ours NAME [bench run args...]
    local name=$1
    shift
    run "$bench" run "$name" -c "$concurrency" --connections "$connections" -d "$duration" --warmup "$warmup" \
        --users "$users" --json "$out/ours-$name.json" "$@"
}
theirs() { # theirs NAME [wrk args...]
    local name=$1
    shift
    # wrk has no warm-up: a short unrecorded run first.
    BENCH_OP=$name wrk -t2 -c"$concurrency" -d"$(seconds "$warmup")s" -s bench/baseline/baseline.lua "$base_url" >/dev/null
    run env BENCH_OP="$name" wrk -t2 -c"$concurrency" -d"$(seconds "$duration")s" --timeout 30s "$@" \
        -s bench/baseline/baseline.lua "$base_url" | tee "$out/wrk-$name.txt"
    grep '^BENCH_JSON ' "$out/wrk-$name.txt" | sed 's/^BENCH_JSON //' >"$out/base-$name.json"
}
h2() { # h2 NAME URL_PATH
    local name=$1 path=$2
    run "$bench" grpc-body "$name" "$work/$name.body"
    run h2load -t2 -c"$connections" -m$((concurrency / connections)) -D "$(seconds "$duration")" \
        --warm-up-time="$(seconds "$warmup")" -d "$work/$name.body" \
        -H 'content-type: application/grpc' -H 'te: trailers' -H "authorization: $(cat "$work/token")" \
        "http://$jobs_addr$path" | tee "$out/h2load-$name.txt"
}

{
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
    echo "cores=$(nproc)"
    echo "memory=$(free -g | awk '/^Mem:/ {print $2}') GiB"
    echo "kernel=$(uname -sr)"
    echo "rustc=$(rustc --version)"
    echo "commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!docs/benchmarks.md' || echo ' (with uncommitted changes)')"
    echo "wrk=$(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
    echo "h2load=$(h2load --version | head -1)"
    echo "python=$("$BASELINE_HOME/venv/bin/python" --version)"
    echo "settings=$concurrency calls in flight (wrk: $concurrency connections, 2 threads; bench and h2load: $connections HTTP/2 connections, 2 threads); $warmup warm-up, $duration measured; $users users × 3 sites × 50 postings"
    echo "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/meta.env"

ours health
ours get-site
ours list-postings
theirs list-postings
run "$bench" token "$work/token"
token_value=$(cat "$work/token")
token_value=${token_value#Bearer }
h2 health /grpc.health.v1.Health/Check
h2 list-postings /jobsearch.jobs.v1.JobsService/ListJobPostings
ours get-posting
theirs get-posting
ours get-me
theirs get-me
run "$bench" argon2 --samples 20 --json "$out/argon2.json"
ours login
theirs login
sleep 5 # the baseline works off its queued logins
run "$bench" login-storm --users "$users" --connections "$connections" -d "$duration" --warmup "$warmup" \
    --json "$out/ours-storm.json"
# The baseline's storm: wrk logins and wrk list reads at once.
note "the next two run at once (the first in the background)"
run env BENCH_OP=login wrk -t1 -c"$concurrency" -d"$(seconds "$duration")s" --timeout 30s -s bench/baseline/baseline.lua "$base_url" \
    >"$out/wrk-storm-login.txt" &
storm_pid=$!
sleep 1
run env BENCH_OP=list-postings wrk -t1 -c4 -d"$(($(seconds "$duration") - 1))s" --timeout 30s -s bench/baseline/baseline.lua "$base_url" |
    tee "$out/wrk-storm-list.txt"
wait "$storm_pid"
grep '^BENCH_JSON ' "$out/wrk-storm-list.txt" | sed 's/^BENCH_JSON //' >"$out/base-storm-list.json"
grep '^BENCH_JSON ' "$out/wrk-storm-login.txt" | sed 's/^BENCH_JSON //' >"$out/base-storm-login.json"
sleep 5
ours refresh
theirs refresh
ours mixed
theirs mixed
ours create-posting
theirs create-posting

# Start-up and idle memory, with the databases the runs above filled.
stop_services
run "$bench" startup --addr "$auth_addr" --service jobsearch.auth.v1.AuthService --json "$out/startup-auth.json" \
    -- "$bin/auth-service" serve
"$bin/auth-service" serve >>"$work/auth.log" 2>&1 &
auth_pid=$!
pids+=("$auth_pid")
wait_serving "$bin/probe" "$auth_addr"
run "$bench" startup --addr "$jobs_addr" --service jobsearch.jobs.v1.JobsService --json "$out/startup-jobs.json" \
    -- "$bin/jobs-service"
kill -TERM "$auth_pid" "$base_pid"
wait "$auth_pid" "$base_pid" 2>/dev/null || true

{
    echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "runtime=$((SECONDS - started)) s"
} >>"$out/meta.env"
run "$bench" report "$out" "$doc" --notes bench/NOTES.md
echo "benchmarks: done in $((SECONDS - started)) s; results in $out"
