// Events: every kind reaches its handlers as a table; subscription errors are exact; a
// handler's error stops the machine and surfaces with its file:line.
#include "tests/lua/lua_test_support.h"

namespace vmlab::lua::testing {
namespace {

// Runs `argv` (Lua list syntax) on `machine` with handlers that record every kind given,
// then evaluates `expression` over `seen[kind]` (lists of event tables).
std::string observe(const std::string& machine, const std::string& kinds, const std::string& argv,
                    const std::string& expression) {
  return eval("local m = vmlab.machine" + machine +
              "\nlocal seen = {}\n"
              "for _, kind in ipairs" +
              kinds +
              " do\n"
              "  seen[kind] = {}\n"
              "  m:on(kind, function(e) table.insert(seen[kind], e) end)\n"
              "end\n"
              "local argv = " +
              argv +
              "\nargv.stdout = 'discard'\n"
              "m:spawn(argv)\n"
              "assert(m:run() == 'exited')\n"
              "return " +
              expression);
}

TEST(Events, FaultsWithTheirResolution) {
  EXPECT_EQ(observe("{}", "{'fault'}", "{vmlab.guest('page_toucher-rt'), '3'}",
                    "#seen.fault > 3 and seen.fault[1].pid .. ' ' .. seen.fault[1].resolution .. "
                    "' ' .. tostring(seen.fault[1].write) .. ' ' .. seen.fault[1].error_code"),
            "1 zero_fill true 2");
}

TEST(Events, CopyOnWriteFaults) {
  EXPECT_EQ(observe("{}", "{'cow'}", "{vmlab.guest('fork_demo-musl'), '20', '5', '3'}",
                    "#seen.cow >= 8 and seen.cow[1].resolution .. ' ' .. "
                    "tostring(seen.cow[1].old_pfn ~= seen.cow[1].new_pfn)"),
            "cow_copy true");
}

TEST(Events, EvictionsAndSwap) {
  EXPECT_EQ(
      observe("{ram = '1M', swap = '8M'}", "{'eviction', 'swap_out', 'swap_in'}",
              "{vmlab.guest('page_toucher-rt'), '400', '1', 'w', '2'}",
              "(#seen.eviction >= #seen.swap_out and #seen.swap_out > 0 and "
              "#seen.swap_in > 0) and seen.swap_out[1].kind .. ' ' .. seen.swap_in[1].kind .. "
              "' ' .. seen.swap_out[1].pid"),
      "swap_out swap_in 1");
}

TEST(Events, TlbMissesAndInvalidations) {
  EXPECT_EQ(observe("{}", "{'tlb_miss', 'invalidation'}", "{vmlab.guest('hello_rt-rt')}",
                    "#seen.tlb_miss > 0 and #seen.invalidation > 0 and "
                    "seen.tlb_miss[1].pid .. ' ' .. seen.tlb_miss[1].access .. ' ' .. "
                    "seen.invalidation[1].kind"),
            "1 fetch invpcid_context");
}

TEST(Events, SystemCallsProcessesExitsSwitches) {
  EXPECT_EQ(observe("{}", "{'syscall', 'process', 'exit', 'switch'}",
                    "{vmlab.guest('fork_demo-musl'), '10', '2', '2'}",
                    "seen.syscall[1].name .. ' ' .. #seen.syscall[1].args .. ' ' .. "
                    "seen.process[1].kind .. ' ' .. seen.process[2].kind .. ' ' .. "
                    "#seen.exit .. ' ' .. seen.exit[1].pid .. ':' .. seen.exit[1].status .. ' ' .. "
                    "tostring(#seen.switch >= 2)"),
            "arch_prctl 6 exec created 2 2:0 true");
}

TEST(Events, InstructionsWhenSubscribedBeforeTheFirstSpawn) {
  EXPECT_EQ(eval("local m = vmlab.machine{}\n"
                 "local n, first = 0\n"
                 "m:on('instruction', function(e) n = n + 1; first = first or e end)\n"
                 "m:spawn{vmlab.guest('hello_rt-rt'), stdout = 'discard'}\n"
                 "m:run()\n"
                 "return tostring(n >= m:instructions()) .. ' ' .. first.index .. ' ' .. "
                 "#first.bytes"),
            "true 0 2");
  EXPECT_EQ(error_of("local m = vmlab.machine{}\n"
                     "m:spawn{vmlab.guest('hello_rt-rt'), stdout = 'discard'}\n"
                     "m:on('instruction', print)"),
            "test:3: m:on: subscribe to 'instruction' before the first m:spawn");
}

TEST(Events, TheEndOfTheRun) {
  EXPECT_EQ(observe("{}", "{'end'}", "{vmlab.guest('hello_rt-rt')}",
                    "seen['end'][1].reason .. ' ' .. seen['end'][1].status"),
            "exited 0");
}

TEST(Events, TicksCarryTheTimelineRecord) {
  // interval = 5000 instructions: one record per interval, the last one partial; the amounts
  // of the intervals add up to the statistics, and each record names the live processes.
  EXPECT_EQ(observe("{ram = '1M', swap = '8M', interval = 5000}", "{'tick'}",
                    "{vmlab.guest('page_toucher-rt'), '400', '1', 'wr', '4'}",
                    "(function()\n"
                    "  local faults, swap_ins = 0, 0\n"
                    "  for i, e in ipairs(seen.tick) do\n"
                    "    assert(e.interval == i)\n"
                    "    faults = faults + e.faults\n"
                    "    swap_ins = swap_ins + e.swap_ins\n"
                    "  end\n"
                    "  local s, first, last = m:stats(), seen.tick[1], seen.tick[#seen.tick]\n"
                    "  return table.concat({tostring(faults == s.faults.minor + s.faults.major),\n"
                    "    tostring(swap_ins == s.reclaim.swap_ins and swap_ins > 0),\n"
                    "    tostring(last.totals['cycles.total'] == s.cycles.total),\n"
                    "    tostring(first.instructions >= 5000 and first.instructions < 5512),\n"
                    "    first.processes[1].pid, first.processes[1].command,\n"
                    "    tostring(first.rss_kib == first.processes[1].rss_kib),\n"
                    "    tostring(first.tlb_l1d_miss_pct ~= nil), #last.processes}, ' ')\n"
                    "end)()"),
            "true true true true 1 page_toucher-rt true true 0");
}

TEST(Events, TicksWithoutAnIntervalSampleEveryTenModelledMilliseconds) {
  // No interval setting: subscribing starts a timeline of 10 ms of modelled time; under
  // --model fast the TLB miss rates are absent (nil).
  EXPECT_EQ(observe("{ram = '1M', swap = '8M', model = 'fast'}", "{'tick'}",
                    "{vmlab.guest('page_toucher-rt'), '400', '1', 'wr', '20'}",
                    "#seen.tick > 3 and string.format('%.0f %s %s', seen.tick[2].time_ms - "
                    "seen.tick[1].time_ms, tostring(seen.tick[1].tlb_l1d_miss_pct), "
                    "tostring(seen.tick[2].wait_pct > 80))"),
            "10 nil true");
}

TEST(Events, UnsubscribedHandlersAreNotCalled) {
  EXPECT_EQ(eval("local m = vmlab.machine{}\n"
                 "local n = 0\n"
                 "local h = m:on('fault', function() n = n + 1 end)\n"
                 "local removed, again = m:off(h), m:off(h)\n"
                 "m:spawn{vmlab.guest('hello_rt-rt'), stdout = 'discard'}\n"
                 "m:run()\n"
                 "return n .. ' ' .. tostring(removed) .. ' ' .. tostring(again)"),
            "0 true false");
}

TEST(Events, HandlersDoNotKeepTheirMachineAlive) {
  // A handler captures its machine; the garbage collector still frees the machine.
  EXPECT_EQ(eval("local alive = setmetatable({}, {__mode = 'k'})\n"
                 "for _ = 1, 3 do\n"
                 "  local m = vmlab.machine{ram = '1M'}\n"
                 "  m:on('fault', function() return m:instructions() end)\n"
                 "  alive[m] = true\n"
                 "end\n"
                 "collectgarbage() collectgarbage()\n"
                 "return next(alive) == nil"),
            "true");
}

TEST(Events, SubscriptionErrorsAreExact) {
  EXPECT_EQ(error_of("vmlab.machine{}:on('faults', print)"),
            "test:1: m:on: unknown event 'faults' (fault, cow, eviction, swap_out, swap_in, "
            "tlb_miss, invalidation, syscall, process, exit, switch, instruction, tick, end)");
  EXPECT_EQ(error_of("vmlab.machine{}:on('fault', 42)"),
            "test:1: bad argument #2 to 'on' (function expected, got number)");
  EXPECT_EQ(error_of("vmlab.machine{}:on(1, print)"),
            "test:1: m:on: unknown event '1' (fault, cow, eviction, swap_out, swap_in, "
            "tlb_miss, invalidation, syscall, process, exit, switch, instruction, tick, end)");
}

TEST(Events, AHandlerErrorStopsTheMachineAndNamesItsLine) {
  const ScriptResult r = run_lua(
      "local m = vmlab.machine{}\n"
      "m:spawn{vmlab.guest('hello_rt-rt'), stdout = 'discard'}\n"
      "m:on('fault', function(e)\n"
      "  error('handler failed at ' .. e.resolution)\n"
      "end)\n"
      "m:run()\n");
  EXPECT_EQ(r.status, kExitScriptError);
  EXPECT_EQ(r.error.rfind("test:4: handler failed at file_major\nstack traceback:\n", 0), 0u)
      << r.error;
  EXPECT_NE(r.error.find("in method 'run'"), std::string::npos) << r.error;
  // The machine stays consistent: after the error the script can look at it and go on.
  EXPECT_EQ(eval("local m = vmlab.machine{}\n"
                 "m:spawn{vmlab.guest('hello_rt-rt'), stdout = 'capture'}\n"
                 "local h = m:on('fault', function() error('once') end)\n"
                 "local ok, message = pcall(m.run, m)\n"
                 "m:off(h)\n"
                 "return tostring(ok) .. ' ' .. m:run() .. ' ' .. m:output(1)"),
            "false exited hello from a freestanding guest\n");
}

}  // namespace
}  // namespace vmlab::lua::testing
