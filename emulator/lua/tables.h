// Conversions shared by the binding files: C++ values to Lua tables.
#pragma once

#include <lua.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "emulator/stats_tree.h"
#include "mmu/mmu.h"

namespace vmlab::lua {

// {"a", "b", ...} on top of the stack.
void push_string_array(lua_State* L, const std::vector<std::string>& items);

// The run's statistics (the tree of --stats-json) as nested Lua tables on top of the stack:
// objects become tables with string keys, arrays sequences, counters Lua integers.
void push_stats(lua_State* L, emulator::Machine& machine, const emulator::RunFacts& facts);

const char* invalidation_kind_name(mmu::InvalidationKind kind);

}  // namespace vmlab::lua
