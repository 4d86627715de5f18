// --trace and --strace: what they show matches the page tables, the statistics and the real
// strace, and tracing never changes the run.
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

constexpr uint64_t kAddressMask = 0x000f'ffff'ffff'f000;
constexpr uint64_t kPageMask = 0xfff;
constexpr int kLevelShift[] = {39, 30, 21, 12};  // PML4E, PDPTE, PDE, PTE

uint64_t hexval(const Json& j) {
  return std::stoull(j.str(), nullptr, 16);
}

std::vector<Json> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  std::vector<Json> out;
  for (std::string line; std::getline(in, line);)
    out.push_back(Json::parse(line));
  return out;
}

std::vector<Json> traced(const std::vector<std::string>& options,
                         const std::vector<std::string>& argv, VmlabRun* run = nullptr) {
  const std::string file = temp_dir() + "/trace.jsonl";
  std::vector<std::string> o = {"--trace", file, "--trace-format", "jsonl"};
  o.insert(o.end(), options.begin(), options.end());
  VmlabRun r = run_vmlab(o, argv);
  EXPECT_EQ(r.result.status, 0) << r.result.err;
  if (run != nullptr) *run = r;
  return read_jsonl(file);
}

TEST(Trace, AWalkShowsTheFourEntriesOfThePageTables) {
  // Without paging-structure caches every TLB miss reads all four levels.
  const auto events = traced({"--tlb", "psc=off"}, {guest("page_toucher-rt"), "3"});
  int full_walks = 0;
  for (const Json& e : events) {
    if (e["type"].str() != "access" || e["outcome"].str() != "walk") continue;
    const Json& walk = e["walk"];
    ASSERT_EQ(walk.size(), 4u);
    const uint64_t va = hexval(e["va"]);
    const char* levels[] = {"PML4E", "PDPTE", "PDE", "PTE"};
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(walk[i]["level"].str(), levels[i]);
      if (i > 0) {
        // Each entry lies in the table the entry above points to, at this address's index.
        const uint64_t table = hexval(walk[i - 1]["value"]) & kAddressMask;
        const uint64_t index = (va >> kLevelShift[i]) & 511;
        EXPECT_EQ(hexval(walk[i]["addr"]), table + index * 8);
      }
    }
    // The leaf names the frame the access went to.
    EXPECT_EQ(hexval(e["pa"]), (hexval(walk[3]["value"]) & kAddressMask) + (va & kPageMask));
    ++full_walks;
  }
  EXPECT_GT(full_walks, 3);
}

TEST(Trace, ACopyOnWriteShowsTheFaultTheCopyAndTheNewFrame) {
  const auto events = traced({}, {guest("fork_demo-musl"), "20", "5", "3"});
  bool found = false;
  for (size_t i = 0; i < events.size() && !found; ++i) {
    const Json& f = events[i];
    if (f["type"].str() != "fault" || f["resolution"].str() != "cow-copy") continue;
    const uint64_t page = hexval(f["address"]) & ~kPageMask;
    const uint64_t frame = hexval(f["new_pfn"]);
    EXPECT_NE(frame, hexval(f["old_pfn"]));
    // The retried write of the same process lands in the new frame.
    for (size_t k = i + 1; k < events.size(); ++k) {
      const Json& a = events[k];
      if (a["type"].str() != "access" || a["pid"].u64() != f["pid"].u64() ||
          a["kind"].str() != "write" || (hexval(a["va"]) & ~kPageMask) != page)
        continue;
      EXPECT_EQ(hexval(a["pa"]) >> 12, frame);
      found = true;
      break;
    }
  }
  EXPECT_TRUE(found);
}

