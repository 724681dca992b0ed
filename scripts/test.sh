#!/usr/bin/env bash
# The project's test command.
#
#   scripts/test.sh [TEST-ARGS...]
#
# 1. Makes a PostgreSQL server available: uses $TEST_POSTGRES_URL if set (an
#    admin URL; the tests create one database per test on it), otherwise starts
#    a throwaway cluster with scripts/pg-ephemeral.sh and removes it on exit.
# 2. TEST_DATABASE=sqlite   cargo test --workspace --all-targets
# 3. TEST_DATABASE=postgres cargo test --workspace --test api
#
# TEST-ARGS, if any, are passed to both test runs after `--` (e.g. name filters,
# or --nocapture); phase 1 then leaves out the benchmarks (criterion, run once
# each as tests otherwise), whose command line takes one filter at most.
# Cargo gets --locked when CARGO_LOCKED=1 or CI is set.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root=$(pwd)
script_start=$SECONDS

banner() {
    printf '\n==== [%s] %s ====\n' "$(date '+%H:%M:%S')" "$*"
}

cargo_flags=()
if [[ "${CARGO_LOCKED:-}" == 1 ]] || [[ -n "${CI:-}" && "${CI}" != false && "${CI}" != 0 ]]; then
    cargo_flags+=(--locked)
fi
test_args=()
targets=(--all-targets)
if (($# > 0)); then
    test_args=(-- "$@")
    targets=(--lib --bins --tests --examples)
fi

pg_dir=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n "$pg_dir" ]]; then
        banner "Stopping ephemeral PostgreSQL"
        bash "$repo_root/scripts/pg-ephemeral.sh" stop "$pg_dir" ||
            echo "test.sh: warning: could not stop/remove ephemeral PostgreSQL in $pg_dir" >&2
    fi
    if ((rc == 0)); then
        banner "All test phases passed ($((SECONDS - script_start))s)"
    else
        banner "FAILED with exit code $rc ($((SECONDS - script_start))s)"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -n "${TEST_POSTGRES_URL:-}" ]]; then
    # Hide a password, if any, in what is printed.
    banner "Using PostgreSQL at TEST_POSTGRES_URL=$(printf '%s' "$TEST_POSTGRES_URL" | sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#')"
else
    if ! bash "$repo_root/scripts/pg-ephemeral.sh" check >/dev/null 2>&1; then
        cat >&2 <<'EOF'
test.sh: error: PostgreSQL is needed for the TEST_DATABASE=postgres tests, but its
server binaries (initdb, pg_ctl, postgres) are not installed and TEST_POSTGRES_URL
is not set. Either:
  - install them:   apt-get install postgresql   (test.sh then starts a throwaway
                    cluster of its own; no system service is used), or
  - point the tests at a server you run, with an admin URL:
                    TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres scripts/test.sh
EOF
        exit 1
    fi
    banner "Starting ephemeral PostgreSQL"
    pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/pg-test.XXXXXX")
    TEST_POSTGRES_URL=$(bash "$repo_root/scripts/pg-ephemeral.sh" start "$pg_dir")
fi
export TEST_POSTGRES_URL

run_phase() {
    local title=$1 db=$2
    shift 2
    banner "$title: TEST_DATABASE=$db cargo $*"
    TEST_DATABASE=$db cargo "$@"
}
run_phase "Phase 1/2" sqlite test "${cargo_flags[@]}" --workspace "${targets[@]}" "${test_args[@]}"
run_phase "Phase 2/2" postgres test "${cargo_flags[@]}" --workspace --test api "${test_args[@]}"
