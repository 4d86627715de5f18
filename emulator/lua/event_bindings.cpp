// The event domain: m:on(name, handler) and m:off(handle). Delivery is in events.cpp.
//
// A machine's handlers are kept in a table that is the user value of its userdata, and the
// userdata is found from its dispatcher through a weak registry table. A handler usually
// captures its machine (to query it); held from the registry, that cycle would keep every
// such machine, with its RAM and Unicorn engines, alive until the script ends.
#include "emulator/lua/bindings.h"
#include "emulator/lua/events.h"
#include "emulator/lua/script_machine.h"

namespace vmlab::lua {

namespace {

constexpr const char* kOwners = "vmlab.handler_owners";  // dispatcher -> machine userdata
constexpr int kHandlersValue = 1;                        // the userdata's user value

// The handler table of the machine userdata at `index`.
void push_handlers(lua_State* L, int index) {
  lua_getiuservalue(L, index, kHandlersValue);
}

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
  if (*kind == EventKind::kTick) m.ensure_timeline();
  const int handle = m.events().subscribe(*kind);
  push_handlers(L, 1);
  lua_pushvalue(L, 3);
  lua_rawseti(L, -2, handle);
  m.update_observers();
  lua_pushinteger(L, handle);
  return 1;
}

int machine_off(lua_State* L) {
  ScriptMachine& m = check_machine(L, 1);
  const lua_Integer handle = luaL_checkinteger(L, 2);
  const bool removed = m.events().unsubscribe(static_cast<int>(handle));
  if (removed) {
    push_handlers(L, 1);
    lua_pushnil(L);
    lua_rawseti(L, -2, handle);
  }
  m.update_observers();
  lua_pushboolean(L, removed);
  return 1;
}

constexpr luaL_Reg kEventMethods[] = {{"on", machine_on}, {"off", machine_off}, {nullptr, nullptr}};

}  // namespace

void add_event_methods(lua_State* L) {
  luaL_setfuncs(L, kEventMethods, 0);
}

void create_handler_owners(lua_State* L) {
  lua_newtable(L);
  lua_createtable(L, 0, 1);
  lua_pushstring(L, "v");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, kOwners);
}

void attach_handlers(lua_State* L, int index, const ScriptMachine& machine) {
  index = lua_absindex(L, index);
  lua_newtable(L);
  lua_setiuservalue(L, index, kHandlersValue);
  lua_getfield(L, LUA_REGISTRYINDEX, kOwners);
  lua_pushvalue(L, index);
  lua_rawsetp(L, -2, &const_cast<ScriptMachine&>(machine).events());
  lua_pop(L, 1);
}

void detach_handlers(lua_State* L, const ScriptMachine& machine) {
  lua_getfield(L, LUA_REGISTRYINDEX, kOwners);
  lua_pushnil(L);
  lua_rawsetp(L, -2, &const_cast<ScriptMachine&>(machine).events());
  lua_pop(L, 1);
}

void push_handler(lua_State* L, const EventDispatcher* dispatcher, int handle) {
  lua_getfield(L, LUA_REGISTRYINDEX, kOwners);
  lua_rawgetp(L, -1, dispatcher);
  lua_remove(L, -2);
  if (lua_isnil(L, -1)) return;  // the machine is being collected
  push_handlers(L, -1);
  lua_remove(L, -2);
  lua_rawgeti(L, -1, handle);
  lua_remove(L, -2);
}

}  // namespace vmlab::lua
