// vmlab.machine{...}: a table of settings becomes the command line it stands for.
//
// Each key names an option of `vmlab run` (ram → --ram, max_insns → --max-insns), so every
// setting of the CLI is available, and the values go through the CLI's own parser: a table is
// validated exactly like a command line, with the same messages. Two keys are the script's own:
// `policy` may be a Lua policy table (or "lua:FILE"), and `tlb_policy` gives TLB arrays a
// policy written in Lua.
#include <algorithm>
#include <set>

#include "emulator/lua/lua_support.h"
#include "emulator/lua/machine_table.h"

namespace vmlab::lua {

namespace {

constexpr const char* kWho = "vmlab.machine";
constexpr const char* kOnOff = "on|off";
// parse_run_options wants a program to run; a script's machine runs those given to m:spawn.
constexpr const char* kNoProgram = "(spawned by the script)";

// Options of `vmlab run` that describe a run, not a machine: the environment is given per
// spawn, statistics are read with m:stats().
const std::set<std::string> kRunOnlyOptions = {
    "--stats", "--stats-json", "--env", "--unset-env", "--script", "--unsafe-lua", "--progress"};

std::string option_of(const std::string& key) {
  std::string option = "--" + key;
  std::replace(option.begin(), option.end(), '_', '-');
  return option;
}

std::string setting_of(const std::string& option) {
  std::string key = option.substr(2);
  std::replace(key.begin(), key.end(), '-', '_');
  return key;
}

std::vector<std::string> setting_names() {
  std::vector<std::string> names;
  for (const emulator::OptionSyntax& s : emulator::run_option_syntax())
    if (!kRunOnlyOptions.contains(s.name)) names.push_back(setting_of(s.name));
  names.push_back("tlb_policy");
  return names;
}

// The parser names the option first ("--ram: ..."); the script knows it as a key.
std::string as_setting_message(const std::string& message) {
  if (message.rfind("--", 0) != 0) return message;
  const size_t end = message.find_first_of(": ");
  return setting_of(message.substr(0, end)) + message.substr(end);
}

// One value of the table as command-line words.
void add_words(lua_State* L, int value, const std::string& key,
               const emulator::OptionSyntax& syntax, std::vector<std::string>& args) {
  const char* k = key.c_str();
  if (syntax.argument.empty()) {
    if (!lua_isboolean(L, value))
      luaL_error(L, "%s: '%s' must be a boolean, got %s", kWho, k, luaL_typename(L, value));
    if (lua_toboolean(L, value)) args.push_back(syntax.name);
    return;
  }
  if (syntax.argument == kOnOff && lua_isboolean(L, value)) {
    args.push_back(syntax.name);
    args.push_back(lua_toboolean(L, value) ? "on" : "off");
    return;
  }
  auto word = [&](int index) {
    if (lua_type(L, index) == LUA_TSTRING) return std::string(lua_tostring(L, index));
    if (lua_isinteger(L, index)) return std::to_string(lua_tointeger(L, index));
    luaL_error(
        L, "%s: '%s' must be a string or an integer, got %s", kWho, k,
        lua_type(L, index) == LUA_TNUMBER ? lua_tostring(L, index) : luaL_typename(L, index));
    return std::string();
  };
  if (lua_istable(L, value)) {  // a repeatable option: each item is one occurrence
    const lua_Integer n = luaL_len(L, value);
    for (lua_Integer i = 1; i <= n; ++i) {
      lua_rawgeti(L, value, i);
      args.push_back(syntax.name);
      args.push_back(word(lua_gettop(L)));
      lua_pop(L, 1);
    }
    return;
  }
  args.push_back(syntax.name);
  args.push_back(word(value));
}

// A table is a Lua policy; a string is a built-in policy's name or "lua:FILE", which the CLI's
// parser takes apart (the file is loaded once the table has been parsed).
void read_policy(lua_State* L, int value, MachineSpec& spec, std::vector<std::string>& args) {
  if (lua_istable(L, value)) {
    spec.page_policy = read_page_policy(L, value, std::string(kWho) + ": policy");
    return;
  }
  if (lua_type(L, value) != LUA_TSTRING)
    luaL_error(L, "%s: policy must be a policy name or a table, got %s", kWho,
               luaL_typename(L, value));
  args.push_back("--policy");
  args.push_back(lua_tostring(L, value));
}

void read_tlb_policies(lua_State* L, int value, MachineSpec& spec) {
  const std::string who = std::string(kWho) + ": tlb_policy";
  if (!lua_istable(L, value))
    luaL_error(L, "%s must be a table of policies by TLB array name, got %s", who.c_str(),
               luaL_typename(L, value));
  lua_pushnil(L);
  while (lua_next(L, value) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING || !lua_istable(L, -1))
      luaL_error(L, "%s: expected ARRAY = policy table, got %s = %s", who.c_str(),
                 luaL_typename(L, -2), luaL_typename(L, -1));
    const std::string array = lua_tostring(L, -2);
    spec.tlb_policies[array] = read_tlb_policy(L, -1, who + "['" + array + "']");
    lua_pop(L, 1);
  }
}

// Marks the arrays that have a Lua policy; they must exist in the (possibly respecified) TLBs.
void mark_custom_arrays(lua_State* L, MachineSpec& spec) {
  for (const auto& [name, policy] : spec.tlb_policies) {
    bool found = false;
    std::vector<std::string> names;
    for (auto& level : spec.options.machine.mmu.arrays)
      for (mmu::TlbArrayConfig& array : level) {
        names.push_back(array.name);
        if (array.name != name) continue;
        array.replacement = mmu::Replacement::kCustom;
        found = true;
      }
    if (!found)
      luaL_error(L, "%s: tlb_policy: no TLB array named '%s' (%s)", kWho, name.c_str(),
                 join_names(names).c_str());
  }
}

}  // namespace

