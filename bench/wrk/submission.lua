-- A whole survey submission, as a browser makes it: GET the form (gzip), POST the answers
-- with the page's hidden fields and its session cookie, follow the 303 to the thank-you page.
-- Run with as many threads as connections (-t N -c N), so that each thread's state is one
-- client's. Arguments: form path, POST body of the answers, submissions per thread (the
-- bound), the pace: submissions per second per client (0 = as fast as possible), and the
-- number of clients. When
-- paced, a submission's time runs from its planned start (no coordinated omission).

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } timespec;
  int clock_gettime(int clock, timespec *now);
  typedef struct {
    const unsigned char *next_in; unsigned avail_in; unsigned long total_in;
    unsigned char *next_out; unsigned avail_out; unsigned long total_out;
    const char *msg; void *state; void *zalloc; void *zfree; void *opaque;
    int data_type; unsigned long adler; unsigned long reserved;
  } z_stream;
  const char *zlibVersion(void);
  int inflateInit2_(z_stream *stream, int window_bits, const char *version, int size);
  int inflate(z_stream *stream, int flush);
  int inflateEnd(z_stream *stream);
]]
local zlib = ffi.load("libz.so.1")
local clock = ffi.new("timespec")

local function now()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) / 1e9
end

local out_size = 1048576
local out = ffi.new("unsigned char[?]", out_size)

local function gunzip(data)
  local stream = ffi.new("z_stream")
  assert(zlib.inflateInit2_(stream, 31, zlib.zlibVersion(), ffi.sizeof(stream)) == 0)
  stream.next_in, stream.avail_in = data, #data
  stream.next_out, stream.avail_out = out, out_size
  local status = zlib.inflate(stream, 4) -- Z_FINISH
  local text = ffi.string(out, out_size - stream.avail_out)
  zlib.inflateEnd(stream)
  return status == 1 and text or nil -- Z_STREAM_END
end

local function urlencode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

local function unescape(text)
  return (text:gsub("&#34;", '"'):gsub("&#39;", "'"):gsub("&quot;", '"'):gsub("&amp;", "&"))
end

local path, answers, budget, pace
local step, cookie, body, location = "form", nil, nil, nil
local planned, interval, started
local done_count = 0
latencies, errors = {}, 0 -- read by done() through thread:get
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("client", #threads)
end

function init(args)
  path, answers, budget, pace = args[1], args[2], tonumber(args[3]), tonumber(args[4])
  local clients = tonumber(args[5])
  interval = pace > 0 and 1 / pace or 0
  -- Spread the clients' starts evenly over one interval, so that together they send at a
  -- constant rate. (Not math.random: LuaJIT seeds it alike in every thread, which started
  -- all clients at the same instant and made the "paced" load arrive in bursts.)
  planned = now() + (client - 1) / clients * interval
end

function delay()
  if step ~= "form" or interval == 0 then
    return 0
  end
  return math.max(0, (planned - now()) * 1000)
end

function request()
  if step == "form" then
    started = interval > 0 and planned or now()
    return wrk.format("GET", path, { ["Accept-Encoding"] = "gzip" })
  elseif step == "post" then
    return wrk.format("POST", path, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Accept-Encoding"] = "gzip",
      ["Cookie"] = cookie,
    }, body)
  else
    return wrk.format("GET", location, { ["Accept-Encoding"] = "gzip", ["Cookie"] = cookie })
  end
end

local function restart(ok)
  if ok then
    table.insert(latencies, now() - started)
  else
    errors = errors + 1
  end
  done_count = done_count + 1
  step = "form"
  if interval > 0 then
    planned = planned + interval
  end
  if done_count >= budget then
    wrk.thread:stop()
  end
end

function response(status, headers, data)
  if step == "form" then
    local page = status == 200 and gunzip(data)
    local set_cookie = headers["Set-Cookie"]
    if not page or not set_cookie then
      return restart(false)
    end
    cookie = set_cookie:match("^([^;]+)")
    local fields = {}
    for name, value in page:gmatch('<input type="hidden" name="([%w_]+)" value="([^"]*)">') do
      table.insert(fields, name .. "=" .. urlencode(unescape(value)))
    end
    body = table.concat(fields, "&") .. "&" .. answers
    step = "post"
  elseif step == "post" then
    location = headers["Location"]
    if status ~= 303 or not location then
      return restart(false)
    end
    location = location:gsub("^https?://[^/]+", "")
    step = "thanks"
  else
    restart(status == 200 and gunzip(data) ~= nil)
  end
end

function done(summary)
  local all, failed = {}, 0
  for _, thread in ipairs(threads) do
    for _, seconds in ipairs(thread:get("latencies")) do
      table.insert(all, seconds)
    end
    failed = failed + thread:get("errors")
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  io.write('{"seconds": ', string.format("%.3f", summary.duration / 1e6),
    ', "errors": ', failed + socket_errors, ', "latencies": [')
  for i, seconds in ipairs(all) do
    io.write(i > 1 and "," or "", string.format("%.5f", seconds))
  end
  io.write("]}\n")
end
