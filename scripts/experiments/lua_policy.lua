-- Replacement policies written in Lua, selected exactly like the built-in ones.
--
-- A page replacement policy is a table with victim(candidates, pages): candidates are the
-- resident pages that may be evicted, oldest first, each with its Accessed and Dirty bits, age
-- and owner; pages:clear_referenced(pfn) harvests an Accessed bit as CLOCK does. on_load and
-- on_release follow pages in and out of memory. Four policies here:
--   lua-fifo     FIFO again, on its own queue: must fault exactly like the built-in fifo;
--   lua-clock    second chance on its own ring: must fault exactly like the built-in clock;
--   lua-aging    8-bit aging counters (the textbook NFU refinement), aged every 10000
--                instructions with the harvested Accessed bits;
--   lua-clean    FIFO that prefers clean pages: fewer writes to swap, more faults.
-- A TLB policy (victim(set) returns a way) is given per TLB array: LRU in Lua must miss
-- exactly like the built-in lru.
--
--   build/vmlab script scripts/experiments/lua_policy.lua [--quick] [--out DIR]

local experiment = require("experiment")
local tables = require("tables")
local csv = require("csv")
local plot = require("plot")
local replacement = require("replacement")  -- scripts/lib/replacement.lua: the policies

local ex = experiment.new("lua_policy", ...)
local G = vmlab.guest

local workloads = {
  {name = "hot loop + scan", machine = {ram = "1M", quantum = 1000},
   programs = {{G("page_toucher-rt"), "120", "1", "wr", ex.quick and "10" or "30"},
               {G("page_toucher-rt"), "800", "1", "wr", ex.quick and "1" or "2"}}},
  {name = "random access", machine = {ram = "1M"},
   programs = {{G("random_access-musl"), "2", ex.quick and "5000" or "30000", "3"}}},
}

local candidates = {
  {"fifo", function() return "fifo" end}, {"lua-fifo", replacement.fifo},
  {"clock", function() return "clock" end}, {"lua-clock", replacement.clock},
  {"lua-aging", replacement.aging}, {"lua-clean", replacement.clean_first},
}

local rows, results = {}, {}
for _, w in ipairs(workloads) do
  results[w.name] = {}
  for _, c in ipairs(candidates) do
    local machine = {swap = "32M", policy = c[2]()}
    for k, v in pairs(w.machine) do machine[k] = v end
    local stats = ex:run{machine = machine, programs = w.programs}
    rows[#rows + 1] = {workload = w.name, policy = c[1], major_faults = stats.faults.major,
                       evictions = stats.reclaim.evictions, swap_writes = stats.reclaim.swap_outs}
    results[w.name][c[1]] = rows[#rows]
  end
end
local columns = {"workload", "policy", "major_faults", "evictions", "swap_writes"}
tables.print("Page replacement policies written in Lua", rows, columns)
csv.write(ex:path("page_policies.csv"), rows, columns)
-- One point per policy and workload (x: the policy's number in the table).
local plot_rows, names = {}, {}
for i, c in ipairs(candidates) do
  plot_rows[i] = {index = i, hot = results["hot loop + scan"][c[1]].major_faults,
                  random = results["random access"][c[1]].major_faults}
  names[i] = i .. " " .. c[1]
end
csv.write(ex:path("page_policies-plot.csv"), plot_rows, {"index", "hot", "random"})
plot.lines{csv = ex:path("page_policies-plot.csv"), x = "index", style = "points",
           lines = {{y = "hot", title = "hot loop + scan"}, {y = "random", title = "random access"}}, output = ex:path("page_policies.png"), ylabel = "major faults",
           xlabel = "policy (" .. table.concat(names, ", ") .. ")",
           title = "Policies written in Lua fault like the built-in ones"}

-- TLB: LRU written in Lua on a small L1 DTLB, against the built-in LRU.
local TLB = "l1d.4k=16x4/lru"
local function tlb_misses(tlb_policy)
  local stats = ex:run{machine = {tlb = TLB, tlb_policy = tlb_policy and {["l1d.4k"] = tlb_policy}},
                       argv = {G("random_access-musl"), "1", ex.quick and "2000" or "20000", "3"}}
  return stats.tlb.l1d.misses
end
local tlb_rows = {{tlb_policy = "built-in lru", l1d_misses = tlb_misses(nil)},
                  {tlb_policy = "lua lru", l1d_misses = tlb_misses(replacement.tlb_lru(4))},
                  {tlb_policy = "lua mru", l1d_misses = tlb_misses(replacement.tlb_mru(4))}}
tables.print("L1 DTLB (" .. TLB .. ") misses with TLB policies written in Lua", tlb_rows,
             {"tlb_policy", "l1d_misses"})
csv.write(ex:path("tlb_policies.csv"), tlb_rows, {"tlb_policy", "l1d_misses"})

for _, w in ipairs(workloads) do
  local r = results[w.name]
  ex:check("lua-fifo = fifo: " .. w.name, r["lua-fifo"].major_faults, r.fifo.major_faults)
  ex:check("lua-clock = clock: " .. w.name, r["lua-clock"].major_faults, r.clock.major_faults)
end
local hot = results["hot loop + scan"]
ex:check_that("lua-clean writes less to swap than fifo (and faults more)",
              hot["lua-clean"].swap_writes < hot.fifo.swap_writes and
              hot["lua-clean"].major_faults > hot.fifo.major_faults,
              string.format("%d vs %d writes", hot["lua-clean"].swap_writes, hot.fifo.swap_writes))
ex:check_that("lua-aging keeps the hot loop better than fifo",
              hot["lua-aging"].major_faults < hot.fifo.major_faults,
              string.format("%d vs %d", hot["lua-aging"].major_faults, hot.fifo.major_faults))
ex:check("Lua LRU misses like the built-in LRU", tlb_rows[2].l1d_misses, tlb_rows[1].l1d_misses)
ex:finish()
