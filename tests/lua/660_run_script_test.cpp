// vmlab run --script FILE.lua: a script's handlers watch an ordinary run; vmlab run --policy
// lua:FILE: a replacement policy written in Lua.
#include <fstream>
#include <map>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

std::string write_script(const std::string& name, const std::string& code) {
  const std::string path = temp_dir() + "/" + name;
  std::ofstream(path) << code;
  return path;
}

const char* const kCountFaults =
    "local faults = 0\n"
    "machine:on('fault', function() faults = faults + 1 end)\n"
    "machine:on('end', function(e)\n"
    "  io.stderr:write('faults ', faults, ' ', e.reason, ' ', e.status, ' ', "
    "arg[1]:match('[^/]*$'),\n"
    "                  '\\n')\n"
    "end)\n";

TEST(RunScript, HandlersWatchTheRun) {
  const std::string script = write_script("count.lua", kCountFaults);
  const VmlabRun run = run_vmlab({"--script", script}, {guest("hello_rt-rt")});
  EXPECT_EQ(run.result.status, 0);
  EXPECT_EQ(run.result.out, "hello from a freestanding guest\n");
  const uint64_t faults = run.stats["faults"]["minor"].u64() + run.stats["faults"]["major"].u64();
  EXPECT_EQ(run.result.err, "faults " + std::to_string(faults) + " exited 0 hello_rt-rt\n");
}

TEST(RunScript, WorksAlongsideATrace) {
  const std::string script =
      write_script("misses.lua",
                   "local n = 0\n"
                   "machine:on('tlb_miss', function() n = n + 1 end)\n"
                   "machine:on('end', function() io.stderr:write(n, '\\n') end)\n");
  const std::string trace = temp_dir() + "/trace.txt";
  const VmlabRun run = run_vmlab({"--script", script, "--trace", trace, "--trace-events", "tlb"},
                                 {guest("hello_rt-rt")});
  EXPECT_EQ(run.result.status, 0) << run.result.err;
  EXPECT_EQ(std::stoull(run.result.err), run.stats["walks"].u64());
  std::ifstream in(trace);
  EXPECT_TRUE(in.good());
}

TEST(RunScript, TicksFollowTheCommandsInterval) {
  // The script sees the records the command's --timeline writes, the last one before "end".
  const std::string script =
      write_script("ticks.lua",
                   "local n, swap_ins, last = 0, 0, 0\n"
                   "machine:on('tick', function(e) n = n + 1; swap_ins = swap_ins + e.swap_ins;"
                   " last = e.interval end)\n"
                   "machine:on('end', function() io.stderr:write(n, ' ', last, ' ', swap_ins, "
                   "'\\n') end)\n");
  const std::string csv = temp_dir() + "/ticks.csv";
  const VmlabRun run = run_vmlab(
      {"--script", script, "--interval", "4000", "--timeline", csv, "--ram", "1M", "--swap", "8M"},
      {guest("page_toucher-rt"), "400", "1", "wr", "4"});
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  std::ifstream in(csv);
  size_t rows = 0;
  for (std::string line; std::getline(in, line);)
    ++rows;
  const std::string n = std::to_string(rows - 1);  // the header
  EXPECT_EQ(run.result.err,
            n + " " + n + " " + std::to_string(run.stats["reclaim"]["swap_ins"].u64()) + "\n");
}

// Every number and text of a JSON tree under its dotted path ("processes[0].pid").
void flatten(const Json& json, const std::string& path, std::map<std::string, std::string>& out) {
  if (json.type() == Json::Type::kObject) {
    for (const auto& [key, value] : json.object())
      flatten(value, path.empty() ? key : path + "." + key, out);
  } else if (json.type() == Json::Type::kArray) {
    for (size_t i = 0; i < json.size(); ++i)
      flatten(json[i], path + "[" + std::to_string(i) + "]", out);
  } else {
    out[path] = json.type() == Json::Type::kString ? json.str() : std::to_string(json.number());
  }
}

