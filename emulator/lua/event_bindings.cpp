// The event domain: m:on(name, handler) and m:off(handle). Delivery is in events.cpp.
#include "emulator/lua/bindings.h"
#include "emulator/lua/events.h"
#include "emulator/lua/script_machine.h"

namespace vmlab::lua {

namespace {

int machine_on(lua_State* L) {
  ScriptMachine& m = check_machine(L, 1);
  const char* name = luaL_checkstring(L, 2);
  luaL_checktype(L, 3, LUA_TFUNCTION);
  const auto kind = parse_event_kind(name);
  if (!kind) return luaL_error(L, "m:on: unknown event '%s' (%s)", name, event_kind_list().c_str());
  // Whether a CPU reports instructions is decided when it is created (the per-instruction
  // hook costs every instruction, so it is only installed when wanted).
  if (*kind == EventKind::kInstruction && m.cpus_created())
    return luaL_error(L, "m:on: subscribe to 'instruction' before the first m:spawn");
  lua_pushvalue(L, 3);
  const int handle = m.events().subscribe(*kind, luaL_ref(L, LUA_REGISTRYINDEX));
  m.update_observers();
  lua_pushinteger(L, handle);
  return 1;
}

int machine_off(lua_State* L) {
  ScriptMachine& m = check_machine(L, 1);
  const bool removed = m.events().unsubscribe(static_cast<int>(luaL_checkinteger(L, 2)));
  m.update_observers();
  lua_pushboolean(L, removed);
  return 1;
}

constexpr luaL_Reg kEventMethods[] = {{"on", machine_on}, {"off", machine_off}, {nullptr, nullptr}};

}  // namespace

void add_event_methods(lua_State* L) {
  luaL_setfuncs(L, kEventMethods, 0);
}

}  // namespace vmlab::lua
