-- TLB shootdowns: what taking a mapping away costs when a process's threads run on several CPUs.
--
-- When the kernel downgrades a page-table entry (munmap, mprotect, a copy-on-write break,
-- reclaim), every CPU that may cache the old translation must drop it. The CPU making the
-- change uses INVLPG; every other CPU that runs the address space now gets an IPI and flushes
-- its own TLB (Linux's flush_tlb_mm_range), and with PCIDs a CPU that ran the space earlier and
-- still holds its tagged entries flushes them when it comes back to it (Linux's lazy tlb_gen).
-- One CPU never sends an IPI; each CPU more adds one per change, which is why munmap and
-- mprotect scale badly on big machines.
--
-- The guest (guests/src/shootdown.c) runs THREADS threads that each read a shared 16-page
-- buffer in every round; after each round the main thread takes the pages away (mprotect to
-- read-only and back, or munmap and a fresh mmap). Measured for 1..8 CPUs, PCID on and off:
-- IPIs, the modelled cycles they cost, TLB misses (the other CPUs refill what was flushed).
--
--   build/vmlab script scripts/experiments/shootdown.lua [--quick] [--out DIR]

local experiment = require("experiment")
local tables = require("tables")
local csv = require("csv")
local plot = require("plot")

local ex = experiment.new("shootdown", ...)
local cpu_counts = ex.quick and {1, 2, 4} or {1, 2, 4, 8}
local THREADS = ex.quick and "4" or "8"
local ROUNDS = ex.quick and 5 or 20
local PAGES = "16"

local function measure(cpus, operation, pcid)
  local stats = ex:run{machine = {cpus = cpus, pcid = pcid},
                       argv = {vmlab.guest("shootdown-glibc"), THREADS, tostring(ROUNDS), PAGES,
                               operation}}
  local misses = 0
  for _, cpu in ipairs(stats.cpus) do misses = misses + cpu.tlb_l1_misses end
  return {cpus = cpus, operation = operation, pcid = pcid and "on" or "off",
          ipis = stats.tlb_shootdowns.ipis, pages = stats.tlb_shootdowns.pages,
          full_flushes = stats.tlb_shootdowns.full_flushes,
          deferred = stats.tlb_shootdowns.deferred_flushes,
          shootdown_cycles = stats.cycles.tlb_shootdowns, total_cycles = stats.cycles.total,
          l1_misses = misses}
end

local rows, curve, by = {}, {}, {}
for _, cpus in ipairs(cpu_counts) do
  local point = {cpus = cpus}
  for _, operation in ipairs{"mprotect", "munmap"} do
    for _, pcid in ipairs{true, false} do
      local row = measure(cpus, operation, pcid)
      rows[#rows + 1] = row
      by[operation .. row.pcid .. cpus] = row
      if pcid then point["ipis_" .. operation] = row.ipis end
    end
  end
  curve[#curve + 1] = point
end

local columns = {"cpus", "operation", "pcid", "ipis", "pages", "full_flushes", "deferred",
                 "shootdown_cycles", "total_cycles", "l1_misses"}
tables.print("TLB shootdowns by CPUs (" .. THREADS .. " threads, " .. ROUNDS .. " rounds)", rows,
             columns)
csv.write(ex:path("shootdown.csv"), rows, columns)
csv.write(ex:path("shootdown-ipis.csv"), curve, {"cpus", "ipis_mprotect", "ipis_munmap"})
plot.lines{csv = ex:path("shootdown-ipis.csv"), x = "cpus", y = {"ipis_mprotect", "ipis_munmap"},
           output = ex:path("shootdown.png"), xlabel = "CPUs", ylabel = "shootdown IPIs",
           title = "Taking pages away from " .. THREADS .. " threads on N CPUs"}

for _, operation in ipairs{"mprotect", "munmap"} do
  for _, pcid in ipairs{"on", "off"} do
    local one = by[operation .. pcid .. 1]
    ex:check(string.format("one CPU sends no IPI (%s, PCID %s)", operation, pcid), one.ipis, 0)
    for i = 2, #cpu_counts do
      local fewer, more = by[operation .. pcid .. cpu_counts[i - 1]],
                          by[operation .. pcid .. cpu_counts[i]]
      ex:check_that(string.format("IPIs grow from %d to %d CPUs (%s, PCID %s)", fewer.cpus,
                                  more.cpus, operation, pcid),
                    more.ipis > fewer.ipis,
                    string.format("%d -> %d", fewer.ipis, more.ipis))
    end
    local top = by[operation .. pcid .. cpu_counts[#cpu_counts]]
    ex:check_that(string.format("every round reaches every other CPU (%s, PCID %s)", operation,
                                pcid),
                  top.ipis >= ROUNDS * (top.cpus - 1),
                  string.format("%d IPIs, %d rounds, %d CPUs", top.ipis, ROUNDS, top.cpus))
    ex:check(string.format("each IPI costs 2000 modelled cycles (%s, PCID %s)", operation, pcid),
             top.shootdown_cycles, top.ipis * 2000)
  end
end
ex:finish()
