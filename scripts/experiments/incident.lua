-- The thrashing incident, reproduced, and three remedies beside it.
--
-- A cache service (guests/src/service.c) answers 1,000,000 requests per second; each request
-- reads and updates a random page of its working set, which grows as the cache fills, from
-- half of RAM to 1.9 times RAM. The machine has swap, so nothing fails: while the working set
-- fits, the CPU is mostly idle; once it outgrows RAM, nearly every millisecond goes to page
-- faults waiting for swap, throughput collapses, a backlog builds and memory pressure (PSI
-- full) climbs -- the incident of a 120 GB working set on a 64 GB server, at 1 MiB scale.
-- Beside it, on the same load:
--   more RAM          the working set ends at 0.95x RAM: no fault, full throughput;
--   smaller cache     the cache is capped at 0.9x RAM: the same;
--   memory limit      0.9x RAM and no swap for the service (memory.max with memory.swap.max=0):
--                     it is killed the moment it outgrows the limit -- a failure a supervisor
--                     sees and restarts, instead of a machine crawling for hours.
-- Time is vmlab's modelled clock (os/cycle_accounting.h: 1 ns per instruction, 10 us per 4 KiB
-- read or write of the swap device): the service's own clock, its log and the timeline agree.
--
--   build/vmlab script scripts/experiments/incident.lua [--quick] [--out DIR]

local experiment = require("experiment")
local tables = require("tables")
local csv = require("csv")
local plot = require("plot")

local ex = experiment.new("incident", ...)
local RAM_PAGES = 256             -- 1 MiB
local RATE = 1000000              -- requests per second
local SECONDS = ex.quick and 8 or 20
local START_RATIO, END_RATIO = 0.5, 1.9
local INTERVAL_MS = 250           -- the timeline's interval and the service's log interval
local KIB_PER_PAGE = 4
local MS_PER_S = 1000

local runs = {
  {name = "incident", title = "incident: 1 MiB RAM + swap", end_ratio = END_RATIO,
   ram_pages = RAM_PAGES, machine = {ram = "1M", swap = "16M"}},
  {name = "more_ram", title = "more RAM: 2 MiB", end_ratio = END_RATIO, ram_pages = 2 * RAM_PAGES,
   machine = {ram = "2M", swap = "16M"}},
  {name = "smaller_cache", title = "smaller cache: 0.9x RAM", end_ratio = 0.9,
   ram_pages = RAM_PAGES, machine = {ram = "1M", swap = "16M"}},
  {name = "memory_limit", title = "limit 0.9x RAM, no swap", end_ratio = END_RATIO,
   ram_pages = RAM_PAGES, machine = {ram = "1M", mem_limit = math.floor(0.9 * RAM_PAGES)}},
}

-- The working set the service has at time t (seconds), as a multiple of its machine's RAM.
local function ws_ratio(run, t)
  local grown = math.min(1, t / SECONDS)
  return (START_RATIO + (run.end_ratio - START_RATIO) * grown) * RAM_PAGES / run.ram_pages
end

-- "1,000,000"
local function thousands(n)
  local text = tostring(math.floor(n))
  repeat
    local before = text
    text = text:gsub("^(%d+)(%d%d%d)", "%1,%2")
  until text == before
  return text
end

