// The binding domains of the vmlab Lua API, one file each (see scripts/README.md for the API):
//   machine_bindings.cpp  vmlab.machine, vmlab.guest; m:spawn, m:run, m:step, m:stop, m:close
//   event_bindings.cpp    m:on, m:off
//   query_bindings.cpp    m:translate, m:read, m:pte, m:vmas, m:frame(s), m:process(es), m:stats
//   policy_bindings.cpp   page and TLB replacement policies written in Lua
//   output_bindings.cpp   vmlab.json, vmlab.write_csv, vmlab.plot, vmlab.mkdir
#pragma once

#include <lua.hpp>

namespace vmlab::lua {

class ScriptMachine;

// The metatable name of machine userdata.
inline constexpr const char* kMachineType = "vmlab.machine";

// Creates the global `vmlab` table with every domain's functions.
void open_vmlab(lua_State* L);

// Each adds its functions to the table on top of the stack.
void add_machine_functions(lua_State* L);  // vmlab.*
void add_output_functions(lua_State* L);   // vmlab.*
void add_event_methods(lua_State* L);      // machine methods
void add_query_methods(lua_State* L);      // machine methods

// Event handlers live with the machine userdata (event_bindings.cpp): the registry's weak
// table of their owners is created once per state, and each new machine userdata (at
// `index`) gets its handler table.
void create_handler_owners(lua_State* L);
void attach_handlers(lua_State* L, int index, const ScriptMachine& machine);
void detach_handlers(lua_State* L, const ScriptMachine& machine);  // m:close

// The machine of argument `arg` (raises for another type or a closed machine).
ScriptMachine& check_machine(lua_State* L, int arg);
// Pushes a userdata that owns `machine` (deleted by __gc or m:close).
void push_machine(lua_State* L, ScriptMachine* machine);

}  // namespace vmlab::lua
