// The error boundary between a running machine and Lua.
//
// Event handlers, Lua replacement policies and Lua TLB policies are called from inside the
// machine: from kernel code that runs inside a Unicorn hook. No error may unwind through
// Unicorn, so every such call is a protected call (lua_pcall) on the Lua thread that drives
// the machine. When one fails, the link keeps the error (message and traceback, or an os.exit
// request), pauses the kernel, which stops at the next instruction boundary with everything
// consistent, and ignores further calls; the binding that drove the machine (m:run, m:spawn)
// then raises the error in the script.
#pragma once

#include <lua.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace vmlab::os {
class Kernel;
}

namespace vmlab::lua {

class ScriptLink {
 public:
  using Body = void (*)(lua_State* L, void* context);

  explicit ScriptLink(lua_State* main) : main_(main) {}

  // The Lua state, or nullptr once it is closed.
  lua_State* main() const { return main_; }
  void set_kernel(os::Kernel* kernel) { kernel_ = kernel; }
  // Teardown: nothing reaches Lua any more.
  void disable() { enabled_ = false; }
  // The Lua state closes while the machine lives on (a Lua policy of `vmlab run` belongs to a
  // machine the command owns): nothing may touch the state any more, not even to free refs.
  void close_state() {
    enabled_ = false;
    main_ = nullptr;
  }
  // Frees a registry reference unless the state is already closed (and took it along).
  void unref(int ref) const {
    if (main_ != nullptr) luaL_unref(main_, LUA_REGISTRYINDEX, ref);
  }

  // While a Drive exists, calls run on `L` (the thread that called m:run or m:spawn). Without
  // one, calls are skipped: nobody is waiting for their result.
  class Drive {
   public:
    Drive(ScriptLink& link, lua_State* L) : link_(link), saved_(link.thread_) { link.thread_ = L; }
    ~Drive() { link_.thread_ = saved_; }
    Drive(const Drive&) = delete;
    Drive& operator=(const Drive&) = delete;

   private:
    ScriptLink& link_;
    lua_State* saved_;
  };

  bool active() const { return enabled_ && thread_ != nullptr && !failure_; }
  // Calls body(L, context) protected. False when skipped or when it failed.
  bool call(Body body, void* context);
  // Inside a handler or policy: the machine must not be driven (re-entered) from there.
  bool in_call() const { return depth_ > 0; }

  // A handler asked the machine to stop (returned "stop", or called m:stop()).
  void request_stop();
  bool take_stop_request();

  // A failure from Lua code, or from C++ code acting for it (a policy's bad answer).
  void fail(std::string message);
  bool failed() const { return failure_.has_value(); }
  // Raises the kept failure in L (and forgets it); returns only in the type system.
  int raise_failure(lua_State* L);
  // The kept failure for a host that prints it (vmlab run --script): the message, or empty
  // with *exit_code set for an os.exit request.
  std::string take_failure(std::optional<int>* exit_code);

 private:
  struct Failure {
    std::string message;
    std::optional<int> exit_code;
  };
  void keep_failure(lua_State* L);

  lua_State* main_;
  lua_State* thread_ = nullptr;
  os::Kernel* kernel_ = nullptr;
  bool enabled_ = true;
  int depth_ = 0;
  bool stop_requested_ = false;
  std::optional<Failure> failure_;
};

}  // namespace vmlab::lua