-- Runs the service on a fresh machine, recording the timeline (one record per interval) and
-- the service's log. Returns the rows of both and the service's exit status.
local function run_service(run)
  local settings = {model = "fast", interval = INTERVAL_MS .. "ms",
                    timeline = ex:path(run.name .. "-timeline.csv")}
  for k, v in pairs(run.machine) do settings[k] = v end
  local m = vmlab.machine(settings)
  local timeline = {}
  m:on("tick", function(e)
    local seconds = e.interval_ms / MS_PER_S
    local t = e.time_ms / MS_PER_S
    timeline[#timeline + 1] = {
      time_s = t, ws_ratio = ws_ratio(run, t), fault_pct = e.fault_pct or 0,
      user_pct = e.user_pct or 0, kernel_pct = e.kernel_pct or 0, wait_pct = e.wait_pct or 0,
      idle_pct = e.idle_pct or 0, si = e.swap_ins * KIB_PER_PAGE / seconds,
      so = e.swap_outs * KIB_PER_PAGE / seconds, psi_full_pct = e.psi_full_pct or 0,
      psi_full_avg10 = e.psi_full_avg10, ram = 1}
  end)
  local pid = m:spawn{vmlab.guest("service-musl"), tostring(math.floor(START_RATIO * RAM_PAGES)),
                      tostring(math.floor(run.end_ratio * RAM_PAGES)), tostring(SECONDS),
                      tostring(RATE), tostring(INTERVAL_MS), stdout = "capture",
                      stderr = "discard"}
  local reason = m:run()
  assert(reason == "exited", run.name .. " ended with " .. reason)
  local log, previous = {}, {t = 0, served = 0}
  for line in m:output(pid):gmatch("[^\n]+") do
    local t_ms, served, backlog = line:match("^(%d+) (%d+) (%d+)")
    local now = {t = tonumber(t_ms) / MS_PER_S, served = tonumber(served)}
    if now.t > previous.t then
      log[#log + 1] = {time_s = now.t, kreq_per_s = (now.served - previous.served) /
                                                   (now.t - previous.t) / 1000,
                       backlog = tonumber(backlog)}
      previous = now
    end
  end
  local status = m:exit_status()
  m:close()
  return timeline, log, status
end