// Physical addresses are the machine's own: every frame an access, a walk or a fault names lies
// in its RAM (Unicorn's RAM is mapped at physical address 0), here 16 MiB, which a parent
// touching 12 MiB and its child's copies fill most of.
TEST(Trace, EveryPhysicalAddressLiesInTheMachinesRam) {
  constexpr uint64_t kRamBytes = 16 << 20;
  const auto events = traced({"--ram", "16M"}, {guest("fork_demo-musl"), "3000", "5", "3"});
  int accesses = 0, walk_entries = 0, frames = 0;
  for (const Json& e : events) {
    const std::string type = e["type"].str();
    if (type == "access" && e.has("pa")) {
      EXPECT_LT(hexval(e["pa"]), kRamBytes) << "access to " << e["va"].str();
      ++accesses;
      if (!e.has("walk")) continue;
      for (size_t i = 0; i < e["walk"].size(); ++i) {
        EXPECT_LT(hexval(e["walk"][i]["addr"]), kRamBytes);
        ++walk_entries;
      }
    } else if (type == "fault") {
      for (const char* field : {"old_pfn", "new_pfn"}) {
        if (!e.has(field)) continue;
        EXPECT_LT(hexval(e[field]), kRamBytes >> 12)
            << field << " of a fault at " << e["address"].str();
        ++frames;
      }
    }
  }
  EXPECT_GT(accesses, 1000);
  EXPECT_GT(walk_entries, 10);
  EXPECT_GT(frames, 10);
}

TEST(Trace, EveryObjectFollowsTheSchemaAndCountsMatchTheStatistics) {
  VmlabRun run;
  const auto events = traced({}, {guest("page_toucher-rt"), "50"}, &run);
  std::map<std::string, uint64_t> accesses;
  uint64_t faults = 0;
  const std::map<std::string, std::vector<std::string>> required = {
      {"insn", {"va", "bytes", "asm", "sym"}},
      {"access", {"kind", "size", "va", "outcome"}},
      {"fault", {"address", "rip", "error_code", "resolution", "major", "old_pfn", "new_pfn"}},
      {"syscall", {"call", "result"}},
      {"tlb", {"op", "va", "pcid", "dropped"}},
      {"process", {"event", "comm", "wait_status"}},
      {"reclaim", {"event", "va", "pfn", "slot"}}};
  for (const Json& e : events) {
    ASSERT_TRUE(e.has("type") && e.has("seq") && e.has("pid"));
    const auto it = required.find(e["type"].str());
    ASSERT_NE(it, required.end()) << e["type"].str();
    for (const auto& field : it->second)
      EXPECT_TRUE(e.has(field)) << e["type"].str() << "." << field;
    if (e["type"].str() == "access") {
      ++accesses[e["kind"].str()];
      EXPECT_TRUE(e.has(e["outcome"].str() == "fault" ? "error_code" : "pa"));
    }
    if (e["type"].str() == "fault") ++faults;
  }
  const Json& s = run.stats;
  EXPECT_EQ(accesses["read"], s["memory_accesses"]["read"].u64());
  EXPECT_EQ(accesses["write"], s["memory_accesses"]["write"].u64());
  EXPECT_EQ(accesses["fetch"], s["memory_accesses"]["fetch"].u64());
  EXPECT_EQ(faults,
            s["faults"]["minor"].u64() + s["faults"]["major"].u64() + s["faults"]["segv"].u64());
}

TEST(Trace, TracingDoesNotChangeTheRun) {
  const std::vector<std::string> argv = {guest("fork_demo-musl"), "30", "10", "5"};
  const VmlabRun plain = run_vmlab({}, argv);
  VmlabRun traced_run;
  traced({}, argv, &traced_run);
  EXPECT_EQ(traced_run.result.out, plain.result.out);
  EXPECT_EQ(traced_run.stats["instructions"].u64(), plain.stats["instructions"].u64());
  EXPECT_EQ(traced_run.stats["mmu"].object().size(), plain.stats["mmu"].object().size());
  for (const auto& [name, value] : plain.stats["mmu"].object())
    EXPECT_EQ(traced_run.stats["mmu"][name].u64(), value.u64()) << name;
  EXPECT_EQ(traced_run.stats["faults"]["cow"].u64(), plain.stats["faults"]["cow"].u64());
}

// A time slice ends in a block hook. With an instruction hook installed (any trace, or a Lua
// per-instruction handler) Unicorn leaves RIP at the last instruction of the previous block
// there; resuming from it ran that instruction twice (33 more instructions for this run at the
// default quantum, more at smaller ones, and wrong results in C++ programs).
class TracedQuantum : public ::testing::TestWithParam<const char*> {};

