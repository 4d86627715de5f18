#include "os/procfs.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cinttypes>
#include <string>

#include "os/kernel.h"
#include "os/memory_usage.h"
#include "os/pagemap.h"
#include "os/procfs_machine.h"
#include "os/pte_encoding.h"
#include "os/residency.h"
#include "os/sysfs.h"
#include "os/text_format.h"
#include "os/vfs/file_system.h"
#include "os/vfs/generated_inode.h"
#include "os/vfs/memory_inode.h"
#include "os/vfs/overlay_directory.h"
#include "os/vmstat.h"

namespace vmlab::os {

namespace {

constexpr uint32_t kFileMode = S_IFREG | 0444;
constexpr uint32_t kOwnerOnlyFileMode = S_IFREG | 0400;  // pagemap: S_IRUSR
constexpr uint32_t kLinkMode = S_IFLNK | 0777;
constexpr uint32_t kFdLinkMode = S_IFLNK | 0700;
constexpr uint32_t kDirectoryMode = 0555;
constexpr uint64_t kKibPerPage = mmu::kPageBytes / 1024;
// /proc/PID/maps pads the fixed columns so that names start in this column (Linux: 25 +
// 6 * sizeof(void*) - 1).
constexpr size_t kMapsNameColumn = 73;

// One line of /proc/meminfo: the name padded to 16 columns, the value in kB, 8 wide.
std::string meminfo_line(const char* name, uint64_t pages) {
  return format("%-16s%8" PRIu64 " kB\n", (std::string(name) + ":").c_str(), pages * kKibPerPage);
}

std::string meminfo(Kernel& k) {
  const MemorySummary m = memory_summary(k);
  const SwapDevice* swap = k.reclaim().swap();
  const uint64_t swap_total = swap != nullptr ? swap->slots() : 0;
  const uint64_t swap_free = swap != nullptr ? swap->slots() - swap->used() : 0;
  const uint64_t swap_cached = swap != nullptr ? swap->swap_cache().size() : 0;
  return meminfo_line("MemTotal", m.total) + meminfo_line("MemFree", m.free) +
         meminfo_line("MemAvailable", m.free + m.cached) + meminfo_line("Buffers", 0) +
         meminfo_line("Cached", m.cached) + meminfo_line("SwapCached", swap_cached) +
         meminfo_line("SwapTotal", swap_total) + meminfo_line("SwapFree", swap_free) +
         meminfo_line("AnonPages", m.anonymous) + meminfo_line("PageTables", m.page_tables) +
         meminfo_line("AnonHugePages", m.huge_pages * mmu::Pte::kEntriesPerTable) +
         meminfo_line("Hugepagesize", mmu::Pte::kEntriesPerTable);
}

std::string uptime(Kernel& k) {
  const uint64_t centiseconds = (k.now_ns() - k.config().epoch_ns) / kNsPerTick;
  return format("%" PRIu64 ".%02" PRIu64 " 0.00\n", centiseconds / 100, centiseconds % 100);
}

// The state column of stat and status: a letter and the word status spells out.
struct StateName {
  char letter;
  const char* word;
};

StateName state_of(const Process& p) {
  switch (p.state()) {
    case ProcessState::kRunnable:
      return {'R', "running"};
    case ProcessState::kBlocked:
      return {'S', "sleeping"};
    case ProcessState::kZombie:
      return {'Z', "zombie"};
  }
  return {'?', "?"};
}

// What the VMAs and page tables of a process add up to, in pages.
struct MemoryUse {
  uint64_t size = 0, stack = 0, text = 0, data = 0, page_tables = 0;  // VMAs, tables
  ResidentSet resident;                                               // os/residency.h
};

MemoryUse memory_use(Kernel& k, const Process& p) {
  MemoryUse use;
  if (!p.has_space()) return use;
  const AddressSpace& space = p.space();
  for (const auto& [start, vma] : space.vmas()) {
    use.size += vma.pages();
    if (vma.grows_down) {
      use.stack += vma.pages();
    } else if (vma.executable() && vma.kind == VmaKind::kFile) {
      use.text += vma.pages();
    } else if (vma.writable() && vma.sharing == Sharing::kPrivate) {
      use.data += vma.pages();
    }
  }
  use.resident = resident_set(k.frames(), space);
  space.for_each_table([&](mmu::PhysAddr) { ++use.page_tables; });
  return use;
}

std::string kb_line(const char* name, uint64_t pages) {
  return format("%s:\t%8" PRIu64 " kB\n", name, pages * kKibPerPage);
}

std::string status(Kernel& k, const Process& p) {
  const MemoryUse use = memory_use(k, p);
  const AddressSpaceStats stats = p.has_space() ? p.space().stats() : AddressSpaceStats{};
  const StateName state = state_of(p);
  std::string out = format("Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\n", p.comm.c_str(), p.umask,
                           state.letter, state.word);
  out += format("Tgid:\t%d\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", p.tgid(), p.pid(), p.ppid());
  out += "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n";
  const ResidentSet& rss = use.resident;
  out += kb_line("VmSize", use.size) + kb_line("VmHWM", stats.peak_resident) +
         kb_line("VmRSS", rss.rss()) + kb_line("RssAnon", rss.anonymous) +
         kb_line("RssFile", rss.file) + kb_line("RssShmem", rss.shmem) +
         kb_line("VmData", use.data) + kb_line("VmStk", use.stack) + kb_line("VmExe", use.text) +
         kb_line("VmPTE", use.page_tables) + kb_line("VmSwap", rss.swapped);
  out += format("Threads:\t%zu\n", p.group().tids.size());
  return out;
}

std::string statm(Kernel& k, const Process& p) {
  const MemoryUse use = memory_use(k, p);
  return format("%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " 0 %" PRIu64 " 0\n", use.size,
                use.resident.rss(), use.resident.file + use.resident.shmem, use.text,
                use.data + use.stack);
}

// proc(5): the 52 fields of /proc/PID/stat; those vmlab has no notion of are 0.
std::string stat_line(Kernel& k, Process& p) {
  const MemoryUse use = memory_use(k, p);
  const ProcessCounters& c = p.counters();
  const uint64_t ticks =
      p.has_cpu() ? p.cpu().instructions() * k.config().ns_per_instruction / kNsPerTick : 0;
  std::string out = format("%d (%s) %c %d %d %d 0 -1 0 ", p.pid(), p.comm.c_str(),
                           state_of(p).letter, p.ppid(), p.pgid(), p.sid());
  out += format("%" PRIu64 " 0 %" PRIu64 " 0 %" PRIu64 " %" PRIu64 " 0 0 20 0 1 0 0 ",
                c.minor_faults, c.major_faults, ticks, c.kernel_cycles / kNsPerTick);
  out += format("%" PRIu64 " %" PRIu64 " ", use.size * mmu::kPageBytes, use.resident.rss());
  out += "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 ";
  out += format("%d 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n", p.exit_signal);
  return out;
}

// One line of /proc/PID/maps.
std::string maps_line(const Vma& vma) {
  unsigned major_dev = 0, minor_dev = 0;
  uint64_t ino = 0, offset = 0;
  if (vma.file) {
    const vfs::FileStat st = vma.file->stat();
    major_dev = major(st.dev);
    minor_dev = minor(st.dev);
    ino = st.ino;
    offset = vma.file_offset;
  }
  std::string line = format(
      "%08" PRIx64 "-%08" PRIx64 " %c%c%c%c %08" PRIx64 " %02x:%02x %" PRIu64 " ", vma.start,
      vma.end, vma.readable() ? 'r' : '-', vma.writable() ? 'w' : '-', vma.executable() ? 'x' : '-',
      vma.sharing == Sharing::kShared ? 's' : 'p', offset, major_dev, minor_dev, ino);
  if (!vma.name.empty()) {
    if (line.size() < kMapsNameColumn) line.append(kMapsNameColumn - line.size(), ' ');
    line += vma.name;
  }
  return line + "\n";
}

std::string maps(const Process& p) {
  if (!p.has_space()) return {};
  std::string out;
  for (const auto& [start, vma] : p.space().vmas())
    out += maps_line(vma);
  return out;
}

// smaps lines: the name padded to 16 columns, the value in kB 8 wide (fs/proc/task_mmu.c).
std::string smaps_kb(const char* name, uint64_t bytes) {
  return format("%-16s%8" PRIu64 " kB\n", name, bytes / 1024);
}

// The fields smaps and smaps_rollup share, from Rss on.
std::string smaps_usage(const MemoryUsage& u, bool rollup) {
  std::string out =
      smaps_kb("Rss:", u.rss) + smaps_kb("Pss:", u.pss()) + smaps_kb("Pss_Dirty:", u.pss_dirty());
  if (rollup)
    out += smaps_kb("Pss_Anon:", u.pss_anon()) + smaps_kb("Pss_File:", u.pss_file()) +
           smaps_kb("Pss_Shmem:", 0);
  out += smaps_kb("Shared_Clean:", u.shared_clean) + smaps_kb("Shared_Dirty:", u.shared_dirty) +
         smaps_kb("Private_Clean:", u.private_clean) + smaps_kb("Private_Dirty:", u.private_dirty) +
         smaps_kb("Referenced:", u.referenced) + smaps_kb("Anonymous:", u.anonymous) +
         smaps_kb("KSM:", 0) + smaps_kb("LazyFree:", 0) + smaps_kb("AnonHugePages:", u.anon_huge) +
         smaps_kb("ShmemPmdMapped:", 0) + smaps_kb("FilePmdMapped:", 0) +
         smaps_kb("Shared_Hugetlb:", 0) + smaps_kb("Private_Hugetlb:", 0) +
         smaps_kb("Swap:", u.swap) + smaps_kb("SwapPss:", u.swap) + smaps_kb("Locked:", 0);
  return out;
}

// VmFlags of an area, in the kernel's order (show_smap_vma_flags).
std::string vm_flags(const Vma& vma) {
  const bool shared = vma.sharing == Sharing::kShared;
  std::string out = "VmFlags:";
  auto flag = [&](bool on, const char* name) {
    if (on) out += std::string(" ") + name;
  };
  flag(vma.readable(), "rd");
  flag(vma.writable(), "wr");
  flag(vma.executable(), "ex");
  flag(shared, "sh");
  flag(true, "mr");
  flag(!shared || vma.writable(), "mw");
  flag(true, "me");
  flag(shared, "ms");
  flag(vma.grows_down, "gd");
  flag(!shared && (vma.writable() || vma.kind == VmaKind::kAnonymous), "ac");
  flag(vma.huge_advised, "hg");
  return out + " \n";
}

std::string smaps(Kernel& k, const Process& p) {
  if (!p.has_space()) return {};
  std::string out;
  for (const auto& [start, vma] : p.space().vmas()) {
    out += maps_line(vma) + smaps_kb("Size:", vma.end - vma.start) +
           smaps_kb("KernelPageSize:", mmu::kPageBytes) +
           smaps_kb("MMUPageSize:", mmu::kPageBytes) +
           smaps_usage(memory_usage(k.frames(), p.space(), vma.start, vma.end), false);
    out += format("THPeligible:    %8d\n", vma.huge_advised ? 1 : 0) + vm_flags(vma);
  }
  return out;
}

std::string smaps_rollup(Kernel& k, const Process& p) {
  if (!p.has_space() || p.space().vmas().empty()) return {};
  const auto& vmas = p.space().vmas();
  const uint64_t first = vmas.begin()->second.start, last = vmas.rbegin()->second.end;
  std::string header = format("%08" PRIx64 "-%08" PRIx64 " ---p 00000000 00:00 0 ", first, last);
  header.append(kMapsNameColumn - header.size(), ' ');
  return header + "[rollup]\n" + smaps_usage(memory_usage(k.frames(), p.space()), true);
}

std::string cmdline(const Process& p) {
  std::string out;
  for (const std::string& arg : p.argv) {
    out += arg;
    out += '\0';
  }
  return out;
}

}  // namespace

ProcFs::ProcFs(Kernel& kernel) : kernel_(kernel), proc_(kernel.fs().proc()) {
  vfs::OverlayState& state = *kernel.fs().state();
  auto file = [&](const char* name, vfs::GeneratedFile::Generator generate) {
    proc_->insert(name, std::make_shared<vfs::GeneratedFile>(
                            vfs::new_overlay_stat(state, kFileMode, vfs::kProcfsDevice),
                            std::move(generate), std::string("/proc/") + name));
  };
  file("meminfo", [&k = kernel_] { return meminfo(k); });
  file("buddyinfo", [&k = kernel_] { return k.frames().buddy().buddyinfo() + "\n"; });
  file("uptime", [&k = kernel_] { return uptime(k); });
  file("vmstat", [&k = kernel_] { return vmstat_text(k); });
  file("stat", [&k = kernel_] { return proc_stat_text(k); });
  file("cpuinfo", [&k = kernel_] { return cpuinfo_text(k); });
  // Linux's /proc/mounts is a link to the reader's own view.
  proc_->insert("mounts", std::make_shared<vfs::GeneratedSymlink>(
                              vfs::new_overlay_stat(state, kLinkMode, vfs::kProcfsDevice),
                              [] { return std::string("self/mounts"); }, "/proc/mounts"));
  auto pressure = std::make_shared<vfs::OverlayDirectory>(kernel.fs().state(), kDirectoryMode,
                                                          "/proc/pressure", vfs::kProcfsDevice);
  pressure->insert("memory",
                   std::make_shared<vfs::GeneratedFile>(
                       vfs::new_overlay_stat(state, kFileMode, vfs::kProcfsDevice),
                       [&k = kernel_] { return k.pressure().text(); }, "/proc/pressure/memory"));
  proc_->insert("pressure", pressure);
  // The reader's own directory; the kernel itself (no current process) has none.
  proc_->insert("self", std::make_shared<vfs::GeneratedSymlink>(
                            vfs::new_overlay_stat(state, kLinkMode, vfs::kProcfsDevice),
                            [&k = kernel_] {
                              return k.has_current() ? std::to_string(k.current().pid())
                                                     : std::string();
                            },
                            "/proc/self"));
  populate_sysfs(kernel);  // /sys describes the same machine
}

void ProcFs::add(int pid) {
  const std::string path = "/proc/" + std::to_string(pid);
  std::shared_ptr<vfs::OverlayDirectory> dir = task_directory(pid, path);
  // task/TID: the same files for each thread of the process.
  auto tasks = std::make_shared<vfs::OverlayDirectory>(kernel_.fs().state(), kDirectoryMode,
                                                       path + "/task", vfs::kProcfsDevice);
  tasks->set_generator([this, pid, path] {
    std::map<std::string, std::shared_ptr<vfs::Inode>> entries;
    const Process* p = kernel_.find(pid);
    if (p == nullptr) return entries;
    for (const int tid : p->group().tids)
      entries[std::to_string(tid)] = task_directory(tid, path + "/task/" + std::to_string(tid));
    return entries;
  });
  dir->insert("task", tasks);
  proc_->insert(std::to_string(pid), dir);
}

std::shared_ptr<vfs::OverlayDirectory> ProcFs::task_directory(int pid, const std::string& path) {
  vfs::OverlayState& state = *kernel_.fs().state();
  auto dir = std::make_shared<vfs::OverlayDirectory>(kernel_.fs().state(), kDirectoryMode, path,
                                                     vfs::kProcfsDevice);
  // Each generator finds the process again: it may be gone by the time the file is read.
  auto file = [&](const char* name, std::string (*generate)(Kernel&, Process&)) {
    dir->insert(name, std::make_shared<vfs::GeneratedFile>(
                          vfs::new_overlay_stat(state, kFileMode, vfs::kProcfsDevice),
                          [&k = kernel_, pid, generate] {
                            Process* p = k.find(pid);
                            return p != nullptr ? generate(k, *p) : std::string();
                          },
                          path + "/" + name));
  };
  file("maps", [](Kernel&, Process& p) { return maps(p); });
  file("smaps", [](Kernel& k, Process& p) { return smaps(k, p); });
  file("smaps_rollup", [](Kernel& k, Process& p) { return smaps_rollup(k, p); });
  file("status", [](Kernel& k, Process& p) { return status(k, p); });
  file("stat", [](Kernel& k, Process& p) { return stat_line(k, p); });
  file("statm", [](Kernel& k, Process& p) { return statm(k, p); });
  file("cmdline", [](Kernel&, Process& p) { return cmdline(p); });
  file("comm", [](Kernel&, Process& p) { return p.comm + "\n"; });
  file("mounts", [](Kernel&, Process&) { return mounts_text(); });
  file("mountinfo", [](Kernel& k, Process&) { return mountinfo_text(k); });
  // pagemap reads the pages of the process it belongs to, whoever holds the descriptor (a child
  // that inherited it reads its parent's); frame numbers only for a privileged reader.
  dir->insert("pagemap", std::make_shared<vfs::ComputedFile>(
                             vfs::new_overlay_stat(state, kOwnerOnlyFileMode, vfs::kProcfsDevice),
                             [&k = kernel_, pid](uint64_t offset, std::span<uint8_t> out) {
                               const Process* p = k.find(pid);
                               if (p == nullptr || !p->has_space()) return int64_t{0};
                               const bool privileged =
                                   k.has_current() && k.current().credentials.euid == 0;
                               return read_pagemap(k.frames(), p->space(), privileged, offset, out);
                             },
                             path + "/pagemap"));
  dir->insert("exe", std::make_shared<vfs::GeneratedSymlink>(
                         vfs::new_overlay_stat(state, kLinkMode, vfs::kProcfsDevice),
                         [&k = kernel_, pid] {
                           Process* p = k.find(pid);
                           return p != nullptr ? p->exe : std::string();
                         },
                         path + "/exe"));
  // fd/N: a link to what descriptor N refers to ("/dev/null", "pipe:[3]", a path).
  auto fds = std::make_shared<vfs::OverlayDirectory>(kernel_.fs().state(), kDirectoryMode,
                                                     path + "/fd", vfs::kProcfsDevice);
  fds->set_generator([&k = kernel_, pid, path] {
    std::map<std::string, std::shared_ptr<vfs::Inode>> links;
    Process* p = k.find(pid);
    if (p == nullptr) return links;
    for (const int fd : p->fds().open_fds()) {
      std::shared_ptr<vfs::OpenFile> file = p->fds().get(fd);
      const std::string target = file->describe();
      std::weak_ptr<vfs::OpenFile> weak = file;
      links[std::to_string(fd)] = std::make_shared<vfs::GeneratedSymlink>(
          vfs::new_overlay_stat(*k.fs().state(), kFdLinkMode, vfs::kProcfsDevice),
          [target] { return target; }, path + "/fd/" + std::to_string(fd),
          [weak] { return weak.lock(); });
    }
    return links;
  });
  dir->insert("fd", fds);
  return dir;
}

void ProcFs::remove(int pid) {
  const std::string name = std::to_string(pid);
  if (proc_->lookup(name)) proc_->remove(name);
}

}  // namespace vmlab::os
