#!/usr/bin/env bash
# Runs the whole local system with zero setup: builds both services in
# release mode and starts them (Ctrl-C stops both). Data (SQLite files, the
# generated development signing and encryption keys) goes to ./data.
#
#   auth-service  127.0.0.1:50051   (AUTH_* variables)
#   jobs-service  127.0.0.1:50052   (JOBS_* variables; fetches the auth-service's keys
#                                    and follows its revocation feed)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build --release -p auth-service -p jobs-service
bin=${CARGO_TARGET_DIR:-target}/release

export AUTH_DATA_DIR=${AUTH_DATA_DIR:-data/auth}
export JOBS_DATA_DIR=${JOBS_DATA_DIR:-data/jobs}

# The jobs-service follows the auth-service's revocation feed as a service
# client. Make its credentials once (a random secret, and its argon2 hash for
# the auth-service) and keep them with the rest of the development data.
credentials=data/service-client.env
if [[ ! -f $credentials ]]; then
    mkdir -p data
    secret=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
    hash=$(printf '%s\n' "$secret" | "$bin/auth-service" hash-client-secret)
    (
        umask 077
        printf "JOBS_SERVICE_CLIENT_SECRET='%s'\nAUTH_SERVICE_CLIENTS='jobs-service:%s'\n" "$secret" "$hash" >"$credentials"
    )
fi
set -a
# shellcheck source=/dev/null
. "$credentials"
set +a

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
