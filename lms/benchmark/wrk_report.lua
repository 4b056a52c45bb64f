-- wrk script for `manage.py bench`: sends the page's request and, when done, prints one
-- line "BENCH_RESULT {json}" with requests, duration, latency percentiles (microseconds),
-- socket errors and responses that were not 2xx (wrk itself counts only >= 400, so a
-- redirect to sign-in would otherwise pass as a success).
--
-- The request comes from the environment: BENCH_METHOD (GET or POST) and BENCH_BODY (an
-- url-encoded form); cookies and the content type are given with wrk's -H.

wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
if body ~= nil and body ~= "" then
  wrk.body = body
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non_2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non_2xx") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, '
    .. '"latency_us": {"p50": %d, "p95": %d, "p99": %d, "mean": %.1f, "max": %d}, '
    .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
    .. '"non_2xx": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.mean, latency.max,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout, bad))
end
