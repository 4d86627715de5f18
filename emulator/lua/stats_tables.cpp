// m:stats(): the statistics tree (emulator/stats_tree.cpp) written straight into Lua tables,
// so a script sees exactly the statistics of --stats-json, including any added later.
#include <string>
#include <vector>

#include "emulator/json_stats_writer.h"
#include "emulator/lua/lua_support.h"
#include "emulator/lua/tables.h"
#include "emulator/stats_tree.h"

namespace vmlab::lua {

namespace {

class LuaStatsWriter final : public emulator::StatsWriter {
 public:
  explicit LuaStatsWriter(lua_State* L) : L_(L) {}

  void begin_object(std::string_view key) override { open(key); }
  void end_object() override { close(); }
  void begin_array(std::string_view key) override { open(key); }
  void end_array() override { close(); }
  void count(const mmu::StatInfo& stat, uint64_t value) override {
    push_u64(L_, value);
    store(stat.key);
  }
  void number(const mmu::StatInfo& stat, double value) override {
    // Whole values are integers, as they are in --stats-json.
    const emulator::Json json = emulator::json_number(value);
    if (json.is_number_integer())
      lua_pushinteger(L_, json.get<lua_Integer>());
    else
      lua_pushnumber(L_, json.get<double>());
    store(stat.key);
  }
  void text(const mmu::StatInfo& stat, std::string_view value) override {
    lua_pushlstring(L_, value.data(), value.size());
    store(stat.key);
  }

 private:
  struct Open {
    std::string key;       // its member name in the enclosing table
    lua_Integer next = 0;  // elements stored so far, when it is an array
  };

  void open(std::string_view key) {
    luaL_checkstack(L_, 3, "statistics nested too deeply");
    lua_newtable(L_);
    open_.push_back(Open{std::string(key)});
  }
  void close() {
    const std::string key = std::move(open_.back().key);
    open_.pop_back();
    if (!open_.empty()) store(key);  // the root stays on the stack
  }
  // Moves the value on top of the stack into the innermost open table.
  void store(std::string_view key) {
    if (key.empty()) {
      lua_rawseti(L_, -2, ++open_.back().next);
    } else {
      lua_pushlstring(L_, key.data(), key.size());
      lua_insert(L_, -2);
      lua_rawset(L_, -3);
    }
  }

  lua_State* L_;
  std::vector<Open> open_;
};

}  // namespace

void push_stats(lua_State* L, emulator::Machine& machine, const emulator::RunFacts& facts) {
  LuaStatsWriter writer(L);
  emulator::write_run(writer, machine, facts);
}

}  // namespace vmlab::lua
