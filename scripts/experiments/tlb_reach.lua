-- TLB reach: how much memory the TLBs can map, and what huge pages change.
--
-- page_toucher-rt writes N pages once, then reads them round after round, one access per
-- page. Steady-state misses per access (rounds 2..R, from two runs: 1 round and R rounds)
-- stay near zero while N pages fit the L1 DTLB (64 entries of 4 KiB: 256 KiB of reach), become
-- L1 misses served by the L2 TLB up to its 1536 entries (6 MiB), and page walks beyond. With
-- transparent huge pages (thp = "always"), every aligned 2 MiB of the region is one TLB entry:
-- the same working sets hardly walk at all.
--
--   build/vmlab script scripts/experiments/tlb_reach.lua [--quick] [--out DIR]

local experiment = require("experiment")
local tables = require("tables")
local csv = require("csv")
local plot = require("plot")

local ex = experiment.new("tlb_reach", ...)
local ROUNDS = 5
local PAGE_KIB = 4
local sizes = ex.quick and {32, 128, 4096}
              or {16, 32, 48, 64, 96, 128, 256, 512, 1024, 1536, 2048, 4096, 8192}

local function counters(pages, rounds, thp)
  local stats = ex:run{machine = {ram = "128M", thp = thp},
                       argv = {vmlab.guest("page_toucher-rt"), tostring(pages), "1", "wr",
                               tostring(rounds)}}
  return {l1 = stats.tlb.l1d.misses, walks = stats.walks, huge = stats.huge_pages.mapped}
end

local rows = {}
for _, pages in ipairs(sizes) do
  local row = {pages = pages, kib = pages * PAGE_KIB}
  for _, thp in ipairs{"never", "always"} do
    local once, many = counters(pages, 1, thp), counters(pages, ROUNDS, thp)
    local touches = pages * (ROUNDS - 1)
    local suffix = thp == "never" and "_4k" or "_thp"
    row["l1_misses" .. suffix] = (many.l1 - once.l1) / touches
    row["walks" .. suffix] = (many.walks - once.walks) / touches
    if thp == "always" then row.huge_pages = many.huge end
  end
  rows[#rows + 1] = row
end

local columns = {"pages", "kib", {"l1_misses_4k", "%.3f"}, {"walks_4k", "%.3f"},
                 {"l1_misses_thp", "%.3f"}, {"walks_thp", "%.3f"}, "huge_pages"}
tables.print("Steady-state TLB misses per access (L1 DTLB 64x4K, L2 1536 entries)", rows,
             columns)
csv.write(ex:path("tlb_reach.csv"), rows, columns)
plot.lines{csv = ex:path("tlb_reach.csv"), x = "kib", logx = true,
           y = {"l1_misses_4k", "walks_4k", "l1_misses_thp", "walks_thp"},
           output = ex:path("tlb_reach.png"), xlabel = "working set (KiB)",
           ylabel = "misses per access", title = "TLB reach: 4 KiB pages vs transparent huge pages"}

local at = {}
for _, row in ipairs(rows) do at[row.pages] = row end
ex:check_that("32 pages fit the L1 DTLB", at[32].l1_misses_4k < 0.05,
              string.format("%.3f L1 misses per access", at[32].l1_misses_4k))
ex:check_that("128 pages miss L1 but hit L2",
              at[128].l1_misses_4k > 0.9 and at[128].walks_4k < 0.05,
              string.format("%.3f L1 misses, %.3f walks", at[128].l1_misses_4k, at[128].walks_4k))
ex:check_that("4096 pages (16 MiB) walk on every access with 4 KiB pages",
              at[4096].walks_4k > 0.95, string.format("%.3f walks", at[4096].walks_4k))
ex:check_that("huge pages bring 16 MiB back within reach", at[4096].walks_thp < 0.1,
              string.format("%.3f walks, %d huge pages", at[4096].walks_thp, at[4096].huge_pages))
ex:finish()