MachineSpec read_machine_table(lua_State* L, int index) {
  index = lua_absindex(L, index);
  luaL_checktype(L, index, LUA_TTABLE);
  std::vector<std::string> keys;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING)
      luaL_error(L, "%s: setting names must be strings, got %s", kWho, luaL_typename(L, -2));
    keys.push_back(lua_tostring(L, -2));
    lua_pop(L, 1);
  }
  std::sort(keys.begin(), keys.end());  // the same table gives the same command line

  MachineSpec spec;
  std::vector<std::string> args;
  const std::vector<emulator::OptionSyntax> syntax = emulator::run_option_syntax();
  for (const std::string& key : keys) {
    lua_getfield(L, index, key.c_str());
    const int value = lua_gettop(L);
    if (key == "policy") {
      read_policy(L, value, spec, args);
    } else if (key == "tlb_policy") {
      read_tlb_policies(L, value, spec);
    } else {
      const std::string option = option_of(key);
      auto it = std::find_if(syntax.begin(), syntax.end(),
                             [&](const emulator::OptionSyntax& s) { return s.name == option; });
      if (it == syntax.end() || kRunOnlyOptions.contains(option))
        luaL_error(L, "%s: unknown setting '%s' (%s)", kWho, key.c_str(),
                   join_names(setting_names()).c_str());
      add_words(L, value, key, *it, args);
    }
    lua_pop(L, 1);
  }
  args.push_back("--");
  args.push_back(kNoProgram);
  std::string error;
  try {
    spec.options = emulator::parse_run_options(args);
  } catch (const emulator::UsageError& e) {
    error = as_setting_message(e.what());
  }
  if (!error.empty()) luaL_error(L, "%s: %s", kWho, error.c_str());
  if (!spec.options.lua_policy.empty())
    spec.page_policy =
        load_page_policy_file(L, spec.options.lua_policy, std::string(kWho) + ": policy");
  if (spec.page_policy && spec.page_policy->on_access &&
      spec.options.machine.cpu.model == emulator::ModelMode::kFast)
    luaL_error(L, "%s: a policy with on_access needs every access: use model = \"full\"", kWho);
  mark_custom_arrays(L, spec);
  return spec;
}

}  // namespace vmlab::lua
