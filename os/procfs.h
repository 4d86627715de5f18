// The guest's /proc, generated from the kernel's state whenever a file is read, so a guest
// program can look at its own virtual memory the way it would on Linux:
//   /proc/meminfo, /proc/buddyinfo, /proc/uptime, /proc/vmstat, /proc/pressure/memory,
//   /proc/stat, /proc/cpuinfo, /proc/mounts (os/procfs_machine.h),
//   /proc/self (a link to the reader's pid),
//   /proc/PID/{maps,smaps,smaps_rollup,status,stat,statm,cmdline,comm,exe,fd/N,mounts,mountinfo},
//   /proc/PID/pagemap (os/pagemap.h: the frame or swap slot behind every virtual page),
//   and the same for each thread in /proc/PID/task/TID/.
// The constructor also fills /sys (os/sysfs.h), which describes the same machine.
// The host's /proc is never visible (it would show vmlab's own memory and descriptors).
#pragma once

#include <map>
#include <memory>
#include <string>

namespace vmlab::os {

class Kernel;

namespace vfs {
class OverlayDirectory;
}

class ProcFs {
 public:
  // Fills the (empty) /proc of the kernel's file system with the machine-wide files.
  explicit ProcFs(Kernel& kernel);

  // A process appeared (spawn, fork): /proc/PID. It stays until the process is reaped.
  void add(int pid);
  void remove(int pid);

 private:
  // The files of one task (a process's, or one thread's in task/).
  std::shared_ptr<vfs::OverlayDirectory> task_directory(int pid, const std::string& path);

  Kernel& kernel_;
  std::shared_ptr<vfs::OverlayDirectory> proc_;
};

}  // namespace vmlab::os
