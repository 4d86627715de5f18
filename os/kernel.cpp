#include "os/kernel.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "mmu/format.h"
#include "os/user_memory.h"
#include "os/vfs/special_files.h"

namespace vmlab::os {

Kernel::Kernel(const KernelConfig& config, std::vector<mmu::Mmu*> cpus, Platform& platform,
               const BootInfo& boot)
    : config_(config),
      mmu_(*cpus.at(0)),
      platform_(platform),
      boot_(boot),
      frames_(mmu_.memory(), boot.reserved_frames),
      tlb_(cpus, config.pcid),
      fs_(config.root, config.seed),
      page_cache_(frames_),
      faults_(*this),
      procfs_(*this) {
  config_.cpus = static_cast<uint32_t>(cpus.size());
  for (mmu::Mmu* cpu : cpus) {
    mmu::PagingControl control = cpu->control();
    control.pcid_enabled = config.pcid == PcidMode::kOn;
    control.no_execute = true;
    control.write_protect = true;
    control.large_1g_pages = true;  // the model is the CPU's MMU: 1 GiB pages as on any x86-64
    cpu->set_control(control);
  }
  tlb_.set_ipi_listener([this](size_t) {
    charge(has_current() ? &current() : nullptr, CycleKind::kTlbShootdown,
           cycle_cost::kShootdownIpi);
  });
  PolicyOptions policy_options;
  policy_options.seed = config.seed;
  policy_options.opt_references = config.opt_references;
  std::unique_ptr<SwapDevice> swap;
  if (config.swap_bytes != 0)
    swap = std::make_unique<SwapDevice>(config.swap_file, config.swap_bytes);
  std::unique_ptr<ReplacementPolicy> policy =
      config.custom_policy ? config.custom_policy() : make_policy(config.policy, policy_options);
  reclaim_ = std::make_unique<Reclaimer>(*this, std::move(policy), std::move(swap),
                                         config.local_replacement, config.process_limit_pages,
                                         config.range_limits);
  if (!config.record_references.empty()) reclaim_->record_references(config.record_references);
  frames_.set_pressure_handler(reclaim_.get());
  frames_.set_observer(reclaim_.get());
  fs_.set_clock([this] {
    const uint64_t ns = now_ns();
    return vfs::Timespec{static_cast<int64_t>(ns / 1'000'000'000),
                         static_cast<int64_t>(ns % 1'000'000'000)};
  });
  frames_free_at_start_ = frames_.free_frames();
  cpus_.resize(cpus.size());
}

Kernel::~Kernel() {
  shutdown();
}

std::unique_ptr<AddressSpace> Kernel::new_address_space() {
  auto space = std::make_unique<AddressSpace>(frames_, tlb_, allocate_pcid());
  space->set_swap_release([this](uint64_t slot) { reclaim_->release_slot(slot); });
  space->set_huge_counters(&huge_counters_);
  return space;
}

uint16_t Kernel::allocate_pcid() {
  // PCID 0 is the "no PCID" tag; 1..4095 are handed out round robin and flushed on reuse.
  constexpr uint16_t kPcidCount = 4096;
  const uint16_t pcid = next_pcid_;
  next_pcid_ = static_cast<uint16_t>(next_pcid_ + 1 == kPcidCount ? 1 : next_pcid_ + 1);
  tlb_.retire_pcid(pcid);
  return pcid;
}

uint64_t Kernel::instructions() const {
  uint64_t total = retired_by_exited_;
  for (const auto& [pid, p] : tasks_.all())
    if (p->has_cpu()) total += const_cast<Process&>(*p).cpu().instructions();
  for (const auto& cpu : retired_cpus_)
    total += cpu->instructions();
  return total;
}

int Kernel::spawn(const SpawnRequest& request, std::string* error, int* pid) {
  const std::vector<std::string>& argv = request.argv;
  const std::vector<std::string>& envp = request.envp;
  const std::string& cwd = request.cwd;
  auto process = std::make_unique<Process>(tasks_.allocate_pid(), 0);
  Process& p = *process;
  p.processor = least_loaded_cpu();
  tasks_.add(std::move(process));
  p.cwd = cwd;
  // The guest's standard streams are the host's unless the caller gives others.
  const std::shared_ptr<vfs::OpenFile> streams[3] = {request.stdin_file, request.stdout_file,
                                                     request.stderr_file};
  for (int fd = 0; fd < 3; ++fd)
    p.fds().install(fd, streams[fd] ? streams[fd] : vfs::make_host_stream(fd), false);
  // Like execvp: a name without a slash is looked up in the guest's PATH.
  std::string program = argv.empty() ? std::string() : argv[0];
  if (!program.empty() && program.find('/') == std::string::npos) {
    std::string path = "/usr/local/bin:/usr/bin:/bin";
    for (const auto& e : envp)
      if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
    for (size_t start = 0; start <= path.size();) {
      const size_t end = std::min(path.find(':', start), path.size());
      const std::string candidate = path.substr(start, end - start) + "/" + program;
      if (end > start && fs_.resolve(candidate, cwd, vfs::Follow::kYes).error == 0) {
        program = candidate;
        break;
      }
      start = end + 1;
    }
  }
  const int result = exec(p, program, argv, envp, error);
  if (result != 0) {
    tasks_.discard(p.pid());
    return -result;
  }
  run_queue_.push_back(p.pid());
  procfs_.add(p.pid());
  if (pid != nullptr) *pid = p.pid();
  KernelEvents::raise(events_.process, ProcessEvent{p, ProcessEvent::Kind::kCreated, 0});
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The scheduler loop

void Kernel::reap_engines() {
  for (const auto& cpu : retired_cpus_)
    retired_by_exited_ += cpu->instructions();
  retired_cpus_.clear();
  tasks_.free_removed();
}

void Kernel::reap(Process& process) {
  procfs_.remove(process.pid());
  if (current_ == &process) current_ = nullptr;
  tasks_.reap(process);
}

void Kernel::warn_once(const std::string& message) {
  if (warnings_.insert(message).second) std::fprintf(stderr, "%s\n", message.c_str());
}

size_t Kernel::least_loaded_cpu(uint64_t affinity) const {
  std::vector<size_t> load(cpus_.size(), 0);
  for (const auto& [pid, p] : tasks_.all())
    if (p->state() != ProcessState::kZombie && p->processor < load.size()) ++load[p->processor];
  size_t best = cpus_.size();
  for (size_t cpu = 0; cpu < load.size() && cpu < 64; ++cpu)
    if ((affinity >> cpu & 1) != 0 && (best == cpus_.size() || load[cpu] < load[best])) best = cpu;
  return best == cpus_.size() ? 0 : best;
}

Process* Kernel::pick_next(size_t cpu) {
  // Round robin over the tasks of this CPU in the run queue; blocked ones get their call
  // retried when their turn comes, so a wake-up is noticed within one round.
  std::erase_if(run_queue_, [this](int pid) {
    const Process* p = find(pid);
    return p == nullptr || p->state() == ProcessState::kZombie;
  });
  std::vector<int> turn;
  for (int pid : run_queue_)
    if (find(pid)->processor == cpu) turn.push_back(pid);
  for (const int pid : turn) {
    run_queue_.erase(std::find(run_queue_.begin(), run_queue_.end(), pid));
    run_queue_.push_back(pid);
    Process* p = find(pid);
    if (p == nullptr || p->state() == ProcessState::kZombie) continue;  // ended meanwhile
    if (p->vfork_child != 0) {
      const Process* child = find(p->vfork_child);
      if (child != nullptr && child->state() != ProcessState::kZombie) continue;
      p->vfork_child = 0;
    }
    if (p->state() == ProcessState::kBlocked && !retry_blocked(*p)) continue;
    return p;
  }
  return nullptr;
}

RunEnd Kernel::run(uint64_t budget_instructions) {
  paused_ = false;
  const uint64_t pause_at =
      budget_instructions == 0 ? UINT64_MAX : instructions() + budget_instructions;
  while (true) {
    reap_engines();
    fire_timers();
    if (paused_) return RunEnd::kPaused;
    if (stop_flag_ != nullptr && stop_flag_->load(std::memory_order_relaxed) != 0)
      return RunEnd::kInterrupted;
    fire_due_tick();
    if (paused_) return RunEnd::kPaused;
    if (between_slices_) between_slices_();
    // The CPUs take turns, each running the next task of its own; one without a runnable
    // task stays idle this round.
    Process* p = nullptr;
    for (size_t tried = 0; tried < cpus_.size() && p == nullptr; ++tried) {
      tlb_.set_cpu(next_cpu_);
      p = pick_next(next_cpu_);
      next_cpu_ = (next_cpu_ + 1) % cpus_.size();
    }
    if (p == nullptr) {
      if (run_queue_.empty()) return RunEnd::kAllExited;
      // Everyone waits. Sleepers wake when virtual time reaches them: skip ahead (stopping at
      // a time tick on the way, so that it samples the machine on time).
      uint64_t wake = UINT64_MAX;
      for (int pid : run_queue_) {
        Process* q = find(pid);
        if (q != nullptr && q->state() == ProcessState::kBlocked &&
            q->blocked_call().wake_at_ns != 0)
          wake = std::min(wake, q->blocked_call().wake_at_ns);
      }
      wake = std::min(wake, next_timer_wake_ns());
      if (wake == UINT64_MAX) return RunEnd::kDeadlock;
      if (ticker_ && ticker_->time_based())
        wake = std::min(wake, config_.epoch_ns + ticker_->deadline_ns());
      const uint64_t now = now_ns();
      if (wake > now) cycles_.idle += wake - now;
      continue;
    }
    if (!deliver_signals(*p)) continue;  // the signal ended the process
    // Its signals were discarded (ignored): the call it waits in goes on waiting.
    if (p->state() == ProcessState::kBlocked) continue;
    // Loads CR3 also without a switch: after execve the same process has a new address space.
    // Between threads of one process CR3 stays as it is: their switch keeps the TLB.
    CpuCounters& here = cpus_[tlb_.cpu()];
    tlb_.switch_to(p->space());
    p->cpu().set_processor(tlb_.cpu());
    ++here.slices;
    if (p->pid() != here.last_task) {
      ++context_switches_;
      ++here.context_switches;
      ++p->counters().context_switches;
      charge(p, CycleKind::kContextSwitch, cycle_cost::kContextSwitch);
      KernelEvents::raise(events_.process, ProcessEvent{*p, ProcessEvent::Kind::kSwitchIn, 0});
      here.last_task = p->pid();
    }
    current_ = p;
    if (const auto end = run_slice(*p, pause_at)) return *end;
  }
}

void Kernel::pause() {
  paused_ = true;
  if (current_ != nullptr && current_->has_cpu()) current_->cpu().request_stop();
}

void Kernel::sample_fault_rate() {
  // One sample per million instructions (as often as time slices allow): faults per million
  // instructions, the curve of the thrashing experiments.
  const uint64_t now = instructions();
  if (now < next_sample_) return;
  const ProcessCounters c = tasks_.totals();
  const uint64_t faults = c.minor_faults + c.major_faults;
  const uint64_t majors = c.major_faults;
  fault_rate_.push_back(FaultRateSample{now, faults - sampled_faults_, majors - sampled_majors_});
  sampled_faults_ = faults;
  sampled_majors_ = majors;
  next_sample_ = now + kSampleInterval;
}

void Kernel::shutdown() {
  // Kill what is left, then drop caches so every frame returns to the allocator.
  std::vector<int> live;
  for (const auto& [pid, p] : tasks_.all())
    if (p->state() != ProcessState::kZombie) live.push_back(pid);
  for (int pid : live)
    if (Process* p = find(pid)) exit_process(*p, signaled_status(sig::kKill, false));
  reap_engines();
  tasks_.clear();
  run_queue_.clear();
  page_cache_.drop_unmapped();
}

}  // namespace vmlab::os
