# shellcheck shell=bash
# Sourced by the benchmark scripts: both services started as scripts/run.sh
# starts them (SQLite in a data folder, development keys, the revocation
# feed), on free loopback ports, and without admin (/metrics) ports, so a
# local scripts/run.sh holding the default ones cannot stop them starting.
# The metrics layer still records.

# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# services_env AUTH_SERVICE DATA_DIR: picks the ports (sets auth_addr and
# jobs_addr) and a fresh service-client secret, and exports the services'
# variables (data in DATA_DIR/auth and DATA_DIR/jobs) and the load tool's
# (BENCH_AUTH_URL, BENCH_JOBS_URL). AUTH_SERVICE hashes the secret.
services_env() {
    local auth_service=$1 data=$2 secret hash
    auth_addr=127.0.0.1:$(free_port)
    jobs_addr=127.0.0.1:$(free_port)
    secret=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
    hash=$(printf '%s\n' "$secret" | AUTH_DATA_DIR=$data/auth "$auth_service" hash-client-secret)
    export AUTH_LISTEN_ADDR=$auth_addr AUTH_DATA_DIR=$data/auth AUTH_SERVICE_CLIENTS="jobs-service:$hash"
    export JOBS_LISTEN_ADDR=$jobs_addr JOBS_DATA_DIR=$data/jobs JOBS_AUTH_URL=http://$auth_addr
    export JOBS_SERVICE_CLIENT_SECRET=$secret AUTH_ADMIN_LISTEN_ADDR=off JOBS_ADMIN_LISTEN_ADDR=off
    export BENCH_AUTH_URL=http://$auth_addr BENCH_JOBS_URL=http://$jobs_addr
}

# wait_serving PROBE ADDR...: waits up to 10 s for each ADDR to report
# SERVING (PROBE is the workspace's probe binary); fails naming the first
# that does not.
wait_serving() {
    local probe=$1 addr
    shift
    for addr in "$@"; do
        for _ in $(seq 200); do
            "$probe" "$addr" 2>/dev/null && continue 2
            sleep 0.05
        done
        echo "$addr never became SERVING" >&2
        return 1
    done
}

# services_start BIN_DIR LOG_DIR PROBE: starts BIN_DIR's auth-service and
# jobs-service with the variables of services_env (output appended to
# LOG_DIR/auth.log and LOG_DIR/jobs.log), sets auth_pid and jobs_pid and
# appends them to the caller's `pids` array (before waiting, so the caller's
# clean-up stops them even if they never become SERVING), and waits until
# both are SERVING.
services_start() {
    "$1/auth-service" serve >>"$2/auth.log" 2>&1 &
    auth_pid=$!
    "$1/jobs-service" >>"$2/jobs.log" 2>&1 &
    jobs_pid=$!
    pids+=("$auth_pid" "$jobs_pid")
    wait_serving "$3" "$auth_addr" "$jobs_addr"
}
