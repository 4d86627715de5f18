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

AttachedScript::AttachedScript(emulator::Machine& machine, const emulator::RunOptions& options,
                               emulator::Tracer* tracer, emulator::Timeline* timeline)
    : runtime_(RuntimeOptions{options.unsafe_lua}) {
  lua_State* L = runtime_.state();
  machine_ = new ScriptMachine(L, machine, options, tracer, timeline);
  push_machine(L, machine_);
  lua_pushvalue(L, -1);
  luaL_ref(L, LUA_REGISTRYINDEX);  // alive even if the script drops the global
  lua_setglobal(L, "machine");
  // The handlers run on the main thread for the whole run: vmlab run drives the machine.
  drive_.emplace(machine_->link(), L);
  if (!options.lua_policy.empty() && !install_policy(options)) return;
  if (options.script.empty()) return;
  const ScriptResult result = runtime_.run_file(options.script, options.argv);
  if (!result.error.empty()) print_error(result.error);
  if (result.status != 0) early_exit_ = result.status;
}

bool AttachedScript::install_policy(const emulator::RunOptions& options) {
  std::string error;
  std::optional<int> exit_code;
  runtime_.add_module_dirs(options.lua_policy);
  const std::optional<PagePolicySpec> spec =
      load_page_policy_file_protected(runtime_.state(), options.lua_policy, &error, &exit_code);
  if (!spec) {
    if (!exit_code) print_error(error);
    early_exit_ = exit_code.value_or(kExitScriptError);
    return false;
  }
  if (spec->on_access && options.machine.cpu.model == emulator::ModelMode::kFast) {
    print_error("--policy lua:" + options.lua_policy +
                ": a policy with on_access needs every access: use --model full");
    early_exit_ = kExitScriptError;
    return false;
  }
  machine_->kernel().reclaim().replace_policy(make_lua_page_policy(machine_->shared_link(), *spec));
  return true;
}

AttachedScript::~AttachedScript() {
  drive_.reset();
  // The machine, and a Lua policy in it, outlive the Lua state closed after this.
  machine_->link().close_state();
}

bool AttachedScript::stopped() const {
  return machine_->link().failed();
}

int AttachedScript::finish(const std::string& end, int status) {
  ScriptLink& link = machine_->link();
  machine_->finish_timeline();  // a timeline of the script's own (tick without --interval)
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
