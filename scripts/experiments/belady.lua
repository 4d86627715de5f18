-- Belady's anomaly on a real guest: with FIFO, more frames can mean MORE page faults.
--
-- belady-rt writes the pages of a 5-page region in the textbook order 1 2 3 4 1 2 5 1 2 3 4 5;
-- the machine gives that region exactly N frames (limit_range). FIFO faults 9 times with 3
-- frames and 10 times with 4. LRU and OPT are stack algorithms: more frames never hurt them.
-- OPT looks ahead in the reference string recorded by a first run (record_refs).
--
--   build/vmlab script scripts/experiments/belady.lua [--quick] [--out DIR]

local experiment = require("experiment")
local tables = require("tables")
local csv = require("csv")
local plot = require("plot")

local ex = experiment.new("belady", ...)
local REGION_START, REGION_PAGES, PAGE = 0x10000000, 5, 4096
local REGION = string.format("0x%x-0x%x", REGION_START, REGION_START + REGION_PAGES * PAGE)
local guest = vmlab.guest("belady-rt")

local refs = ex:path("belady.refs")
ex:run{machine = {record_refs = refs}, argv = {guest}}

-- Faults in the region with `frames` frames, counted twice: by the kernel (range_faults) and
-- by a fault handler that also records which page faulted, in order.
local function faults(policy, frames)
  local machine = {ram = "4M", swap = "1M", policy = policy,
                   limit_range = REGION .. "=" .. frames}
  if policy == "opt" then machine.refs = refs end
  local stats, sequence = ex:run{machine = machine, argv = {guest}, setup = function(m)
    local pages = {}
    m:on("fault", function(e)
      local page = (e.address - REGION_START) // PAGE + 1
      if page >= 1 and page <= REGION_PAGES then pages[#pages + 1] = page end
    end)
    return pages
  end}
  return stats.reclaim.range_faults, sequence
end

local frame_counts = ex.quick and {3, 4} or {1, 2, 3, 4, 5}
local policies = {"fifo", "lru", "opt"}
local rows, sequences = {}, {}
for _, frames in ipairs(frame_counts) do
  local row = {frames = frames}
  for _, policy in ipairs(policies) do
    local n, sequence = faults(policy, frames)
    row[policy] = n
    if #sequence ~= n then
      error(string.format("%s/%d: %d faults seen by the handler, %d counted by the kernel",
                          policy, frames, #sequence, n))
    end
    sequences[#sequences + 1] = {policy = policy, frames = frames,
                                 faulting_pages = table.concat(sequence, " ")}
  end
  rows[#rows + 1] = row
end

local columns = {"frames", "fifo", "lru", "opt"}
tables.print("Page faults on the reference string 1 2 3 4 1 2 5 1 2 3 4 5", rows, columns)
tables.print("Which pages faulted, in order", sequences, {"policy", "frames", "faulting_pages"})
csv.write(ex:path("belady.csv"), rows, columns)
csv.write(ex:path("belady-sequences.csv"), sequences, {"policy", "frames", "faulting_pages"})
plot.lines{csv = ex:path("belady.csv"), x = "frames", y = {"fifo", "lru", "opt"},
           output = ex:path("belady.png"), title = "Belady's anomaly (belady-rt)",
           ylabel = "page faults"}

local by_frames = {}
for _, row in ipairs(rows) do by_frames[row.frames] = row end
ex:check("FIFO faults with 3 frames", by_frames[3].fifo, 9)
ex:check("FIFO faults with 4 frames (the anomaly)", by_frames[4].fifo, 10)
ex:check("LRU faults with 3 frames", by_frames[3].lru, 10)
ex:check("LRU faults with 4 frames", by_frames[4].lru, 8)
ex:check("OPT faults with 3 frames", by_frames[3].opt, 7)
ex:check("OPT faults with 4 frames", by_frames[4].opt, 6)
ex:finish()
