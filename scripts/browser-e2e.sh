#!/usr/bin/env bash
# The browser proof of grpc-web with CORS: builds the release binaries and the
# web page (web/: npm ci, buf generate, tsc, esbuild), starts both services on
# free ports with temporary data and one allowed origin, and runs
# web/e2e/run.mjs, which drives Chromium through the page from that origin and
# from a second one that CORS must refuse. Needs node/npm and /usr/bin/chromium
# (or CHROMIUM=...); `bash .ci/run` installs both if missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo_flags=()
[[ "${CARGO_LOCKED:-}" == 1 ]] && cargo_flags+=(--locked)
cargo build "${cargo_flags[@]}" --release -p auth-service -p jobs-service
bin=${CARGO_TARGET_DIR:-target}/release
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[[ -x $CHROMIUM ]] || {
    echo "browser-e2e: no Chromium at $CHROMIUM (apt-get install chromium)" >&2
    exit 1
}

# npm's cache (~/.npm) makes repeated installs offline and fast.
(cd web && npm ci --prefer-offline --no-audit --no-fund && npm run build)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
auth_addr=127.0.0.1:$(free_port)
jobs_addr=127.0.0.1:$(free_port)
WEB_PORT=$(free_port)
OTHER_PORT=$(free_port)
origin=http://127.0.0.1:$WEB_PORT # the only origin the services allow
data=$(mktemp -d)

# Service-client credentials for the revocation feed, made with the CLI.
secret=browser-e2e-client-secret-$RANDOM$RANDOM
hash=$(printf '%s\n' "$secret" | AUTH_DATA_DIR=$data/auth "$bin/auth-service" hash-client-secret)
# No admin (/metrics) ports: a local scripts/run.sh may hold the default ones.
AUTH_LISTEN_ADDR=$auth_addr AUTH_DATA_DIR=$data/auth AUTH_SERVICE_CLIENTS="jobs-service:$hash" \
    AUTH_CORS_ALLOWED_ORIGINS=$origin AUTH_ADMIN_LISTEN_ADDR=off "$bin/auth-service" >"$data/auth.log" 2>&1 &
auth_pid=$!
JOBS_LISTEN_ADDR=$jobs_addr JOBS_DATA_DIR=$data/jobs JOBS_AUTH_URL=http://$auth_addr \
    JOBS_SERVICE_CLIENT_SECRET=$secret JOBS_CORS_ALLOWED_ORIGINS=$origin JOBS_ADMIN_LISTEN_ADDR=off \
    "$bin/jobs-service" >"$data/jobs.log" 2>&1 &
jobs_pid=$!
cleanup() {
    kill "$auth_pid" "$jobs_pid" 2>/dev/null || true
    wait "$auth_pid" "$jobs_pid" 2>/dev/null || true
    rm -rf "$data"
}
trap cleanup EXIT

if ! AUTH_URL=http://$auth_addr JOBS_URL=http://$jobs_addr WEB_PORT=$WEB_PORT OTHER_PORT=$OTHER_PORT \
    node web/e2e/run.mjs; then
    echo "browser-e2e: FAILED" >&2
    echo "--- auth-service log ---" >&2
    cat "$data/auth.log" >&2
    echo "--- jobs-service log ---" >&2
    cat "$data/jobs.log" >&2
    exit 1
fi
