-- GET /healthz/ping: the framework's ceiling (full middleware stack, no database, no authentication).
package.path = package.path .. ";" .. os.getenv("BENCH_WRK_DIR") .. "/?.lua"
local common = require("common")

function setup(thread) common.setup(thread) end
function init(args) common.init() end
function done(summary, latency, requests) common.done(summary, latency, requests) end
