// /proc/PID/pagemap (os/pagemap.h): the bits of each kind of page agree with a native run of
// the same program (guests/src/pagemap.c), and the frame numbers and swap slots it shows are
// the ones the machine's page tables hold (Lua's m:pte at the guest's getppid call).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

constexpr uint64_t kFrameMask = (uint64_t{1} << 55) - 1;
constexpr int kSwapTypeBits = 5;

// What vmlab prints: a 4 KiB-page machine with the shared zero page, THP for the advised
// region, and frames shown (the guest runs as root).
const char* const kExpected =
    "frames shown: yes (zero-page reads sum 0)\n"
    "untouched  -\n"
    "zero       present\n"
    "written    present exclusive\n"
    "prot_none  present exclusive\n"
    "shared     present file exclusive\n"
    "text       present file\n"
    "swap[0]    present exclusive\n"
    "swap[7]    present exclusive\n"
    "unmapped   -\n"
    "huge: consecutive frames yes\n"
    "zero pages: one frame yes\n"
    "child, before its write present\n"
    "child, after its write present exclusive\n"
    "child, through the parent's descriptor present exclusive\n"
    "child, before: the parent's frame yes\n"
    "child, after: the parent's frame no\n"
    "child, through the parent's descriptor: the parent's frame yes\n"
    "parent, the child's copy made present exclusive\n"
    "offset 4: -1 Invalid argument\n"
    "length 4: -1 Invalid argument\n"
    "16 bytes before the top: 8\n"
    "at the top: 0\n"
    "far past the top: 0\n"
    "lseek to the top: yes\n";

bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

// The lines the guest prints only when it can see frame numbers.
bool printed_with_frames_only(const std::string& line) {
  return starts_with(line, "huge:") || starts_with(line, "zero pages:") ||
         line.find(": the parent's frame") != std::string::npos;
}

TEST(Pagemap, EveryKindOfPageReadsAsOnLinux) {
  const VmlabRun run = run_vmlab({"--thp", "madvise"}, {guest("pagemap-musl")});
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  EXPECT_EQ(run.result.out, kExpected);
  expect_no_frame_leak(run.stats);

  // Natively, some lines depend on the host: a huge page needs THP; read faults map the shared
  // zero page on most kernels but a fresh page on some (Linux 6.18.44-fc on a Firecracker VM,
  // December 2026); frame numbers are shown only to root.
  const CommandResult native = run_command({guest("pagemap-musl")});
  ASSERT_EQ(native.status, 0) << native.err;
  const std::vector<std::string> ours = lines_of(run.result.out), theirs = lines_of(native.out);
  ASSERT_FALSE(theirs.empty());
  const bool frames_shown = starts_with(theirs[0], "frames shown: yes");
  size_t n = 0;
  for (const std::string& line : ours) {
    if (!frames_shown && printed_with_frames_only(line)) continue;
    ASSERT_LT(n, theirs.size()) << native.out;
    const std::string& native_line = theirs[n++];
    if (starts_with(line, "frames shown") || starts_with(line, "huge:") ||
        starts_with(line, "zero pages:"))
      continue;
    if (starts_with(line, "zero ")) {
      EXPECT_TRUE(native_line == line || native_line == line + " exclusive") << native_line;
      continue;
    }
    EXPECT_EQ(line, native_line);
  }
  EXPECT_EQ(n, theirs.size());
}

// At the guest's getppid call a script prints, for each page the guest printed an entry of,
// the frame or swap slot the page table holds; the pagemap entries must name the same.
const char* const kScript =
    "machine:on('syscall', function(e)\n"
    "  if e.name ~= 'getppid' then return end\n"
    "  for _, va in ipairs({0x200001000, 0x200002000, 0x200003000, 0x201000000, 0x202000000,\n"
    "                       0x202007000, 0x240000000}) do\n"
    "    local pte = machine:pte(e.pid, va)\n"
    "    io.stderr:write(string.format('%x %d %d\\n', va, pte.pfn or -1, pte.swap_slot or -1))\n"
    "  end\n"
    "end)\n";

struct PageTableView {
  int64_t pfn = -1, swap_slot = -1;
};

TEST(Pagemap, NamesTheFramesAndSwapSlotsOfThePageTables) {
  const std::string script = temp_dir() + "/pagemap.lua";
  std::ofstream(script) << kScript;
  const VmlabRun run = run_vmlab({"--script", script, "--thp", "madvise", "--swap", "1M",
                                  "--limit-range", "0x202000000-0x202008000=2"},
                                 {guest("pagemap-musl"), "raw"});
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  std::map<uint64_t, PageTableView> tables;
  for (const std::string& line : lines_of(run.result.err)) {
    unsigned long long va = 0;
    long long pfn = 0, slot = 0;
    if (std::sscanf(line.c_str(), "%llx %lld %lld", &va, &pfn, &slot) == 3)
      tables[va] = {pfn, slot};
  }
  ASSERT_EQ(tables.size(), 7u) << run.result.err;
  std::map<std::string, uint64_t> entries;
  std::map<std::string, uint64_t> addresses;
  for (const std::string& line : lines_of(run.result.out)) {
    char name[16];
    unsigned long long va = 0, entry = 0;
    if (std::sscanf(line.c_str(), "raw %15s %llx %llx", name, &va, &entry) == 3) {
      entries[name] = entry;
      addresses[name] = va;
    }
  }
  ASSERT_EQ(entries.size(), 8u) << run.result.out;
  for (const char* name : {"zero", "written", "prot_none", "shared", "swap7", "huge0"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(static_cast<int64_t>(entries[name] & kFrameMask), tables.at(addresses[name]).pfn);
  }
  // The page swapped out: the slot, above the swap type (0, the only device).
  EXPECT_EQ(entries["swap0"] >> 62, 1u);  // swapped, not present
  EXPECT_EQ(static_cast<int64_t>((entries["swap0"] & kFrameMask) >> kSwapTypeBits),
            tables.at(0x202000000).swap_slot);
  // The huge page's second 4 KiB page is the next frame of the 2 MiB leaf.
  EXPECT_EQ(entries["huge1"] & kFrameMask, (entries["huge0"] & kFrameMask) + 1);
  // Every frame lies in the machine's RAM.
  const uint64_t ram_frames = run.stats["frames"]["total"].u64();
  for (const auto& [name, entry] : entries)
    if (entry >> 63) {
      EXPECT_LT(entry & kFrameMask, ram_frames) << name;
    }
}

}  // namespace
}  // namespace vmlab::testing
