#include "os/oom_kill.h"

#include <cstdio>

#include "os/process.h"
#include "os/wait_status.h"

namespace vmlab::os {

Process* choose_oom_victim(const std::vector<Process*>& candidates) {
  Process* victim = nullptr;
  uint64_t largest = 0;
  for (Process* p : candidates) {
    if (p->state() == ProcessState::kZombie || p->exiting || p->group().exiting) continue;
    const auto& s = p->space().stats();
    const uint64_t footprint = s.resident + s.swapped;
    if (victim == nullptr || footprint >= largest) {
      victim = p;
      largest = footprint;
    }
  }
  return victim;
}

Process* OomKiller::kill(const char* context) {
  Process* victim = choose_oom_victim(host_.candidates());
  if (victim == nullptr) return nullptr;
  const auto& s = victim->space().stats();
  std::fprintf(stderr, "vmlab: %s: Killed process %d (%s) anon-rss:%llukB, swap:%llukB\n", context,
               victim->tgid(), victim->comm.c_str(),
               static_cast<unsigned long long>(s.resident * mmu::kPageBytes / 1024),
               static_cast<unsigned long long>(s.swapped * mmu::kPageBytes / 1024));
  ++stats_.oom_kills;
  host_.exit_process(*victim, signaled_status(sig::kKill, false));
  return victim;
}

}  // namespace vmlab::os
