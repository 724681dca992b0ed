#!/usr/bin/env bash
# The deploy images, tested for real on this machine:
#
# 1. scripts/build-static.sh: static auth-service, jobs-service and probe.
# 2. A throwaway PostgreSQL on 127.0.0.1 (scripts/pg-ephemeral.sh), one role and
#    one database per service made by deploy/db-init.sql, and production secrets
#    made with the services' own commands (generate-signing-key,
#    generate-encryption-key, hash-client-secret).
# 3. Smoke run of the static binaries outside containers, in production mode:
#    both start, the probe sees them SERVING, SIGTERM stops them with exit 0.
#    Then compose's balancers (deploy/nginx/*.conf, with Debian's nginx, unpacked
#    into /var/tmp/jobsearch-tools/nginx if not installed) in front of two replicas
#    of each: the walk-through through them, calls spread over both replicas, one
#    auth replica stopped without failed calls.
# 4. Where podman works (installed with runc when missing; a containers.conf is
#    written when there is none): both images built FROM scratch with
#    deploy/Dockerfile.prebuilt, run read-only, as uid 65532, without
#    capabilities, ports published on 127.0.0.1 only (slirp4netns; the containers
#    reach the host's PostgreSQL through slirp's host loopback; --network host
#    as a fallback); time from `podman run` to SERVING; the image's own
#    HEALTHCHECK; the grpcurl walk-through against the containers; a graceful
#    `podman stop`; the image sizes. Where podman cannot work, this part is
#    skipped with a message saying why (CONTAINER_TEST_REQUIRE_PODMAN=1 makes
#    that an error).
#
# Needs PostgreSQL's server binaries and psql (apt-get install postgresql),
# grpcurl and python3 (as scripts/grpcurl-walkthrough.sh).
#
# Environment:
#   CONTAINER_TEST_REQUIRE_PODMAN=1   fail instead of skipping the container part
#   CONTAINER_TEST_INSTALL=0          do not apt-get install podman/runc when missing
#   CONTAINER_TEST_NETWORK=slirp|host the containers' network (default: slirp,
#                                     falling back to host)
#   CONTAINER_TEST_KEEP_IMAGES=1      keep the localhost/jobsearch/*:ci images
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '\n--- container-test: %s\n' "$*"; }
die() {
    printf 'container-test: FAILED: %s\n' "$*" >&2
    exit 1
}
now_ms() { date +%s%3N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

for tool in psql grpcurl python3 readelf; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (see the header of this script)"
done
bash scripts/pg-ephemeral.sh check >/dev/null || die "PostgreSQL server binaries missing (apt-get install postgresql)"

work=$(mktemp -d "${TMPDIR:-/tmp}/container-test.XXXXXX")
chmod 755 "$work" # the postgres user must reach $work/pg
pg_dir=
containers=()
smoke_pids=()
nginx_confs=()
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if ((${#nginx_confs[@]})); then
        stop_lbs
    fi
    if ((${#smoke_pids[@]})); then
        kill "${smoke_pids[@]}" 2>/dev/null || true
        wait "${smoke_pids[@]}" 2>/dev/null || true
    fi
    if ((${#containers[@]})); then
        if ((rc != 0)); then
            for c in "${containers[@]}"; do
                echo "--- logs of container $c" >&2
                podman logs "$c" 2>&1 | tail -n 40 >&2 || true
            done
        fi
        podman rm -f -i -t 5 "${containers[@]}" >/dev/null 2>&1 || true
    fi
    if [[ -n "$pg_dir" ]]; then
        bash scripts/pg-ephemeral.sh stop "$pg_dir" >/dev/null 2>&1 || true
    fi
    if ((rc != 0)) && [[ -d "$work/logs" ]]; then
        for f in "$work"/logs/*; do
            [[ -s "$f" ]] || continue
            echo "--- $f (last 40 lines)" >&2
            tail -n 40 "$f" >&2
        done
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$work/logs"

# ---------------------------------------------------------------------------
log "1. static binaries (scripts/build-static.sh)"
ctx=$(bash scripts/build-static.sh "${CARGO_TARGET_DIR:-target}/static-context")
bin=$ctx/bin
probe=$bin/probe
cat "$ctx/BUILD-INFO"

# Waits until `probe ADDR SERVICE` succeeds; prints the milliseconds since $3.
wait_serving() {
    local addr=$1 service=$2 since=$3 deadline=$(($(now_ms) + 60000))
    until PROBE_TIMEOUT_MS=500 "$probe" "$addr" "$service" 2>/dev/null; do
        (($(now_ms) < deadline)) || return 1
        sleep 0.05
    done
    echo $(($(now_ms) - since))
}

# ---------------------------------------------------------------------------
log "2. PostgreSQL, roles and databases (deploy/db-init.sql), production secrets"
pg_dir=$work/pg
admin_url=$(bash scripts/pg-ephemeral.sh start "$pg_dir" 2>"$work/logs/pg-ephemeral.log")
pg_port=$(cat "$pg_dir/port")
echo "PostgreSQL on 127.0.0.1:$pg_port"
auth_db_password=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
jobs_db_password=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
for pair in "auth:$auth_db_password" "jobs:$jobs_db_password"; do
    DB_NAME=${pair%%:*} DB_ROLE=${pair%%:*} DB_ROLE_PASSWORD=${pair#*:} \
        psql -X -q -v ON_ERROR_STOP=1 -d "$admin_url" -f deploy/db-init.sql
done

signing_key=$("$bin/auth-service" generate-signing-key)
encryption_key=$("$bin/jobs-service" generate-encryption-key)
client_secret=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
client_hash=$(printf '%s\n' "$client_secret" |
    AUTH_ENV=development AUTH_DATA_DIR="$work/cli" "$bin/auth-service" hash-client-secret 2>"$work/logs/hash.log")
# shellcheck disable=SC2016 # a literal $ in the pattern
grep -q '^\$argon2id\$' <<<"$client_hash" || die "hash-client-secret printed no argon2id hash"

# The services' configuration; the secrets are passed by name (podman -e NAME),
# so they never appear on a command line.
export AUTH_ENV=production JOBS_ENV=production
export AUTH_SIGNING_KEY=$signing_key
export AUTH_SERVICE_CLIENTS="jobs-service:$client_hash"
export JOBS_ENCRYPTION_KEY=$encryption_key
export JOBS_SERVICE_CLIENT_SECRET=$client_secret
# No admin (/metrics) ports for the binaries run on the host: several replicas
# share the loopback here (the images keep theirs, inside their own namespace).
export AUTH_ADMIN_LISTEN_ADDR=off JOBS_ADMIN_LISTEN_ADDR=off
db_url() { printf 'postgres://%s:%s@%s:%s/%s' "$1" "$2" "$3" "$pg_port" "$1"; }

# ---------------------------------------------------------------------------
log "3. smoke run of the static binaries (no container)"
auth_addr=127.0.0.1:$(free_port)
jobs_addr=127.0.0.1:$(free_port)
t0=$(now_ms)
AUTH_LISTEN_ADDR=$auth_addr AUTH_DATA_DIR="$work/smoke-auth" \
    AUTH_DATABASE_URL=$(db_url auth "$auth_db_password" 127.0.0.1) \
    "$bin/auth-service" >"$work/logs/smoke-auth.log" 2>&1 &
smoke_pids+=($!)
JOBS_LISTEN_ADDR=$jobs_addr JOBS_DATA_DIR="$work/smoke-jobs" JOBS_AUTH_URL=http://$auth_addr \
    JOBS_DATABASE_URL=$(db_url jobs "$jobs_db_password" 127.0.0.1) \
    "$bin/jobs-service" >"$work/logs/smoke-jobs.log" 2>&1 &
smoke_pids+=($!)
smoke_auth_ms=$(wait_serving "$auth_addr" jobsearch.auth.v1.AuthService "$t0") || die "static auth-service never SERVING"
smoke_jobs_ms=$(wait_serving "$jobs_addr" jobsearch.jobs.v1.JobsService "$t0") || die "static jobs-service never SERVING"
echo "static binaries SERVING after: auth-service ${smoke_auth_ms} ms, jobs-service ${smoke_jobs_ms} ms (both started at once)"
kill -TERM "${smoke_pids[@]}"
for p in "${smoke_pids[@]}"; do
    wait "$p" || die "a static binary exited non-zero after SIGTERM"
done
smoke_pids=()
grep -q '"level":"INFO"' "$work/logs/smoke-auth.log" || die "production mode should log JSON"
echo "both stopped cleanly on SIGTERM"

# ---------------------------------------------------------------------------
log "3b. the compose balancers (deploy/nginx/*.conf) in front of two replicas each"
# An nginx binary: the machine's, else Debian's package unpacked (not installed, so
# no service starts) into a cache outside the clone. Skipped if neither works.
find_nginx() {
    local cache=/var/tmp/jobsearch-tools/nginx
    if command -v nginx >/dev/null 2>&1; then
        command -v nginx
    elif [[ -x $cache/usr/sbin/nginx ]] && "$cache/usr/sbin/nginx" -v 2>/dev/null; then
        echo "$cache/usr/sbin/nginx"
    elif command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1; then
        local dl
        dl=$(mktemp -d)
        if (cd "$dl" && apt-get download nginx) >/dev/null 2>&1; then
            mkdir -p "$cache" && dpkg -x "$dl"/nginx_*.deb "$cache"
        fi
        rm -rf "$dl"
        [[ -x $cache/usr/sbin/nginx ]] && "$cache/usr/sbin/nginx" -v 2>/dev/null && echo "$cache/usr/sbin/nginx"
    fi
}
nginx_bin=$(find_nginx || true)
if [[ -z "$nginx_bin" ]]; then
    echo "container-test: no nginx binary (apt-get download nginx failed): skipping the balancer check"
else
    nginx_version=$("$nginx_bin" -v 2>&1)
    echo "$nginx_version"
    # Fresh databases for this walk-through (it registers fixed users).
    for pair in "auth:$auth_db_password" "jobs:$jobs_db_password"; do
        DB_NAME=${pair%%:*}_lb DB_ROLE=${pair%%:*} DB_ROLE_PASSWORD=${pair#*:} \
            psql -X -q -v ON_ERROR_STOP=1 -d "$admin_url" -f deploy/db-init.sql
    done
    lb_auth_url=$(db_url auth "$auth_db_password" 127.0.0.1)_lb
    lb_jobs_url=$(db_url jobs "$jobs_db_password" 127.0.0.1)_lb
    a1=$(free_port) a2=$(free_port) j1=$(free_port) j2=$(free_port) la=$(free_port) lj=$(free_port)
    nginx_confs=()
    # (The EXIT trap stops the balancers on failure.)
    # make_lb NAME LISTEN UPSTREAM1 UPSTREAM2: the compose config with loopback
    # addresses and private paths; Debian 12's nginx (< 1.25.1) wants `listen ... http2`.
    make_lb() {
        local conf=$work/$1.conf
        sed -E -e "0,/server [a-z0-9-]+:[0-9]+/s//server 127.0.0.1:$3/" \
            -e "0,/server [a-z0-9-]+:[0-9]+/s//server 127.0.0.1:$4/" \
            -e "s#/tmp/#$work/$1-#g" -e "s#/dev/stdout#$work/logs/$1-access.log#" \
            "deploy/nginx/$1.conf" >"$conf"
        if [[ "$nginx_version" =~ nginx/1\.(1[0-9]|2[0-4])\. ]]; then
            sed -i -E -e '/^\s*http2 on;/d' -e "s/listen [0-9]+;/listen 127.0.0.1:$2 http2;/" "$conf"
        else
            sed -i -E -e "s/listen [0-9]+;/listen 127.0.0.1:$2;/" "$conf"
        fi
        "$nginx_bin" -c "$conf" -e "$work/logs/$1-error.log"
        nginx_confs+=("$conf")
    }
    stop_lbs() {
        for conf in "${nginx_confs[@]}"; do
            "$nginx_bin" -c "$conf" -e /dev/null -s stop 2>/dev/null || true
        done
        nginx_confs=()
    }
    t0=$(now_ms)
    for p in "$a1" "$a2"; do
        AUTH_LISTEN_ADDR=127.0.0.1:$p AUTH_DATA_DIR="$work/lb-auth" AUTH_DATABASE_URL=$lb_auth_url \
            "$bin/auth-service" >"$work/logs/lb-auth-$p.log" 2>&1 &
        smoke_pids+=($!)
    done
    make_lb auth-lb "$la" "$a1" "$a2"
    for p in "$j1" "$j2"; do
        JOBS_LISTEN_ADDR=127.0.0.1:$p JOBS_DATA_DIR="$work/lb-jobs" JOBS_AUTH_URL=http://127.0.0.1:$la \
            JOBS_DATABASE_URL=$lb_jobs_url "$bin/jobs-service" >"$work/logs/lb-jobs-$p.log" 2>&1 &
        smoke_pids+=($!)
    done
    make_lb jobs-lb "$lj" "$j1" "$j2"
    for p in "$j1" "$j2"; do
        wait_serving "127.0.0.1:$p" jobsearch.jobs.v1.JobsService "$t0" >/dev/null ||
            die "a jobs-service replica behind auth-lb never became SERVING"
    done
    if ! WALKTHROUGH_AUTH_ADDR=127.0.0.1:$la WALKTHROUGH_JOBS_ADDR=127.0.0.1:$lj \
        WALKTHROUGH_AUTH_CLI="env AUTH_DATA_DIR=$work/lb-auth AUTH_DATABASE_URL=$lb_auth_url $bin/auth-service" \
        bash scripts/grpcurl-walkthrough.sh >"$work/logs/lb-walkthrough.log" 2>&1; then
        cat "$work/logs/lb-walkthrough.log" >&2
        die "the walk-through through the nginx balancers failed"
    fi
    for lb in auth-lb jobs-lb; do
        used=$(grep -o 'upstream=[0-9.:]*' "$work/logs/$lb-access.log" | sort -u | wc -l)
        ((used == 2)) || die "$lb sent calls to $used replica(s), expected 2"
    done
    # One auth replica goes away: calls through the balancer still succeed.
    kill -TERM "${smoke_pids[0]}"
    wait "${smoke_pids[0]}" || true
    for _ in 1 2 3 4; do
        grpcurl -plaintext "127.0.0.1:$la" jobsearch.auth.v1.AuthService/GetJwks >/dev/null ||
            die "auth-lb failed a call with one replica down"
    done
    stop_lbs
    kill -TERM "${smoke_pids[@]}" 2>/dev/null || true
    wait "${smoke_pids[@]}" 2>/dev/null || true
    smoke_pids=()
    echo "walk-through through auth-lb and jobs-lb passed (revocation feed included); calls spread" \
        "over both replicas of each; one auth replica down: calls still served"
fi

# ---------------------------------------------------------------------------
log "4. containers"
skip_containers() {
    if [[ "${CONTAINER_TEST_REQUIRE_PODMAN:-0}" == 1 ]]; then
        die "podman is not usable here: $*"
    fi
    echo "container-test: SKIPPING the container part: podman is not usable here: $*"
    echo "container-test: (the static binaries were built and smoke-tested above)"
    echo "container-test: passed (without containers)"
    exit 0
}

if ! command -v podman >/dev/null 2>&1 || ! command -v runc >/dev/null 2>&1; then
    if [[ "${CONTAINER_TEST_INSTALL:-1}" == 1 && $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "podman/runc missing: apt-get install podman runc"
        {
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 podman runc ||
                {
                    apt-get update -q -o DPkg::Lock::Timeout=300 &&
                        DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 podman runc
                }
        } >"$work/logs/apt-podman.log" 2>&1 || skip_containers "apt-get install podman runc failed (log: see above)"
    else
        skip_containers "podman or runc is not installed (apt-get install podman runc)"
    fi
fi
# runc and small ulimits: what works in this sandbox; never overwrite an operator's file.
if [[ $EUID -eq 0 && ! -e /etc/containers/containers.conf ]]; then
    mkdir -p /etc/containers
    cat >/etc/containers/containers.conf <<'EOF'
# Written by scripts/container-test.sh (only when no containers.conf existed).
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
EOF
    echo "wrote /etc/containers/containers.conf (runc, small default ulimits)"
fi
podman info >"$work/logs/podman-info.log" 2>&1 || skip_containers "'podman info' fails: $(tail -n 1 "$work/logs/podman-info.log")"
echo "$(podman --version), runtime $(podman info --format '{{.Host.OCIRuntime.Name}}'), storage $(podman info --format '{{.Store.GraphDriverName}}')"

# Containers an interrupted earlier run left behind (exited ones only).
stale=$(podman ps -a --filter 'name=^jobsearch-ci-' --filter status=exited --format '{{.Names}}')
if [[ -n "$stale" ]]; then
    # shellcheck disable=SC2086 # one name per word
    podman rm -f -i $stale >/dev/null 2>&1 || true
fi

tag=ci
images=()
for service in auth-service jobs-service; do
    image=localhost/jobsearch/$service:$tag
    podman build --format docker -f deploy/Dockerfile.prebuilt --target "$service" -t "$image" "$ctx" \
        >"$work/logs/build-$service.log" 2>&1 ||
        skip_containers "podman build failed: $(tail -n 3 "$work/logs/build-$service.log" | tr '\n' ' ')"
    images+=("$image")
done
echo "built ${images[*]}"

suffix=$$
auth_ctr=jobsearch-ci-auth-$suffix
jobs_ctr=jobsearch-ci-jobs-$suffix
auth_port=$(free_port)
jobs_port=$(free_port)
hardening=(--read-only --cap-drop=ALL --security-opt=no-new-privileges --pids-limit=256 --memory=512m)

# run_service NAME IMAGE PUBLISHED_PORT CONTAINER_PORT [podman run args...]: starts it,
# returning non-zero if podman cannot.
run_service() {
    local name=$1 image=$2 host_port=$3 ctr_port=$4
    shift 4
    local net_args=()
    if [[ $network == slirp ]]; then
        net_args=(--network slirp4netns:allow_host_loopback=true -p "127.0.0.1:$host_port:$ctr_port")
    else
        net_args=(--network host)
    fi
    podman run -d --name "$name" "${hardening[@]}" "${net_args[@]}" "$@" "$image" \
        >"$work/logs/run-$name.log" 2>&1 || return 1
    containers+=("$name")
}

network=${CONTAINER_TEST_NETWORK:-slirp}
start_pair() {
    local db_host auth_listen jobs_listen auth_url
    if [[ $network == slirp ]]; then
        db_host=10.0.2.2 # slirp4netns: the host's loopback
        auth_url=http://10.0.2.2:$auth_port
        auth_listen=() jobs_listen=() # the images' 0.0.0.0, inside the container's own namespace
    else
        db_host=127.0.0.1
        auth_url=http://127.0.0.1:$auth_port
        # Host networking: listen on loopback only (and health-check that port).
        auth_listen=(-e "AUTH_LISTEN_ADDR=127.0.0.1:$auth_port" -e AUTH_ADMIN_LISTEN_ADDR=off
            --health-cmd "[\"/probe\", \"127.0.0.1:$auth_port\", \"jobsearch.auth.v1.AuthService\"]")
        jobs_listen=(-e "JOBS_LISTEN_ADDR=127.0.0.1:$jobs_port" -e JOBS_ADMIN_LISTEN_ADDR=off
            --health-cmd "[\"/probe\", \"127.0.0.1:$jobs_port\", \"jobsearch.jobs.v1.JobsService\"]")
    fi
    auth_start=$(now_ms)
    run_service "$auth_ctr" "${images[0]}" "$auth_port" 50051 "${auth_listen[@]}" \
        -e AUTH_SIGNING_KEY -e AUTH_SERVICE_CLIENTS \
        -e "AUTH_DATABASE_URL=$(db_url auth "$auth_db_password" "$db_host")" || return 1
    auth_ms=$(wait_serving "127.0.0.1:$auth_port" jobsearch.auth.v1.AuthService "$auth_start") || return 1
    jobs_start=$(now_ms)
    run_service "$jobs_ctr" "${images[1]}" "$jobs_port" 50052 "${jobs_listen[@]}" \
        -e JOBS_ENCRYPTION_KEY -e JOBS_SERVICE_CLIENT_SECRET -e "JOBS_AUTH_URL=$auth_url" \
        -e "JOBS_DATABASE_URL=$(db_url jobs "$jobs_db_password" "$db_host")" || return 1
    jobs_ms=$(wait_serving "127.0.0.1:$jobs_port" jobsearch.jobs.v1.JobsService "$jobs_start") || return 1
}
if ! start_pair; then
    if [[ $network == slirp && -z "${CONTAINER_TEST_NETWORK:-}" ]]; then
        echo "slirp4netns networking did not work ($(tail -n 2 "$work"/logs/run-*.log 2>/dev/null | tr '\n' ' ')); retrying with --network host"
        podman rm -f -i -t 0 "${containers[@]}" >/dev/null 2>&1 || true
        containers=()
        network=host
        start_pair || die "the containers did not become SERVING (--network host)"
    else
        die "the containers did not become SERVING (network $network)"
    fi
fi
echo "network: $network; published/listening on 127.0.0.1 only"
echo "container start (podman run) to SERVING: auth-service ${auth_ms} ms, jobs-service ${jobs_ms} ms"

log "4b. what the containers are"
for c in "$auth_ctr" "$jobs_ctr"; do
    user=$(podman top "$c" huser user | tail -n 1 | tr -s ' ')
    [[ "$user" == *65532* ]] || die "$c does not run as uid 65532 (podman top: $user)"
    [[ "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$c")" == true ]] || die "$c root is writable"
    # The image's own HEALTHCHECK (/probe inside the container).
    podman healthcheck run "$c" >/dev/null || die "the HEALTHCHECK of $c failed"
    echo "$c: uid $user, read-only root, no capabilities, HEALTHCHECK healthy"
done
if [[ $network == slirp ]]; then
    published=$(podman port "$auth_ctr")
    [[ "$published" == *"127.0.0.1:$auth_port"* ]] || die "unexpected published port: $published"
fi

log "4c. grpcurl walk-through against the containers"
WALKTHROUGH_AUTH_ADDR=127.0.0.1:$auth_port WALKTHROUGH_JOBS_ADDR=127.0.0.1:$jobs_port \
    WALKTHROUGH_AUTH_CLI="podman exec -i $auth_ctr /auth-service" \
    bash scripts/grpcurl-walkthrough.sh

log "4d. signing-key rotation: a replica with a new key, the old key as previous"
# What phase 2 of the rotation in deploy/README.md relies on: a replica signing with
# the new key K2 and publishing the old one (scripts/signing-public-key.sh) accepts
# the old replica's tokens, and publishes both keys; the old replica does not accept
# K2's tokens until it knows K2 (phase 1).
rot_ctr=jobsearch-ci-auth-rotated-$suffix
rot_port=$(free_port)
new_key=$("$bin/auth-service" generate-signing-key)
bash scripts/signing-public-key.sh <<<"$AUTH_SIGNING_KEY" >"$work/previous-public-keys.pem"
chmod 0644 "$work/previous-public-keys.pem"
rot_listen=()
[[ $network == host ]] && rot_listen=(-e "AUTH_LISTEN_ADDR=127.0.0.1:$rot_port" -e AUTH_ADMIN_LISTEN_ADDR=off)
db_host=$([[ $network == slirp ]] && echo 10.0.2.2 || echo 127.0.0.1)
AUTH_SIGNING_KEY=$new_key run_service "$rot_ctr" "${images[0]}" "$rot_port" 50051 "${rot_listen[@]}" \
    -e AUTH_SIGNING_KEY -e AUTH_SERVICE_CLIENTS \
    -e "AUTH_DATABASE_URL=$(db_url auth "$auth_db_password" "$db_host")" \
    -v "$work/previous-public-keys.pem:/keys/previous-public-keys.pem:ro,Z" \
    -e AUTH_PREVIOUS_PUBLIC_KEYS_FILE=/keys/previous-public-keys.pem ||
    die "could not start the rotated auth-service"
wait_serving "127.0.0.1:$rot_port" jobsearch.auth.v1.AuthService "$(now_ms)" >/dev/null ||
    die "the rotated auth-service never became SERVING"
auth_rpc() { # auth_rpc PORT METHOD JSON [grpcurl args...]
    local port=$1 method=$2 body=$3
    shift 3
    grpcurl -plaintext "$@" -d "$body" "127.0.0.1:$port" "jobsearch.auth.v1.AuthService/$method"
}
token_from() {
    auth_rpc "$1" Login '{"username":"ada","password":"Analytical-Engine-1843"}' |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])'
}
auth_rpc "$rot_port" GetJwks '{}' | python3 -c 'import json,sys; k=json.load(sys.stdin)["keys"]; assert len(k) == 2, k' ||
    die "the rotated replica does not publish both keys"
old_token=$(token_from "$auth_port")
new_token=$(token_from "$rot_port")
auth_rpc "$rot_port" GetMe '{}' -H "authorization: Bearer $old_token" >/dev/null ||
    die "the rotated replica refuses a token signed with the previous key"
auth_rpc "$rot_port" GetMe '{}' -H "authorization: Bearer $new_token" >/dev/null ||
    die "the rotated replica refuses its own token"
if auth_rpc "$auth_port" GetMe '{}' -H "authorization: Bearer $new_token" >/dev/null 2>&1; then
    die "a replica accepted a token signed with a key it was never given"
fi
echo "rotated replica: publishes 2 keys, accepts old and new tokens; the old replica refuses new ones (hence phase 1)"
podman rm -f -i -t 5 "$rot_ctr" >/dev/null 2>>"$work/logs/podman-stop.log"

log "4e. graceful stop (SIGTERM, drain, exit 0)"
for c in "$jobs_ctr" "$auth_ctr"; do
    t0=$(now_ms)
    # (podman without systemd logs an error about healthcheck timers here: harmless.)
    podman stop -t 30 "$c" >/dev/null 2>>"$work/logs/podman-stop.log"
    code=$(podman inspect --format '{{.State.ExitCode}}' "$c")
    ((code == 0)) || die "$c exited with $code after SIGTERM"
    echo "$c stopped in $(($(now_ms) - t0)) ms, exit code 0"
done

log "4f. image sizes"
podman images --format 'table {{.Repository}}:{{.Tag}} {{.Size}}' \
    --filter "reference=localhost/jobsearch/auth-service:$tag" --filter "reference=localhost/jobsearch/jobs-service:$tag"
for image in "${images[@]}"; do
    bytes=$(podman image inspect --format '{{.Size}}' "$image")
    ((bytes < 25 * 1000 * 1000)) || die "$image is $bytes bytes (limit 25 MB)"
done

podman rm -f -i -t 0 "${containers[@]}" >/dev/null 2>&1 || true
containers=()
if [[ "${CONTAINER_TEST_KEEP_IMAGES:-0}" != 1 ]]; then
    podman rmi "${images[@]}" >/dev/null 2>&1 || true
fi
echo
echo "container-test: passed (static smoke: auth ${smoke_auth_ms} ms / jobs ${smoke_jobs_ms} ms to SERVING;" \
    "containers [$network]: auth ${auth_ms} ms / jobs ${jobs_ms} ms from podman run to SERVING)"
