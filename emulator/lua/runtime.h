// The Lua runtime of `vmlab script` and `vmlab run --script`: a sandboxed state with the vmlab
// API, the script's arguments, and the error boundary at the top of every script.
//
// Sandbox: without --unsafe-lua a script cannot start host programs (os.execute, io.popen),
// load C code (package.loadlib, C searchers) or binary chunks, or reach into the VM (debug
// library, except debug.traceback). os.exit is always replaced by a safe version: it unwinds
// the script like an error (so it never exits from inside a Unicorn callback) and vmlab exits
// with its status once every machine is shut down.
#pragma once

#include <lua.hpp>

#include <optional>
#include <string>
#include <vector>

namespace vmlab::lua {

// A script that failed: vmlab prints the message and exits with this status.
inline constexpr int kExitScriptError = 125;

struct RuntimeOptions {
  bool unsafe = false;  // --unsafe-lua
};

struct ScriptResult {
  int status = 0;                   // 0, the status given to os.exit, or kExitScriptError
  std::string error;                // "file:line: message\nstack traceback:\n..." on an error
  std::vector<std::string> values;  // what the chunk returned, as tostring() shows it
};

class Runtime {
 public:
  explicit Runtime(const RuntimeOptions& options);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  lua_State* state() const { return L_; }

  // Runs FILE with arg[0] = path, arg[1..] = args (also the chunk's `...`). Modules are found
  // next to the script and in its ../lib folder (scripts/lib for scripts/experiments).
  ScriptResult run_file(const std::string& path, const std::vector<std::string>& args);
  // Lets `require` find modules next to the file at `path` and in its ../lib folder.
  void add_module_dirs(const std::string& path);
  // Runs a chunk of code (tests, and the top level of an attached script).
  ScriptResult run_string(const std::string& code, const std::string& chunk_name);

 private:
  ScriptResult run_loaded(int load_status, int nargs);

  lua_State* L_;
};

// os.exit(code) raises this object; it is not an error, and pcall passes it on.
void push_exit_request(lua_State* L, int code);
std::optional<int> exit_request_code(lua_State* L, int index);

// The message handler of every protected call: the error message followed by a traceback
// (an exit request passes unchanged).
int traceback_handler(lua_State* L);

}  // namespace vmlab::lua
