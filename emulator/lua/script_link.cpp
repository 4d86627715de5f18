#include "emulator/lua/script_link.h"

#include "emulator/lua/runtime.h"
#include "os/kernel.h"

namespace vmlab::lua {

namespace {

// Stack slots a call needs before it is protected: handler, trampoline, context.
constexpr int kCallSlots = 3;

struct Pending {
  ScriptLink::Body body;
  void* context;
};

// The protected function: everything that may allocate or fail happens in here.
int trampoline(lua_State* L) {
  auto* pending = static_cast<Pending*>(lua_touserdata(L, 1));
  lua_settop(L, 0);
  pending->body(L, pending->context);
  return 0;
}

}  // namespace

bool ScriptLink::call(Body body, void* context) {
  if (!active()) return false;
  lua_State* L = thread_;
  // Nothing before lua_pcall may raise: lua_checkstack reports instead of raising, and
  // pushing light C functions and light userdata allocates nothing.
  if (!lua_checkstack(L, kCallSlots)) {
    fail("Lua stack overflow while calling a handler");
    return false;
  }
  Pending pending{body, context};
  const int base = lua_gettop(L);
  lua_pushcfunction(L, traceback_handler);
  lua_pushcfunction(L, trampoline);
  lua_pushlightuserdata(L, &pending);
  ++depth_;
  const int status = lua_pcall(L, 1, 0, base + 1);
  --depth_;
  if (status != LUA_OK) keep_failure(L);
  lua_settop(L, base);
  return status == LUA_OK;
}

void ScriptLink::keep_failure(lua_State* L) {
  Failure failure;
  if (const auto code = exit_request_code(L, -1)) {
    failure.exit_code = code;
  } else {
    const char* message = lua_tostring(L, -1);
    failure.message = message != nullptr ? message : "(error object is not a string)";
  }
  if (!failure_) failure_ = std::move(failure);
  if (kernel_ != nullptr) kernel_->pause();
}

void ScriptLink::fail(std::string message) {
  if (!failure_) failure_ = Failure{std::move(message), std::nullopt};
  if (kernel_ != nullptr) kernel_->pause();
}

void ScriptLink::request_stop() {
  stop_requested_ = true;
  if (kernel_ != nullptr) kernel_->pause();
}

bool ScriptLink::take_stop_request() {
  const bool requested = stop_requested_;
  stop_requested_ = false;
  return requested;
}

int ScriptLink::raise_failure(lua_State* L) {
  Failure failure = std::move(*failure_);
  failure_.reset();
  if (failure.exit_code)
    push_exit_request(L, *failure.exit_code);
  else
    lua_pushlstring(L, failure.message.data(), failure.message.size());
  return lua_error(L);
}

std::string ScriptLink::take_failure(std::optional<int>* exit_code) {
  Failure failure = std::move(*failure_);
  failure_.reset();
  *exit_code = failure.exit_code;
  return failure.message;
}

}  // namespace vmlab::lua