TEST_P(TracedQuantum, RetiresExactlyTheUntracedInstructions) {
  const std::vector<std::string> argv = {"/bin/busybox", "sha256sum", guest("hello-musl")};
  const std::vector<std::string> options = {"--quantum", GetParam()};
  const VmlabRun plain = run_vmlab(options, argv);
  std::vector<std::string> with_trace = options;
  for (const char* o : {"--trace", "/dev/null", "--trace-count", "1"})
    with_trace.push_back(o);
  const VmlabRun traced_run = run_vmlab(with_trace, argv);
  ASSERT_EQ(plain.result.status, 0) << plain.result.err;
  EXPECT_EQ(traced_run.result.out, plain.result.out);
  EXPECT_EQ(traced_run.stats["instructions"].u64(), plain.stats["instructions"].u64());
  EXPECT_EQ(traced_run.stats["faults"]["minor"].u64(), plain.stats["faults"]["minor"].u64());
}

INSTANTIATE_TEST_SUITE_P(Quanta, TracedQuantum, ::testing::Values("1000", "7777", "100000"));

TEST(Trace, FiltersSelectProcessesWindowsAndEvents) {
  const std::vector<std::string> argv = {guest("fork_demo-musl"), "20", "5", "3"};
  for (const Json& e : traced({"--trace-pid", "2"}, argv))
    EXPECT_EQ(e["pid"].u64(), 2u);
  uint64_t insns = 0;
  for (const Json& e : traced({"--trace-from", "1000", "--trace-count", "50"}, argv)) {
    EXPECT_GE(e["seq"].u64(), 1000u);
    EXPECT_LT(e["seq"].u64(), 1050u);
    insns += e["type"].str() == "insn";
  }
  EXPECT_GE(insns, 50u);  // faulting instructions appear again when retried
  for (const Json& e : traced({"--trace-events", "faults"}, argv))
    EXPECT_EQ(e["type"].str(), "fault");
}

TEST(Trace, TextShowsSymbols) {
  const std::string file = temp_dir() + "/trace.txt";
  run_vmlab({"--trace", file}, {guest("hello_rt-rt")});
  const std::string text = read_file(file);
  EXPECT_NE(text.find("<_start>"), std::string::npos);
  EXPECT_NE(text.find("<main>"), std::string::npos);
  EXPECT_NE(text.find("syscall [1] write(1, \"hello from a freestanding guest\\n\", 32) = 32"),
            std::string::npos);
}

TEST(Trace, SymbolsOfSharedObjectsNameTheirObject) {
  // A PIE's own functions are named at its load address; a shared library's carry its name.
  const std::string file = temp_dir() + "/trace.txt";
  const VmlabRun run = run_vmlab({"--model", "fast", "--trace", file, "--trace-events", ""},
                                 {guest("hello-dynamic")});
  EXPECT_EQ(run.result.status, 0) << run.result.err;
  const std::string text = read_file(file);
  EXPECT_NE(text.find("<main>"), std::string::npos);
  EXPECT_NE(text.find("<printf@libc.so.6>"), std::string::npos);
  EXPECT_NE(text.find("<__libc_start_main@libc.so.6>"), std::string::npos);
  EXPECT_NE(text.find("@ld-linux-x86-64.so.2>"), std::string::npos);
}

// The system calls of a run: name and result, in order.
std::vector<std::pair<std::string, std::string>> calls(const std::string& strace_output) {
  std::vector<std::pair<std::string, std::string>> out;
  std::stringstream in(strace_output);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("+++", 0) == 0 || line.find('(') == std::string::npos) continue;
    const auto eq = line.rfind(" = ");
    std::string result = line.substr(eq + 3);
    out.emplace_back(line.substr(0, line.find('(')), result.substr(0, result.find(' ')));
  }
  return out;
}

TEST(Strace, BusyboxCatMakesTheSameCallsAsNatively) {
  const std::string file = temp_dir() + "/strace-input.txt";
  std::ofstream(file) << "some text\nfor cat\n";
  const CommandResult native = run_command({"strace", "/bin/busybox", "cat", file});
  ASSERT_EQ(native.status, 0) << "strace must be installed (Debian package strace)";
  const VmlabRun run = run_vmlab({"--strace"}, {"/bin/busybox", "cat", file});
  EXPECT_EQ(run.result.out, "some text\nfor cat\n");
  auto ours = calls(run.result.err), theirs = calls(native.err);
  ASSERT_EQ(ours.size(), theirs.size()) << run.result.err << "\n----\n" << native.err;
  // Documented differences: addresses (brk, arch_prctl), the pid (set_tid_address), and rseq,
  // which vmlab does not implement (glibc then goes on without it).
  const std::set<std::string> varying = {"brk", "set_tid_address", "rseq"};
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(ours[i].first, theirs[i].first) << i;
    if (varying.count(ours[i].first) == 0) {
      EXPECT_EQ(ours[i].second, theirs[i].second) << ours[i].first;
    }
  }
}

