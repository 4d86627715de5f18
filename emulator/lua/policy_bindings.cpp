// Page and TLB replacement policies written in Lua (see policies.h).
#include <algorithm>
#include <list>
#include <unordered_map>
#include <vector>

#include "emulator/lua/lua_support.h"
#include "emulator/lua/policies.h"
#include "emulator/lua/runtime.h"

namespace vmlab::lua {

namespace {

constexpr const char* kPagesType = "vmlab.policy_pages";

// Calls table.<function>(args...) of the policy table; the body of a protected call.
struct Notification {
  int table_ref;
  const char* function;
  int64_t args[3];
  int nargs;
};

void notify_body(lua_State* L, void* context) {
  const auto& n = *static_cast<const Notification*>(context);
  lua_rawgeti(L, LUA_REGISTRYINDEX, n.table_ref);
  lua_getfield(L, -1, n.function);
  for (int i = 0; i < n.nargs; ++i)
    lua_pushinteger(L, n.args[i]);
  lua_call(L, n.nargs, 0);
}

// The second argument of victim(): lets a policy harvest Accessed bits (CLOCK), valid only
// during that call.
struct PagesBox {
  os::PageInspector* pages;
};

int pages_clear_referenced(lua_State* L) {
  auto* box = static_cast<PagesBox*>(luaL_checkudata(L, 1, kPagesType));
  const uint64_t pfn = check_u64(L, 2);
  if (box->pages == nullptr)
    return luaL_error(L, "pages:clear_referenced: only valid during policy.victim");
  lua_pushboolean(L, box->pages->test_and_clear_referenced(mmu::Pfn{pfn}));
  return 1;
}

void push_pages_box(lua_State* L, os::PageInspector* pages) {
  auto* box = static_cast<PagesBox*>(lua_newuserdatauv(L, sizeof(PagesBox), 0));
  box->pages = pages;
  if (luaL_newmetatable(L, kPagesType)) {
    lua_newtable(L);
    lua_pushcfunction(L, pages_clear_referenced);
    lua_setfield(L, -2, "clear_referenced");
    lua_setfield(L, -2, "__index");
  }
  lua_setmetatable(L, -2);
}

class LuaPagePolicy final : public os::ReplacementPolicy {
 public:
  LuaPagePolicy(std::shared_ptr<ScriptLink> link, PagePolicySpec spec)
      : link_(std::move(link)), spec_(std::move(spec)) {}
  ~LuaPagePolicy() override { link_->unref(spec_.table_ref); }

  std::string_view name() const override { return spec_.name; }
  void on_load(mmu::Pfn f) override {
    where_[f.value] = order_.insert(order_.end(), f);
    if (spec_.on_load) notify("on_load", {as_int(f.value)});
  }
  void on_release(mmu::Pfn f) override {
    auto it = where_.find(f.value);
    if (it != where_.end()) {
      order_.erase(it->second);
      where_.erase(it);
    }
    if (spec_.on_release) notify("on_release", {as_int(f.value)});
  }
  bool wants_accesses() const override { return spec_.on_access; }
  void on_access(mmu::Pfn f, int pid, uint64_t va) override {
    notify("on_access", {as_int(f.value), pid, as_int(va)});
  }
  void on_refault(mmu::Pfn f, uint64_t distance) override {
    if (spec_.on_refault) notify("on_refault", {as_int(f.value), as_int(distance)});
  }

  std::optional<mmu::Pfn> choose(os::PageInspector& pages, const os::Eligible& eligible) override {
    Choice choice{this, &pages, {}, std::nullopt};
    for (mmu::Pfn f : order_)
      if (eligible(f)) choice.candidates.push_back(f);
    if (choice.candidates.empty()) return std::nullopt;
    // A failed call has stopped the machine; until it pauses, reclaim goes on in load order.
    if (!link_->call(choose_body, &choice) || !choice.victim) return choice.candidates.front();
    return choice.victim;
  }

 private:
  struct Choice {
    LuaPagePolicy* policy;
    os::PageInspector* pages;
    std::vector<mmu::Pfn> candidates;  // eligible resident pages, oldest first
    std::optional<mmu::Pfn> victim;
  };

  static int64_t as_int(uint64_t v) { return static_cast<int64_t>(v); }

  void notify(const char* function, std::initializer_list<int64_t> args) {
    Notification n{spec_.table_ref, function, {}, static_cast<int>(args.size())};
    std::copy(args.begin(), args.end(), n.args);
    link_->call(notify_body, &n);
  }

