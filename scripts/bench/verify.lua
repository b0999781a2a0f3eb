-- wrk script for bench:verify: POSTs the request bodies in BENCH_BODIES (one JSON body a line)
-- in turn, so every second of load uses the whole mix of keys, and prints one JSON summary line.
local path = os.getenv("BENCH_BODIES")
local token = os.getenv("BENCH_TOKEN")
local requests = {}
local n = 0
local i = 0

-- Built in init, not at load: wrk.format adds the Host header only once wrk.host is known.
init = function(_)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }
  local f = assert(io.open(path, "r"))
  for line in f:lines() do
    if #line > 0 then
      n = n + 1
      requests[n] = wrk.format("POST", "/v1/verify", headers, line)
    end
  end
  f:close()
end

request = function()
  i = i % n + 1
  return requests[i]
end

done = function(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
