// The files that describe the machine: /proc/cpuinfo (as the cpuid instruction sees the CPU),
// /proc/stat (CPU time on the modelled clock, against --stats-json), /proc/mounts and the
// guest's own /sys (CPUs, the memory node, transparent huge pages), and the tools that read
// them: nproc, getconf, df, mount, top, vmstat.
#include <sstream>
#include <vector>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

const char kBusybox[] = "/bin/busybox";
constexpr uint64_t kNsPerTick = 10'000'000;  // USER_HZ 100 on a 1 GHz modelled clock

VmlabRun sh(const std::string& script, std::vector<std::string> options = {}) {
  return run_vmlab(options, {kBusybox, "sh", "-c", script});
}

// The numbers after the first word of the line starting with `name `.
std::vector<uint64_t> numbers_of(const std::string& text, const std::string& name) {
  std::vector<uint64_t> out;
  const size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos && text.rfind(name + " ", 0) != 0) return out;
  std::istringstream line(
      text.substr(at == std::string::npos ? 0 : at + 1, text.find('\n', at + 1) - (at + 1)));
  std::string word;
  line >> word;
  uint64_t n = 0;
  while (line >> n)
    out.push_back(n);
  return out;
}

TEST(MachineFiles, EveryToolCountsOneCpu) {
  const VmlabRun run = sh(
      "nproc; /usr/bin/nproc --all; getconf _NPROCESSORS_ONLN; grep -c ^processor /proc/cpuinfo; "
      "cat /sys/devices/system/cpu/online /sys/devices/system/cpu/possible; "
      "ls -d /sys/devices/system/cpu/cpu[0-9]*; grep -c '^cpu[0-9]' /proc/stat; "
      "cat /sys/devices/system/node/online /sys/devices/system/node/node0/cpulist");
  EXPECT_EQ(run.result.out, "1\n1\n1\n1\n0\n0\n/sys/devices/system/cpu/cpu0\n1\n0\n0\n");
  EXPECT_EQ(run.result.err, "");
}

TEST(MachineFiles, EveryToolCountsTheConfiguredCpus) {
  const VmlabRun run =
      sh("nproc; grep -c ^processor /proc/cpuinfo; cat /sys/devices/system/cpu/online; "
         "ls -d /sys/devices/system/cpu/cpu[0-9]*; grep -c '^cpu[0-9]' /proc/stat; "
         "cat /sys/devices/system/node/node0/cpulist /sys/devices/system/node/node0/cpumap",
         {"--cpus", "3"});
  EXPECT_EQ(run.result.out,
            "3\n3\n0-2\n/sys/devices/system/cpu/cpu0\n/sys/devices/system/cpu/cpu1\n"
            "/sys/devices/system/cpu/cpu2\n3\n0-2\n7\n");
  EXPECT_EQ(run.result.err, "");
}

