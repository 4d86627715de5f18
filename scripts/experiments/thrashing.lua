-- The thrashing cliff: run time and the major-fault rate as the working set grows past RAM.
--
-- page_toucher-rt writes a working set of N pages once, then reads all of it round after
-- round; random_access-musl reads and updates random words of an N-MiB array. RAM is fixed,
-- N goes from half of RAM to twice RAM, swap takes the rest. While the working set fits,
-- nothing is ever read back from swap; just past RAM nearly every round faults on every page
-- (the article's 120 GB working set on a 64 GB server).
--
-- vmlab counts instructions exactly but does not charge time for disk reads, so the run time
-- is modelled: instructions at 1 ns each plus DISK_US microseconds per major fault (an NVMe
-- read); the table also gives the raw counts.
--
--   build/vmlab script scripts/experiments/thrashing.lua [--quick] [--out DIR]

local experiment = require("experiment")
local tables = require("tables")
local csv = require("csv")
local plot = require("plot")

local ex = experiment.new("thrashing", ...)
local DISK_US = 10
local NS_PER_US = 1000
local RAM_FRAMES = 256  -- "1M"

local function row_for(series, ratio, stats)
  local insns, majors = stats.instructions, stats.faults.major
  local ms = (insns + majors * DISK_US * NS_PER_US) / 1e6
  return {series = series, ws_ratio = ratio, instructions = insns, major_faults = majors,
          swap_ins = stats.faults.swap_in, majors_per_minsn = majors * 1e6 / insns, model_ms = ms}
end

-- page_toucher: the working set in pages, as a fraction of the machine's frames.
local ratios = ex.quick and {0.5, 0.75, 1.25, 2.0} or {0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0}
local rounds = ex.quick and 4 or 8
local rows = {}
for _, ratio in ipairs(ratios) do
  local pages = math.floor(RAM_FRAMES * ratio)
  local stats = ex:run{machine = {ram = "1M", swap = "16M"},
                       argv = {vmlab.guest("page_toucher-rt"), tostring(pages), "1", "wr",
                               tostring(rounds)}}
  local row = row_for("page_toucher", ratio, stats)
  row.pages = pages
  rows[#rows + 1] = row
end

-- random_access: a 4 MiB machine (1024 frames) and arrays of 2 to 8 MiB.
local arrays = ex.quick and {2, 8} or {2, 3, 4, 5, 6, 8}
local accesses = ex.quick and "50000" or "200000"
for _, mib in ipairs(arrays) do
  local stats = ex:run{machine = {ram = "4M", swap = "32M"},
                       argv = {vmlab.guest("random_access-musl"), tostring(mib), accesses, "3"}}
  local row = row_for("random_access", mib / 4, stats)
  row.pages = mib * 256
  rows[#rows + 1] = row
end

local base = {}
for _, row in ipairs(rows) do
  base[row.series] = base[row.series] or row.model_ms
  row.slowdown = row.model_ms / base[row.series]
end

local columns = {"series", {"ws_ratio", "%.2f"}, "pages", "instructions", "major_faults",
                 "swap_ins", {"majors_per_minsn", "%.0f"}, {"model_ms", "%.2f"},
                 {"slowdown", "%.1fx"}}
tables.print(string.format("Working set vs RAM (model: 1 ns per instruction, %d us per major " ..
                           "fault)", DISK_US), rows, columns)
csv.write(ex:path("thrashing.csv"), rows, columns)

-- One CSV per series for the plot (x = working set / RAM).
for _, series in ipairs{"page_toucher", "random_access"} do
  local part = {}
  for _, row in ipairs(rows) do if row.series == series then part[#part + 1] = row end end
  local file = ex:path(series .. ".csv")
  csv.write(file, part, {"ws_ratio", "majors_per_minsn", "slowdown"})
  plot.lines{csv = file, x = "ws_ratio", y = {"slowdown"}, logy = true,
             output = ex:path(series .. ".png"), xlabel = "working set / RAM",
             ylabel = "modelled slowdown", title = "Thrashing cliff: " .. series}
end

local by = {}
for _, row in ipairs(rows) do by[row.series .. "@" .. row.ws_ratio] = row end
local small, fits, over, twice = by["page_toucher@0.5"], by["page_toucher@0.75"],
                                 by["page_toucher@1.25"], by["page_toucher@2.0"]
-- The only major faults of a working set that fits are the program's own pages read from disk.
ex:check("no swap-ins at half of RAM", small.swap_ins, 0)
ex:check("no swap-ins at 3/4 of RAM", fits.swap_ins, 0)
ex:check_that("every later round faults on every page at 2x RAM",
              twice.major_faults >= twice.pages * (rounds - 1),
              string.format("%d majors for %d pages x %d rounds", twice.major_faults,
                            twice.pages, rounds - 1))
ex:check_that("the cliff: 1.25x RAM is over 10x slower than 0.75x",
              over.model_ms > 10 * fits.model_ms,
              string.format("%.2f ms vs %.2f ms", over.model_ms, fits.model_ms))
ex:check_that("random_access: 2x RAM thrashes (over 100 majors per M insns)",
              by["random_access@2.0"].majors_per_minsn > 100,
              string.format("%.0f", by["random_access@2.0"].majors_per_minsn))
ex:finish()