  static void choose_body(lua_State* L, void* context) {
    auto& c = *static_cast<Choice*>(context);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c.policy->spec_.table_ref);
    lua_getfield(L, -1, "victim");
    const uint64_t now = c.pages->now();
    lua_createtable(L, static_cast<int>(c.candidates.size()), 0);
    for (size_t i = 0; i < c.candidates.size(); ++i) {
      const mmu::Pfn f = c.candidates[i];
      lua_newtable(L);
      set_u64(L, "pfn", f.value);
      set_boolean(L, "referenced", c.pages->referenced(f));
      set_boolean(L, "dirty", c.pages->dirty(f));
      set_u64(L, "loaded_at", c.pages->loaded_at(f));
      set_u64(L, "last_access", c.pages->last_access(f));
      set_u64(L, "age", now - c.pages->loaded_at(f));
      set_integer(L, "owner", c.pages->owner(f));
      lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
    }
    push_pages_box(L, c.pages);
    // A second reference below the function keeps the box alive (out of the collector's reach)
    // until this body returns, so expiring it afterwards touches live memory.
    lua_pushvalue(L, -1);
    lua_insert(L, -4);
    // The box must not outlive this call, however the call ends.
    struct Expire {
      PagesBox* box;
      ~Expire() { box->pages = nullptr; }
    } expire{static_cast<PagesBox*>(lua_touserdata(L, -1))};
    lua_call(L, 2, 1);
    uint64_t pfn = 0;
    if (lua_isinteger(L, -1)) {
      pfn = static_cast<uint64_t>(lua_tointeger(L, -1));
    } else if (lua_istable(L, -1) && lua_getfield(L, -1, "pfn") == LUA_TNUMBER &&
               lua_isinteger(L, -1)) {
      pfn = static_cast<uint64_t>(lua_tointeger(L, -1));
    } else {
      luaL_error(L, "policy '%s': victim must return a candidate or its pfn, got %s",
                 c.policy->spec_.name.c_str(), luaL_typename(L, -1));
    }
    if (std::find(c.candidates.begin(), c.candidates.end(), mmu::Pfn{pfn}) == c.candidates.end())
      luaL_error(L, "policy '%s': victim returned frame 0x%s, which is not a candidate",
                 c.policy->spec_.name.c_str(), hex(pfn).c_str());
    c.victim = mmu::Pfn{pfn};
  }

  static std::string hex(uint64_t v) {
    char buffer[2 * sizeof v + 1];
    std::snprintf(buffer, sizeof buffer, "%llx", static_cast<unsigned long long>(v));
    return buffer;
  }

  std::shared_ptr<ScriptLink> link_;
  PagePolicySpec spec_;
  std::list<mmu::Pfn> order_;  // resident pages in load order
  std::unordered_map<uint64_t, std::list<mmu::Pfn>::iterator> where_;
};

class LuaTlbPolicy final : public mmu::CustomReplacement {
 public:
  LuaTlbPolicy(std::shared_ptr<ScriptLink> link, TlbPolicySpec spec, uint32_t ways)
      : link_(std::move(link)), spec_(spec), ways_(ways) {}
  ~LuaTlbPolicy() override { link_->unref(spec_.table_ref); }

  void on_fill(uint32_t set, uint32_t way) override {
    if (spec_.on_fill) notify("on_fill", set, way);
  }
  void on_hit(uint32_t set, uint32_t way) override {
    if (spec_.on_hit) notify("on_hit", set, way);
  }
  uint32_t victim(uint32_t set) override {
    Choice choice{this, set, 0};
    link_->call(victim_body, &choice);  // after a failure way 0 is as good as any
    return choice.way;
  }

 private:
  struct Choice {
    LuaTlbPolicy* policy;
    uint32_t set;
    uint32_t way;
  };

  void notify(const char* function, uint32_t set, uint32_t way) {
    Notification n{spec_.table_ref, function, {set, way}, 2};
    link_->call(notify_body, &n);
  }

  static void victim_body(lua_State* L, void* context) {
    auto& c = *static_cast<Choice*>(context);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c.policy->spec_.table_ref);
    lua_getfield(L, -1, "victim");
    lua_pushinteger(L, c.set);
    lua_call(L, 1, 1);
    const lua_Integer way = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : -1;
    if (way < 0 || way >= static_cast<lua_Integer>(c.policy->ways_))
      luaL_error(L, "TLB policy: victim(%d) must return a way from 0 to %d, got %s",
                 static_cast<int>(c.set), static_cast<int>(c.policy->ways_ - 1),
                 luaL_tolstring(L, -1, nullptr));
    c.way = static_cast<uint32_t>(way);
  }

