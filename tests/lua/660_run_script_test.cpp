// vmlab run --script FILE.lua: a script's handlers watch an ordinary run.
#include <fstream>

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

}  // namespace
}  // namespace vmlab::testing
