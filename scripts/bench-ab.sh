#!/usr/bin/env bash
# Compares builds of the services in one run: for each round, each build's
# auth-service and jobs-service are started in turn on the same seeded data and
# driven by the same `bench` workloads, so the machine's drift (2 shared
# cores) hits every build alike. Compare within a round, and the ratios to
# the health check, not absolute figures. See bench/NOTES.md.
#
#   scripts/bench-ab.sh NAME=DIR [NAME=DIR...]
#
# Each DIR holds release binaries auth-service and jobs-service of one
# revision; probe and bench come from the first DIR. Build one with e.g.
#   cargo build --release -p auth-service -p jobs-service -p probe -p bench
#   mkdir -p /tmp/ab/new && cp "$CARGO_TARGET_DIR"/release/{auth-service,jobs-service,probe,bench} /tmp/ab/new/
#
# Env: AB_ROUNDS (2), AB_DURATION (5s), AB_WARMUP (1s), AB_USERS (10),
# AB_WORKLOADS ("health get-site list-postings"), AB_STORM (1: also the login
# storm's list p99), AB_HOME (a fresh temporary folder, removed at the end).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

(($# >= 1)) || { echo "usage: $0 NAME=DIR [NAME=DIR...]" >&2; exit 2; }
names=() dirs=()
for arg in "$@"; do
    [[ "$arg" == *=* && -x "${arg#*=}/jobs-service" ]] || { echo "bench-ab: $arg is not NAME=DIR with binaries" >&2; exit 2; }
    names+=("${arg%%=*}") dirs+=("${arg#*=}")
done
rounds=${AB_ROUNDS:-2} duration=${AB_DURATION:-5s} warmup=${AB_WARMUP:-1s} users=${AB_USERS:-10}
read -ra workloads <<<"${AB_WORKLOADS:-health get-site list-postings}"
probe=${dirs[0]}/probe bench=${dirs[0]}/bench

source scripts/lib/services.sh
work=${AB_HOME:-$(mktemp -d)}
mkdir -p "$work/results"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    [[ -n "${AB_HOME:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT

services_env "${dirs[0]}/auth-service" "$work/data"

start() { # start DIR
    pids=()
    services_start "$1" "$work" "$probe"
}
stop() {
    kill -TERM "${pids[@]}"
    wait "${pids[@]}" 2>/dev/null || true
    pids=()
}

start "${dirs[0]}"
"$bench" seed --users "$users" >/dev/null
stop
for round in $(seq "$rounds"); do
    for i in "${!names[@]}"; do
        start "${dirs[$i]}"
        for workload in "${workloads[@]}"; do
            "$bench" run "$workload" -d "$duration" --warmup "$warmup" --users "$users" \
                --json "$work/results/$round-${names[$i]}-$workload.json" >/dev/null
        done
        if [[ "${AB_STORM:-1}" == 1 ]]; then
            "$bench" login-storm --users "$users" -d "$duration" --warmup "$warmup" \
                --json "$work/results/$round-${names[$i]}-storm.json" >/dev/null
        fi
        stop
    done
done

python3 - "$work/results" "$rounds" "${names[@]}" <<'EOF'
import json, os, sys
results, rounds, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def load(round_, name, workload):
    path = os.path.join(results, f"{round_}-{name}-{workload}.json")
    return json.load(open(path)) if os.path.exists(path) else None
workloads = sorted({f.split("-", 2)[2][:-5] for f in os.listdir(results)} - {"storm"})
print("| round | build | " + " | ".join(f"{w} req/s | {w} p99 ms" for w in workloads)
      + " | get-site ÷ health | storm list p99 ms | storm logins/s |")
print("|" + " --- |" * (2 + 2 * len(workloads) + 3))
for r in range(1, rounds + 1):
    for name in names:
        row = [str(r), name]
        rps = {}
        for w in workloads:
            report = load(r, name, w)
            rps[w] = report["throughput_rps"]
            row += [f"{report['throughput_rps']:.0f}", f"{report['latency_ms']['p99']:.2f}"]
        ratio = rps.get("get-site", 0) / rps["health"] if rps.get("health") else 0
        row.append(f"{ratio:.0%}")
        storm = load(r, name, "storm")
        row += ([f"{storm['list']['latency_ms']['p99']:.2f}", f"{storm['login']['throughput_rps']:.1f}"]
                if storm else ["", ""])
        print("| " + " | ".join(row) + " |")
EOF