  std::shared_ptr<ScriptLink> link_;
  TlbPolicySpec spec_;
  uint32_t ways_;
};

}  // namespace

PagePolicySpec read_page_policy(lua_State* L, int index, const std::string& who) {
  index = lua_absindex(L, index);
  const char* w = who.c_str();
  check_fields(L, index, w, {"name", "victim", "on_load", "on_release", "on_access", "on_refault"});
  if (!function_field(L, index, w, "victim")) luaL_error(L, "%s: victim must be a function", w);
  PagePolicySpec spec;
  spec.name = string_field(L, index, w, "name").value_or("lua");
  spec.on_load = function_field(L, index, w, "on_load");
  spec.on_release = function_field(L, index, w, "on_release");
  spec.on_access = function_field(L, index, w, "on_access");
  spec.on_refault = function_field(L, index, w, "on_refault");
  lua_pushvalue(L, index);
  spec.table_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return spec;
}

TlbPolicySpec read_tlb_policy(lua_State* L, int index, const std::string& who) {
  index = lua_absindex(L, index);
  const char* w = who.c_str();
  check_fields(L, index, w, {"victim", "on_fill", "on_hit"});
  if (!function_field(L, index, w, "victim")) luaL_error(L, "%s: victim must be a function", w);
  TlbPolicySpec spec;
  spec.on_fill = function_field(L, index, w, "on_fill");
  spec.on_hit = function_field(L, index, w, "on_hit");
  lua_pushvalue(L, index);
  spec.table_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return spec;
}

namespace {

// What a policy file returned, at `index`, read as a policy table: `who` starts messages.
PagePolicySpec read_returned_policy(lua_State* L, int index, const std::string& file,
                                    const std::string& who) {
  if (!lua_istable(L, index))
    luaL_error(L, "%s: %s must return a policy table, got %s", who.c_str(), file.c_str(),
               luaL_typename(L, index));
  return read_page_policy(L, index, who + " (" + file + ")");
}

}  // namespace

PagePolicySpec load_page_policy_file(lua_State* L, const std::string& file,
                                     const std::string& who) {
  if (luaL_loadfilex(L, file.c_str(), "t") != LUA_OK) lua_error(L);
  lua_call(L, 0, 1);
  PagePolicySpec spec = read_returned_policy(L, -1, file, who);
  lua_pop(L, 1);
  return spec;
}

namespace {

// What the protected read below works on; its strings are built outside it, so an error's
// longjmp skips no destructor.
struct PolicyRead {
  std::string file;
  std::string who;
  PagePolicySpec spec;
};

int read_policy_entry(lua_State* L) {
  auto* read = static_cast<PolicyRead*>(lua_touserdata(L, 2));
  read->spec = read_returned_policy(L, 1, read->file, read->who);
  return 0;
}

}  // namespace

std::optional<PagePolicySpec> load_page_policy_file_protected(lua_State* L, const std::string& file,
                                                              std::string* error,
                                                              std::optional<int>* exit_code) {
  const int top = lua_gettop(L);
  auto failed = [&] {
    *exit_code = exit_request_code(L, -1);
    const char* message = lua_tostring(L, -1);
    *error = message != nullptr ? message : "error object is not a string";
    lua_settop(L, top);
    return std::nullopt;
  };
  // Loading fails with a message alone; running the chunk gets a traceback; the table's
  // checks name what is wrong.
  if (luaL_loadfilex(L, file.c_str(), "t") != LUA_OK) return failed();
  lua_pushcfunction(L, traceback_handler);
  lua_insert(L, -2);
  if (lua_pcall(L, 0, 1, top + 1) != LUA_OK) return failed();
  PolicyRead read{file, "--policy", {}};
  lua_pushcfunction(L, read_policy_entry);
  lua_insert(L, -2);
  lua_pushlightuserdata(L, &read);
  if (lua_pcall(L, 2, 0, 0) != LUA_OK) return failed();
  lua_settop(L, top);
  return read.spec;
}

std::unique_ptr<os::ReplacementPolicy> make_lua_page_policy(std::shared_ptr<ScriptLink> link,
                                                            const PagePolicySpec& spec) {
  return std::make_unique<LuaPagePolicy>(std::move(link), spec);
}

std::shared_ptr<mmu::CustomReplacement> make_lua_tlb_policy(std::shared_ptr<ScriptLink> link,
                                                            const TlbPolicySpec& spec,
                                                            uint32_t ways) {
  return std::make_shared<LuaTlbPolicy>(std::move(link), spec, ways);
}

}  // namespace vmlab::lua