// m:stats() is the tree of --stats-json, built without JSON text in between.
TEST(RunScript, MachineStatsAreTheStatsJson) {
  const std::string script = write_script(
      "stats.lua",
      "machine:on('end', function() io.stderr:write(vmlab.json(machine:stats())) end)\n");
  const VmlabRun run = run_vmlab({"--script", script, "--swap", "1M"}, {guest("fork_demo-glibc")});
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  std::map<std::string, std::string> lua, json;
  flatten(Json::parse(run.result.err), "", lua);
  flatten(run.stats, "", json);
  EXPECT_GT(json.size(), 150u);
  for (const auto& [key, value] : json) {
    // The end, free memory and the page cache: --stats-json reads them once the caches are
    // dropped, after the script's last handler.
    if (key == "end" || key.starts_with("frames.") || key.starts_with("buddyinfo[") ||
        key == "vmstat.nr_free_pages" || key == "vmstat.nr_file_pages")
      continue;
    EXPECT_EQ(lua[key], value) << key;
  }
  EXPECT_EQ(lua.size(), json.size());
}

TEST(RunScript, AHandlerErrorEndsTheRunWith125) {
  const std::string script = write_script(
      "fail.lua", "machine:on('syscall', function(e)\n  error('no ' .. e.name)\nend)\n");
  const VmlabRun run = run_vmlab({"--script", script}, {guest("hello_rt-rt")});
  EXPECT_EQ(run.result.status, 125);
  EXPECT_EQ(run.result.err.rfind("vmlab: " + script + ":2: no write\nstack traceback:\n", 0), 0u)
      << run.result.err;
  EXPECT_EQ(run.stats["end"].str(), "error");
  expect_no_frame_leak(run.stats);
}

TEST(RunScript, OsExitInAHandlerSetsTheStatus) {
  const std::string script =
      write_script("exit.lua", "machine:on('exit', function(e) os.exit(40 + e.status) end)\n");
  const VmlabRun run = run_vmlab({"--script", script}, {guest("hello_rt-rt")});
  EXPECT_EQ(run.result.status, 40);
}

