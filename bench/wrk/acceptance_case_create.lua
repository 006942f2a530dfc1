-- POST /api/v1/acceptance/cases/ as a window clerk (token): intake of a new 办件 with every key material, accepted
-- at once (number, due date in working days, materials, event and audit rows). Environment: BENCH_ITEM (事项编码),
-- BENCH_MATERIALS (the item's material ids, comma-separated), plus common.lua's.
package.path = package.path .. ";" .. os.getenv("BENCH_WRK_DIR") .. "/?.lua"
local common = require("common")
local item = os.getenv("BENCH_ITEM")
local materials = os.getenv("BENCH_MATERIALS")

function setup(thread) common.setup(thread) end
function init(args) common.init() end

function request()
  local n = common.next_number()
  local body = string.format(
    '{"item": "%s", "decision": "accept", "applicant": {"name": "压测申请人", "id_number": "%s", ' ..
    '"phone": "139%08d"}, "materials": [%s]}', item, common.id_number(n), n % 100000000, materials)
  return wrk.format("POST", "/api/v1/acceptance/cases/", nil, body)
end

function done(summary, latency, requests) common.done(summary, latency, requests) end
