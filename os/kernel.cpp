#include "os/kernel.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "mmu/format.h"
#include "os/user_memory.h"
#include "os/vfs/special_files.h"
#include "os/wait_status.h"

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
      procfs_(*this),
      scheduler_(tasks_, tlb_, cpus.size(), [this](Process& p) { return retry_blocked(p); }) {
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
  ReclaimHost host{
      [this] { return instructions(); },
      {[this] { return has_current() ? &current() : nullptr; },
       [this](int pid) { return find(pid); },
       [this](Process* p, CycleKind kind, uint64_t cycles) { charge(p, kind, cycles); }},
      {[this] { return memory_holders(); },
       [this](Process& p, int wait_status) { exit_process(p, wait_status); }}};
  reclaim_ = std::make_unique<Reclaimer>(
      frames_, page_cache_, events_, std::move(host), std::move(policy), std::move(swap),
      config.local_replacement, config.process_limit_pages, config.range_limits);
  if (!config.record_references.empty()) reclaim_->record_references(config.record_references);
  faults_ = std::make_unique<FaultHandler>(config_, frames_, page_cache_, reclaim_->limits(),
                                           reclaim_->swap_in());
  frames_.set_pressure_handler(&reclaim_->eviction());
  frames_.set_observer(reclaim_.get());
  fs_.set_clock([this] {
    const uint64_t ns = now_ns();
    return vfs::Timespec{static_cast<int64_t>(ns / 1'000'000'000),
                         static_cast<int64_t>(ns % 1'000'000'000)};
  });
  frames_free_at_start_ = frames_.free_frames();
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
  // A context's count changes only inside its CpuPort::run (a new one starts at 0).
  return instructions_before_slice_ +
         (running_ != nullptr ? running_->instructions() - running_from_ : 0);
}

Result<int, ErrnoMessage> Kernel::spawn(const SpawnRequest& request) {
  const std::vector<std::string>& argv = request.argv;
  const std::vector<std::string>& envp = request.envp;
  const std::string& cwd = request.cwd;
  auto process = std::make_unique<Process>(tasks_.allocate_pid(), 0);
  Process& p = *process;
  p.processor = scheduler_.least_loaded_cpu();
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
      if (end > start && fs_.resolve(candidate, cwd, vfs::Follow::kYes).ok()) {
        program = candidate;
        break;
      }
      start = end + 1;
    }
  }
  auto result = exec(p, program, argv, envp);
  if (!result) {
    ErrnoMessage refusal = result.error();
    tasks_.discard(p.pid());
    return refusal;
  }
  scheduler_.enqueue(p.pid());
  procfs_.add(p.pid());
  KernelEvents::raise(events_.process, ProcessEvent{p, ProcessEvent::Kind::kCreated, 0});
  return p.pid();
}

// ---------------------------------------------------------------------------------------------
// The scheduler loop

void Kernel::reap_engines() {
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
  scheduler_.clear();
  page_cache_.drop_unmapped();
}

}  // namespace vmlab::os
