-- POST /api/v1/residents/ as a committee worker (token): every request registers a new resident with a fresh,
-- valid ID number. Environment: BENCH_COMMITTEE (the committee's code), plus common.lua's.
package.path = package.path .. ";" .. os.getenv("BENCH_WRK_DIR") .. "/?.lua"
local common = require("common")
local committee = os.getenv("BENCH_COMMITTEE")
local SURNAMES = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴"}
local GIVEN = {"建国", "秀英", "志强", "美华", "伟", "丽萍", "国强", "桂兰", "敏", "金妹"}

function setup(thread) common.setup(thread) end
function init(args) common.init() end

function request()
  local n = common.next_number()
  local body = string.format(
    '{"name": "%s%s", "id_number": "%s", "committee": "%s", "address": "压测路%d号%d室", "phone": "139%08d"}',
    SURNAMES[n % 10 + 1], GIVEN[math.floor(n / 10) % 10 + 1], common.id_number(n), committee, n % 997,
    n % 600 + 101, n % 100000000)
  return wrk.format("POST", "/api/v1/residents/", nil, body)
end

function done(summary, latency, requests) common.done(summary, latency, requests) end
