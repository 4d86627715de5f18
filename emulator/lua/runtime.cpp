#include "emulator/lua/runtime.h"

#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "emulator/lua/bindings.h"

namespace vmlab::lua {

namespace {

constexpr const char* kExitRequestType = "vmlab.exit_request";
constexpr const char* kTracebackHeader = "\nstack traceback:\n";  // as luaL_traceback writes it

// Runs in the new state with (exit request metatable, unsafe flag). pcall and xpcall pass an
// exit request on instead of catching it, so os.exit ends the script from any depth. Without
// --unsafe-lua, only text chunks load: a crafted binary chunk can crash the VM.
constexpr const char* kPrelude = R"lua(
local exit_mt, unsafe = ...
local error, getmetatable = error, getmetatable
local raw_pcall, raw_xpcall, raw_load, raw_loadfile = pcall, xpcall, load, loadfile
local function pass(ok, ...)
  if not ok and getmetatable((...)) == exit_mt then error((...), 0) end
  return ok, ...
end
function pcall(f, ...) return pass(raw_pcall(f, ...)) end
function xpcall(f, handler, ...)
  return pass(raw_xpcall(f, function(e)
    if getmetatable(e) == exit_mt then return e end
    return handler(e)
  end, ...))
end
if not unsafe then
  function load(chunk, name, _, env) return raw_load(chunk, name, "t", env) end
  function loadfile(name, _, env) return raw_loadfile(name, "t", env) end
  function dofile(name)
    local chunk = assert(raw_loadfile(name, "t"))
    return chunk()
  end
end
)lua";

int safe_exit(lua_State* L) {
  int code = 0;
  if (lua_isboolean(L, 1))
    code = lua_toboolean(L, 1) ? EXIT_SUCCESS : EXIT_FAILURE;
  else if (!lua_isnoneornil(L, 1))
    code = static_cast<int>(luaL_checkinteger(L, 1));
  push_exit_request(L, code);
  return lua_error(L);
}

int exit_request_tostring(lua_State* L) {
  lua_pushfstring(L, "os.exit(%d)", *static_cast<int*>(lua_touserdata(L, 1)));
  return 1;
}

void set_global_field(lua_State* L, const char* table, const char* field) {
  // Sets table.field to the value on top of the stack (popped).
  lua_getglobal(L, table);
  lua_insert(L, -2);
  lua_setfield(L, -2, field);
  lua_pop(L, 1);
}

void apply_sandbox(lua_State* L, bool unsafe) {
  lua_pushcfunction(L, safe_exit);
  set_global_field(L, "os", "exit");
  if (unsafe) return;
  for (const auto& [table, field] :
       {std::pair{"os", "execute"}, {"io", "popen"}, {"package", "loadlib"}}) {
    lua_pushnil(L);
    set_global_field(L, table, field);
  }
  lua_pushstring(L, "");
  set_global_field(L, "package", "cpath");
  // Keep the preload and Lua-file searchers; drop the two that load C libraries.
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "searchers");
  constexpr int kLuaSearchers = 2;
  for (lua_Integer i = luaL_len(L, -1); i > kLuaSearchers; --i) {
    lua_pushnil(L);
    lua_rawseti(L, -2, i);
  }
  lua_pop(L, 2);
  // The debug library can read and change any local or upvalue: only its traceback stays.
  lua_getglobal(L, "debug");
  lua_getfield(L, -1, "traceback");
  lua_newtable(L);
  lua_insert(L, -2);
  lua_setfield(L, -2, "traceback");
  lua_setglobal(L, "debug");
  lua_pop(L, 1);
}

}  // namespace

void push_exit_request(lua_State* L, int code) {
  *static_cast<int*>(lua_newuserdatauv(L, sizeof(int), 0)) = code;
  luaL_setmetatable(L, kExitRequestType);
}

std::optional<int> exit_request_code(lua_State* L, int index) {
  const void* p = luaL_testudata(L, index, kExitRequestType);
  if (p == nullptr) return std::nullopt;
  return *static_cast<const int*>(p);
}

