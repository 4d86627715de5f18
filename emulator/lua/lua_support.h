// Small helpers shared by the Lua binding files: C++ exceptions turned into Lua errors, and
// table fields read with exact messages for wrong types and unknown names.
//
// The Lua library is the C++ build (lua5.4-c++): lua_error throws a C++ exception that is not
// a std::exception, so it passes through `guarded` untouched and unwinds our frames with their
// destructors. It must never reach a Unicorn callback: see script_link.h.
#pragma once

#include <lua.hpp>

#include <cstdint>
#include <exception>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmlab::lua {

// Runs a binding body. A C++ exception (a kernel or file error) becomes a Lua error carrying
// the script position, like any other error raised by a binding.
template <typename Body>
int guarded(lua_State* L, Body&& body) {
  std::string message;
  try {
    return body();
  } catch (const std::exception& e) {
    message = e.what();
  }
  return luaL_error(L, "%s", message.c_str());
}

// "a, b, c": the names a message offers when one is unknown.
std::string join_names(std::initializer_list<const char*> names);
std::string join_names(const std::vector<std::string>& names);

// Raises "<who>: unknown field 'x' (a, b, c)" for a string key of the table at `index` that is
// not in `known`, and "<who>: field names must be strings" for other keys (array items are
// allowed when `array_items` says so).
void check_fields(lua_State* L, int index, const char* who,
                  std::initializer_list<const char*> known, bool array_items = false);

// Optional fields of the table at `index`: nil gives nullopt, a wrong type raises
// "<who>: field 'name' must be a <type>, got <actual type>".
std::optional<std::string> string_field(lua_State* L, int index, const char* who, const char* name);
std::optional<int64_t> integer_field(lua_State* L, int index, const char* who, const char* name);
std::optional<double> number_field(lua_State* L, int index, const char* who, const char* name);
std::optional<bool> boolean_field(lua_State* L, int index, const char* who, const char* name);
// True when the field is a function (nil gives false; another type raises).
bool function_field(lua_State* L, int index, const char* who, const char* name);

// Addresses and frame numbers are 64-bit unsigned; Lua integers are signed, so the upper half
// of the address space reads as negative numbers and converts back unchanged.
inline uint64_t check_u64(lua_State* L, int arg) {
  return static_cast<uint64_t>(luaL_checkinteger(L, arg));
}
inline void push_u64(lua_State* L, uint64_t v) {
  lua_pushinteger(L, static_cast<lua_Integer>(v));
}

// Fields of the table on top of the stack.
void set_integer(lua_State* L, const char* name, int64_t v);
void set_u64(lua_State* L, const char* name, uint64_t v);
void set_number(lua_State* L, const char* name, double v);
void set_boolean(lua_State* L, const char* name, bool v);
void set_string(lua_State* L, const char* name, std::string_view v);

}  // namespace vmlab::lua
