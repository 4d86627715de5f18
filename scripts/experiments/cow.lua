-- Copy-on-write after fork: what fork shares, and what writing costs.
--
-- fork_demo-musl fills a region of N pages, forks; the child rewrites C pages and the parent
-- P others while they still share the region. A fork without copy-on-write would copy all N
-- pages at once; with it, only written pages are copied, one page fault each. A handler counts
-- the COW faults inside the region (found with m:vmas when the child is created); when the
-- child reports (its first write system call), m:pte and m:frame count the region's pages
-- that parent and child still share (one frame, two mappings).
--
--   build/vmlab script scripts/experiments/cow.lua [--quick] [--out DIR]

local experiment = require("experiment")
local tables = require("tables")
local csv = require("csv")
local plot = require("plot")

local ex = experiment.new("cow", ...)
local PAGE = 4096
local PAGES = ex.quick and 200 or 1000
local PARENT_WRITES = ex.quick and 10 or 50
local fractions = ex.quick and {0, 0.5} or {0, 0.1, 0.25, 0.5, 0.75, 0.95}

local function measure(child_writes)
  local region
  local found = {copies = 0, reuses = 0, shared = nil}
  local stats = ex:run{
    machine = {ram = "64M"},
    argv = {vmlab.guest("fork_demo-musl"), tostring(PAGES), tostring(child_writes),
            tostring(PARENT_WRITES)},
    setup = function(m)
      m:on("process", function(e)
        if e.kind ~= "created" or e.pid == 1 then return end
        for _, v in ipairs(m:vmas(e.ppid)) do
          if v.kind == "anonymous" and v.pages == PAGES then region = v end
        end
      end)
      m:on("cow", function(e)
        if not region or e.address < region.start or e.address >= region["end"] then return end
        if e.resolution == "cow_copy" then found.copies = found.copies + 1 end
        if e.resolution == "cow_reuse" then found.reuses = found.reuses + 1 end
      end)
      m:on("syscall", function(e)
        if e.pid ~= 2 or not e.name:match("^write") or found.shared then return end
        local shared = 0
        for va = region.start, region["end"] - 1, PAGE do
          local pte = m:pte(2, va)
          if pte.present and #m:frame(pte.pfn).mappings == 2 then shared = shared + 1 end
        end
        found.shared = shared
      end)
    end}
  assert(region, "the region was not found")
  return found, stats
end

local rows = {}
for _, fraction in ipairs(fractions) do
  local child_writes = math.floor(PAGES * fraction)
  local found, stats = measure(child_writes)
  rows[#rows + 1] = {pages = PAGES, child_writes = child_writes, parent_writes = PARENT_WRITES,
                     cow_copies = found.copies, cow_reuses = found.reuses,
                     shared_when_child_reports = found.shared, eager_copy = PAGES,
                     saved_pct = 100 * (1 - found.copies / PAGES),
                     all_cow_faults = stats.faults.cow}
end

local columns = {"pages", "child_writes", "parent_writes", "cow_copies", "cow_reuses",
                 "shared_when_child_reports", "eager_copy", {"saved_pct", "%.1f"},
                 "all_cow_faults"}
tables.print("Copy-on-write after fork (region of " .. PAGES .. " pages)", rows, columns)
csv.write(ex:path("cow.csv"), rows, columns)
plot.lines{csv = ex:path("cow.csv"), x = "child_writes", y = {"cow_copies", "eager_copy"},
           output = ex:path("cow.png"), xlabel = "pages the child writes",
           ylabel = "pages copied", title = "fork: copy-on-write vs eager copy"}

for _, row in ipairs(rows) do
  ex:check(string.format("copies = child + parent writes (child %d)", row.child_writes),
           row.cow_copies, row.child_writes + row.parent_writes)
  ex:check_that(string.format("untouched pages stay shared (child %d)", row.child_writes),
                row.shared_when_child_reports >= row.pages - row.child_writes - row.parent_writes,
                string.format("%d shared", row.shared_when_child_reports))
end
ex:finish()
