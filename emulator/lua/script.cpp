#include "emulator/lua/script.h"

#include <cstdio>

#include "emulator/lua/bindings.h"
#include "emulator/lua/script_machine.h"

namespace vmlab::lua {

namespace {

void print_error(const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "vmlab: %s\n", message.c_str());
}

}  // namespace

int run_script_file(const std::string& path, const std::vector<std::string>& args, bool unsafe) {
  Runtime runtime(RuntimeOptions{unsafe});
  const ScriptResult result = runtime.run_file(path, args);
  if (!result.error.empty()) print_error(result.error);
  std::fflush(stdout);
  return result.status;
}

AttachedScript::AttachedScript(emulator::Machine& machine, const cli::RunOptions& options,
                               emulator::Tracer* tracer)
    : runtime_(RuntimeOptions{options.unsafe_lua}) {
  lua_State* L = runtime_.state();
  machine_ = new ScriptMachine(L, machine, options, tracer);
  push_machine(L, machine_);
  lua_pushvalue(L, -1);
  luaL_ref(L, LUA_REGISTRYINDEX);  // alive even if the script drops the global
  lua_setglobal(L, "machine");
  // The handlers run on the main thread for the whole run: vmlab run drives the machine.
  drive_.emplace(machine_->link(), L);
  const ScriptResult result = runtime_.run_file(options.script, options.argv);
  if (!result.error.empty()) print_error(result.error);
  if (result.status != 0) early_exit_ = result.status;
}

AttachedScript::~AttachedScript() {
  drive_.reset();
}

bool AttachedScript::stopped() const {
  return machine_->link().failed();
}

int AttachedScript::finish(const std::string& end, int status) {
  ScriptLink& link = machine_->link();
  if (!link.failed()) machine_->events().deliver_end(end, status);
  // The script is done: the shutdown that follows is not its business.
  link.disable();
  if (!link.failed()) return status;
  std::optional<int> exit_code;
  const std::string message = link.take_failure(&exit_code);
  if (exit_code) return *exit_code;
  print_error(message);
  return kExitScriptError;
}

}  // namespace vmlab::lua
