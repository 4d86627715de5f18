// vmlab.plot's table argument, read into a figure (emulator/plot/figure.h): one panel from the
// table's own fields, or several from `panels`.
#pragma once

#include <lua.hpp>

#include "emulator/plot/figure.h"

namespace vmlab::lua {

// Raises on unknown fields, wrong types and missing columns names (scripts/README.md).
emulator::plot::Figure read_plot_spec(lua_State* L, int index);

}  // namespace vmlab::lua
