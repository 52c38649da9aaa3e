-- wrk script for scripts/load.sh: every request a new idempotency key; each thread writes
-- the id of every 201 to OUT/ids-N.txt so load.sh can find each one in the store once, and
-- done() prints one line of figures (latencies in microseconds).
local threads = {}
local counter = 1

function setup(thread)
  thread:set("tid", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  n = 0
  created = 0
  other = 0
  ids = io.open(os.getenv("OUT") .. "/ids-" .. tid .. ".txt", "w")
  run = os.getenv("RUN") or "load"
  body = '{"plan":"basic","email":"load@example.com","name":"Load Test","subject":"load",' ..
    '"message":"a request from scripts/load.sh","time_zone":"America/Sao_Paulo","locale":"pt-BR","fill_ms":9000}'
end

function request()
  n = n + 1
  return wrk.format("POST", "/v1/requests",
    { ["Content-Type"] = "application/json", ["Idempotency-Key"] = run .. "-" .. tid .. "-" .. n }, body)
end

function response(status, headers, resp)
  if status == 201 then
    created = created + 1
    local id = resp:match('"id"%s*:%s*"([^"]+)"')
    ids:write((id or "?") .. "\n")
    ids:flush()
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local created_all, other_all = 0, 0
  for _, t in ipairs(threads) do
    created_all = created_all + t:get("created")
    other_all = other_all + t:get("other")
  end
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.0f p50=%d p99=%d p999=%d max=%d created=%d other=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max,
    created_all, other_all,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