local results = {}
for _, run in ipairs(runs) do
  local timeline, log, status = run_service(run)
  results[run.name] = {timeline = timeline, log = log, status = status}
  if status ~= 0 then
    run.title = string.format("%s (killed at %.1f s)", run.title, log[#log].time_s)
  end
  csv.write(ex:path(run.name .. ".csv"), timeline,
            {"time_s", "ws_ratio", "fault_pct", "user_pct", "kernel_pct", "wait_pct", "idle_pct",
             "si", "so", "psi_full_pct", "psi_full_avg10", "ram"})
  csv.write(ex:path(run.name .. "-log.csv"), log, {"time_s", "kreq_per_s", "backlog"})
end

-- The incident's timeline, one row a second, vmstat's way: where the time went, swap traffic.
local incident = results.incident
local rows = {}
for i, row in ipairs(incident.timeline) do
  local entry = incident.log[i]
  if i % (MS_PER_S // INTERVAL_MS) == 0 and entry then
    rows[#rows + 1] = {t = row.time_s, ws = row.ws_ratio, served = entry.kreq_per_s * 1000,
                       backlog = entry.backlog, us = row.user_pct, sy = row.kernel_pct,
                       wa = row.wait_pct, id = row.idle_pct, faults = row.fault_pct,
                       si = row.si, so = row.so, full = row.psi_full_pct,
                       avg10 = row.psi_full_avg10}
  end
end
tables.print(string.format("The incident: %s requests/s, working set %.1fx -> %.1fx of 1 MiB " ..
                           "of RAM over %d s (si, so: KiB/s; full: PSI memory)",
                           thousands(RATE), START_RATIO, END_RATIO, SECONDS), rows,
             {{"t", "%.0f s"}, {"ws", "%.2fx"}, {"served", "%.0f/s"}, "backlog", {"us", "%.0f"},
              {"sy", "%.0f"}, {"wa", "%.0f"}, {"id", "%.0f"}, {"faults", "%.1f%%"},
              {"si", "%.0f"}, {"so", "%.0f"}, {"full", "%.0f%%"}, {"avg10", "%.2f"}})

-- Last second of each run: what the remedies change.
local function last_second(result)
  local n, served = 0, 0
  for i = #result.log, math.max(1, #result.log - 3), -1 do
    n = n + 1
    served = served + result.log[i].kreq_per_s * 1000
  end
  local last = result.timeline[#result.timeline - 1] or result.timeline[#result.timeline]
  return served / n, last
end
local summary = {}
for _, run in ipairs(runs) do
  local r = results[run.name]
  local served, last = last_second(r)
  local si = 0
  for _, row in ipairs(r.timeline) do si = si + row.si end
  summary[#summary + 1] = {run = run.title, ends = r.status == 0 and "served to the end" or
                                                   string.format("killed (status %d) at %.1f s",
                                                                 r.status, r.log[#r.log].time_s),
                           served = served, faults = last.fault_pct, avg10 = last.psi_full_avg10,
                           swapped = si > 0 and "yes" or "no"}
  run.served, run.last, run.swapped = served, last, si > 0
end
tables.print("At the end of each run", summary,
             {"run", "ends", {"served", "%.0f/s"}, {"faults", "%.1f%%"}, {"avg10", "%.2f"},
              "swapped"})

-- One picture for a student: throughput, working set, time in faults, swap, pressure. The
-- incident's line is the thick one; flat lines of the remedies lie just inside the frame.
local lines = function(column, scale)
  local out = {}
  for i, run in ipairs(runs) do
    local file = run.name .. (column == "kreq_per_s" and "-log.csv" or ".csv")
    out[#out + 1] = {csv = ex:path(file), y = column, title = run.title, scale = scale,
                     width = i == 1 and 3 or 1.5}
  end
  return out
end
local ws_lines = lines("ws_ratio")
ws_lines[#ws_lines + 1] = {csv = ex:path("incident.csv"), y = "ram", title = "RAM"}
local PERCENT = {ymin = -3, ymax = 105}
local function panel(spec)
  spec.style, spec.xlabel, spec.xmin, spec.xmax = "lines", "modelled time (s)", 0, SECONDS
  return spec
end
plot.figure{
  output = ex:path("incident.png"), x = "time_s",
  title = string.format("A cache outgrows RAM: %s requests/s, working set %.1fx -> %.1fx RAM, " ..
                        "and three remedies", thousands(RATE), START_RATIO, END_RATIO),
  panels = {
    panel{title = "Requests served per second: the incident's throughput collapses",
          ylabel = "thousands", ymin = 0, ymax = RATE / 1000 * 1.1,
          lines = lines("kreq_per_s")},
    panel{title = "Working set of the cache, as a multiple of the machine's RAM",
          ylabel = "x RAM", ymin = 0, lines = ws_lines},
    panel{title = "Share of time spent on page faults (handling them, waiting for swap)",
          ylabel = "% of time", ymin = PERCENT.ymin, ymax = PERCENT.ymax,
          lines = lines("fault_pct")},
    panel{title = "Swap traffic of the incident (the remedies never swap)", ylabel = "MiB/s",
          ymin = 0, lines = {{csv = ex:path("incident.csv"), y = "si", title = "swapped in (si)",
                              scale = 1 / 1024, width = 3},
                             {csv = ex:path("incident.csv"), y = "so",
                              title = "swapped out (so)", scale = 1 / 1024}}},
    panel{title = "Memory pressure: PSI full avg10 (share of time all work stalled on memory)",
          ylabel = "%", ymin = PERCENT.ymin, ymax = PERCENT.ymax,
          lines = lines("psi_full_avg10")},
  }}

-- Key numbers.
local below, above = 0, math.huge
for _, row in ipairs(incident.timeline) do
  if row.ws_ratio < 0.9 then below = math.max(below, row.fault_pct) end
  if row.ws_ratio > 1.1 and row.time_s < SECONDS then above = math.min(above, row.fault_pct) end
end
ex:check_that("faults take no time while the working set fits (< 0.9x RAM)", below < 1,
              string.format("at most %.2f%% of the time", below))
ex:check_that("faults take most of the time past 1.1x RAM", above > 80,
              string.format("at least %.1f%% of the time", above))
local inc, more, smaller, limit = runs[1], runs[2], runs[3], runs[4]
ex:check_that("the incident's throughput collapses (< 20% of the arrivals)",
              inc.served < 0.2 * RATE, string.format("%.0f of %d requests/s", inc.served, RATE))
ex:check_that("PSI full avg10 climbs in the incident", inc.last.psi_full_avg10 > 25,
              string.format("%.2f%%", inc.last.psi_full_avg10))
ex:check_that("the incident swaps in and out", inc.swapped, "si and so > 0")
for _, remedy in ipairs{more, smaller} do
  ex:check_that(remedy.title .. ": full throughput, no swap, no stall",
                remedy.served >= 0.99 * RATE and not remedy.swapped and
                remedy.last.psi_full_avg10 == 0,
                string.format("%.0f requests/s", remedy.served))
end
local killed = results.memory_limit
ex:check_that("the memory limit kills the service before it outgrows RAM",
              killed.status == 137 and killed.log[#killed.log].time_s < SECONDS and
              not limit.swapped,
              string.format("status %s at %.1f s", tostring(killed.status),
                            killed.log[#killed.log].time_s))
ex:finish()
