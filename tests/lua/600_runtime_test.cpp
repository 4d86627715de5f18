// The runtime around every script: the sandbox, os.exit, errors with file:line and a
// traceback, arguments, and `vmlab script` itself.
#include <fstream>

#include "tests/lua/lua_test_support.h"
#include "tests/support/vmlab_test.h"

namespace vmlab::lua::testing {
namespace {

using vmlab::testing::run_command;
using vmlab::testing::temp_dir;
using vmlab::testing::vmlab_binary;

std::string write_script(const std::string& name, const std::string& code) {
  const std::string path = temp_dir() + "/" + name;
  std::ofstream(path) << code;
  return path;
}

TEST(Sandbox, HostProgramsCModulesAndTheDebugLibraryAreOut) {
  EXPECT_EQ(eval("return tostring(os.execute) .. tostring(io.popen) .. tostring(package.loadlib)"),
            "nilnilnil");
  EXPECT_EQ(eval("return tostring(debug.getinfo) .. type(debug.traceback)"), "nilfunction");
  EXPECT_EQ(eval("return package.cpath .. #package.searchers"), "2");
  EXPECT_EQ(eval("return select(2, load(string.dump(function() end)))"),
            "attempt to load a binary chunk (mode is 't')");
}

TEST(Sandbox, UnsafeLuaKeepsEverything) {
  const ScriptResult r =
      run_lua("return type(os.execute), type(io.popen), type(debug.getinfo)", true);
  ASSERT_EQ(r.values.size(), 3u);
  EXPECT_EQ(r.values[0], "function");
  EXPECT_EQ(r.values[1], "function");
  EXPECT_EQ(r.values[2], "function");
}

TEST(Exit, OsExitEndsTheScriptWithItsStatus) {
  EXPECT_EQ(run_lua("os.exit(7)").status, 7);
  EXPECT_EQ(run_lua("os.exit(true)").status, 0);
  EXPECT_EQ(run_lua("os.exit(false)").status, 1);
  EXPECT_EQ(run_lua("os.exit()").status, 0);
  // pcall does not catch it: the script really ends.
  EXPECT_EQ(run_lua("pcall(os.exit, 3) return 'not reached'").status, 3);
  EXPECT_EQ(run_lua("xpcall(os.exit, print, 4) return 'not reached'").status, 4);
  EXPECT_EQ(run_lua("os.exit(5)").error, "");
}

TEST(Errors, AScriptErrorNamesFileAndLineWithATraceback) {
  const ScriptResult r =
      run_lua("local t = nil\nlocal function f() return t.x end\nlocal r = f()\nreturn r");
  EXPECT_EQ(r.status, kExitScriptError);
  EXPECT_EQ(
      r.error.rfind("test:2: attempt to index a nil value (upvalue 't')\nstack traceback:\n", 0),
      0u)
      << r.error;
  EXPECT_NE(r.error.find("test:3: in main chunk"), std::string::npos) << r.error;
}

TEST(Errors, NonStringErrorObjectsAreDescribed) {
  EXPECT_EQ(error_of("error({})"), "(error object is a table value)");
  EXPECT_EQ(error_of("error(setmetatable({}, {__tostring = function() return 'mine' end}))"),
            "mine");
}

TEST(ScriptCommand, ArgumentsArriveAsArgAndDots) {
  const std::string script = write_script(
      "args.lua", "print(arg[0]:match('args.lua$'), arg[1], arg[2], select('#', ...))");
  const auto r = run_command({vmlab_binary(), "script", script, "one", "two"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "args.lua\tone\ttwo\t2\n");
}

TEST(ScriptCommand, AnErrorExitsWith125AndNamesFileAndLine) {
  const std::string script = write_script("broken.lua", "local x = 1\nlocal y = x .. {}\n");
  const auto r = run_command({vmlab_binary(), "script", script});
  EXPECT_EQ(r.status, 125);
  EXPECT_EQ(
      r.err.rfind(
          "vmlab: " + script + ":2: attempt to concatenate a table value\nstack traceback:\n", 0),
      0u)
      << r.err;
}

TEST(ScriptCommand, SyntaxErrorsAndMissingFilesAreReported) {
  const std::string script = write_script("syntax.lua", "x = = 1\n");
  auto r = run_command({vmlab_binary(), "script", script});
  EXPECT_EQ(r.status, 125);
  EXPECT_EQ(r.err, "vmlab: " + script + ":1: unexpected symbol near '='\n");
  r = run_command({vmlab_binary(), "script", "/no/such/script.lua"});
  EXPECT_EQ(r.status, 125);
  EXPECT_EQ(r.err, "vmlab: cannot open /no/such/script.lua: No such file or directory\n");
}

TEST(ScriptCommand, OsExitSetsTheExitStatus) {
  const std::string script = write_script("exit.lua", "print('bye') os.exit(9)");
  const auto r = run_command({vmlab_binary(), "script", script});
  EXPECT_EQ(r.status, 9);
  EXPECT_EQ(r.out, "bye\n");
}

TEST(ScriptCommand, BadCommandLines) {
  auto r = run_command({vmlab_binary(), "script"});
  EXPECT_EQ(r.status, 125);
  EXPECT_EQ(r.err, "vmlab: no script to run (vmlab script [--unsafe-lua] FILE.lua [ARGS...])\n");
  r = run_command({vmlab_binary(), "script", "--bogus", "x.lua"});
  EXPECT_EQ(r.status, 125);
  EXPECT_EQ(r.err, "vmlab: unknown option --bogus (see vmlab script --help)\n");
  r = run_command({vmlab_binary(), "script", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out.rfind("usage: vmlab script [--unsafe-lua] FILE.lua [ARGS...]\n", 0), 0u);
}

TEST(ScriptCommand, UnsafeLuaIsAnOption) {
  const std::string script = write_script("unsafe.lua", "print(type(io.popen))");
  EXPECT_EQ(run_command({vmlab_binary(), "script", script}).out, "nil\n");
  EXPECT_EQ(run_command({vmlab_binary(), "script", "--unsafe-lua", script}).out, "function\n");
}

}  // namespace
}  // namespace vmlab::lua::testing
