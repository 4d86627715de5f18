#include "os/procfs_machine.h"

#include <sys/sysmacros.h>

#include <algorithm>
#include <cinttypes>
#include <vector>

#include "os/cpu_model.h"
#include "os/kernel.h"
#include "os/text_format.h"

namespace vmlab::os {

namespace {

// The file systems vmlab presents, in mount order: the host root read-only under an
// in-memory overlay that takes every write, and the synthesized /dev, /proc and /sys.
struct Mount {
  const char* source;
  const char* point;
  const char* type;
  const char* options;  // of the mount: rw/ro, nosuid, ...
  const char* access;   // of the file system (mountinfo's super options start with it)
  const char* extra;    // the file system's own options, "" for none
};
constexpr Mount kMounts[] = {
    {"overlay", "/", "overlay", "rw,relatime", "rw", ""},
    {"devtmpfs", "/dev", "devtmpfs", "rw,nosuid,relatime", "rw", "mode=755"},
    {"proc", "/proc", "proc", "rw,nosuid,nodev,noexec,relatime", "rw", ""},
    {"sysfs", "/sys", "sysfs", "ro,nosuid,nodev,noexec,relatime", "ro", ""},
};

std::string with_extra(const char* options, const char* extra) {
  return extra[0] == '\0' ? std::string(options) : std::string(options) + "," + extra;
}

// mountinfo's mount IDs: the root's, and its parent (outside the guest's view).
constexpr int kRootMountId = 21;
constexpr int kRootParentId = 1;

std::string cpu_times_line(const char* name, uint64_t user, uint64_t system, uint64_t idle,
                           uint64_t iowait) {
  return format("%s %" PRIu64 " 0 %" PRIu64 " %" PRIu64 " %" PRIu64 " 0 0 0 0 0\n", name, user,
                system, idle, iowait);
}

}  // namespace

MemorySummary memory_summary(Kernel& k) {
  MemorySummary m;
  const FrameTable& table = k.frames().table();
  for (uint64_t i = 0; i < table.size(); ++i) {
    const FrameUse use = table[table.pfn_at(i)].use;
    if (use == FrameUse::kAnonymous) ++m.anonymous;
    if (use == FrameUse::kPageTable) ++m.page_tables;
  }
  m.total = k.frames().total_frames();
  m.free = k.frames().free_frames();
  m.cached = k.page_cache().pages();
  for (const Process* p : k.memory_holders())
    m.huge_pages += p->space().stats().huge;
  return m;
}

// proc(5): cpu time by kind, all of it on the modelled clock. User time is per CPU (the
// instructions each retired); the kernel's work, its waits and idle time are not split by
// CPU in the model, so cpu0 carries them. The "cpu" line is the sum of the cpuN lines.
std::string proc_stat_text(Kernel& k) {
  const CycleCounters& cycles = k.cycles();
  const uint32_t cpus = std::max<uint32_t>(1, k.config().cpus);
  // Instructions per CPU as of the last slice boundary; the slice running now (the reader's)
  // is on the reader's CPU.
  std::vector<uint64_t> instructions(cpus);
  uint64_t counted = 0;
  const auto& per_cpu = k.scheduler().cpu_counters();
  for (size_t i = 0; i < per_cpu.size() && i < cpus; ++i) {
    instructions[i] = per_cpu[i].instructions;
    counted += per_cpu[i].instructions;
  }
  const size_t current = k.has_current() ? k.current().processor : 0;
  instructions[current < cpus ? current : 0] +=
      k.instructions() - std::min(counted, k.instructions());
  const uint64_t ns_per_instruction = k.config().ns_per_instruction;
  std::vector<uint64_t> user(cpus);
  uint64_t user_sum = 0;
  for (uint32_t i = 0; i < cpus; ++i)
    user_sum += user[i] = instructions[i] * ns_per_instruction / kNsPerTick;
  const uint64_t system = cycles.kernel() / kNsPerTick;
  const uint64_t idle = cycles.idle / kNsPerTick;
  const uint64_t iowait = cycles.waiting() / kNsPerTick;
  std::string out = cpu_times_line("cpu ", user_sum, system, idle, iowait);
  for (uint32_t i = 0; i < cpus; ++i)
    out += cpu_times_line(format("cpu%u", i).c_str(), user[i], i == 0 ? system : 0,
                          i == 0 ? idle : 0, i == 0 ? iowait : 0);
  uint64_t running = 0;
  for (const auto& [pid, p] : k.tasks().all())
    if (p->state() == ProcessState::kRunnable) ++running;
  // No device interrupts are modelled (the time slice is not a timer interrupt): intr is 0.
  out += "intr 0\n";
  out += format("ctxt %" PRIu64 "\n", k.scheduler().context_switches());
  out += format("btime %" PRIu64 "\n", k.config().epoch_ns / 1'000'000'000);
  out += format("processes %zu\n", k.tasks().finished().size() + k.tasks().all().size());
  // procs_blocked counts uninterruptible (D state) sleepers: page I/O is synchronous here.
  out += format("procs_running %" PRIu64 "\nprocs_blocked 0\n", running);
  out += "softirq 0 0 0 0 0 0 0 0 0 0 0\n";
  return out;
}

std::string cpuinfo_text(const Kernel& k) {
  const CpuModel& cpu = modelled_cpu();
  const uint32_t cpus = k.config().cpus;
  const double mhz = 1000.0 / k.config().ns_per_instruction;
  const std::string flags = cpu_flags(cpu);
  std::string out;
  for (uint32_t i = 0; i < cpus; ++i) {
    out += format("processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n", i,
                  cpu.vendor, cpu.family, cpu.model);
    out += format("model name\t: %s\nstepping\t: %u\ncpu MHz\t\t: %.3f\n", cpu.name, cpu.stepping,
                  mhz);
    out += format("physical id\t: 0\nsiblings\t: %u\ncore id\t\t: %u\ncpu cores\t: %u\n", cpus, i,
                  cpus);
    out +=
        format("apicid\t\t: %u\ninitial apicid\t: %u\nfpu\t\t: yes\nfpu_exception\t: yes\n", i, i);
    out += format("cpuid level\t: %u\nwp\t\t: yes\n", cpu.cpuid_level);
    out += "flags\t\t: " + flags + "\n";
    out += format("bogomips\t: %.2f\nclflush size\t: %u\ncache_alignment\t: %u\n", 2 * mhz,
                  cpu.clflush_bytes, cpu.clflush_bytes);
    out += format("address sizes\t: %u bits physical, %u bits virtual\npower management:\n\n",
                  cpu.physical_address_bits, cpu.virtual_address_bits);
  }
  return out;
}

std::string mounts_text() {
  std::string out;
  for (const Mount& m : kMounts)
    out += format("%s %s %s %s 0 0\n", m.source, m.point, m.type,
                  with_extra(m.options, m.extra).c_str());
  return out;
}

// proc(5) mountinfo: id, parent, st_dev of the mount point, root, mount point, options,
// the end of optional fields, type, source, super-block options.
std::string mountinfo_text(Kernel& k) {
  std::string out;
  int id = kRootMountId;
  for (const Mount& m : kMounts) {
    const auto found = k.fs().resolve(m.point, "/", vfs::Follow::kYes);
    const uint64_t dev = found ? found->inode->stat().dev : 0;
    out += format("%d %d %u:%u / %s %s - %s %s %s\n", id,
                  id == kRootMountId ? kRootParentId : kRootMountId, major(dev), minor(dev),
                  m.point, m.options, m.type, m.source, with_extra(m.access, m.extra).c_str());
    ++id;
  }
  return out;
}

}  // namespace vmlab::os
