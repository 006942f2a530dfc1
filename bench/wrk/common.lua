-- Shared by the wrk scripts of bench/loadtest.py: token auth, unique numbers per request, a JSON summary.
-- Environment: BENCH_TOKEN (API token), BENCH_BASE (first sequence number of this run), BENCH_OUT (summary file).
local M = {}

local threads = {}

function M.setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function M.init()
  M.tid = tid or 0
  M.counter = 0
  M.base = tonumber(os.getenv("BENCH_BASE") or "0")
  wrk.headers["Content-Type"] = "application/json"
  local token = os.getenv("BENCH_TOKEN")
  if token and token ~= "" then
    wrk.headers["Authorization"] = "Token " .. token
  end
end

-- A number no other request of this run (nor of another run with another BENCH_BASE) gets.
function M.next_number()
  local n = M.base + M.counter * 64 + M.tid
  M.counter = M.counter + 1
  return n
end

local WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
local CHECK = {"1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"}

-- A valid 18-character ID number (GB 11643) from n: area 44xxxx (no benchmark builder uses it), a birth date
-- between 1971 and 2020, a sequence; distinct for every n below 1.8e11.
function M.id_number(n)
  local seq = n % 1000
  local day = math.floor(n / 1000) % 18000
  local area = 440000 + math.floor(n / 18000000) % 10000
  local birth = os.date("!%Y%m%d", 31536000 + day * 86400)
  local body = string.format("%06d%s%03d", area, birth, seq)
  local total = 0
  for i = 1, 17 do
    total = total + tonumber(body:sub(i, i)) * WEIGHTS[i]
  end
  return body .. CHECK[(total % 11) + 1]
end

-- Writes one JSON line: requests, seconds, non-2xx, socket errors and latency percentiles (ms).
function M.done(summary, latency, requests)
  local errors = summary.errors
  local out = string.format(
    '{"requests": %d, "seconds": %.3f, "non_2xx": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "timeouts": %d, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, ' ..
    '"mean_ms": %.3f}',
    summary.requests, summary.duration / 1e6, errors.status, errors.connect, errors.read, errors.write,
    errors.timeout, latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000)
  local path = os.getenv("BENCH_OUT")
  if path and path ~= "" then
    local fh = io.open(path, "w")
    fh:write(out .. "\n")
    fh:close()
  end
  io.write(out .. "\n")
end

return M
