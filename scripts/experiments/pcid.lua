-- PCIDs: keeping TLB entries across context switches.
--
-- Without PCIDs, every switch to another address space (a CR3 load) flushes the TLBs, and the
-- next process walks the page tables again for pages it used a moment ago. With PCIDs each
-- entry is tagged with its address space, and a switch flushes nothing. Two processes that
-- each randomly access 1 MiB (together well within the 1536-entry L2 TLB) share the CPU in
-- time slices of Q instructions; a busybox pipeline ping-pongs through a pipe.
--
--   build/vmlab script scripts/experiments/pcid.lua [--quick] [--out DIR]

local experiment = require("experiment")
local tables = require("tables")
local csv = require("csv")
local plot = require("plot")

local ex = experiment.new("pcid", ...)
local G = vmlab.guest
local ACCESSES = ex.quick and "20000" or "100000"
local quanta = ex.quick and {2000, 200000} or {1000, 2000, 5000, 20000, 50000, 200000}
local SEQ = ex.quick and "2000" or "20000"

local function measure(workload, quantum, pcid, programs)
  local stats = ex:run{machine = {pcid = pcid, quantum = quantum}, programs = programs}
  local accesses = stats.memory_accesses.read + stats.memory_accesses.write
  return {workload = workload, quantum = quantum, pcid = pcid and "on" or "off",
          switches = stats.context_switches, walks = stats.walks,
          walks_per_kaccess = stats.walks * 1000 / accesses,
          entries_flushed = stats.mmu["tlb.entries_invalidated"],
          cr3_loads = stats.mmu["tlb.cr3_loads"]}
end

local rows, curve = {}, {}
for _, quantum in ipairs(quanta) do
  local point = {quantum = quantum}
  for _, pcid in ipairs{true, false} do
    local row = measure("2x random_access 1 MiB", quantum, pcid,
                        {{G("random_access-musl"), "1", ACCESSES, "3"},
                         {G("random_access-musl"), "1", ACCESSES, "5"}})
    rows[#rows + 1] = row
    point["walks_pcid_" .. row.pcid] = row.walks
  end
  curve[#curve + 1] = point
end
local pipeline = "busybox seq 1 " .. SEQ .. " | busybox md5sum"
for _, pcid in ipairs{true, false} do
  rows[#rows + 1] = measure("sh: " .. pipeline, 100000, pcid,
                            {{"/bin/busybox", "sh", "-c", pipeline}})
end

local columns = {"workload", "quantum", "pcid", "switches", "cr3_loads", "walks",
                 {"walks_per_kaccess", "%.2f"}, "entries_flushed"}
tables.print("Context switches with and without PCIDs", rows, columns)
csv.write(ex:path("pcid.csv"), rows, columns)
csv.write(ex:path("pcid-walks.csv"), curve, {"quantum", "walks_pcid_on", "walks_pcid_off"})
plot.lines{csv = ex:path("pcid-walks.csv"), x = "quantum", y = {"walks_pcid_on", "walks_pcid_off"},
           logx = true, logy = true, output = ex:path("pcid.png"),
           xlabel = "time slice (instructions)", ylabel = "page walks",
           title = "Two processes sharing a CPU: PCID on vs off"}

local function find(workload_prefix, quantum, pcid)
  for _, row in ipairs(rows) do
    if row.workload:sub(1, #workload_prefix) == workload_prefix and row.quantum == quantum and
       row.pcid == pcid then return row end
  end
end
local on, off = find("2x", 2000, "on"), find("2x", 2000, "off")
ex:check("the same number of switches either way", on.switches, off.switches)
ex:check_that("short slices: 10x more walks without PCIDs", off.walks > 10 * on.walks,
              string.format("%d vs %d walks", off.walks, on.walks))
ex:check("with PCIDs a switch flushes no entry", on.entries_flushed, 0)
local pipe_on, pipe_off = find("sh:", 100000, "on"), find("sh:", 100000, "off")
ex:check_that("the pipeline walks more without PCIDs", pipe_off.walks > pipe_on.walks,
              string.format("%d vs %d walks", pipe_off.walks, pipe_on.walks))
ex:finish()
