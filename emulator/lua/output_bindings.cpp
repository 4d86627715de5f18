// The output domain: vmlab.json, vmlab.write_csv, vmlab.mkdir, vmlab.plot, vmlab.has_gnuplot.
//
// vmlab.plot writes a gnuplot script from a description and runs gnuplot when it is installed.
// The script is generated here from checked parts (never taken from the script as text), so
// the sandbox holds: gnuplot can run shell commands, a plot description cannot.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "emulator/json_stats_writer.h"
#include "emulator/lua/bindings.h"
#include "emulator/lua/lua_support.h"
#include "emulator/lua/plot.h"

namespace vmlab::lua {

namespace {

constexpr int kMaxDepth = 100;  // deeper tables are almost certainly a mistake
constexpr int kJsonIndent = 2;

// A Lua value as JSON: a sequence 1..n is an array, any other table an object with sorted keys
// (nlohmann::json keeps its members sorted), integers stay integers.
class JsonEncoder {
 public:
  explicit JsonEncoder(lua_State* L) : L_(L) {}
  nlohmann::json encode(int index) { return value(lua_absindex(L_, index), 0); }

 private:
  nlohmann::json value(int index, int depth) {
    switch (lua_type(L_, index)) {
      case LUA_TNIL:
        return nullptr;
      case LUA_TBOOLEAN:
        return lua_toboolean(L_, index) != 0;
      case LUA_TNUMBER:
        return number(index);
      case LUA_TSTRING: {
        size_t size = 0;
        const char* text = lua_tolstring(L_, index, &size);
        return std::string(text, size);
      }
      case LUA_TTABLE:
        return table(index, depth);
      default:
        luaL_error(L_, "vmlab.json: cannot encode a %s", luaL_typename(L_, index));
    }
    return nullptr;
  }

  nlohmann::json number(int index) {
    if (lua_isinteger(L_, index)) return static_cast<int64_t>(lua_tointeger(L_, index));
    const double d = lua_tonumber(L_, index);
    if (!std::isfinite(d)) luaL_error(L_, "vmlab.json: cannot encode %f", d);
    return d;
  }

  nlohmann::json table(int index, int depth) {
    if (depth >= kMaxDepth) luaL_error(L_, "vmlab.json: tables nested more than 100 deep");
    luaL_checkstack(L_, 4, "vmlab.json");
    std::vector<std::string> keys;
    lua_Integer count = 0;
    bool only_integers = true;
    lua_pushnil(L_);
    while (lua_next(L_, index) != 0) {
      lua_pop(L_, 1);
      ++count;
      if (lua_isinteger(L_, -1)) {
        keys.push_back(std::to_string(lua_tointeger(L_, -1)));
      } else if (lua_type(L_, -1) == LUA_TSTRING) {
        only_integers = false;
        keys.push_back(lua_tostring(L_, -1));
      } else {
        luaL_error(L_, "vmlab.json: object keys must be strings, got %s", luaL_typename(L_, -1));
      }
    }
    if (only_integers && luaL_len(L_, index) == count) {
      nlohmann::json array = nlohmann::json::array();
      for (lua_Integer i = 1; i <= count; ++i) {
        lua_rawgeti(L_, index, i);
        array.push_back(value(lua_gettop(L_), depth + 1));
        lua_pop(L_, 1);
      }
      return array;
    }
    nlohmann::json object = nlohmann::json::object();
    for (const std::string& key : keys) {
      lua_getfield(L_, index, key.c_str());
      if (lua_isnil(L_, -1)) {  // an integer key of a mixed table
        lua_pop(L_, 1);
        lua_geti(L_, index, std::stoll(key));
      }
      object[key] = value(lua_gettop(L_), depth + 1);
      lua_pop(L_, 1);
    }
    return object;
  }

