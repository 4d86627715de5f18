-- Line plots of CSV columns with gnuplot. When gnuplot is not installed the data and the
-- gnuplot script are still written, and the message says how to draw the plot later.
--
--   plot.lines{csv = "out/belady.csv", x = "frames", y = {"fifo", "lru", "opt"},
--              output = "out/belady.png", title = "Belady's anomaly", ylabel = "page faults"}

local plot = {}

-- Takes vmlab.plot's description (csv, x, y, output, title, xlabel, ylabel, style, logx, logy).
-- Returns true when the image was drawn.
function plot.lines(spec)
  local drawn, script = vmlab.plot(spec)
  if drawn then
    print("plot: " .. spec.output)
  else
    print("plot: gnuplot is not installed; run 'gnuplot " .. script .. "' to draw " ..
          spec.output)
  end
  return drawn
end

return plot
