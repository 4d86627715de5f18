-- Threads vs processes: the same work done by two threads of one process and by a parent and
-- its forked child.
--
-- The guest (guests/src/pingpong.c) passes a byte back and forth over two pipes ROUNDS times;
-- between passes each side touches PAGES pages of its own half of a buffer. As processes, the
-- child gets a copy-on-write copy of the parent's memory and its own page tables, and every
-- pass is a switch of address space: a CR3 load, which without PCIDs empties the TLBs. As
-- threads, both run in one address space: one set of page tables, and a switch leaves CR3 and
-- the TLBs alone. Measured: frames of RAM used (the processes' peak resident pages and page
-- tables), TLB misses and page walks, with PCID on and off.
--
--   build/vmlab script scripts/experiments/threads_vs_processes.lua [--quick] [--out DIR]

local experiment = require("experiment")
local tables = require("tables")
local csv = require("csv")
local plot = require("plot")

local ex = experiment.new("threads_vs_processes", ...)
local ROUNDS = ex.quick and "300" or "2000"
local page_counts = ex.quick and {4, 32} or {4, 16, 32, 64}
local GUESTS = {processes = "pingpong-musl", threads = "pingpong_threads-musl"}

local function measure(kind, pages, pcid)
  local peak_tables = 0
  local stats = ex:run{machine = {pcid = pcid},
                       argv = {vmlab.guest(GUESTS[kind]), ROUNDS, tostring(pages)},
                       setup = function(m)
                         m:on("switch", function()
                           peak_tables = math.max(peak_tables, m:frames().page_table)
                         end)
                       end}
  local resident = 0
  for _, p in ipairs(stats.processes) do resident = resident + p.peak_resident_pages end
  local misses = stats.tlb.l1d.misses + stats.tlb.l1i.misses
  return {kind = kind, pages = pages, pcid = pcid and "on" or "off",
          switches = stats.context_switches, resident_pages = resident,
          page_table_pages = peak_tables, l1_misses = misses, walks = stats.walks,
          misses_per_switch = misses / stats.context_switches}
end

local rows, curve, by = {}, {}, {}
for _, pages in ipairs(page_counts) do
  local point = {pages = pages}
  for _, kind in ipairs{"processes", "threads"} do
    for _, pcid in ipairs{true, false} do
      local row = measure(kind, pages, pcid)
      rows[#rows + 1] = row
      by[kind .. row.pcid .. pages] = row
      point[kind .. "_pcid_" .. row.pcid] = row.misses_per_switch
    end
  end
  curve[#curve + 1] = point
end

local columns = {"kind", "pages", "pcid", "switches", "resident_pages", "page_table_pages",
                 "l1_misses", "walks", {"misses_per_switch", "%.1f"}}
tables.print("Threads vs processes (" .. ROUNDS .. " round trips)", rows, columns)
csv.write(ex:path("threads_vs_processes.csv"), rows, columns)
local series = {"processes_pcid_off", "processes_pcid_on", "threads_pcid_off", "threads_pcid_on"}
csv.write(ex:path("misses_per_switch.csv"), curve, {"pages", table.unpack(series)})
plot.lines{csv = ex:path("misses_per_switch.csv"), x = "pages", y = series,
           output = ex:path("threads_vs_processes.png"), xlabel = "pages touched per pass",
           ylabel = "TLB misses per switch",
           title = "A switch between processes vs between threads"}

for _, pages in ipairs(page_counts) do
  local p_off, t_off = by["processesoff" .. pages], by["threadsoff" .. pages]
  local p_on, t_on = by["processeson" .. pages], by["threadson" .. pages]
  ex:check_that(string.format("threads miss less than processes without PCIDs (%d pages)", pages),
                t_off.l1_misses * 2 < p_off.l1_misses,
                string.format("threads %d, processes %d", t_off.l1_misses, p_off.l1_misses))
  ex:check_that(string.format("PCIDs spare the processes' TLB misses (%d pages)", pages),
                p_on.l1_misses < p_off.l1_misses,
                string.format("on %d, off %d", p_on.l1_misses, p_off.l1_misses))
  ex:check(string.format("PCIDs change nothing for threads (%d pages)", pages), t_on.l1_misses,
           t_off.l1_misses)
  ex:check_that(string.format("one address space uses fewer frames (%d pages)", pages),
                t_off.resident_pages + t_off.page_table_pages <
                    p_off.resident_pages + p_off.page_table_pages,
                string.format("threads %d+%d, processes %d+%d", t_off.resident_pages,
                              t_off.page_table_pages, p_off.resident_pages,
                              p_off.page_table_pages))
end
ex:finish()
