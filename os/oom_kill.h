// The OOM killer (Linux's mm/oom_kill.c): when memory cannot be found for a process, the
// process with the largest footprint (resident + swapped pages, Linux's oom_badness without
// adjustments) is ended with SIGKILL, and a line like the kernel log's says so.
#pragma once

#include <functional>
#include <vector>

#include "os/reclaim_stats.h"

namespace vmlab::os {

class Process;

// The process to kill among `candidates`: the largest resident + swapped footprint, the last
// of equals; zombies and processes already exiting are passed over. Null when none is left.
Process* choose_oom_victim(const std::vector<Process*>& candidates);

class OomKiller {
 public:
  // What the killer needs of the kernel.
  struct Host {
    std::function<std::vector<Process*>()> candidates;  // one task per address space
    std::function<void(Process&, int wait_status)> exit_process;
  };

  OomKiller(Host host, ReclaimStats& stats) : host_(std::move(host)), stats_(stats) {}

  // Chooses and kills a victim; `context` starts the report line. Null when none is left.
  Process* kill(const char* context);

 private:
  Host host_;
  ReclaimStats& stats_;
};

}  // namespace vmlab::os
