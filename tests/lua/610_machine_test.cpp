// vmlab.machine tables (every CLI setting, the CLI's validation), and driving a machine:
// m:spawn, m:run, m:step, m:stop, m:close, m:output, m:exit_status.
#include "emulator/lua/machine_table.h"
#include "tests/lua/lua_test_support.h"

namespace vmlab::lua::testing {
namespace {

int read_into(lua_State* L) {
  *static_cast<MachineSpec*>(lua_touserdata(L, 2)) = read_machine_table(L, 1);
  return 0;
}

// The MachineSpec of a Lua table expression (read in a protected call, as vmlab.machine is).
MachineSpec spec_of(const std::string& table) {
  Runtime runtime(RuntimeOptions{});
  lua_State* L = runtime.state();
  MachineSpec spec;
  lua_pushcfunction(L, read_into);
  EXPECT_EQ(luaL_loadstring(L, ("return " + table).c_str()), LUA_OK);
  EXPECT_EQ(lua_pcall(L, 0, 1, 0), LUA_OK);
  lua_pushlightuserdata(L, &spec);
  EXPECT_EQ(lua_pcall(L, 2, 0, 0), LUA_OK) << lua_tostring(L, -1);
  return spec;
}

constexpr uint64_t kMiB = 1 << 20;

TEST(MachineTable, EveryKeyIsTheOptionOfTheSameName) {
  const MachineSpec spec = spec_of(
      "{ram = '8M', tlb = 'l1d.4k=32x4', model = 'full', check = true, max_insns = 1000000, "
      "quantum = 5000, pcid = false, max_procs = 8, zero_page = 'off', swap = '1M', "
      "policy = 'lru', ['local'] = true, mem_limit = 100, seed = 3, thp = 'always', "
      "limit_range = {'0x10000000-0x10005000=3', '0x20000000-0x20001000=1'}, root = '/', "
      "interval = '2ms', vmstat = true, timeline = 'out.jsonl'}");
  const emulator::MachineConfig& m = spec.options.machine;
  EXPECT_EQ(m.ram_bytes, 8 * kMiB);
  EXPECT_EQ(m.mmu.level(mmu::TlbLevel::kL1d).size(), 1u);
  EXPECT_EQ(m.mmu.level(mmu::TlbLevel::kL1d)[0].entries, 32u);
  EXPECT_TRUE(m.cpu.check);
  EXPECT_EQ(m.kernel.max_instructions, 1000000u);
  EXPECT_EQ(m.kernel.quantum, 5000u);
  EXPECT_EQ(m.kernel.pcid, os::PcidMode::kOff);
  EXPECT_EQ(m.kernel.max_processes, 8u);
  EXPECT_FALSE(m.kernel.zero_page);
  EXPECT_EQ(m.kernel.swap_bytes, kMiB);
  EXPECT_EQ(m.kernel.policy, "lru");
  EXPECT_TRUE(m.kernel.local_replacement);
  EXPECT_EQ(m.kernel.process_limit_pages, 100u);
  EXPECT_EQ(m.kernel.seed, 3u);
  EXPECT_EQ(m.kernel.thp, os::KernelConfig::Thp::kAlways);
  ASSERT_EQ(m.kernel.range_limits.size(), 2u);
  EXPECT_EQ(m.kernel.range_limits[1].pages, 1u);
  EXPECT_FALSE(spec.page_policy.has_value());
  ASSERT_TRUE(spec.options.timeline.interval.has_value());
  EXPECT_EQ(spec.options.timeline.interval->every, 2'000'000u);
  EXPECT_TRUE(spec.options.timeline.vmstat);
  EXPECT_EQ(spec.options.timeline.file, "out.jsonl");
}

TEST(MachineTable, DefaultsAreTheCommandLineDefaults) {
  const MachineSpec spec = spec_of("{}");
  EXPECT_EQ(spec.options.machine.ram_bytes, emulator::MachineConfig{}.ram_bytes);
  ASSERT_EQ(spec.options.env.size(), 2u);
  EXPECT_EQ(spec.options.env[1], "HOME=/");
}

TEST(MachineTable, LuaPoliciesMarkTheirTlbArrays) {
  const MachineSpec spec =
      spec_of("{policy = {victim = print}, tlb_policy = {['l1d.4k'] = {victim = print}}}");
  ASSERT_TRUE(spec.page_policy.has_value());
  EXPECT_EQ(spec.page_policy->name, "lua");
  EXPECT_EQ(spec.tlb_policies.count("l1d.4k"), 1u);
  EXPECT_EQ(spec.options.machine.mmu.level(mmu::TlbLevel::kL1d)[0].replacement,
            mmu::Replacement::kCustom);
}

TEST(MachineTable, ErrorsAreExact) {
  EXPECT_EQ(error_of("vmlab.machine{rma = 1}")
                .rfind("test:1: vmlab.machine: unknown setting 'rma' (ram, tlb, model, check, ", 0),
            0u);
  EXPECT_EQ(error_of("vmlab.machine{stats = true}")
                .rfind("test:1: vmlab.machine: unknown setting 'stats' (", 0),
            0u);
  EXPECT_EQ(error_of("vmlab.machine{[1] = 'x'}"),
            "test:1: vmlab.machine: setting names must be strings, got number");
  EXPECT_EQ(error_of("vmlab.machine{ram = true}"),
            "test:1: vmlab.machine: 'ram' must be a string or an integer, got boolean");
  EXPECT_EQ(error_of("vmlab.machine{ram = 1.5}"),
            "test:1: vmlab.machine: 'ram' must be a string or an integer, got 1.5");
  EXPECT_EQ(error_of("vmlab.machine{ram = '5'}"),
            "test:1: vmlab.machine: ram: 5 is not a multiple of 4K");
  EXPECT_EQ(error_of("vmlab.machine{ram = '128K'}"),
            "test:1: vmlab.machine: ram: 128K is outside 256K..64G");
  EXPECT_EQ(error_of("vmlab.machine{check = 'yes'}"),
            "test:1: vmlab.machine: 'check' must be a boolean, got string");
  EXPECT_EQ(error_of("vmlab.machine{interval = '5 parsecs'}"),
            "test:1: vmlab.machine: interval: expected a number of instructions (1000000) or of "
            "modelled time (500us, 10ms, 2s, 100000c), got '5 parsecs'");
  EXPECT_EQ(error_of("vmlab.machine{timeline = '/nonexistent/t.csv'}"),
            "test:1: vmlab.machine: cannot write --timeline file '/nonexistent/t.csv': No such "
            "file or directory");
  EXPECT_EQ(error_of("vmlab.machine{progress = 'on'}")
                .rfind("test:1: vmlab.machine: unknown setting 'progress' (", 0),
            0u);
  EXPECT_EQ(error_of("vmlab.machine{pcid = 3}"),
            "test:1: vmlab.machine: pcid: expected on or off, got '3'");
  EXPECT_EQ(error_of("vmlab.machine{policy = 'belady'}"),
            "test:1: vmlab.machine: policy: unknown policy 'belady' (fifo, clock, nru, lru, "
            "random, two-list, opt, lua:FILE)");
  EXPECT_EQ(error_of("vmlab.machine{policy = 5}"),
            "test:1: vmlab.machine: policy must be a policy name or a table, got number");
  EXPECT_EQ(error_of("vmlab.machine{policy = {}}"),
            "test:1: vmlab.machine: policy: victim must be a function");
  EXPECT_EQ(error_of("vmlab.machine{policy = {victim = print, vctim = 1}}"),
            "test:1: vmlab.machine: policy: unknown field 'vctim' (name, victim, on_load, "
            "on_release, on_access, on_refault)");
  EXPECT_EQ(error_of("vmlab.machine{policy = {victim = print, name = 1}}"),
            "test:1: vmlab.machine: policy: field 'name' must be a string, got number");
  EXPECT_EQ(error_of("vmlab.machine{model = 'fast', policy = {victim = print, on_access = print}}"),
            "test:1: vmlab.machine: a policy with on_access needs every access: use model = "
            "\"full\"");
  EXPECT_EQ(error_of("vmlab.machine{tlb_policy = {['l1d.8k'] = {victim = print}}}"),
            "test:1: vmlab.machine: tlb_policy: no TLB array named 'l1d.8k' (l1i.4k, l1i.2m, "
            "l1d.4k, l1d.2m, l1d.1g, l2.4k+2m, l2.1g)");
  EXPECT_EQ(error_of("vmlab.machine{tlb_policy = {['l1d.4k'] = {on_hit = print}}}"),
            "test:1: vmlab.machine: tlb_policy['l1d.4k']: victim must be a function");
  EXPECT_EQ(error_of("vmlab.machine()"),
            "test:1: bad argument #1 to 'machine' (table expected, got no value)");
  EXPECT_NE(error_of("vmlab.machine{policy = 'opt'}").find("--policy opt needs --refs FILE"),
            std::string::npos);
}

TEST(Machine, SpawnRunsAProgramToItsEnd) {
  EXPECT_EQ(eval("local m = vmlab.machine{}\n"
                 "local pid = m:spawn{vmlab.guest('hello_rt-rt'), stdout = 'capture'}\n"
                 "return table.concat({pid, m:run(), m:output(pid), m:exit_status()}, '|')"),
            "1|exited|hello from a freestanding guest\n|0");
}

TEST(Machine, StdinArgumentsAndEnvironment) {
  EXPECT_EQ(eval("local m = vmlab.machine{}\n"
                 "local pid = m:spawn{'/bin/busybox', 'wc', '-c', stdin = ('x'):rep(70000),\n"
                 "                    stdout = 'capture'}\n"
                 "m:run() return m:output(pid)"),
            "70000\n");
  EXPECT_EQ(eval("local m = vmlab.machine{}\n"
                 "local pid = m:spawn{'/bin/busybox', 'sh', '-c', 'echo $GREETING $HOME',\n"
                 "                    env = {'HOME=/root', GREETING = 'hi'}, stdout = 'capture'}\n"
                 "m:run() return m:output(pid)"),
            "hi /root\n");
}

TEST(Machine, BudgetsAndStepsStopExactly) {
  EXPECT_EQ(eval("local m = vmlab.machine{}\n"
                 "m:spawn{vmlab.guest('compute-musl'), '100000', stdout = 'discard'}\n"
                 "local a = m:run{instructions = 1000}\n"
                 "local n1 = m:instructions()\n"
                 "local b = m:step()\n"
                 "return table.concat({a, n1, b, m:instructions(), m:run()}, ' ')"),
            "paused 1000 paused 1001 exited");
}

TEST(Machine, AHandlerStopsTheRun) {
  EXPECT_EQ(eval("local m = vmlab.machine{}\n"
                 "m:on('syscall', function(e) if e.name == 'write' then return 'stop' end end)\n"
                 "m:spawn{vmlab.guest('hello_rt-rt'), stdout = 'discard'}\n"
                 "return m:run() .. ' ' .. m:run()"),
            "stopped exited");
  EXPECT_EQ(eval("local m = vmlab.machine{}\n"
                 "m:on('fault', function() m:stop() end)\n"
                 "m:spawn{vmlab.guest('hello_rt-rt'), stdout = 'discard'}\n"
                 "return m:run()"),
            "stopped");
}

TEST(Machine, DrivingErrorsAreExact) {
  EXPECT_EQ(error_of("local m = vmlab.machine{}\n"
                     "m:on('fault', function() m:run() end)\n"
                     "m:spawn{vmlab.guest('hello_rt-rt')}\n"
                     "m:run()"),
            "test:2: m:run: not allowed inside an event handler or policy");
  EXPECT_EQ(error_of("local m = vmlab.machine{} m:close() m:run()"),
            "test:1: the machine is closed");
  EXPECT_EQ(error_of("local m = vmlab.machine{} m:spawn{}"),
            "test:1: m:spawn: no program (m:spawn{PROGRAM, ARGS..., env = ...})");
  EXPECT_EQ(error_of("local m = vmlab.machine{} m:spawn{'/no/such/program'}"),
            "test:1: m:spawn: /no/such/program: No such file or directory");
  EXPECT_EQ(error_of("local m = vmlab.machine{} m:spawn{'x', 5}"),
            "test:1: m:spawn: argv[2] must be a string, got number");
  EXPECT_EQ(error_of("local m = vmlab.machine{} m:spawn{'x', stdn = ''}"),
            "test:1: m:spawn: unknown field 'stdn' (env, stdin, stdout, stderr, cwd)");
  EXPECT_EQ(
      error_of("local m = vmlab.machine{} m:spawn{'x', stdout = 'file'}"),
      "test:1: m:spawn: stdout must be \"inherit\", \"capture\" or \"discard\", got \"file\"");
  EXPECT_EQ(error_of("local m = vmlab.machine{} m:spawn{'x', stdin = 1}"),
            "test:1: m:spawn: field 'stdin' must be a string, got number");
  EXPECT_EQ(error_of("local m = vmlab.machine{} m:run{instructions = 0}"),
            "test:1: m:run: instructions must be positive, got 0");
  EXPECT_EQ(error_of("local m = vmlab.machine{} m:run{instrs = 1}"),
            "test:1: m:run: unknown field 'instrs' (instructions)");
  EXPECT_EQ(error_of("local m = vmlab.machine{} m:output(1)"),
            "test:1: m:output: process 1 was not spawned with stdout or stderr = \"capture\"");
  EXPECT_EQ(error_of("vmlab.machine{}.run(42)"),
            "test:1: bad argument #1 to 'run' (vmlab.machine expected, got number)");
  EXPECT_EQ(error_of("vmlab.guest('no-such-guest')")
                .rfind("test:1: vmlab.guest: no guest program 'no-such-guest' in ", 0),
            0u);
}

TEST(Machine, BuiltInPoliciesAndTheBuildFolder) {
  EXPECT_EQ(eval("return table.concat(vmlab.policies, ',')"),
            "fifo,clock,nru,lru,random,two-list,opt");
  EXPECT_EQ(eval("return vmlab.guest('belady-rt') == vmlab.build_dir .. '/guests/belady-rt'"),
            "true");
}

}  // namespace
}  // namespace vmlab::lua::testing
