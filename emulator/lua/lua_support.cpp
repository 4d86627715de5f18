#include "emulator/lua/lua_support.h"

#include <algorithm>

namespace vmlab::lua {

namespace {

// Pushes the field and checks its type; returns false (with the field popped) when it is nil.
bool field_of_type(lua_State* L, int index, const char* who, const char* name, int type) {
  const int t = lua_getfield(L, index, name);
  if (t == LUA_TNIL) {
    lua_pop(L, 1);
    return false;
  }
  if (t != type) {
    luaL_error(L, "%s: field '%s' must be a %s, got %s", who, name, lua_typename(L, type),
               luaL_typename(L, -1));
  }
  return true;
}

}  // namespace

std::string join_names(std::initializer_list<const char*> names) {
  std::string out;
  for (const char* n : names)
    out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out;
}

void check_fields(lua_State* L, int index, const char* who,
                  std::initializer_list<const char*> known, bool array_items) {
  index = lua_absindex(L, index);
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    lua_pop(L, 1);  // the value; the key stays for lua_next
    if (lua_type(L, -1) == LUA_TSTRING) {
      const std::string key = lua_tostring(L, -1);
      if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; }))
        luaL_error(L, "%s: unknown field '%s' (%s)", who, key.c_str(), join_names(known).c_str());
    } else if (!(array_items && lua_isinteger(L, -1))) {
      luaL_error(L, "%s: field names must be strings, got %s", who, luaL_typename(L, -1));
    }
  }
}

std::optional<std::string> string_field(lua_State* L, int index, const char* who,
                                        const char* name) {
  if (!field_of_type(L, index, who, name, LUA_TSTRING)) return std::nullopt;
  size_t length = 0;
  const char* s = lua_tolstring(L, -1, &length);
  std::string value(s, length);
  lua_pop(L, 1);
  return value;
}

std::optional<int64_t> integer_field(lua_State* L, int index, const char* who, const char* name) {
  if (!field_of_type(L, index, who, name, LUA_TNUMBER)) return std::nullopt;
  if (!lua_isinteger(L, -1))
    luaL_error(L, "%s: field '%s' must be an integer, got %s", who, name, lua_tostring(L, -1));
  const int64_t value = lua_tointeger(L, -1);
  lua_pop(L, 1);
  return value;
}

std::optional<double> number_field(lua_State* L, int index, const char* who, const char* name) {
  if (!field_of_type(L, index, who, name, LUA_TNUMBER)) return std::nullopt;
  const double value = lua_tonumber(L, -1);
  lua_pop(L, 1);
  return value;
}

std::optional<bool> boolean_field(lua_State* L, int index, const char* who, const char* name) {
  if (!field_of_type(L, index, who, name, LUA_TBOOLEAN)) return std::nullopt;
  const bool value = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return value;
}

bool function_field(lua_State* L, int index, const char* who, const char* name) {
  if (!field_of_type(L, index, who, name, LUA_TFUNCTION)) return false;
  lua_pop(L, 1);
  return true;
}

void set_integer(lua_State* L, const char* name, int64_t v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, name);
}

void set_u64(lua_State* L, const char* name, uint64_t v) {
  push_u64(L, v);
  lua_setfield(L, -2, name);
}

void set_number(lua_State* L, const char* name, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, name);
}

void set_boolean(lua_State* L, const char* name, bool v) {
  lua_pushboolean(L, v);
  lua_setfield(L, -2, name);
}

void set_string(lua_State* L, const char* name, std::string_view v) {
  lua_pushlstring(L, v.data(), v.size());
  lua_setfield(L, -2, name);
}

}  // namespace vmlab::lua
