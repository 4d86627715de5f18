// Replacement policies written in Lua: a Lua FIFO faults exactly like the built-in one, a Lua
// LRU TLB misses exactly like the built-in one, and a failing policy stops the machine with
// its error while the kernel stays consistent.
#include <fstream>

#include "tests/lua/lua_test_support.h"
#include "tests/support/vmlab_test.h"

namespace vmlab::lua::testing {
namespace {

// FIFO on a queue of its own, fed by on_load/on_release (not the candidates' order).
const std::string kLuaFifo = R"lua(
local function lua_fifo()
  local queue, position, first, last = {}, {}, 1, 0
  return {
    name = "lua-fifo",
    on_load = function(pfn) last = last + 1; queue[last] = pfn; position[pfn] = last end,
    on_release = function(pfn)
      local i = position[pfn]
      if i then queue[i], position[pfn] = nil, nil end
    end,
    victim = function(candidates)
      local eligible = {}
      for _, c in ipairs(candidates) do eligible[c.pfn] = true end
      while first <= last and queue[first] == nil do first = first + 1 end
      for i = first, last do
        if queue[i] and eligible[queue[i]] then return queue[i] end
      end
    end,
  }
end
local function faults(policy, machine, argv)
  machine.policy = policy
  local m = vmlab.machine(machine)
  argv.stdout = "discard"
  m:spawn(argv)
  assert(m:run() == "exited")
  local s = m:stats()
  return string.format("%d/%d/%d/%d %s", s.faults.major, s.faults.minor, s.reclaim.evictions,
                       s.reclaim.range_faults, s.reclaim.policy)
end
)lua";

TEST(LuaPolicy, FifoInLuaFaultsExactlyLikeTheBuiltInFifo) {
  for (const char* run :
       {"{ram = '1M', swap = '16M'}, {vmlab.guest('random_access-musl'), '2', '20000', '3'}",
        "{ram = '1M', swap = '16M'}, {vmlab.guest('page_toucher-rt'), '400', '1', 'rw', '3'}",
        "{ram = '4M', swap = '1M', limit_range = '0x10000000-0x10005000=4'}, "
        "{vmlab.guest('belady-rt')}"}) {
    const std::string builtin = eval(kLuaFifo + "return faults('fifo', " + run + ")");
    const std::string lua = eval(kLuaFifo + "return faults(lua_fifo(), " + run + ")");
    ASSERT_EQ(builtin.substr(builtin.size() - 5), " fifo") << builtin;
    EXPECT_EQ(lua, builtin.substr(0, builtin.size() - 4) + "lua-fifo") << run;
  }
  // Belady's anomaly holds for the Lua FIFO too: 10 faults with 4 frames.
  EXPECT_EQ(
      eval(kLuaFifo + "return faults(lua_fifo(), {ram = '4M', swap = '1M', "
                      "limit_range = '0x10000000-0x10005000=4'}, {vmlab.guest('belady-rt')})"),
      "7/7/6/10 lua-fifo");
}

TEST(LuaPolicy, ClearReferencedHarvestsAccessedBits) {
  EXPECT_EQ(eval("local cleared, after = 0\n"
                 "local m = vmlab.machine{ram = '1M', swap = '16M', policy = {\n"
                 "  victim = function(candidates, pages)\n"
                 "    for _, c in ipairs(candidates) do\n"
                 "      if c.referenced and pages:clear_referenced(c.pfn) then\n"
                 "        cleared = cleared + 1 end\n"
                 "    end\n"
                 "    after = pages\n"
                 "    return candidates[1]\n"
                 "  end}}\n"
                 "m:spawn{vmlab.guest('page_toucher-rt'), '400', stdout = 'discard'}\n"
                 "m:run()\n"
                 "local ok, message = pcall(after.clear_referenced, after, 1)\n"
                 "return tostring(cleared > 0) .. ' ' .. message"),
            "true pages:clear_referenced: only valid during policy.victim");
}

TEST(LuaPolicy, APolicyFromAFile) {
  const std::string path = vmlab::testing::temp_dir() + "/oldest.lua";
  std::ofstream(path) << "return {name = 'oldest', victim = function(c) return c[1].pfn end}\n";
  EXPECT_EQ(eval("local m = vmlab.machine{ram = '1M', swap = '16M', policy = 'lua:" + path +
                 "'}\n"
                 "m:spawn{vmlab.guest('page_toucher-rt'), '400', stdout = 'discard'}\n"
                 "m:run()\n"
                 "local s = m:stats()\n"
                 "return s.reclaim.policy .. ' ' .. tostring(s.reclaim.evictions > 0)"),
            "oldest true");
}

TEST(LuaPolicy, AFailingPolicyStopsTheMachine) {
  const std::string run =
      "m:spawn{vmlab.guest('page_toucher-rt'), '400', stdout = 'discard'}\n"
      "m:run()\n";
  EXPECT_EQ(error_of("local m = vmlab.machine{ram = '1M', swap = '16M', policy = {\n"
                     "  name = 'broken', victim = function(c) return c.nothing.here end}}\n" +
                     run),
            "test:2: attempt to index a nil value (field 'nothing')");
  EXPECT_EQ(error_of("local m = vmlab.machine{ram = '1M', swap = '16M', policy = {\n"
                     "  name = 'liar', victim = function(c) return 12345 end}}\n" +
                     run),
            "policy 'liar': victim returned frame 0x3039, which is not a candidate");
  EXPECT_EQ(error_of("local m = vmlab.machine{ram = '1M', swap = '16M', policy = {\n"
                     "  name = 'mute', victim = function(c) end}}\n" +
                     run),
            "policy 'mute': victim must return a candidate or its pfn, got nil");
}

TEST(LuaPolicy, ANewestFirstPolicyCannotLivelockTheFaultingInstruction) {
  // Under a two-page limit, evicting the newest page takes the page the faulting instruction
  // loaded a moment ago (its code, or its operand), and the two would evict each other
  // forever. The kernel never offers pages loaded since the last instruction retired, so the
  // program finishes (without that rule: 20,000 faults at instruction 156, and counting).
  const std::string run =
      "local newest = {victim = function(candidates) return candidates[#candidates].pfn end}\n"
      "local m = vmlab.machine{ram = '1M', swap = '16M', policy = newest, mem_limit = '2'}\n"
      "m:spawn{vmlab.guest('page_toucher-rt'), '50', '1', 'rw', '2', stdout = 'capture'}\n"
      "local faults = 0\n"
      "m:on('fault', function()\n"
      "  faults = faults + 1\n"
      "  if faults > 20000 then return 'stop' end\n"
      "end)\n"
      "return m:run() .. ' ' .. m:output(1)";
  EXPECT_EQ(eval(run), "exited touched 50 pages x 2 rounds, checksum 2600\n");
}

TEST(LuaTlbPolicy, LruInLuaMissesExactlyLikeTheBuiltInLru) {
  const std::string run =
      "local function misses(policy)\n"
      "  local m = vmlab.machine{tlb = 'l1d.4k=16x4/lru', tlb_policy = policy}\n"
      "  m:spawn{vmlab.guest('random_access-musl'), '1', '3000', '3', stdout = 'discard'}\n"
      "  m:run()\n"
      "  return m:stats().tlb.l1d.misses\n"
      "end\n"
      "local stamp, clock = {}, 0\n"
      "local function touch(set, way) clock = clock + 1; stamp[set * 4 + way] = clock end\n"
      "local lru = {on_fill = touch, on_hit = touch, victim = function(set)\n"
      "  local oldest, victim = math.huge, 0\n"
      "  for way = 0, 3 do\n"
      "    local s = stamp[set * 4 + way] or 0\n"
      "    if s < oldest then oldest, victim = s, way end\n"
      "  end\n"
      "  return victim\n"
      "end}\n";
  EXPECT_EQ(eval(run + "return misses(nil) == misses({['l1d.4k'] = lru}) and misses(nil)"),
            eval(run + "return misses(nil)"));
  EXPECT_EQ(error_of(run + "misses({['l1d.4k'] = {victim = function() return 9 end}})"),
            "TLB policy: victim(2) must return a way from 0 to 3, got 9");
}

}  // namespace
}  // namespace vmlab::lua::testing
