-- Text tables for the terminal.
--
--   tables.print("Belady's anomaly", rows, {"frames", "fifo", "lru"})
--   tables.print(title, rows, {{"ratio", "%.2f"}, "faults"})   -- a column with a format

local tables = {}

local function column_spec(c)
  if type(c) == "table" then return c[1], c[2] end
  return c, nil
end

local function cell(value, format)
  if value == nil then return "-" end
  if format then return string.format(format, value) end
  if math.type(value) == "float" then return string.format("%.3g", value) end
  return tostring(value)
end

-- Formats rows (tables keyed by column name) as aligned text; numbers are right-aligned.
function tables.format(title, rows, columns)
  local cells, widths = {}, {}
  for j, c in ipairs(columns) do
    local name = column_spec(c)
    widths[j] = #name
  end
  for i, row in ipairs(rows) do
    cells[i] = {}
    for j, c in ipairs(columns) do
      local name, format = column_spec(c)
      cells[i][j] = cell(row[name], format)
      widths[j] = math.max(widths[j], #cells[i][j])
    end
  end
  local lines = {}
  if title then lines[#lines + 1] = title end
  -- Numbers align on the right, text on the left (as in the first row).
  local align = {}
  for j, c in ipairs(columns) do
    align[j] = (rows[1] == nil or type(rows[1][column_spec(c)]) == "number") and "" or "-"
  end
  local header, rule = {}, {}
  for j, c in ipairs(columns) do
    header[j] = string.format("%" .. align[j] .. widths[j] .. "s", (column_spec(c)))
    rule[j] = string.rep("-", widths[j])
  end
  lines[#lines + 1] = table.concat(header, "  ")
  lines[#lines + 1] = table.concat(rule, "  ")
  for i = 1, #rows do
    local line = {}
    for j = 1, #columns do
      line[j] = string.format("%" .. align[j] .. widths[j] .. "s", cells[i][j])
    end
    lines[#lines + 1] = table.concat(line, "  ")
  end
  return table.concat(lines, "\n")
end

function tables.print(title, rows, columns)
  print(tables.format(title, rows, columns))
  print()
end

-- The names of columns given as names or {name, format} pairs (for CSV headers).
function tables.names(columns)
  local out = {}
  for i, c in ipairs(columns) do out[i] = (column_spec(c)) end
  return out
end

return tables