  lua_State* L_;
};

int output_json(lua_State* L) {
  luaL_checkany(L, 1);
  const bool pretty = lua_toboolean(L, 2);
  const std::string text = emulator::json_dump(JsonEncoder(L).encode(1), pretty ? kJsonIndent : -1);
  lua_pushlstring(L, text.data(), text.size());
  return 1;
}

std::string csv_cell(lua_State* L, int index, const char* column) {
  switch (lua_type(L, index)) {
    case LUA_TNIL:
      return "";
    case LUA_TBOOLEAN:
      return lua_toboolean(L, index) ? "true" : "false";
    case LUA_TNUMBER:
      if (lua_isinteger(L, index)) return std::to_string(lua_tointeger(L, index));
      return lua_tostring(L, index);
    case LUA_TSTRING: {
      const std::string s = lua_tostring(L, index);
      if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
      std::string quoted = "\"";
      for (char c : s)
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      return quoted + "\"";
    }
    default:
      luaL_error(L, "vmlab.write_csv: column '%s' holds a %s", column, luaL_typename(L, index));
      return "";
  }
}

int output_write_csv(lua_State* L) {
  const char* path = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  std::vector<std::string> columns;
  if (!lua_isnoneornil(L, 3)) {
    luaL_checktype(L, 3, LUA_TTABLE);
    for (lua_Integer i = 1; i <= luaL_len(L, 3); ++i) {
      if (lua_rawgeti(L, 3, i) != LUA_TSTRING)
        luaL_error(L, "vmlab.write_csv: column names must be strings, got %s",
                   luaL_typename(L, -1));
      columns.push_back(lua_tostring(L, -1));
      lua_pop(L, 1);
    }
  } else if (lua_rawgeti(L, 2, 1) == LUA_TTABLE) {  // the first row's keys, sorted
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
      lua_pop(L, 1);
      if (lua_type(L, -1) == LUA_TSTRING) columns.push_back(lua_tostring(L, -1));
    }
    std::sort(columns.begin(), columns.end());
    lua_pop(L, 1);
  }
  std::ostringstream out;
  for (size_t c = 0; c < columns.size(); ++c)
    out << (c ? "," : "") << columns[c];
  out << "\n";
  for (lua_Integer r = 1; r <= luaL_len(L, 2); ++r) {
    if (lua_rawgeti(L, 2, r) != LUA_TTABLE)
      luaL_error(L, "vmlab.write_csv: row %d must be a table, got %s", static_cast<int>(r),
                 luaL_typename(L, -1));
    for (size_t c = 0; c < columns.size(); ++c) {
      lua_getfield(L, -1, columns[c].c_str());
      out << (c ? "," : "") << csv_cell(L, lua_gettop(L), columns[c].c_str());
      lua_pop(L, 1);
    }
    out << "\n";
    lua_pop(L, 1);
  }
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << out.str();
  if (!file.flush()) return luaL_error(L, "vmlab.write_csv: cannot write '%s'", path);
  return 0;
}

int output_mkdir(lua_State* L) {
  const char* path = luaL_checkstring(L, 1);
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error)
    return luaL_error(L, "vmlab.mkdir: cannot create '%s': %s", path, error.message().c_str());
  return 0;
}

int output_has_gnuplot(lua_State* L) {
  lua_pushboolean(L, emulator::plot::find_gnuplot().has_value());
  return 1;
}

int output_plot(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  const emulator::plot::Figure figure = read_plot_spec(L, 1);
  emulator::plot::Drawing drawing;
  std::string error;
  try {
    drawing = emulator::plot::draw(figure);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) return luaL_error(L, "vmlab.plot: %s", error.c_str());
  lua_pushboolean(L, drawing.drawn);
  lua_pushstring(L, drawing.script.c_str());
  return 2;
}

constexpr luaL_Reg kOutputFunctions[] = {
    {"json", output_json},   {"write_csv", output_write_csv},
    {"mkdir", output_mkdir}, {"has_gnuplot", output_has_gnuplot},
    {"plot", output_plot},   {nullptr, nullptr}};

}  // namespace

void add_output_functions(lua_State* L) {
  luaL_setfuncs(L, kOutputFunctions, 0);
}

}  // namespace vmlab::lua
