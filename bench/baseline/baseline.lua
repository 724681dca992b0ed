-- wrk script driving the Django baseline like `bench run` drives the Rust
-- services. BENCH_OP picks the workload: list-postings, get-posting, get-me,
-- list-sites, create-posting, update-posting, refresh, login or mixed (the
-- weights of bench/src/workloads/mixed.rs). BENCH_FIXTURE is the Lua file
-- written by fixture.py (tokens and ids of the seeded users); each request
-- acts as the next user in turn. done() prints one `BENCH_JSON {...}` line
-- in the shape of bench's JSON report.

local op = os.getenv("BENCH_OP") or "list-postings"
local password = os.getenv("BENCH_PASSWORD") or "Bench-Passw0rd!2024"
local users = dofile(os.getenv("BENCH_FIXTURE"))

local WEIGHTS = {
  { "list-postings", 400 }, { "get-posting", 250 }, { "get-me", 100 }, { "list-sites", 100 },
  { "create-posting", 50 }, { "update-posting", 50 }, { "refresh", 45 }, { "login", 5 },
}

local LOREM = "We are looking for an engineer to design, build and operate reliable services. "
  .. "You will own features end to end, collaborate with product and design, write "
  .. "tests, review code and improve our delivery pipeline. Experience with relational "
  .. "databases, HTTP APIs, authentication and observability is expected. "

local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

local counter = 0
function init(args)
  counter = (tid or 1) * 7
  math.randomseed(1000 + (tid or 1))
end

local function json_headers(token)
  local h = { ["Content-Type"] = "application/json" }
  if token then h["Authorization"] = "Bearer " .. token end
  return h
end

local function bearer(token)
  return { ["Authorization"] = "Bearer " .. token }
end

local function posting_body(user)
  return string.format(
    '{"job_site": %s, "company_name": "Globex", "posting_title": "Rust Systems Engineer", '
      .. '"posting_status": "applied", "posting_url_full": "https://jobs.example.com/globex/%d", '
      .. '"pay_range": "$120k-$160k", "location_type": "remote", "location_city": "Denver, CO", '
      .. '"employment_type": "full-time", "applied_at": "2024-07-01T09:00:00Z", "time_spent": 45, '
      .. '"technology_stack": ["Rust", "Tokio", "gRPC", "PostgreSQL"], '
      .. '"comments": [{"at": "2024-07-02T09:00:00Z", "text": "Follow-up note 1."}], '
      .. '"job_description": "%s"}',
    user.site, counter, LOREM .. LOREM .. LOREM)
end

local function build(name, user)
  if name == "list-postings" then
    return wrk.format("GET", "/api/job_posting/", bearer(user.access))
  elseif name == "get-posting" then
    local id = user.postings[(counter % #user.postings) + 1]
    return wrk.format("GET", "/api/job_posting/" .. id, bearer(user.access))
  elseif name == "get-me" then
    return wrk.format("GET", "/api/me/", bearer(user.access))
  elseif name == "list-sites" then
    return wrk.format("GET", "/api/job_site/", bearer(user.access))
  elseif name == "create-posting" then
    return wrk.format("POST", "/api/job_posting/", json_headers(user.access), posting_body(user))
  elseif name == "update-posting" then
    local id = user.postings[(counter % #user.postings) + 1]
    local status = (counter % 2 == 0) and "interviewing" or "applied"
    return wrk.format("PUT", "/api/job_posting/" .. id, json_headers(user.access),
      '{"posting_status": "' .. status .. '"}')
  elseif name == "refresh" then
    -- SimpleJWT here does not rotate: the same refresh token stays valid.
    return wrk.format("POST", "/api/token/refresh/", json_headers(nil),
      '{"refresh": "' .. user.refresh .. '"}')
  elseif name == "login" then
    return wrk.format("POST", "/api/auth/login/", json_headers(nil),
      '{"username": "' .. user.username .. '", "password": "' .. password .. '"}')
  end
  error("unknown BENCH_OP " .. name)
end

local function pick()
  local roll = math.random(0, 999)
  for _, w in ipairs(WEIGHTS) do
    if roll < w[2] then return w[1] end
    roll = roll - w[2]
  end
  return "list-postings"
end

function request()
  counter = counter + 1
  local user = users[(counter % #users) + 1]
  if op == "mixed" then
    return build(pick(), user)
  end
  return build(op, user)
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = {}
  for _, kv in ipairs({ { "connect", e.connect }, { "read", e.read }, { "write", e.write },
    { "timeout", e.timeout }, { "http_4xx_5xx", e.status } }) do
    if kv[2] > 0 then table.insert(errors, string.format('"%s": %d', kv[1], kv[2])) end
  end
  local seconds = summary.duration / 1e6
  local ms = function(us) return us / 1000.0 end
  io.write(string.format(
    'BENCH_JSON {"tool": "wrk", "workload": "%s", "elapsed_s": %.3f, "requests": %d, '
      .. '"throughput_rps": %.3f, "latency_ms": {"mean": %.3f, "p50": %.3f, "p90": %.3f, '
      .. '"p99": %.3f, "p999": %.3f, "max": %.3f}, "errors": {%s}}\n',
    op, seconds, summary.requests, summary.requests / seconds, ms(latency.mean),
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)),
    ms(latency:percentile(99.9)), ms(latency.max), table.concat(errors, ", ")))
end
