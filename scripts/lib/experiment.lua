-- The frame of every experiment: arguments (quick mode, output folder), running a guest to
-- completion on a fresh machine, and checks of key numbers that set the exit status.
--
--   local experiment = require("experiment")
--   local ex = experiment.new("belady", ...)       -- ... = the script's arguments
--   local stats = ex:run{machine = {ram = "4M"}, argv = {vmlab.guest("belady-rt")}}
--   ex:check("FIFO faults with 3 frames", stats.reclaim.range_faults, 9)
--   ex:finish()            -- writes the checks to checks.json; exits 1 if a check failed

local json = require("json")

local experiment = {}
experiment.__index = experiment

local USAGE = "arguments: [--quick] [--out DIR]"

-- Parses the script's arguments: "--quick" (or "quick") shrinks the experiment for CI, and
-- "--out DIR" chooses where the CSV, JSON and plots go (default: results/NAME in the folder
-- of the vmlab binary, build/results/NAME for build/vmlab: never inside the sources).
function experiment.new(name, ...)
  local self = setmetatable({name = name, quick = false, failures = 0, checks = {}}, experiment)
  local args = {...}
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "--quick" or a == "quick" then
      self.quick = true
    elseif a == "--out" and args[i + 1] then
      self.out = args[i + 1]
      i = i + 1
    else
      error(string.format("%s: unknown argument '%s' (%s)", name, a, USAGE), 0)
    end
    i = i + 1
  end
  self.out = self.out or (vmlab.build_dir .. "/results/" .. name)
  vmlab.mkdir(self.out)
  return self
end

-- A file in the output folder.
function experiment:path(file)
  return self.out .. "/" .. file
end

-- Runs programs on a fresh machine until everything exited. `spec.machine` is the machine
-- table, `spec.argv` the program (or `spec.programs` a list of them, run side by side),
-- `spec.setup(m)` may subscribe to events before they start; their output is discarded unless
-- `spec.stdout` says otherwise. Returns the statistics (m:stats()) and what setup returned.
function experiment.run(_, spec)
  local m = vmlab.machine(spec.machine or {})
  local extra = spec.setup and spec.setup(m)
  local programs = spec.programs or {spec.argv}
  for _, argv in ipairs(programs) do
    local request = {stdout = spec.stdout or "discard", stdin = spec.stdin}
    for i, a in ipairs(argv) do request[i] = a end
    m:spawn(request)
  end
  local reason = m:run()
  if reason ~= "exited" then
    error(string.format("%s ended with '%s'", table.concat(programs[1], " "), reason), 2)
  end
  local stats = m:stats()
  m:close()
  return stats, extra
end

-- Records a check of a key number; a failure is reported and makes finish() exit non-zero.
function experiment:check(what, got, want)
  self.checks[#self.checks + 1] = {check = what, got = got, want = want, ok = got == want}
  if got == want then
    print(string.format("check %-55s %s", what, "ok (" .. tostring(got) .. ")"))
  else
    self.failures = self.failures + 1
    print(string.format("check %-55s FAILED: got %s, want %s", what, tostring(got),
                        tostring(want)))
  end
end

-- A check of a condition; `detail` explains the numbers behind it.
function experiment:check_that(what, condition, detail)
  self.checks[#self.checks + 1] = {check = what, detail = detail, ok = condition and true or false}
  if condition then
    print(string.format("check %-55s ok (%s)", what, detail))
  else
    self.failures = self.failures + 1
    print(string.format("check %-55s FAILED (%s)", what, detail))
  end
end

-- Prints the verdict and writes every check to checks.json; exits with status 1 if any
-- check failed.
function experiment:finish()
  json.write(self:path("checks.json"), {experiment = self.name, quick = self.quick,
                                        failures = self.failures, checks = self.checks})
  print(string.format("%s: %d checks, %d failed; results in %s/", self.name, #self.checks,
                      self.failures, self.out))
  if self.failures > 0 then os.exit(1) end
end

return experiment
