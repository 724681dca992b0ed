#!/usr/bin/env bash
# Runs the whole local system with zero setup: builds the services in
# release mode and starts them in the foreground (Ctrl-C stops everything).
# Data (SQLite files, the generated development signing key) goes to ./data.
#
# Today the system is the auth-service on 127.0.0.1:50051; the jobs-service
# joins it here when it is built.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build --release --bin auth-service
target_dir=${CARGO_TARGET_DIR:-target}

export AUTH_DATA_DIR=${AUTH_DATA_DIR:-data/auth}
exec "$target_dir/release/auth-service" serve
