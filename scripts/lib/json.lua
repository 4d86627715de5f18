-- JSON files (vmlab.json encodes: sequences become arrays, other tables objects with sorted
-- keys, so the same data always gives the same text).
--
--   json.write("results/belady.json", {fifo = {9, 10}})

local json = {}

function json.encode(value, pretty)
  return vmlab.json(value, pretty)
end

-- Writes `value` as pretty-printed JSON. Returns the path.
function json.write(path, value)
  local file = assert(io.open(path, "w"))
  file:write(vmlab.json(value, true), "\n")
  file:close()
  return path
end

return json
