-- wrk script for the benches: builds each request's body from a JSON template, varying the id, the state
-- and the source time per request, and prints one JSON result line (with wrk's own CPU) when done.
-- Arguments (after --): mode ids prefix stateA stateB timeBase timeStep threads template
-- Modes mirror bench/support/bodies.ts:
--   mix:    even requests walk the ids in order, odd ones revisit the id of LAG pairs before; each request
--           flips its id's state (A, B, A, ...): about half opens and half updates, never a duplicate.
--   new:    every request a new id (opens only).
--   repeat: the same message for each of `ids` ids again and again (state A, source time fixed).
local LAG = 256
wrk.method = "POST"

local setups = 0
function setup(thread)
  thread:set("thread_index", setups)
  setups = setups + 1
end

local mode, ids, prefix, state_a, state_b, time_base, time_step, thread_count, template
local n, states = 0, {}

function init(args)
  mode, ids, prefix, state_a, state_b = args[1], tonumber(args[2]), args[3], args[4], args[5]
  time_base, time_step, thread_count, template = tonumber(args[6]), tonumber(args[7]), tonumber(args[8]), args[9]
end

local function id_for(t, index)
  return string.format("%s-4%03x-8000-%012x", prefix, t, index)
end

function request()
  local i = n
  n = n + 1
  local index, state, t = i, state_a, thread_index
  if mode == "mix" then
    local pair = math.floor(i / 2)
    if i % 2 == 0 then index = pair % ids else index = (pair + ids - LAG) % ids end
    state = (states[index] == state_a) and state_b or state_a
    states[index] = state
  elseif mode == "repeat" then
    index, t = (i * thread_count + thread_index) % ids, 0
  end
  local time = mode == "repeat" and time_base or time_base + i * time_step
  local values = { ID = id_for(t, index), STATE = state, TIME = string.format("%.0f", time) }
  return wrk.format(nil, nil, nil, (template:gsub("__(%u+)__", values)))
end

function done(summary, latency, requests)
  local f = io.open("/proc/self/stat")
  local stat = f:read("*l")
  f:close()
  local fields = {}
  for field in stat:sub(stat:match(".*()%)") + 2):gmatch("%S+") do table.insert(fields, field) end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationUs":%d,"non2xx":%d,"socketErrors":%d,"p50Us":%.0f,"p99Us":%.0f,"cpuTicks":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), tonumber(fields[12]) + tonumber(fields[13])))
end