// The complete lines of the calls named `names`, as strace prints them (a call cut by another
// process joined again), without the pid prefix, the padding before " = " and the time left (which
// a native run cannot repeat). Interrupted calls (ERESTART*, EINTR: when a native run is
// interrupted varies) and lines with addresses are left out. (Plain string handling: GCC 12's
// <regex> does not compile warning-free under ASan.)
std::vector<std::string> wait_calls(const std::string& strace_output) {
  static const char* const kNames[] = {"poll(", "ppoll(", "select(", "pselect6("};
  std::vector<std::string> out;
  std::map<std::string, std::string> unfinished;  // pid prefix -> the call's first part
  std::stringstream in(strace_output);
  for (std::string line; std::getline(in, line);) {
    std::string pid;
    if (line.rfind("[pid ", 0) == 0) {
      const auto end = line.find("] ");
      if (end == std::string::npos) continue;
      pid = line.substr(0, end);
      line = line.substr(end + 2);
    }
    // A call cut by another process's line is joined to its "<... NAME resumed>" rest.
    const std::string cut = " <unfinished ...>";
    if (line.size() > cut.size() && line.compare(line.size() - cut.size(), cut.size(), cut) == 0) {
      unfinished[pid] = line.substr(0, line.size() - cut.size());
      continue;
    }
    if (line.rfind("<... ", 0) == 0 && line.find(" resumed>") != std::string::npos) {
      line = unfinished[pid] + line.substr(line.find(" resumed>") + 9);
      unfinished.erase(pid);
    }
    bool wanted = false;
    for (const char* name : kNames)
      wanted = wanted || line.rfind(name, 0) == 0;
    if (!wanted) continue;
    // strace pads the result to a column: " = " after one or more spaces.
    const auto eq = line.find(" = ");
    if (eq == std::string::npos || line.find("ERESTART") != std::string::npos ||
        line.find("EINTR") != std::string::npos || line.find("0x") != std::string::npos)
      continue;
    const auto call_end = line.find_last_not_of(' ', eq) + 1;
    std::string call = line.substr(0, call_end) + line.substr(eq);
    if (const auto left = call.find(", left {"); left != std::string::npos) {
      const auto close = call.find('}', left);
      if (close != std::string::npos) call.erase(left, close - left + 1);
    }
    out.push_back(call);
  }
  return out;
}

class StraceWaits : public ::testing::TestWithParam<const char*> {};

TEST_P(StraceWaits, PollAndSelectDecodedAsStraceDoes) {
  // Only the parent is traced natively; it is the one process that polls.
  const std::vector<std::string> argv = {guest("poll_select-musl"), GetParam()};
  std::vector<std::string> native_argv = {"strace", "-e", "trace=poll,ppoll,select,pselect6"};
  native_argv.insert(native_argv.end(), argv.begin(), argv.end());
  const CommandResult native = run_command(native_argv);
  ASSERT_EQ(native.status, 0) << "strace must be installed (Debian package strace)";
  const VmlabRun run = run_vmlab({"--strace"}, argv);
  EXPECT_EQ(run.result.out, native.out);
  const std::vector<std::string> ours = wait_calls(run.result.err);
  EXPECT_FALSE(ours.empty());
  EXPECT_EQ(ours, wait_calls(native.err));
}

INSTANTIATE_TEST_SUITE_P(Modes, StraceWaits,
                         ::testing::Values("poll", "ppoll", "select", "pselect"));

TEST(Strace, LinesLookLikeStrace) {
  const VmlabRun run = run_vmlab({"--strace"}, {guest("hello_rt-rt")});
  // strace cuts argv's strings after 32 bytes, not the path.
  const std::string program = guest("hello_rt-rt");
  const std::string arg0 =
      program.size() > 32 ? "\"" + program.substr(0, 32) + "\"..." : "\"" + program + "\"";
  EXPECT_EQ(run.result.err, "execve(\"" + program + "\", [" + arg0 +
                                "], ...) = 0\n"
                                "write(1, \"hello from a freestanding guest\\n\", 32) = 32\n"
                                "exit_group(0)                           = ?\n"
                                "+++ exited with 0 +++\n");
}

}  // namespace
}  // namespace vmlab::testing
