-- Shared libraries: what N processes cost, counted three ways.
--
-- Every process maps the C library. Linked dynamically, libc.so.6 is one file whose pages sit
-- once in the page cache and are mapped by every process; linked statically, each program
-- carries its own copy of the library's code in its own file. For N processes this measures:
--
--   rss     the sum of the processes' resident set sizes: a shared page counts once per mapper
--   pss     the sum of their proportional set sizes: a page N processes map counts 1/N in each
--   frames  the frames of RAM those processes map (each counted once), plus their page tables
--
-- in two situations. "same": N copies of one program (shared_lib N-1 starts the copies); the
-- copies share the program's own file as well, so static linking costs less (no loader, no
-- relocated data). "different": N different programs (shared_lib_1 ... shared_lib_N) that
-- use the C library alike; only the dynamically linked ones share it, and that is what shared
-- libraries are for. Each process does its work and then blocks; the machine ends with every
-- process blocked, and the memory is read at that moment (m:processes, m:frames).
--
--   build/vmlab script scripts/experiments/shared_libraries.lua [--quick] [--out DIR]

local experiment = require("experiment")
local tables = require("tables")
local csv = require("csv")
local plot = require("plot")

local ex = experiment.new("shared_libraries", ...)
local KIB = 1024
local PAGE = 4096
local counts = ex.quick and {1, 8} or {1, 2, 4, 8}
local LINKINGS = {dynamic = "dynamic", static = "glibc"}  -- guest flavours

-- The programs of one run: N copies of one program, or N different ones.
local function programs(situation, linking, n)
  local flavour = LINKINGS[linking]
  if situation == "same" then return {{vmlab.guest("shared_lib-" .. flavour), tostring(n - 1)}} end
  local list = {}
  for i = 1, n do list[i] = {vmlab.guest("shared_lib_" .. i .. "-" .. flavour), "0"} end
  return list
end

-- The distinct frames the live processes map (each frame once, however many map it).
local function mapped_frames(m)
  local n = 0
  for _, use in ipairs{"anonymous", "file"} do
    for _, pfn in ipairs(m:frames(use)) do
      if #m:frame(pfn).mappings > 0 then n = n + 1 end
    end
  end
  return n
end

local function measure(situation, linking, n)
  local m = vmlab.machine{ram = "64M"}
  for _, argv in ipairs(programs(situation, linking, n)) do
    local request = {stdout = "discard"}
    for i, a in ipairs(argv) do request[i] = a end
    m:spawn(request)
  end
  local reason = m:run()
  assert(reason == "deadlock", "expected every process to block, got " .. reason)
  local row = {situation = situation, linking = linking, processes = 0, rss_kib = 0, pss_kib = 0}
  for _, p in ipairs(m:processes()) do
    row.processes = row.processes + 1
    row.rss_kib = row.rss_kib + p.usage.rss // KIB
    row.pss_kib = row.pss_kib + p.usage.pss // KIB
  end
  row.mapped_kib = mapped_frames(m) * PAGE // KIB
  row.page_table_kib = m:frames().page_table * PAGE // KIB
  row.frames_kib = row.mapped_kib + row.page_table_kib
  m:close()
  return row
end

local rows, by = {}, {}
for _, situation in ipairs{"same", "different"} do
  for _, n in ipairs(counts) do
    local row = {n = n}
    for _, linking in ipairs{"dynamic", "static"} do
      local r = measure(situation, linking, n)
      rows[#rows + 1] = r
      by[situation .. linking .. n] = r
      for _, k in ipairs{"rss_kib", "pss_kib", "frames_kib"} do row[linking .. "_" .. k] = r[k] end
    end
    by[situation .. n] = row
  end
end

local columns = {"situation", "linking", "processes", "rss_kib", "pss_kib", "mapped_kib",
                 "page_table_kib", "frames_kib"}
tables.print("Memory of N processes: RSS, PSS and frames (KiB)", rows, columns)
csv.write(ex:path("shared_libraries.csv"), rows, columns)
local series = {"dynamic_rss_kib", "dynamic_pss_kib", "dynamic_frames_kib", "static_rss_kib",
                "static_pss_kib", "static_frames_kib"}
for _, situation in ipairs{"same", "different"} do
  local plot_rows = {}
  for _, n in ipairs(counts) do plot_rows[#plot_rows + 1] = by[situation .. n] end
  local file = ex:path("shared_libraries_" .. situation .. ".csv")
  csv.write(file, plot_rows, {"n", table.unpack(series)})
  plot.lines{csv = file, x = "n", y = series, output = ex:path("shared_libraries_" .. situation ..
             ".png"), xlabel = "processes", ylabel = "KiB",
             title = situation == "same" and "N copies of one program"
                 or "N different programs using the C library"}
end

local top = counts[#counts]
for _, r in ipairs(rows) do
  -- Each mapped frame is divided among its mappers: the PSS of all processes adds up to the
  -- frames they map (each process's PSS is rounded down to whole KiB).
  ex:check_that(string.format("PSS adds up to the mapped frames (%s %s x%d)", r.situation,
                              r.linking, r.processes),
                r.pss_kib <= r.mapped_kib and r.mapped_kib - r.pss_kib <= r.processes,
                string.format("pss %d KiB, mapped %d KiB", r.pss_kib, r.mapped_kib))
end
local same_dyn, diff_dyn = by["samedynamic" .. top], by["differentdynamic" .. top]
local diff_static = by["differentstatic" .. top]
ex:check_that(string.format("RSS counts shared pages once per process (%d copies)", top),
              same_dyn.rss_kib > 2 * same_dyn.mapped_kib,
              string.format("rss %d KiB, mapped %d KiB", same_dyn.rss_kib, same_dyn.mapped_kib))
ex:check_that(string.format("%d different dynamic programs use fewer frames than static ones", top),
              diff_dyn.frames_kib < diff_static.frames_kib,
              string.format("dynamic %d KiB, static %d KiB", diff_dyn.frames_kib,
                            diff_static.frames_kib))
local same_static, one_static = by["samestatic" .. top], by["samestatic1"]
ex:check_that(string.format("%d copies of one static program share its code too", top),
              same_static.frames_kib < top * one_static.frames_kib // 2,
              string.format("x%d %d KiB, x1 %d KiB", top, same_static.frames_kib,
                            one_static.frames_kib))
ex:finish()
