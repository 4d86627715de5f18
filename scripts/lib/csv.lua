-- CSV files: one header line, then one line per row (vmlab.write_csv does the quoting).
--
--   csv.write("results/belady.csv", rows, {"frames", "fifo", "lru", "opt"})

local csv = {}

-- Writes rows (tables keyed by column name) with the given columns, in that order; columns
-- may also be {name, format} pairs as tables.print takes them. Returns the path.
function csv.write(path, rows, columns)
  local names = {}
  for i, c in ipairs(columns) do names[i] = type(c) == "table" and c[1] or c end
  vmlab.write_csv(path, rows, names)
  return path
end

-- Reads a CSV written by csv.write back into rows (numbers become numbers).
function csv.read(path)
  local file = assert(io.open(path, "r"))
  local header = {}
  for name in file:read("l"):gmatch("[^,]+") do header[#header + 1] = name end
  local rows = {}
  for line in file:lines() do
    local row, i = {}, 0
    for value in (line .. ","):gmatch("([^,]*),") do
      i = i + 1
      row[header[i]] = tonumber(value) or value
    end
    rows[#rows + 1] = row
  end
  file:close()
  return rows
end

return csv
