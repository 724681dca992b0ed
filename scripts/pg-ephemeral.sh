#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests.
#
#   scripts/pg-ephemeral.sh start <dir>   initdb a cluster into <dir>, start it on
#                                         127.0.0.1:<free port>, print its admin URL
#                                         (postgres://postgres@127.0.0.1:PORT/postgres)
#                                         as the only line on stdout
#   scripts/pg-ephemeral.sh stop <dir>    stop that cluster (pg_ctl stop -m fast) and
#                                         remove <dir>
#   scripts/pg-ephemeral.sh pause <dir>   stop that cluster but keep it (fault-injection
#                                         tests: the database goes away mid-run)
#   scripts/pg-ephemeral.sh resume <dir>  start a paused cluster again, same data, same port
#   scripts/pg-ephemeral.sh check         exit 0 if PostgreSQL server binaries are
#                                         installed (prints their directory)
#
# Layout of <dir>: data/ (PGDATA), postgres.log (initdb + server log), the unix
# socket, and the files url and port. Trust authentication, loopback only;
# fsync/synchronous_commit/full_page_writes are off: never keep data here.
#
# When run as root the cluster is owned by and runs as the `postgres` OS user
# (postgres refuses to run as root), so <dir>'s parents must be traversable by it
# (mktemp -d under /tmp is fine).
#
# Environment:
#   PG_BINDIR            directory with initdb/pg_ctl/postgres (default: found)
#   PG_EPHEMERAL_PORT    first port to try (default 54329; goes upward if taken)
#
# The script may also be sourced: that defines pg_ephemeral_start <dir> and
# pg_ephemeral_stop <dir>, which run in subshells and do not change the caller's
# shell options. Sourcing it with arguments runs the command like executing it.

_pge_log() { printf 'pg-ephemeral: %s\n' "$*" >&2; }
_pge_die() {
    printf 'pg-ephemeral: error: %s\n' "$*" >&2
    exit 1
}

# Prints the directory holding initdb, pg_ctl and postgres; returns 1 if none.
_pge_bindir() {
    local d
    local -a candidates=()
    [[ -n "${PG_BINDIR:-}" ]] && candidates+=("$PG_BINDIR")
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir 2>/dev/null || true)
        [[ -n "$d" ]] && candidates+=("$d")
    fi
    # Debian layout, newest major version first.
    while IFS= read -r d; do
        [[ -n "$d" ]] && candidates+=("$d")
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k4,4 -V -r)
    for d in "${candidates[@]}"; do
        if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]]; then
            printf '%s\n' "$d"
            return 0
        fi
    done
    return 1
}