int traceback_handler(lua_State* L) {
  if (exit_request_code(L, 1)) return 1;
  const char* message = lua_tostring(L, 1);
  // An error raised in a handler was traced where it happened, on this same thread: its
  // traceback already runs through the m:run that re-raised it.
  if (message != nullptr && std::strstr(message, kTracebackHeader) != nullptr) return 1;
  if (message == nullptr) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      message = lua_tostring(L, -1);
    else
      message = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, message, 1);
  return 1;
}

Runtime::Runtime(const RuntimeOptions& options) : L_(luaL_newstate()) {
  if (L_ == nullptr) throw std::runtime_error("cannot create a Lua state");
  luaL_openlibs(L_);
  luaL_newmetatable(L_, kExitRequestType);
  lua_pushcfunction(L_, exit_request_tostring);
  lua_setfield(L_, -2, "__tostring");
  if (luaL_loadbuffer(L_, kPrelude, std::char_traits<char>::length(kPrelude), "=prelude") != LUA_OK)
    throw std::logic_error(lua_tostring(L_, -1));
  lua_insert(L_, -2);  // the chunk below the metatable argument
  lua_pushboolean(L_, options.unsafe);
  lua_call(L_, 2, 0);
  apply_sandbox(L_, options.unsafe);
  open_vmlab(L_);
}

Runtime::~Runtime() {
  lua_close(L_);
}

void Runtime::add_module_dirs(const std::string& path) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  const std::string base = dir.empty() ? "." : dir.string();
  lua_getglobal(L_, "package");
  lua_getfield(L_, -1, "path");
  lua_pushfstring(L_, "%s/?.lua;%s/../lib/?.lua;%s", base.c_str(), base.c_str(),
                  lua_tostring(L_, -1));
  lua_setfield(L_, -3, "path");
  lua_pop(L_, 2);
}

ScriptResult Runtime::run_file(const std::string& path, const std::vector<std::string>& args) {
  add_module_dirs(path);

  lua_createtable(L_, static_cast<int>(args.size()), 1);
  lua_pushstring(L_, path.c_str());
  lua_rawseti(L_, -2, 0);
  for (size_t i = 0; i < args.size(); ++i) {
    lua_pushstring(L_, args[i].c_str());
    lua_rawseti(L_, -2, static_cast<lua_Integer>(i + 1));
  }
  lua_setglobal(L_, "arg");

  const int status = luaL_loadfilex(L_, path.c_str(), "t");
  for (const std::string& a : args)
    lua_pushstring(L_, a.c_str());
  return run_loaded(status, static_cast<int>(args.size()));
}

ScriptResult Runtime::run_string(const std::string& code, const std::string& chunk_name) {
  const int status =
      luaL_loadbufferx(L_, code.data(), code.size(), ("=" + chunk_name).c_str(), "t");
  return run_loaded(status, 0);
}

ScriptResult Runtime::run_loaded(int load_status, int nargs) {
  ScriptResult result;
  if (load_status != LUA_OK) {  // a syntax error already names file:line; a missing file not
    result.status = kExitScriptError;
    result.error = lua_tostring(L_, -1 - nargs);
    lua_settop(L_, 0);
    return result;
  }
  const int base = lua_gettop(L_) - nargs - 1;  // below the chunk
  lua_pushcfunction(L_, traceback_handler);
  lua_insert(L_, base + 1);
  const int status = lua_pcall(L_, nargs, LUA_MULTRET, base + 1);
  if (status != LUA_OK) {
    if (const auto code = exit_request_code(L_, -1)) {
      result.status = *code;
    } else {
      result.status = kExitScriptError;
      result.error = lua_tostring(L_, -1);
    }
  } else {
    const int top = lua_gettop(L_);
    for (int i = base + 2; i <= top; ++i) {
      result.values.push_back(luaL_tolstring(L_, i, nullptr));
      lua_pop(L_, 1);
    }
  }
  lua_settop(L_, 0);
  return result;
}

}  // namespace vmlab::lua