TEST(RunScript, TheScriptOnlyWatches) {
  const std::string script = write_script("drive.lua", "machine:run()\n");
  const CommandResult r =
      run_command({vmlab_binary(), "run", "--script", script, guest("hello_rt-rt")});
  EXPECT_EQ(r.status, 125);
  EXPECT_EQ(r.err.rfind("vmlab: " + script +
                            ":1: m:run: this machine is run by vmlab run; a --script only "
                            "watches it\n",
                        0),
            0u)
      << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(RunScript, TheSandboxAppliesUnlessUnsafe) {
  const std::string script = write_script("popen.lua", "io.stderr:write(type(io.popen), '\\n')\n");
  EXPECT_EQ(run_command({vmlab_binary(), "run", "--script", script, guest("hello_rt-rt")}).err,
            "nil\n");
  EXPECT_EQ(
      run_command({vmlab_binary(), "run", "--unsafe-lua", "--script", script, guest("hello_rt-rt")})
          .err,
      "function\n");
}

// --policy lua:FILE: a policy file (a chunk returning a policy table) selected like a built-in
// policy. The shipped Lua FIFO and CLOCK fault exactly like --policy fifo and --policy clock.
std::string shipped_policy(const std::string& name) {
  return "lua:" + std::string(VMLAB_SOURCE_DIR) + "/scripts/policies/" + name + ".lua";
}

std::string reclaim_counts(const VmlabRun& run) {
  return std::to_string(run.stats["faults"]["major"].u64()) + " major, " +
         std::to_string(run.stats["faults"]["minor"].u64()) + " minor, " +
         std::to_string(run.stats["reclaim"]["evictions"].u64()) + " evictions, " +
         std::to_string(run.stats["reclaim"]["swap_outs"].u64()) + " swap-outs";
}

TEST(RunPolicy, LuaPoliciesFaultExactlyLikeTheBuiltIns) {
  const std::vector<std::string> pressure = {"--ram", "1M", "--swap", "16M"};
  const std::vector<std::string> argv = {guest("page_toucher-rt"), "400", "1", "rw", "3"};
  for (const std::string name : {"fifo", "clock"}) {
    std::vector<std::string> builtin = pressure, lua = pressure;
    builtin.insert(builtin.end(), {"--policy", name});
    lua.insert(lua.end(), {"--policy", shipped_policy(name)});
    const VmlabRun expected = run_vmlab(builtin, argv);
    const VmlabRun run = run_vmlab(lua, argv);
    ASSERT_EQ(run.result.status, 0) << run.result.err;
    EXPECT_GT(expected.stats["reclaim"]["evictions"].u64(), 100u) << "no memory pressure";
    EXPECT_EQ(reclaim_counts(run), reclaim_counts(expected)) << name;
    EXPECT_EQ(run.stats["reclaim"]["policy"].str(), "lua-" + name);
    expect_no_frame_leak(run.stats);
  }
}

TEST(RunPolicy, WorksWithAScriptInFastMode) {
  const std::string script = write_script("count.lua", kCountFaults);
  const VmlabRun run =
      run_vmlab({"--model", "fast", "--script", script, "--policy", shipped_policy("aging")},
                {guest("hello_rt-rt")});
  EXPECT_EQ(run.result.status, 0) << run.result.err;
  EXPECT_EQ(run.stats["reclaim"]["policy"].str(), "lua-aging");
}

TEST(RunPolicy, BadPolicyFilesAreOneClearError) {
  const auto error = [](const std::string& policy, const std::vector<std::string>& more = {}) {
    std::vector<std::string> cmd = {vmlab_binary(), "run", "--policy", policy};
    cmd.insert(cmd.end(), more.begin(), more.end());
    cmd.push_back(guest("hello_rt-rt"));
    const CommandResult r = run_command(cmd);
    EXPECT_EQ(r.status, 125) << policy;
    EXPECT_EQ(r.out, "");
    return r.err;
  };
  EXPECT_EQ(error("lua:/no/such/policy.lua"),
            "vmlab: cannot open /no/such/policy.lua: No such file or directory\n");
  EXPECT_EQ(error("lua:"), "vmlab: --policy lua:FILE needs a file name\n");
  const std::string number = write_script("number.lua", "return 5\n");
  EXPECT_EQ(error("lua:" + number),
            "vmlab: --policy: " + number + " must return a policy table, got number\n");
  const std::string fields = write_script("fields.lua", "return {victim = print, age = 1}\n");
  EXPECT_EQ(error("lua:" + fields),
            "vmlab: --policy (" + fields +
                "): unknown field 'age' (name, victim, on_load, on_release, on_access, "
                "on_refault)\n");
  const std::string access = write_script(
      "access.lua", "return {victim = function(c) return c[1] end, on_access = print}\n");
  EXPECT_EQ(error("lua:" + access, {"--model", "fast"}),
            "vmlab: --policy lua:" + access +
                ": a policy with on_access needs every access: use --model full\n");
  const std::string broken = write_script("broken.lua", "local t = nil\nreturn t.x\n");
  EXPECT_EQ(error("lua:" + broken)
                .rfind("vmlab: " + broken +
                           ":2: attempt to index a nil value (local 't')\n"
                           "stack traceback:\n",
                       0),
            0u);
}

TEST(RunPolicy, AFailingVictimEndsTheRunWith125AndFlushesTheStats) {
  const std::string policy =
      write_script("fails.lua", "return {victim = function(c)\n  error('no victim')\nend}\n");
  const VmlabRun run = run_vmlab({"--ram", "1M", "--swap", "16M", "--policy", "lua:" + policy},
                                 {guest("page_toucher-rt"), "400", "1", "rw", "3"});
  EXPECT_EQ(run.result.status, 125);
  EXPECT_EQ(run.result.err.rfind("vmlab: " + policy + ":2: no victim\nstack traceback:\n", 0), 0u)
      << run.result.err;
  EXPECT_EQ(run.stats["end"].str(), "error");
  expect_no_frame_leak(run.stats);
}

}  // namespace
}  // namespace vmlab::testing
