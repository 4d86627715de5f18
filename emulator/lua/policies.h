// Replacement policies written in Lua: a page replacement policy for the kernel's reclaimer
// (an os::ReplacementPolicy) and a replacement policy for a TLB array (mmu::CustomReplacement).
// Both call Lua through the ScriptLink: a failing policy stops the machine, and meanwhile the
// kernel gets a safe answer (the oldest candidate page, way 0), never an exception.
#pragma once

#include <lua.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "emulator/lua/script_link.h"
#include "mmu/replacement.h"
#include "os/replacement/policy.h"

namespace vmlab::lua {

// A page replacement policy table: victim(candidates, pages) is required; name, on_load,
// on_release, on_access (asks for every access: full model only) and on_refault are optional.
struct PagePolicySpec {
  int table_ref = LUA_NOREF;  // owned by the policy once it is built
  std::string name = "lua";
  bool on_load = false, on_release = false, on_access = false, on_refault = false;
};

// A TLB policy table: victim(set) is required (returns a way, 0-based); on_fill(set, way) and
// on_hit(set, way) are optional (on_hit runs on every TLB hit: slow).
struct TlbPolicySpec {
  int table_ref = LUA_NOREF;
  bool on_fill = false, on_hit = false;
};

// Read and validate the table at `index`; `who` starts error messages.
PagePolicySpec read_page_policy(lua_State* L, int index, const std::string& who);
TlbPolicySpec read_tlb_policy(lua_State* L, int index, const std::string& who);

// Runs FILE, a chunk that returns a page policy table (`policy = "lua:FILE"`, `--policy
// lua:FILE`), and reads the table; errors are Lua errors.
PagePolicySpec load_page_policy_file(lua_State* L, const std::string& file, const std::string& who);

// The same in a protected call, for C++ callers: on failure, nullopt and *error holds the
// message with file:line and a traceback (or *exit_code the status the chunk gave os.exit).
std::optional<PagePolicySpec> load_page_policy_file_protected(lua_State* L, const std::string& file,
                                                              std::string* error,
                                                              std::optional<int>* exit_code);

std::unique_ptr<os::ReplacementPolicy> make_lua_page_policy(std::shared_ptr<ScriptLink> link,
                                                            const PagePolicySpec& spec);
std::shared_ptr<mmu::CustomReplacement> make_lua_tlb_policy(std::shared_ptr<ScriptLink> link,
                                                            const TlbPolicySpec& spec,
                                                            uint32_t ways);

}  // namespace vmlab::lua