TEST(MachineFiles, ProcStatSplitsUserTimeByCpu) {
  // Two busy processes on two CPUs: both have user time; the cpu line is their sum.
  const VmlabRun run = sh(guest("compute-musl") + " >/dev/null & " + guest("compute-musl") +
                              " >/dev/null; wait; cat /proc/stat",
                          {"--cpus", "2"});
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  const std::vector<uint64_t> all = numbers_of(run.result.out, "cpu");
  const std::vector<uint64_t> cpu0 = numbers_of(run.result.out, "cpu0");
  const std::vector<uint64_t> cpu1 = numbers_of(run.result.out, "cpu1");
  ASSERT_EQ(all.size(), 10u) << run.result.out;
  ASSERT_EQ(cpu1.size(), 10u) << run.result.out;
  EXPECT_GT(cpu0[0], 0u);
  EXPECT_GT(cpu1[0], 0u);
  for (size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ(all[i], cpu0[i] + cpu1[i]) << i;
  EXPECT_LE(all[0], run.stats["cycles"]["user"].u64() / kNsPerTick);
}

TEST(MachineFiles, CpuinfoIsWhatCpuidReports) {
  const VmlabRun cpuid = run_vmlab({}, {guest("cpuid_info-musl")});
  ASSERT_EQ(cpuid.result.status, 0) << cpuid.result.err;
  const VmlabRun cpuinfo =
      sh("grep -E '^(vendor_id|cpu family|model|model name|stepping|cpuid level|flags|address "
         "sizes)\t' /proc/cpuinfo");
  EXPECT_EQ(cpuinfo.result.out, cpuid.result.out);
  // The features that matter to an OS course, in the model's words.
  for (const char* flag : {" fpu ", " pse ", " pae ", " pge ", " sse ", " sse2 ", " nx ", " lm "})
    EXPECT_NE(cpuid.result.out.find(flag), std::string::npos) << flag;
}

TEST(MachineFiles, ProcStatCountsTheModelledClock) {
  const VmlabRun run = sh(guest("compute-musl") + " >/dev/null; cat /proc/uptime /proc/stat");
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  const std::string& out = run.result.out;
  const std::vector<uint64_t> cpu = numbers_of(out, "cpu");
  ASSERT_EQ(cpu.size(), 10u) << out;
  EXPECT_EQ(numbers_of(out, "cpu0"), cpu);  // one CPU: it has all the time
  const Json& c = run.stats["cycles"];
  // Read just before the end of the run: within a tick of the final counts.
  const uint64_t user = c["user"].u64() / kNsPerTick;
  EXPECT_GT(cpu[0], 0u);
  EXPECT_LE(cpu[0], user);
  EXPECT_GE(cpu[0] + 1, user);
  EXPECT_LE(cpu[2], c["kernel"].u64() / kNsPerTick);
  EXPECT_LE(cpu[3], c["idle"].u64() / kNsPerTick);
  EXPECT_LE(cpu[4], (c["swap_wait"].u64() + c["io_wait"].u64()) / kNsPerTick);
  // The columns add up to the uptime (centiseconds are ticks), up to rounding.
  const uint64_t uptime_ticks = std::stoull(out.substr(0, out.find('.'))) * 100 +
                                std::stoull(out.substr(out.find('.') + 1, 2));
  const uint64_t sum = cpu[0] + cpu[2] + cpu[3] + cpu[4];
  EXPECT_LE(sum, uptime_ticks);
  EXPECT_GE(sum + 4, uptime_ticks);
  EXPECT_EQ(numbers_of(out, "btime"), std::vector<uint64_t>{1'700'000'000});
  // sh, compute and cat; cat is the one running.
  EXPECT_EQ(numbers_of(out, "processes"), std::vector<uint64_t>{run.stats["processes"].size()});
  EXPECT_EQ(numbers_of(out, "procs_running"), std::vector<uint64_t>{1});
  ASSERT_EQ(numbers_of(out, "ctxt").size(), 1u);
  EXPECT_GT(numbers_of(out, "ctxt")[0], 0u);
}

TEST(MachineFiles, TopAndVmstatReadIt) {
  const VmlabRun run =
      sh("top -bn1 | grep -c '^CPU: .* idle'; /usr/bin/vmstat >/dev/null; echo $?");
  EXPECT_EQ(run.result.out, "1\n0\n");
  // procps links libnuma, which probes set_mempolicy: vmlab reports the default policy of its
  // one node (get_mempolicy) but sets none.
  EXPECT_EQ(run.result.err,
            "vmlab: unsupported system call 238 (set_mempolicy), returning ENOSYS\n");
}

TEST(MachineFiles, MountsDescribeTheSandbox) {
  const VmlabRun run =
      sh("cat /proc/mounts; mount; df >/dev/null; echo df $?; "
         "cut -d' ' -f1,2,4,5 /proc/self/mountinfo");
  EXPECT_EQ(run.result.out,
            "overlay / overlay rw,relatime 0 0\n"
            "devtmpfs /dev devtmpfs rw,nosuid,relatime,mode=755 0 0\n"
            "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
            "sysfs /sys sysfs ro,nosuid,nodev,noexec,relatime 0 0\n"
            "overlay on / type overlay (rw,relatime)\n"
            "devtmpfs on /dev type devtmpfs (rw,nosuid,relatime,mode=755)\n"
            "proc on /proc type proc (rw,nosuid,nodev,noexec,relatime)\n"
            "sysfs on /sys type sysfs (ro,nosuid,nodev,noexec,relatime)\n"
            "df 0\n"
            "21 1 / /\n22 21 / /dev\n23 21 / /proc\n24 21 / /sys\n");
  EXPECT_EQ(run.result.err, "");
}

TEST(MachineFiles, SysShowsTheMachinesMemoryAndHugePages) {
  const VmlabRun run =
      sh("cd /sys/kernel/mm/transparent_hugepage; cat enabled defrag hpage_pmd_size; "
         "grep MemTotal /sys/devices/system/node/node0/meminfo; stat -f -c %T /sys",
         {"--ram", "32M", "--thp", "madvise"});
  EXPECT_EQ(run.result.out,
            "always [madvise] never\n"
            "always defer defer+madvise madvise [never]\n"
            "2097152\n"
            "Node 0 MemTotal:          32768 kB\n"
            "sysfs\n");
  EXPECT_EQ(run.result.err, "");
}

}  // namespace
}  // namespace vmlab::testing
