-- wrk script for bench/http_bench.py: send a fixed list of requests in rotation, report JSON.
--
-- Usage: wrk -s bench/rotate.lua URL -- REQUESTS_FILE
-- REQUESTS_FILE has one request a line, tab-separated: method, path (with query string),
-- Accept, Content-Type, body (the last three may be empty; a body holds no tab or newline).
-- Each connection thread starts at a different place in the list. At the end one line of
-- JSON goes to standard output: counts, errors and latency percentiles in microseconds.

local queue = {}
local position = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local method, path, accept, ctype, body =
      line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {}
    if accept ~= "" then headers["Accept"] = accept end
    if ctype ~= "" then headers["Content-Type"] = ctype end
    if body == "" then body = nil end
    queue[#queue + 1] = wrk.format(method, path, headers, body)
  end
  file:close()
  position = ((id or 0) * 7) % #queue
end

function request()
  position = position % #queue + 1
  return queue[position]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean))
end
