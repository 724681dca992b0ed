#!/usr/bin/env bash
# Builds auth-service, jobs-service and probe as static, stripped binaries and
# collects them, with a CA bundle and passwd/group files for a non-root user,
# into a build context for deploy/Dockerfile.prebuilt (images FROM scratch,
# for machines that cannot pull a rust: build image).
#
#   scripts/build-static.sh [OUT_DIR]      (default: $CARGO_TARGET_DIR/static-context,
#                                           i.e. target/static-context)
#
# Then, e.g.:
#   podman build --format docker -f deploy/Dockerfile.prebuilt --target auth-service \
#       -t jobsearch/auth-service OUT_DIR
#
# How static: musl (x86_64-unknown-linux-musl) when that target is installed or
# `rustup target add` can install it, with Debian's musl-gcc (musl-tools, installed
# when missing and apt-get is usable) for the C parts (ring, SQLite). Otherwise
# glibc with `-C target-feature=+crt-static`, with a warning: statically linked
# glibc cannot load its NSS modules, so host names (e.g. `postgres` in compose or
# an RDS endpoint) do not resolve inside a scratch image; IP addresses work.
# STATIC_LIBC=musl|glibc forces a choice (musl then fails rather than fall back).
#
# OUT_DIR layout:
#   bin/auth-service bin/jobs-service bin/probe   static, stripped
#   rootfs/etc/passwd rootfs/etc/group            root and nonroot (65532)
#   rootfs/etc/ssl/certs/ca-certificates.crt      the host's CA bundle
#   rootfs/data/                                  empty; the services' data dir
#   BUILD-INFO                                    target, libc, rustc, git revision
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'build-static: %s\n' "$*" >&2; }
die() {
    printf 'build-static: error: %s\n' "$*" >&2
    exit 1
}

target_dir=${CARGO_TARGET_DIR:-target}
out=${1:-$target_dir/static-context}
arch=$(uname -m)
[[ "$arch" == x86_64 ]] || log "warning: only x86_64 is tested (this is $arch)"
musl_target=$arch-unknown-linux-musl
gnu_target=$arch-unknown-linux-gnu

cargo_flags=(--release)
[[ "${CARGO_LOCKED:-}" == 1 ]] && cargo_flags+=(--locked)
packages=(-p auth-service -p jobs-service -p probe)

musl_ready() {
    local installed
    installed=$(rustup target list --installed 2>/dev/null || true)
    if ! grep -qx "$musl_target" <<<"$installed"; then
        command -v rustup >/dev/null 2>&1 || return 1
        log "rustup target add $musl_target"
        rustup target add "$musl_target" >&2 || return 1
    fi
    if ! command -v musl-gcc >/dev/null 2>&1; then
        if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
            log "musl-gcc missing: apt-get install musl-tools"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 \
                --no-install-recommends musl-tools >&2 ||
                {
                    apt-get update -q -o DPkg::Lock::Timeout=300 >&2 &&
                        DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 \
                            --no-install-recommends musl-tools >&2
                } || return 1
        else
            return 1
        fi
    fi
    command -v musl-gcc >/dev/null 2>&1
}

libc=${STATIC_LIBC:-}
if [[ -z "$libc" ]]; then
    if musl_ready; then libc=musl; else libc=glibc; fi
elif [[ "$libc" == musl ]]; then
    musl_ready || die "STATIC_LIBC=musl but the $musl_target target or musl-gcc is not available"
elif [[ "$libc" != glibc ]]; then
    die "STATIC_LIBC must be musl or glibc, got '$libc'"
fi

# Symbols stripped by the linker; the profile is otherwise [profile.release].
export CARGO_PROFILE_RELEASE_STRIP=symbols
start=$SECONDS
if [[ "$libc" == musl ]]; then
    target=$musl_target
    cc_var="CC_${musl_target//-/_}"
    export "$cc_var=${!cc_var:-musl-gcc}"
    log "building ${packages[*]} for $target (musl, static)"
    cargo build "${cargo_flags[@]}" --target "$target" "${packages[@]}"
else
    target=$gnu_target
    if [[ -n "${STATIC_LIBC:-}" ]]; then
        log "STATIC_LIBC=glibc: building glibc with crt-static"
    else
        log "warning: the musl target is not available; building glibc with crt-static instead."
    fi
    log "warning: static glibc cannot resolve host names in a scratch image (no NSS modules): use IP addresses"
    # --target keeps build scripts and proc macros dynamic; only the binaries are static.
    RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
        cargo build "${cargo_flags[@]}" --target "$target" "${packages[@]}"
fi
log "cargo build took $((SECONDS - start))s"

built=$target_dir/$target/release
# Replace only what this script made before (or an empty directory).
if [[ -e "$out" && ! -e "$out/BUILD-INFO" && -n "$(ls -A -- "$out" 2>/dev/null)" ]]; then
    die "$out exists and was not made by this script (no BUILD-INFO); not replacing it"
fi
rm -rf -- "$out"
mkdir -p -- "$out/bin" "$out/rootfs/etc/ssl/certs" "$out/rootfs/data"
for bin in auth-service jobs-service probe; do
    cp -- "$built/$bin" "$out/bin/$bin"
    # Static means no program interpreter and no shared libraries. (Whole outputs
    # first: `| grep -q` under pipefail can fail on SIGPIPE when it matches early.)
    headers=$(readelf -lW "$out/bin/$bin")
    dynamic=$(readelf -dW "$out/bin/$bin")
    if [[ "$headers" == *'Requesting program interpreter'* || "$dynamic" == *'(NEEDED)'* ]]; then
        die "$bin is not statically linked"
    fi
done

ca=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
[[ -s "$ca" ]] || die "no CA bundle at $ca (apt-get install ca-certificates, or set CA_BUNDLE)"
cp -- "$ca" "$out/rootfs/etc/ssl/certs/ca-certificates.crt"
cat >"$out/rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:65532:65532:nonroot:/data:/sbin/nologin
EOF
cat >"$out/rootfs/etc/group" <<'EOF'
root:x:0:
nonroot:x:65532:
EOF
chmod 0644 "$out/rootfs/etc/passwd" "$out/rootfs/etc/group" "$out/rootfs/etc/ssl/certs/ca-certificates.crt"
chmod 0755 "$out/bin/"*

{
    echo "target=$target"
    echo "libc=$libc"
    echo "rustc=$(rustc --version)"
    echo "git=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo -dirty)"
    echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$out/BUILD-INFO"

log "context ready in $out ($libc):"
(cd "$out" && ls -l bin rootfs/etc rootfs/etc/ssl/certs) >&2
printf '%s\n' "$out"
