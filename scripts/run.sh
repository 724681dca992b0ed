#!/usr/bin/env bash
# Runs the whole local system with zero setup: builds both services in
# release mode and starts them (Ctrl-C stops both). Data (SQLite files, the
# generated development signing and encryption keys) goes to ./data.
#
#   auth-service  127.0.0.1:50051   (AUTH_* variables)
#   jobs-service  127.0.0.1:50052   (JOBS_* variables; fetches the auth-service's keys)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build --release -p auth-service -p jobs-service
bin=${CARGO_TARGET_DIR:-target}/release

export AUTH_DATA_DIR=${AUTH_DATA_DIR:-data/auth}
export JOBS_DATA_DIR=${JOBS_DATA_DIR:-data/jobs}

pids=()
stop() {
    trap - EXIT INT TERM
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
}
trap stop EXIT INT TERM

"$bin/auth-service" serve &
pids+=($!)
"$bin/jobs-service" &
pids+=($!)

# Stop everything as soon as either service exits.
wait -n "${pids[@]}"
