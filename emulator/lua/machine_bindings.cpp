// The machine domain: vmlab.machine, vmlab.guest, vmlab.policies; m:spawn, m:run, m:step,
// m:stop, m:close, m:output, m:exit_status.
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <filesystem>

#include "emulator/lua/bindings.h"
#include "emulator/lua/lua_support.h"
#include "emulator/lua/machine_table.h"
#include "emulator/lua/script_machine.h"
#include "emulator/lua/tables.h"
#include "os/kernel.h"

namespace vmlab::lua {

namespace {

constexpr const char* kCapture = "capture";
constexpr const char* kDiscard = "discard";
constexpr const char* kInherit = "inherit";
// More machines than this alive at once: collect garbage first, so loops that build a
// machine per data point do not pile up RAM and Unicorn engines waiting for the collector.
constexpr int kMachinesBeforeCollecting = 4;

struct MachineBox {
  ScriptMachine* machine;
};
constexpr int kUserValues = 1;  // the machine's event handlers

constexpr const char* kLiveMachines = "vmlab.live_machines";  // a registry field

// How many machines of this Lua state are alive, changed by `delta`.
lua_Integer count_machines(lua_State* L, lua_Integer delta) {
  lua_getfield(L, LUA_REGISTRYINDEX, kLiveMachines);
  const lua_Integer n = lua_tointeger(L, -1) + delta;
  lua_pop(L, 1);
  lua_pushinteger(L, n);
  lua_setfield(L, LUA_REGISTRYINDEX, kLiveMachines);
  return n;
}

void delete_machine(lua_State* L, MachineBox* box) {
  delete box->machine;
  box->machine = nullptr;
  count_machines(L, -1);
}

// The machine may only be driven by the script itself, not from inside one of its handlers
// or policies (that would re-enter the kernel from a Unicorn hook), and not when `vmlab run`
// drives it.
ScriptMachine& check_drivable(lua_State* L, const char* method) {
  ScriptMachine& m = check_machine(L, 1);
  if (m.link().in_call())
    luaL_error(L, "m:%s: not allowed inside an event handler or policy", method);
  if (!m.owns_machine())
    luaL_error(L, "m:%s: this machine is run by vmlab run; a --script only watches it", method);
  return m;
}

// After the machine ran: an error of a handler or policy surfaces here, in the script.
void raise_handler_failure(lua_State* L, ScriptMachine& m) {
  if (m.link().failed()) m.link().raise_failure(L);
}

std::shared_ptr<os::vfs::OpenFile> output_stream(lua_State* L, int spec, const char* field,
                                                 std::shared_ptr<StringOutput>& capture) {
  const auto mode = string_field(L, spec, "m:spawn", field);
  if (!mode || *mode == kInherit) return nullptr;
  if (*mode == kDiscard) return std::make_shared<StringOutput>(StringOutput::Keep::kNothing);
  if (*mode != kCapture)
    luaL_error(L, "m:spawn: %s must be \"%s\", \"%s\" or \"%s\", got \"%s\"", field, kInherit,
               kCapture, kDiscard, mode->c_str());
  if (capture == nullptr) capture = std::make_shared<StringOutput>(StringOutput::Keep::kText);
  return capture;
}

std::vector<std::string> read_env(lua_State* L, int spec, const ScriptMachine& m) {
  if (lua_getfield(L, spec, "env") == LUA_TNIL) {
    lua_pop(L, 1);
    return m.default_env();
  }
  if (!lua_istable(L, -1))
    luaL_error(L, "m:spawn: field 'env' must be a table, got %s", luaL_typename(L, -1));
  const int env = lua_gettop(L);
  std::vector<std::string> out, named;
  lua_pushnil(L);
  while (lua_next(L, env) != 0) {
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "m:spawn: env values must be strings, got %s", luaL_typename(L, -1));
    if (lua_isinteger(L, -2))
      out.push_back(lua_tostring(L, -1));  // "NAME=VALUE"
    else if (lua_type(L, -2) == LUA_TSTRING)
      named.push_back(std::string(lua_tostring(L, -2)) + "=" + lua_tostring(L, -1));
    else
      luaL_error(L, "m:spawn: env keys must be names, got %s", luaL_typename(L, -2));
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  std::sort(named.begin(), named.end());  // deterministic order for the guest
  out.insert(out.end(), named.begin(), named.end());
  return out;
}

int machine_new(lua_State* L) {
  MachineSpec spec = read_machine_table(L, 1);
  if (count_machines(L, 0) >= kMachinesBeforeCollecting) lua_gc(L, LUA_GCCOLLECT);
  auto* box = static_cast<MachineBox*>(lua_newuserdatauv(L, sizeof(MachineBox), kUserValues));
  box->machine = nullptr;
  luaL_setmetatable(L, kMachineType);
  guarded(L, [&] {
    box->machine = new ScriptMachine(L, std::move(spec));
    return 0;
  });
  count_machines(L, 1);
  attach_handlers(L, -1, *box->machine);
  return 1;
}

int machine_spawn(lua_State* L) {
  ScriptMachine& m = check_drivable(L, "spawn");
  luaL_checktype(L, 2, LUA_TTABLE);
  check_fields(L, 2, "m:spawn", {"env", "stdin", "stdout", "stderr", "cwd"}, true);
  os::SpawnRequest request;
  const lua_Integer n = luaL_len(L, 2);
  if (n == 0) luaL_error(L, "m:spawn: no program (m:spawn{PROGRAM, ARGS..., env = ...})");
  for (lua_Integer i = 1; i <= n; ++i) {
    if (lua_rawgeti(L, 2, i) != LUA_TSTRING)
      luaL_error(L, "m:spawn: argv[%d] must be a string, got %s", static_cast<int>(i),
                 luaL_typename(L, -1));
    request.argv.push_back(lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  request.envp = read_env(L, 2, m);
  request.cwd = string_field(L, 2, "m:spawn", "cwd").value_or("/");
  if (const auto input = string_field(L, 2, "m:spawn", "stdin"))
    request.stdin_file = std::make_shared<StringInput>(*input);
  std::shared_ptr<StringOutput> capture;
  request.stdout_file = output_stream(L, 2, "stdout", capture);
  request.stderr_file = output_stream(L, 2, "stderr", capture);
  int pid = 0;
  std::fflush(stdout);  // the script's output so far, before the guest's (unbuffered) output
  guarded(L, [&] {
    ScriptLink::Drive drive(m.link(), L);
    pid = m.spawn(std::move(request), capture);
    return 0;
  });
  raise_handler_failure(L, m);
  lua_pushinteger(L, pid);
  return 1;
}

int run_for(lua_State* L, ScriptMachine& m, uint64_t budget) {
  std::string reason;
  std::fflush(stdout);
  guarded(L, [&] {
    ScriptLink::Drive drive(m.link(), L);
    reason = m.run(budget);
    return 0;
  });
  raise_handler_failure(L, m);
  lua_pushstring(L, reason.c_str());
  return 1;
}

int machine_run(lua_State* L) {
  ScriptMachine& m = check_drivable(L, "run");
  uint64_t budget = 0;
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    check_fields(L, 2, "m:run", {"instructions"});
    if (const auto n = integer_field(L, 2, "m:run", "instructions")) {
      if (*n <= 0) luaL_error(L, "m:run: instructions must be positive, got %I", *n);
      budget = static_cast<uint64_t>(*n);
    }
  }
  return run_for(L, m, budget);
}

int machine_step(lua_State* L) {
  return run_for(L, check_drivable(L, "step"), 1);
}

int machine_stop(lua_State* L) {
  check_machine(L, 1).link().request_stop();
  return 0;
}

int machine_close(lua_State* L) {
  detach_handlers(L, check_drivable(L, "close"));
  delete_machine(L, static_cast<MachineBox*>(luaL_checkudata(L, 1, kMachineType)));
  return 0;
}

int machine_gc(lua_State* L) {
  auto* box = static_cast<MachineBox*>(luaL_checkudata(L, 1, kMachineType));
  if (box->machine != nullptr) delete_machine(L, box);
  return 0;
}

int machine_tostring(lua_State* L) {
  auto* box = static_cast<MachineBox*>(luaL_checkudata(L, 1, kMachineType));
  lua_pushstring(L, box->machine == nullptr ? "vmlab machine (closed)" : "vmlab machine");
  return 1;
}

int machine_output(lua_State* L) {
  ScriptMachine& m = check_machine(L, 1);
  const auto text = m.captured(static_cast<int>(luaL_checkinteger(L, 2)));
  if (!text)
    return luaL_error(L,
                      "m:output: process %d was not spawned with stdout or stderr = "
                      "\"capture\"",
                      static_cast<int>(lua_tointeger(L, 2)));
  lua_pushlstring(L, text->data(), text->size());
  return 1;
}

int machine_exit_status(lua_State* L) {
  const auto status = check_machine(L, 1).exit_status();
  if (status)
    lua_pushinteger(L, *status);
  else
    lua_pushnil(L);
  return 1;
}

// The folder of the vmlab binary: guests are built next to it (build/guests).
std::filesystem::path build_dir() {
  char path[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return ".";
  return std::filesystem::path(std::string(path, static_cast<size_t>(n))).parent_path();
}

int guest_path(lua_State* L) {
  const char* name = luaL_checkstring(L, 1);
  const std::filesystem::path dir = build_dir() / "guests";
  const std::filesystem::path path = dir / name;
  if (access(path.c_str(), X_OK) != 0)
    return luaL_error(L, "vmlab.guest: no guest program '%s' in %s (build the guests target)", name,
                      dir.c_str());
  lua_pushstring(L, path.c_str());
  return 1;
}

constexpr luaL_Reg kMachineMethods[] = {{"spawn", machine_spawn},
                                        {"run", machine_run},
                                        {"step", machine_step},
                                        {"stop", machine_stop},
                                        {"close", machine_close},
                                        {"output", machine_output},
                                        {"exit_status", machine_exit_status},
                                        {nullptr, nullptr}};

}  // namespace

ScriptMachine& check_machine(lua_State* L, int arg) {
  auto* box = static_cast<MachineBox*>(luaL_checkudata(L, arg, kMachineType));
  if (box->machine == nullptr) luaL_error(L, "the machine is closed");
  return *box->machine;
}

void push_machine(lua_State* L, ScriptMachine* machine) {
  auto* box = static_cast<MachineBox*>(lua_newuserdatauv(L, sizeof(MachineBox), kUserValues));
  box->machine = machine;
  count_machines(L, 1);
  luaL_setmetatable(L, kMachineType);
  attach_handlers(L, -1, *machine);
}

void add_machine_functions(lua_State* L) {
  lua_pushcfunction(L, machine_new);
  lua_setfield(L, -2, "machine");
  lua_pushcfunction(L, guest_path);
  lua_setfield(L, -2, "guest");
  lua_pushstring(L, build_dir().c_str());
  lua_setfield(L, -2, "build_dir");
  std::vector<std::string> names;
  for (std::string_view name : os::policy_names())
    names.emplace_back(name);
  push_string_array(L, names);
  lua_setfield(L, -2, "policies");
}

void open_vmlab(lua_State* L) {
  luaL_newmetatable(L, kMachineType);
  lua_newtable(L);
  luaL_setfuncs(L, kMachineMethods, 0);
  add_event_methods(L);
  add_query_methods(L);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, machine_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, machine_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pop(L, 1);
  create_handler_owners(L);

  lua_newtable(L);
  add_machine_functions(L);
  add_output_functions(L);
  lua_setglobal(L, "vmlab");
}

}  // namespace vmlab::lua
