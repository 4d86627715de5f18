-- Page replacement policies compared on real guests: FIFO, CLOCK (second chance), exact LRU,
-- two-list (Linux's active/inactive lists with refault detection) and OPT (Belady's optimal
-- policy, which looks ahead in the reference string of an identical recorded run).
--
-- Each workload runs in too little RAM (swap holds the rest); the table counts major faults:
-- pages read back from swap or from the program file.
--   * hot loop + scan: one process reads 120 pages over and over while another streams
--     through 800 pages (time slices of 1000 instructions). FIFO throws out the hot pages
--     because they are the oldest; LRU and CLOCK keep them because they are used.
--   * a cyclic scan larger than RAM: FIFO, CLOCK and LRU all evict exactly the page needed
--     next and fault on every access; only OPT does better.
--   * random access: no policy can guess; OPT still can.
-- OPT is the lower bound no real policy can beat.
--
-- The workloads are sized so that OPT can replay its recording: vmlab's OPT refuses a run
-- whose references drift from the recording (an instruction retried after a fault can touch
-- its first page again), which happens with, e.g., larger matmul runs.
--
--   build/vmlab script scripts/experiments/policies.lua [--quick] [--out DIR]

local experiment = require("experiment")
local tables = require("tables")
local csv = require("csv")
local plot = require("plot")

local ex = experiment.new("policies", ...)
local policies = {"fifo", "clock", "lru", "two-list", "opt"}
local G = vmlab.guest

local workloads = {
  {name = "hot loop + scan", machine = {ram = "1M", quantum = 1000},
   programs = {{G("page_toucher-rt"), "120", "1", "wr", ex.quick and "15" or "30"},
               {G("page_toucher-rt"), "800", "1", "wr", ex.quick and "1" or "2"}}},
  {name = "cyclic scan", machine = {ram = "1M"},
   programs = {{G("page_toucher-rt"), "300", "1", "wr", ex.quick and "3" or "6"}}},
  {name = "random access", machine = {ram = "1M"},
   programs = {{G("random_access-musl"), "2", ex.quick and "10000" or "30000", "3"}}},
  {name = "stream", machine = {ram = "512K"},
   programs = {{G("stream-musl"), "1", ex.quick and "2" or "4"}}},
}

local function machine_for(w, extra)
  local t = {swap = "32M"}
  for k, v in pairs(w.machine) do t[k] = v end
  for k, v in pairs(extra) do t[k] = v end
  return t
end

local rows = {}
for index, w in ipairs(workloads) do
  -- The future OPT looks into: an identical run (same machine) that records its references.
  local refs = ex:path("workload" .. index .. ".refs")
  ex:run{machine = machine_for(w, {record_refs = refs}), programs = w.programs}
  local row = {workload = w.name, ram = w.machine.ram}
  for _, policy in ipairs(policies) do
    local extra = {policy = policy, refs = policy == "opt" and refs or nil}
    row[policy] = ex:run{machine = machine_for(w, extra), programs = w.programs}.faults.major
  end
  rows[#rows + 1] = row
  os.remove(refs)
end

local columns = {"workload", "ram", "fifo", "clock", "lru", "two-list", "opt"}
tables.print("Major faults by replacement policy", rows, columns)
csv.write(ex:path("policies.csv"), rows, columns)
for i, row in ipairs(rows) do row.index = i end
csv.write(ex:path("policies-plot.csv"), rows, {"index", "fifo", "clock", "lru", "two-list", "opt"})
plot.lines{csv = ex:path("policies-plot.csv"), x = "index", style = "points",
           y = {"fifo", "clock", "lru", "two-list", "opt"}, output = ex:path("policies.png"),
           xlabel = "workload (1 hot loop + scan, 2 cyclic scan, 3 random access, 4 stream)",
           ylabel = "major faults", logy = true, title = "Replacement policies"}

for _, row in ipairs(rows) do
  local best = math.huge
  for _, policy in ipairs(policies) do
    if policy ~= "opt" then best = math.min(best, row[policy]) end
  end
  ex:check_that("OPT is the lower bound: " .. row.workload, row.opt <= best,
                string.format("opt %d, best real policy %d", row.opt, best))
end
local hot, scan = rows[1], rows[2]
ex:check_that("hot loop + scan: LRU and CLOCK keep the hot pages, FIFO does not",
              hot.lru < hot.fifo and hot.clock < hot.fifo,
              string.format("fifo %d, clock %d, lru %d", hot.fifo, hot.clock, hot.lru))
-- A few faults on the programs' own pages differ; the scan itself faults alike.
ex:check_that("a cyclic scan defeats FIFO, CLOCK and LRU alike (within 1%)",
              math.abs(scan.fifo - scan.lru) * 100 <= scan.lru and
              math.abs(scan.clock - scan.lru) * 100 <= scan.lru,
              string.format("fifo %d, clock %d, lru %d", scan.fifo, scan.clock, scan.lru))
ex:check_that("OPT keeps most of the scan resident", scan.opt * 2 < scan.lru,
              string.format("opt %d vs lru %d", scan.opt, scan.lru))
ex:finish()
