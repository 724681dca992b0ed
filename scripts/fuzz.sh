#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a while and fails on any crash.
#
#   FUZZ_SECONDS=60 scripts/fuzz.sh [TARGET...]
#
# Each target (default: all of them) runs for FUZZ_SECONDS (default 60) from
# its committed seeds (fuzz/corpus/<target>, read only) plus a working corpus
# kept under the fuzz target directory, so runs on one machine build on each
# other. Prints the executions of each target from libFuzzer's final stats.
# A crash leaves its input in fuzz/artifacts/<target>/ and fails the script;
# libFuzzer's full output per target stays in $FUZZ_TARGET_DIR/logs/.
# The fuzz crate's own tests (the token oracle and the seeds agree with the
# verifier): cargo test --manifest-path fuzz/Cargo.toml --lib
#
# cargo-fuzz needs a nightly toolchain (sanitizer-coverage flags). Without
# one the script says so and exits 0; without cargo-fuzz it installs it into
# /var/tmp/jobsearch-tools/cargo (kept across CI runs on one machine).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
started=$SECONDS
seconds=${FUZZ_SECONDS:-60}

# fuzz/ is outside the workspace, so `cargo fmt --all` in CI never sees it.
cargo fmt --manifest-path fuzz/Cargo.toml --check

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz: SKIPPED: no nightly Rust toolchain here (cargo-fuzz needs one);"
    echo "      'rustup toolchain install nightly' and rerun to fuzz"
    exit 0
fi

# Pinned, like cargo-deny: a newer cargo-fuzz may change flags or defaults.
fuzz_version=${CARGO_FUZZ_VERSION:-0.13.2}
tools=${JOBSEARCH_CARGO_TOOLS:-/var/tmp/jobsearch-tools/cargo}
export PATH="$tools/bin:$PATH"
installed=$(cargo-fuzz --version 2>/dev/null || true)
if [[ "$installed" != "cargo-fuzz $fuzz_version" ]]; then
    echo "cargo-fuzz $fuzz_version missing (found: ${installed:-none}): cargo install into $tools"
    # A temporary build directory, not CI's CARGO_TARGET_DIR: the tool's
    # release build would only take space there.
    env -u CARGO_TARGET_DIR cargo install --locked --quiet cargo-fuzz --version "$fuzz_version" --root "$tools"
fi

# Its own target directory: the instrumented builds share nothing with the
# workspace's, and would otherwise evict them.
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-/var/tmp/jobsearch-fuzz-target}
# No sanitizer: every crate of ours forbids unsafe code, so AddressSanitizer
# would mostly slow each run down (about 2x); what fuzzing can find here is
# panics, including integer overflow, which debug assertions turn on.
build_flags=(--sanitizer none --debug-assertions)
echo "$(cargo +nightly --version); $(cargo-fuzz --version); CARGO_TARGET_DIR=$CARGO_TARGET_DIR"

if (($# > 0)); then
    targets=("$@")
else
    mapfile -t targets < <(cd fuzz && cargo +nightly fuzz list)
fi

echo "--- cargo +nightly fuzz build (${targets[*]})"
build_start=$SECONDS
(cd fuzz && cargo +nightly fuzz build "${build_flags[@]}")
echo "built in $((SECONDS - build_start))s"

# libFuzzer's full output per target, kept for a look after a failure.
logs="$CARGO_TARGET_DIR/logs"
mkdir -p "$logs"
failed=()
summary=()
for target in "${targets[@]}"; do
    echo "--- fuzz $target for ${seconds}s"
    work="$CARGO_TARGET_DIR/corpus/$target"
    mkdir -p "$work"
    # New inputs go to the first corpus directory, the working one; the
    # committed seeds are only read.
    if (cd fuzz && cargo +nightly fuzz run "${build_flags[@]}" "$target" \
        "$work" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -print_final_stats=1) >"$logs/$target" 2>&1; then
        status=ok
    else
        status=FAILED
        failed+=("$target")
        # The panic, the input's location and how to replay it, without
        # libFuzzer's progress lines or cargo-fuzz's own backtrace.
        grep -v -e '^#' -e '^INFO:' -e '^WARNING: Failed to find' -e '^stat::' "$logs/$target" |
            sed '/^Stack backtrace:/,$d' | tail -60
        echo "(full log: $logs/$target)"
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$target" | tail -1)
    corpus=$(find "$work" -type f | wc -l)
    summary+=("$(printf '%-14s %-8s %12s executions  %5s inputs in working corpus' \
        "$target" "$status" "${runs:-?}" "$corpus")")
done

echo "--- fuzz summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
echo "scripts/fuzz.sh took $((SECONDS - started))s"
if ((${#failed[@]} > 0)); then
    echo "fuzz: FAILED: ${failed[*]} (a crash leaves its input in fuzz/artifacts/<target>/)" >&2
    exit 1
fi
