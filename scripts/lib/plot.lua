-- Plots of CSV columns with gnuplot, each written as a PNG and an SVG. When gnuplot is not
-- installed the data and the gnuplot scripts are still written, and one line says how to get
-- the pictures.
--
--   plot.lines{csv = "out/belady.csv", x = "frames", y = {"fifo", "lru", "opt"},
--              output = "out/belady.png", title = "Belady's anomaly", ylabel = "page faults"}
--   plot.figure{output = "out/incident.png", title = "...", x = "time_s", panels = {...}}

local plot = {}

local INSTALL = "gnuplot is not installed: 'sudo apt-get install gnuplot-nox' " ..
                "(or ./scripts/setup.sh), then "

-- The SVG twin of a .png (or .svg) name.
local function svg_of(output)
  return (output:gsub("%.png$", ".svg"))
end

-- Draws `spec` (vmlab.plot's description) into its output and into the SVG next to it.
-- Returns true when both were drawn; prints where they are, or how to draw them.
local function draw(spec)
  local outputs = {spec.output}
  if spec.output:match("%.png$") then outputs[2] = svg_of(spec.output) end
  local scripts, drawn = {}, true
  for _, output in ipairs(outputs) do
    spec.output = output
    local ok, script = vmlab.plot(spec)
    drawn = drawn and ok
    scripts[#scripts + 1] = script
  end
  spec.output = outputs[1]
  if drawn then
    print("plot: " .. table.concat(outputs, " and "))
  elseif not vmlab.has_gnuplot() then
    print("plot: " .. INSTALL .. "'gnuplot " .. scripts[1] .. "' draws " .. outputs[1])
  else
    print("plot: gnuplot failed on " .. table.concat(scripts, " and "))
  end
  return drawn
end

-- One panel: csv, x, y, output, title, xlabel, ylabel, style, logx, logy, ... (vmlab.plot).
function plot.lines(spec)
  return draw(spec)
end

-- Several panels in one picture: output, title and `panels`, each a panel of vmlab.plot
-- (csv, x, y or lines, title, xlabel, ylabel, stacked, ymin, ymax, ...).
function plot.figure(spec)
  return draw(spec)
end

return plot
