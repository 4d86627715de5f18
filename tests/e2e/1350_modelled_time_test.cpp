// Modelled time and memory pressure: where the cycles go (user, kernel, waiting for swap), and
// the guest's own view of it in /proc/vmstat and /proc/pressure/memory, which must agree with
// --stats-json.
#include <map>
#include <sstream>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

constexpr uint64_t kDiskCycles = 10'000;  // os::cycle_cost::kDiskRead and kDiskWrite
constexpr uint64_t kNsPerUs = 1000;
const std::vector<std::string> kThrashing = {"--ram", "1M", "--swap", "8M"};

std::map<std::string, uint64_t> vmstat_lines(const std::string& text) {
  std::map<std::string, uint64_t> out;
  std::istringstream in(text);
  std::string name;
  uint64_t value = 0;
  while (in >> name >> value)
    out[name] = value;
  return out;
}

// "some avg10=0.00 avg60=0.00 avg300=0.00 total=N": N.
uint64_t psi_total(const std::string& text, const std::string& line) {
  const size_t at = text.find(line + " avg10=");
  if (at == std::string::npos) return UINT64_MAX;
  const size_t total = text.find("total=", at);
  return std::stoull(text.substr(total + 6));
}

TEST(ModelledTime, CyclesAddUpToTheClock) {
  const VmlabRun run = run_vmlab(kThrashing, {guest("page_toucher-rt"), "400", "1", "wr", "4"});
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  const Json& c = run.stats["cycles"];
  EXPECT_EQ(c["user"].u64(), run.stats["instructions"].u64());  // one instruction a cycle
  EXPECT_EQ(c["kernel"].u64(), c["syscalls"].u64() + c["faults"].u64() + c["reclaim"].u64() +
                                   c["context_switches"].u64());
  EXPECT_EQ(c["total"].u64(), c["user"].u64() + c["kernel"].u64() + c["swap_wait"].u64() +
                                  c["io_wait"].u64() + c["idle"].u64());
  // Every swap-in and swap-out is a device transfer waited for; first reads of the program are
  // I/O wait, not memory pressure.
  const Json& r = run.stats["reclaim"];
  EXPECT_GT(r["swap_ins"].u64(), 0u);
  EXPECT_EQ(c["swap_wait"].u64(), (r["swap_ins"].u64() + r["swap_outs"].u64() +
                                   r["refaults_file"].u64() + r["file_writebacks"].u64()) *
                                      kDiskCycles);
  EXPECT_EQ(c["io_wait"].u64(), (run.stats["faults"]["major"].u64() -
                                 run.stats["faults"]["swap_in"].u64() - r["refaults_file"].u64()) *
                                    kDiskCycles);
  // Thrashing: nearly all of the time goes to page faults.
  EXPECT_GT(c["in_page_faults"].u64(), c["total"].u64() * 9 / 10);
  // PSI: a stall is reclaim plus the I/O memory pressure causes; one process, so some = full.
  const Json& psi = run.stats["pressure"]["memory"];
  EXPECT_EQ(psi["some"]["total_us"].u64(), (c["swap_wait"].u64() + c["reclaim"].u64()) / kNsPerUs);
  EXPECT_EQ(psi["full"]["total_us"].u64(), psi["some"]["total_us"].u64());
}

TEST(ModelledTime, NoPressureNoStall) {
  const VmlabRun run = run_vmlab({}, {guest("page_toucher-rt"), "400", "1", "wr", "4"});
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  EXPECT_EQ(run.stats["cycles"]["swap_wait"].u64(), 0u);
  EXPECT_EQ(run.stats["pressure"]["memory"]["some"]["total_us"].u64(), 0u);
  EXPECT_GT(run.stats["cycles"]["io_wait"].u64(), 0u);  // the program's pages, read once
}

TEST(ModelledTime, TheGuestsClockIncludesTheStalls) {
  // 400 pages, 40 rounds, in 1 MiB: ~15,000 pages in and out at 10 us each, 0.3 s of waiting
  // for well under a million instructions. The guest sees that time pass.
  const VmlabRun run = run_vmlab(
      kThrashing, {"/bin/busybox", "sh", "-c",
                   guest("page_toucher-rt") + " 400 1 wr 40 >/dev/null; cat /proc/uptime"});
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  const double uptime = std::stod(run.result.out);
  EXPECT_GE(uptime * 1e9, static_cast<double>(run.stats["cycles"]["swap_wait"].u64()) - 1e7);
  EXPECT_LE(uptime * 1e9, static_cast<double>(run.stats["cycles"]["total"].u64()));
  EXPECT_GT(run.stats["cycles"]["total"].u64(), 100 * run.stats["instructions"].u64());
}

TEST(ModelledTime, ProcVmstatAndPressureAgreeWithStatsJson) {
  // The second reader finds everything it runs resident (the first brought it back), so nothing
  // after its reads changes the counters but its own few minor faults on the way out.
  const std::string files = "/proc/vmstat /proc/pressure/memory";
  const VmlabRun run =
      run_vmlab(kThrashing, {"/bin/busybox", "sh", "-c",
                             guest("page_toucher-rt") + " 400 1 wr 6 >/dev/null; cat " + files +
                                 " >/dev/null; exec cat " + files});
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  const std::map<std::string, uint64_t> guest_view = vmstat_lines(run.result.out);
  const Json& vmstat = run.stats["vmstat"];
  ASSERT_EQ(guest_view.count("pswpin"), 1u) << run.result.out;
  EXPECT_GT(guest_view.at("pswpin"), 0u);
  for (const auto& [name, value] : vmstat.object()) {
    if (name.rfind("nr_", 0) == 0) continue;  // levels: the stats are taken after exit
    ASSERT_EQ(guest_view.count(name), 1u) << name;
    if (name == "pgfault") {
      EXPECT_LE(guest_view.at(name), value.u64());
      EXPECT_GE(guest_view.at(name) + 20, value.u64());
      continue;
    }
    EXPECT_EQ(guest_view.at(name), value.u64()) << name;
  }
  EXPECT_EQ(vmstat["pswpin"].u64(), run.stats["reclaim"]["swap_ins"].u64());
  EXPECT_EQ(vmstat["pswpout"].u64(), run.stats["reclaim"]["swap_outs"].u64());
  EXPECT_EQ(vmstat["pgmajfault"].u64(), run.stats["faults"]["major"].u64());
  const Json& psi = run.stats["pressure"]["memory"];
  EXPECT_GT(psi["some"]["total_us"].u64(), 0u);
  EXPECT_EQ(psi_total(run.result.out, "some"), psi["some"]["total_us"].u64());
  EXPECT_EQ(psi_total(run.result.out, "full"), psi["full"]["total_us"].u64());
  // Under two modelled seconds no 2-second period has closed: the averages are still 0.
  EXPECT_NE(run.result.out.find("some avg10=0.00 avg60=0.00 avg300=0.00 total="),
            std::string::npos);
}

}  // namespace
}  // namespace vmlab::testing
