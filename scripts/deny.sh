#!/usr/bin/env bash
# Dependency policy (deny.toml): licences, duplicate versions and sources of
# every crate in the workspace and in the fuzz/ crate, checked by cargo-deny.
#
#   scripts/deny.sh
#
# Installs cargo-deny into /var/tmp/jobsearch-tools/cargo when missing (kept
# across CI runs on one machine, like the other tools). Needs the crate
# registry only: `cargo fetch` fills the cache, then cargo-deny runs offline.
# The vulnerability audit (`advisories`) needs the RustSec database, which
# lives on GitHub and is unreachable here, so it is skipped and said so; see
# docs/dependency-policy.md for how operators with internet run it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
started=$SECONDS

# Pinned: the deny.toml format follows cargo-deny's releases.
deny_version=${CARGO_DENY_VERSION:-0.20.2}
tools=${JOBSEARCH_CARGO_TOOLS:-/var/tmp/jobsearch-tools/cargo}
export PATH="$tools/bin:$PATH"

installed=$(cargo-deny --version 2>/dev/null || true)
if [[ "$installed" != "cargo-deny $deny_version" ]]; then
    echo "cargo-deny $deny_version missing (found: ${installed:-none}): cargo install into $tools"
    # A temporary build directory, not CI's CARGO_TARGET_DIR: the tool's
    # release build would only take space there.
    env -u CARGO_TARGET_DIR cargo install --locked --quiet cargo-deny --version "$deny_version" --root "$tools"
fi
cargo-deny --version

# The fuzz crate has its own lockfile and dependencies (libfuzzer-sys), which
# ship with the repository too.
for manifest in Cargo.toml fuzz/Cargo.toml; do
    echo "--- cargo deny check bans licenses sources ($manifest)"
    cargo fetch --locked --quiet --manifest-path "$manifest"
    # --frozen (= --locked --offline): cargo metadata reads the filled cache
    # and cargo-deny fetches nothing, no advisory database either.
    # The inclusion trees of duplicate-version warnings run to hundreds of
    # lines; the crate and its versions are named without them.
    cargo deny --frozen --manifest-path "$manifest" --config deny.toml \
        check --hide-inclusion-graph bans licenses sources
done

cat <<'EOF'
--- advisories: SKIPPED
The RustSec advisory database is a git repository on GitHub, which this
machine cannot reach, and no package registry reachable here (crates.io,
PyPI, npm, Debian) carries a copy. With internet access run:
    cargo deny check advisories            # or: cargo audit
(docs/dependency-policy.md).
EOF
echo "scripts/deny.sh passed in $((SECONDS - started))s"
