// Queries: translation through the model without side effects, guest memory, page-table
// entries, VMAs, frames, processes, registers and statistics.
#include "tests/lua/lua_test_support.h"

namespace vmlab::lua::testing {
namespace {

// A machine `m` whose page_toucher (pid 1) has run for a while and is paused.
const std::string kPaused =
    "local m = vmlab.machine{}\n"
    "local pid = m:spawn{vmlab.guest('page_toucher-rt'), '64', '1', 'w', '1000'}\n"
    "assert(m:run{instructions = 20000} == 'paused')\n"
    "local rip = m:regs(pid).rip\n";

TEST(Queries, TranslateWalksThePageTablesLikeTheHardware) {
  EXPECT_EQ(eval(kPaused + "local t = m:translate(pid, rip, 'fetch')\n"
                           "local pte = m:pte(pid, rip)\n"
                           "return table.concat({tostring(t.faulted), #t.steps, t.steps[1].level,\n"
                           "  t.steps[4].level, tostring(t.pfn == pte.pfn), t.page_size,\n"
                           "  tostring(t.executable), tostring(t.writable), t.tlb[1]}, ' ')"),
            "false 4 PML4E PTE true 4096 true false l1i.4k");
  EXPECT_EQ(eval(kPaused +
                 "local t = m:translate(pid, 0x1000)\n"
                 "return tostring(t.faulted) .. ' ' .. t.error_code .. ' ' .. t.steps[1].level"),
            "true 4 PML4E");
}

// Physical addresses are real: every page a process maps translates to a frame of the machine's
// RAM, and every paging-structure entry on the way lies in RAM too. The process touches 3,000
// pages (~12 MiB) of the 16 MiB, so its frames reach into the top half of RAM: the highest
// address found is checked as well, which a bound of half the RAM would fail.
TEST(Queries, EveryTranslationNamesAnAddressInTheMachinesRam) {
  EXPECT_EQ(
      eval("local m = vmlab.machine{ram = '16M'}\n"
           "local pid = m:spawn{vmlab.guest('page_toucher-rt'), '3000', '1', 'w', '1000'}\n"
           "assert(m:run{instructions = 1000000} == 'paused')\n"
           "local ram = m:frames().total * 4096\n"
           "local pages, outside, highest = 0, 0, 0\n"
           "for _, v in ipairs(m:vmas(pid)) do\n"
           "  for va = v.start, v['end'] - 1, 4096 do\n"
           "    local t = m:translate(pid, va)\n"
           "    for _, step in ipairs(t.steps) do\n"
           "      highest = math.max(highest, step.address)\n"
           "      if step.address >= ram then outside = outside + 1 end\n"
           "    end\n"
           "    if not t.faulted then\n"
           "      pages, highest = pages + 1, math.max(highest, t.pa)\n"
           "      if t.pa >= ram then outside = outside + 1 end\n"
           "    end\n"
           "  end\n"
           "end\n"
           "return string.format('%d %s %d %s', ram >> 20, tostring(pages >= 3000), outside,\n"
           "  tostring(highest >= ram // 2))"),
      "16 true 0 true");
}

TEST(Queries, TranslateReadAndPteChangeNothing) {
  EXPECT_EQ(eval(kPaused + "local before = vmlab.json(m:stats())\n"
                           "local data = m:vmas(pid)[5]\n"
                           "for va = data.start, data['end'] - 1, 4096 do\n"
                           "  m:translate(pid, va, 'write') m:read(pid, va, 8) m:pte(pid, va)\n"
                           "end\n"
                           "return tostring(before == vmlab.json(m:stats()))"),
            "true");
}

TEST(Queries, GuestMemoryIsReadAsItIs) {
  EXPECT_EQ(eval(kPaused + "return #m:read(pid, rip & ~0xfff, 4096)"), "4096");
  EXPECT_EQ(eval(kPaused + "return tostring(m:read(pid, 0x1000, 4))"), "nil");
  EXPECT_EQ(error_of(kPaused + "m:read(pid, 0x400000, -1)"),
            "test:5: bad argument #3 to 'read' (must be from 0 to 1048576 bytes)");
}

TEST(Queries, PageTableEntriesAndVmas) {
  EXPECT_EQ(
      eval(kPaused + "local text = m:pte(pid, 0x401000)\n"
                     "local empty = m:pte(pid, 0x1000)\n"
                     "local v = m:vmas(pid)\n"
                     "return table.concat({tostring(text.present), tostring(text.user),\n"
                     "  tostring(text.writable), tostring(text.nx), empty.raw, #v, v[2].prot,\n"
                     "  v[2].kind, v[#v].name}, ' ')"),
      "true true false false 0 5 r-x file [stack]");
}

TEST(Queries, FramesAndTheirMappings) {
  EXPECT_EQ(eval(kPaused +
                 "local f = m:frame(m:pte(pid, 0x401000).pfn)\n"
                 "assert(f.use == 'file')  -- text is mapped from the page cache\n"
                 "local all = m:frames()\n"
                 "local tables = m:frames('page_table')\n"
                 "return table.concat({f.refcount, f.mappings[1].pid, string.format('%x', \n"
                 "  f.mappings[1].va), tostring(all.total == all.free + all.kernel + all.zero +\n"
                 "  all.page_table + all.anonymous + all.file), tostring(#tables ==\n"
                 "  all.page_table)}, ' ')"),
            "2 1 401000 true true");
  EXPECT_EQ(error_of("vmlab.machine{}:frame(1 << 30)"),
            "test:1: m:frame: 1073741824 is not a frame of RAM");
  EXPECT_EQ(error_of("vmlab.machine{}:frames('used')"),
            "test:1: bad argument #1 to 'frames' (invalid option 'used')");
}

TEST(Queries, ProcessesRegistersAndStatistics) {
  EXPECT_EQ(eval(kPaused + "local p = m:process(pid)\n"
                           "local list = m:processes()\n"
                           "return table.concat({#list, p.command, p.state, p.instructions,\n"
                           "  tostring(p.resident > 64), tostring(rip > 0x400000)}, ' ')"),
            "1 page_toucher-rt runnable 20000 true true");
  EXPECT_EQ(eval(kPaused + "m:run()\n"
                           "local s, p = m:stats(), m:process(pid)\n"
                           "return table.concat({s['end'], s.exit_status, s.processes[1].command,\n"
                           "  s.frames.total, p.state, p.status,\n"
                           "  type(s.mmu.walks), s.reclaim.policy}, ' ')"),
            "exited 0 page_toucher-rt 16384 exited 0 number clock");
  EXPECT_EQ(eval("return tostring(vmlab.machine{}:process(7))"), "nil");
}

TEST(Queries, ArgumentErrorsAreExact) {
  EXPECT_EQ(error_of("vmlab.machine{}:translate(1, 0)"), "test:1: no live process with pid 1");
  EXPECT_EQ(error_of("vmlab.machine{}:translate('x', 0)"),
            "test:1: bad argument #1 to 'translate' (number expected, got string)");
  EXPECT_EQ(error_of(kPaused + "m:translate(pid, rip, 'execute')"),
            "test:5: bad argument #3 to 'translate' (invalid option 'execute')");
  EXPECT_EQ(error_of(kPaused + "m:pte(pid, {})"),
            "test:5: bad argument #2 to 'pte' (number expected, got table)");
}

}  // namespace
}  // namespace vmlab::lua::testing
