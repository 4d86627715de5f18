// vmlab.machine{...}: reads a machine table (see machine_table.cpp).
#pragma once

#include <lua.hpp>

#include "emulator/lua/script_machine.h"

namespace vmlab::lua {

// Raises a Lua error naming the offending key for anything the command line would refuse.
MachineSpec read_machine_table(lua_State* L, int index);

}  // namespace vmlab::lua
