-- GET of one page, bounded in requests per thread (wrk bounds the time); prints JSON.
-- Arguments: the number of requests each thread may send. Asks for gzip as Chromium does.

wrk.headers["Accept-Encoding"] = "gzip, deflate, br, zstd"

local budget, sent = 1e9, 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  budget = tonumber(args[1]) or budget
end

function request()
  sent = sent + 1
  if sent > budget then
    wrk.thread:stop()
  end
  return wrk.request()
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "errors": %d, "p50": %.3f, "p95": %.3f, "p99": %.3f}\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
