-- POST /api/v1/grid/cases/ as a patrol officer (token): a new 上报 with coordinates inside the 街道, so every
-- request also locates its grid (point-in-polygon). Environment: BENCH_CATEGORY (小类 code), BENCH_BBOX
-- ("lng0,lat0,lng1,lat1" of the 街道's grids), plus common.lua's.
package.path = package.path .. ";" .. os.getenv("BENCH_WRK_DIR") .. "/?.lua"
local common = require("common")
local category = os.getenv("BENCH_CATEGORY")
local bbox = {}
for v in string.gmatch(os.getenv("BENCH_BBOX"), "[^,]+") do table.insert(bbox, tonumber(v)) end

function setup(thread) common.setup(thread) end
function init(args) common.init() end

function request()
  local n = common.next_number()
  local fx = (n * 7919 % 1000) / 1000
  local fy = (n * 104729 % 1000) / 1000
  local lng = bbox[1] + (bbox[3] - bbox[1]) * (0.02 + 0.96 * fx)
  local lat = bbox[2] + (bbox[4] - bbox[2]) * (0.02 + 0.96 * fy)
  local body = string.format(
    '{"category": "%s", "description": "压测上报%d：人行道上堆放杂物", "lat": %.6f, "lng": %.6f, ' ..
    '"address": "压测路%d号"}', category, n, lat, lng, n % 997)
  return wrk.format("POST", "/api/v1/grid/cases/", nil, body)
end

function done(summary, latency, requests) common.done(summary, latency, requests) end
