// What the command line uses of Lua: `vmlab script` and `vmlab run --script`.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emulator/lua/runtime.h"
#include "emulator/lua/script_link.h"
#include "emulator/machine.h"
#include "emulator/options/run_options.h"
#include "emulator/trace/tracer.h"

namespace vmlab::lua {

class ScriptMachine;

// vmlab script FILE.lua [ARGS...]: runs the script; prints its error (file:line and a
// traceback) on stderr. Returns 0, the status given to os.exit, or 125 after an error.
int run_script_file(const std::string& path, const std::vector<std::string>& args, bool unsafe);

// vmlab run --script FILE.lua: the script's top level runs before the program starts, with
// the run's machine as the global `machine` (and arg[1..] = the program's argv); the handlers
// it subscribes then watch the run. vmlab run still drives the machine. `--policy lua:FILE`
// uses the same state for the machine's replacement policy, with or without a script.
class AttachedScript {
 public:
  AttachedScript(emulator::Machine& machine, const emulator::RunOptions& options,
                 emulator::Tracer* tracer, emulator::Timeline* timeline);
  ~AttachedScript();
  AttachedScript(const AttachedScript&) = delete;
  AttachedScript& operator=(const AttachedScript&) = delete;

  // The status to exit with at once when the top level failed (or called os.exit); nullopt
  // when the run goes on.
  std::optional<int> early_exit() const { return early_exit_; }
  // A handler failed or called os.exit: the run must not continue.
  bool stopped() const;
  // After the run: the "end" event, then the status vmlab exits with: `status`, the status
  // given to os.exit, or 125 after printing a handler's error.
  int finish(const std::string& end, int status);

 private:
  // --policy lua:FILE: false (with early_exit_ set) when the file fails.
  bool install_policy(const emulator::RunOptions& options);

  Runtime runtime_;
  ScriptMachine* machine_ = nullptr;  // owned by the Lua state, pinned in its registry
  std::optional<ScriptLink::Drive> drive_;
  std::optional<int> early_exit_;
};

}  // namespace vmlab::lua