_pge_require_bindir() {
    _pge_bindir || _pge_die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found \
(looked at \$PG_BINDIR, pg_config --bindir, /usr/lib/postgresql/*/bin). \
Install them with: apt-get install postgresql"
}

# Runs a command as the cluster owner: `postgres` when we are root, else ourselves.
_pge_as_owner() {
    if [[ $EUID -ne 0 ]]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u postgres -- "$@"
    else
        su -s /bin/sh postgres -c "$(printf '%q ' "$@")"
    fi
}

# True if something accepts TCP connections on 127.0.0.1:$1.
_pge_port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

_pge_start() {
    local dir=${1:-}
    [[ -n "$dir" ]] || _pge_die "usage: pg-ephemeral.sh start <dir>"
    local bindir
    bindir=$(_pge_require_bindir)

    mkdir -p -- "$dir"
    dir=$(cd -- "$dir" && pwd -P)
    # Unix socket paths are limited to ~107 bytes.
    if ((${#dir} > 80)); then
        _pge_die "directory path too long for a unix socket (${#dir} > 80 chars): $dir"
    fi
    [[ -e "$dir/data" ]] && _pge_die "$dir/data already exists; refusing to reuse it"
    local log="$dir/postgres.log" data="$dir/data"
    : >"$dir/.pg-ephemeral" # marker: `stop` only deletes directories that have it
    : >>"$log"              # created before the chown below: the server appends to it too

    if [[ $EUID -eq 0 ]]; then
        id postgres >/dev/null 2>&1 ||
            _pge_die "running as root but there is no 'postgres' OS user to run the server as (apt-get install postgresql creates it)"
        chown -R postgres: "$dir"
        chmod 700 "$dir"
        _pge_as_owner test -w "$dir" ||
            _pge_die "user 'postgres' cannot write to $dir (are its parent directories traversable by other users?)"
    fi

    cd -- "$dir" # the server user may not be able to access the caller's cwd

    _pge_log "initdb ($bindir) into $data"
    if ! _pge_as_owner "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 \
        --locale=C --no-sync >>"$log" 2>&1; then
        tail -n 30 "$log" >&2 || true
        _pge_die "initdb failed (full log: $log)"
    fi

    # Trust, loopback only (TCP on 127.0.0.1/::1 plus the socket in $dir).
    cat >"$data/pg_hba.conf" <<'EOF'
# pg-ephemeral: throwaway test cluster, trust on loopback only
local   all             all                     trust
host    all             all     127.0.0.1/32    trust
host    all             all     ::1/128         trust
local   replication     all                     trust
host    replication     all     127.0.0.1/32    trust
EOF
    cat >>"$data/postgresql.conf" <<EOF

# --- pg-ephemeral: throwaway test cluster, durability off for speed ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
EOF
    if [[ $EUID -eq 0 ]]; then
        chown postgres: "$data/pg_hba.conf" "$data/postgresql.conf"
    fi

    local port=${PG_EPHEMERAL_PORT:-54329} attempts=0 started=0 offset
    while ((attempts < 50 && port < 65536)); do
        if _pge_port_busy "$port"; then
            port=$((port + 1))
            continue
        fi
        attempts=$((attempts + 1))
        offset=$(($(wc -c <"$log") + 1))
        # shellcheck disable=SC2094 # pg_ctl and this redirect both only append to the log
        if _pge_as_owner "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 \
            -o "-p $port" start >/dev/null 2>>"$log"; then
            started=1
            break
        fi
        # Another process may have grabbed the port in between: try the next one.
        if tail -c "+$offset" "$log" | grep -qiE 'could not (bind|create listen)|address already in use'; then
            _pge_log "port $port is taken, trying $((port + 1))"
            port=$((port + 1))
            continue
        fi
        tail -n 30 "$log" >&2 || true
        _pge_die "pg_ctl start failed (full log: $log)"
    done
    ((started)) || _pge_die "found no free port to listen on (last tried $port; log: $log)"

    local i isready="$bindir/pg_isready"
    [[ -x "$isready" ]] || isready=pg_isready
    for ((i = 0; i < 60; i++)); do
        if "$isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -t 2 2>/dev/null; then
            break
        fi
        sleep 0.5
    done
    if ((i == 60)); then
        tail -n 30 "$log" >&2 || true
        _pge_die "server on port $port did not become ready (log: $log)"
    fi

    local url="postgres://postgres@127.0.0.1:$port/postgres"
    printf '%s\n' "$port" >"$dir/port"
    printf '%s\n' "$url" >"$dir/url"
    _pge_log "PostgreSQL ready on 127.0.0.1:$port (dir $dir, log $log)"
    printf '%s\n' "$url"
}

_pge_stop() {
    local dir=${1:-}
    [[ -n "$dir" ]] || _pge_die "usage: pg-ephemeral.sh stop <dir>"
    if [[ ! -e "$dir" ]]; then
        _pge_log "$dir does not exist; nothing to stop"
        return 0
    fi
    dir=$(cd -- "$dir" && pwd -P)
    [[ -e "$dir/.pg-ephemeral" ]] ||
        _pge_die "$dir was not created by pg-ephemeral.sh start (no .pg-ephemeral marker); not touching it"

    if [[ -e "$dir/data/postmaster.pid" ]]; then
        local bindir
        bindir=$(_pge_require_bindir)
        cd -- "$dir"
        if ! _pge_as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1; then
            _pge_log "fast shutdown failed; trying immediate"
            _pge_as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
                _pge_log "warning: pg_ctl stop failed (server may still be running)"
        fi
        cd /
    fi
    rm -rf -- "$dir"
    _pge_log "stopped and removed $dir"
}

# Stops the cluster in <dir> (fast: open connections are terminated, as in a
# crash or failover of the database), keeping its data and port.
_pge_pause() {
    local dir=${1:-}
    [[ -n "$dir" && -e "$dir/.pg-ephemeral" ]] || _pge_die "usage: pg-ephemeral.sh pause <dir of a started cluster>"
    dir=$(cd -- "$dir" && pwd -P)
    local bindir
    bindir=$(_pge_require_bindir)
    cd -- "$dir"
    _pge_as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>>"$dir/postgres.log" ||
        _pge_die "pg_ctl stop failed (log: $dir/postgres.log)"
    _pge_log "paused $dir"
}

# Starts a paused cluster again on the port it had.
_pge_resume() {
    local dir=${1:-}
    [[ -n "$dir" && -e "$dir/port" ]] || _pge_die "usage: pg-ephemeral.sh resume <dir of a paused cluster>"
    dir=$(cd -- "$dir" && pwd -P)
    local bindir port
    bindir=$(_pge_require_bindir)
    port=$(cat "$dir/port")
    cd -- "$dir"
    # shellcheck disable=SC2094 # pg_ctl and this redirect both only append to the log
    _pge_as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-p $port" start >/dev/null 2>>"$dir/postgres.log" ||
        _pge_die "pg_ctl start failed (log: $dir/postgres.log)"
    _pge_log "resumed $dir on port $port"
}

_pge_main() {
    case "${1:-}" in
    start) _pge_start "${2:-}" ;;
    stop) _pge_stop "${2:-}" ;;
    pause) _pge_pause "${2:-}" ;;
    resume) _pge_resume "${2:-}" ;;
    check) _pge_require_bindir ;;
    *)
        printf 'usage: %s start <dir> | stop <dir> | pause <dir> | resume <dir> | check\n' "${BASH_SOURCE[0]##*/}" >&2
        return 2
        ;;
    esac
}

pg_ephemeral_start() (
    set -euo pipefail
    _pge_start "$@"
)
pg_ephemeral_stop() (
    set -euo pipefail
    _pge_stop "$@"
)

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    _pge_main "$@"
elif (($# > 0)); then
    (
        set -euo pipefail
        _pge_main "$@"
    )
fi
