#include "os/sysfs.h"

#include <cinttypes>
#include <functional>
#include <memory>

#include "os/kernel.h"
#include "os/procfs_machine.h"
#include "os/text_format.h"
#include "os/vfs/generated_inode.h"
#include "os/vfs/memory_inode.h"
#include "os/vfs/overlay_directory.h"

namespace vmlab::os {

namespace {

constexpr uint32_t kAttributeMode = S_IFREG | 0444;
constexpr uint32_t kDirectoryMode = 0755;
constexpr int64_t kAttributeSize = 4096;  // every sysfs attribute reports a page
constexpr uint64_t kHugePageBytes = mmu::Pte::kEntriesPerTable * mmu::kPageBytes;
constexpr uint64_t kKibPerPage = mmu::kPageBytes / 1024;

using Directory = std::shared_ptr<vfs::OverlayDirectory>;

class SysTree {
 public:
  explicit SysTree(Kernel& k) : k_(k), state_(k.fs().state()) {}

  Directory dir(const Directory& parent, const std::string& name) {
    auto child = std::make_shared<vfs::OverlayDirectory>(
        state_, kDirectoryMode, vfs::join_path(parent->path(), name), vfs::kSysfsDevice);
    parent->insert(name, child);
    return child;
  }
  void file(const Directory& parent, const std::string& name, std::function<std::string()> text) {
    vfs::FileStat st = vfs::new_overlay_stat(*state_, kAttributeMode, vfs::kSysfsDevice);
    st.size = kAttributeSize;
    parent->insert(name, std::make_shared<vfs::GeneratedFile>(
                             st, std::move(text), vfs::join_path(parent->path(), name)));
  }
  void constant(const Directory& parent, const std::string& name, std::string text) {
    file(parent, name, [text] { return text; });
  }
  Kernel& kernel() { return k_; }

 private:
  Kernel& k_;
  std::shared_ptr<vfs::OverlayState> state_;
};

// A CPU mask as sysfs writes it: hexadecimal, 32 bits per comma-separated group.
std::string cpu_map(uint32_t cpus) {
  std::string out;
  for (uint32_t group = (cpus + 31) / 32; group-- > 0;) {
    const uint32_t bits = std::min<uint32_t>(32, cpus - group * 32);
    const uint32_t mask = bits == 32 ? 0xffffffffu : (1u << bits) - 1;
    out += out.empty() ? format("%x", mask) : format(",%08x", mask);
  }
  return out + "\n";
}

// The choices of a THP setting, the active one in brackets, as Linux lists them.
std::string choices(std::initializer_list<const char*> all, const char* active) {
  std::string out;
  for (const char* choice : all) {
    if (!out.empty()) out += ' ';
    out += std::string(choice) == active ? std::string("[") + choice + "]" : choice;
  }
  return out + "\n";
}

void add_cpus(SysTree& t, const Directory& system, uint32_t cpus) {
  const Directory cpu = t.dir(system, "cpu");
  for (const char* name : {"online", "possible", "present"})
    t.constant(cpu, name, cpu_list(cpus) + "\n");
  t.constant(cpu, "offline", "\n");
  for (uint32_t i = 0; i < cpus; ++i) {
    const Directory one = t.dir(cpu, format("cpu%u", i));
    if (i != 0) t.constant(one, "online", "1\n");  // x86 cannot take cpu0 offline
    const Directory topology = t.dir(one, "topology");
    t.constant(topology, "physical_package_id", "0\n");
    t.constant(topology, "core_id", format("%u\n", i));
    t.constant(topology, "thread_siblings_list", format("%u\n", i));
    t.constant(topology, "core_siblings_list", cpu_list(cpus) + "\n");
    t.constant(topology, "package_cpus_list", cpu_list(cpus) + "\n");
  }
}

// node0/meminfo: Linux's per-node lines ("Node 0 MemTotal:       16384 kB").
std::string node_meminfo(Kernel& k) {
  const MemorySummary m = memory_summary(k);
  auto line = [](const char* name, uint64_t pages) {
    return format("Node 0 %-15s %8" PRIu64 " kB\n", (std::string(name) + ":").c_str(),
                  pages * kKibPerPage);
  };
  return line("MemTotal", m.total) + line("MemFree", m.free) + line("MemUsed", m.total - m.free) +
         line("FilePages", m.cached) + line("AnonPages", m.anonymous) +
         line("PageTables", m.page_tables) +
         line("AnonHugePages", m.huge_pages * mmu::Pte::kEntriesPerTable);
}

void add_nodes(SysTree& t, const Directory& system, uint32_t cpus) {
  const Directory node = t.dir(system, "node");
  for (const char* name : {"online", "possible", "has_cpu", "has_memory", "has_normal_memory"})
    t.constant(node, name, "0\n");
  const Directory node0 = t.dir(node, "node0");
  t.constant(node0, "cpulist", cpu_list(cpus) + "\n");
  t.constant(node0, "cpumap", cpu_map(cpus));
  t.file(node0, "meminfo", [&k = t.kernel()] { return node_meminfo(k); });
}

void add_transparent_huge_pages(SysTree& t, const Directory& sys) {
  const Directory thp = t.dir(t.dir(t.dir(sys, "kernel"), "mm"), "transparent_hugepage");
  const char* enabled = "never";
  switch (t.kernel().config().thp) {
    case KernelConfig::Thp::kAlways:
      enabled = "always";
      break;
    case KernelConfig::Thp::kMadvise:
      enabled = "madvise";
      break;
    case KernelConfig::Thp::kNever:
      break;
  }
  t.constant(thp, "enabled", choices({"always", "madvise", "never"}, enabled));
  // A huge page is taken only from a free 2 MiB block, never by reclaim or compaction.
  t.constant(thp, "defrag",
             choices({"always", "defer", "defer+madvise", "madvise", "never"}, "never"));
  t.constant(thp, "hpage_pmd_size", format("%" PRIu64 "\n", kHugePageBytes));
}

}  // namespace

std::string cpu_list(uint32_t cpus) {
  return cpus <= 1 ? std::string("0") : format("0-%u", cpus - 1);
}

void populate_sysfs(Kernel& kernel) {
  SysTree t(kernel);
  const Directory& sys = kernel.fs().sys();
  const uint32_t cpus = kernel.config().cpus;
  const Directory system = t.dir(t.dir(sys, "devices"), "system");
  add_cpus(t, system, cpus);
  add_nodes(t, system, cpus);
  add_transparent_huge_pages(t, sys);
}

}  // namespace vmlab::os
