// The mini guest kernel: processes, the scheduler loop, and the trap entry the CPU calls
// (os/trap_entry.h: system call, page fault, other exceptions).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mmu/mmu.h"
#include "os/cycle_accounting.h"
#include "os/fault.h"
#include "os/frame_allocator.h"
#include "os/futex.h"
#include "os/kernel_config.h"
#include "os/kernel_events.h"
#include "os/page_cache.h"
#include "os/platform.h"
#include "os/pressure.h"
#include "os/process.h"
#include "os/process_table.h"
#include "os/procfs.h"
#include "os/reclaim.h"
#include "os/result.h"
#include "os/scheduler.h"
#include "os/syscalls/syscall_table.h"
#include "os/ticker.h"
#include "os/tlb_control.h"
#include "os/trap_entry.h"
#include "os/user_memory.h"
#include "os/vfs/file_system.h"

namespace vmlab::os {

// Why Kernel::run returned.
enum class RunEnd : uint8_t {
  kAllExited,         // every process exited; init's status is the machine's
  kInstructionLimit,  // --max-insns reached
  kDeadlock,          // every live thread is blocked and nothing can wake them
  kHostError,         // the emulator failed (reported on stderr)
  kPaused,            // the caller's budget ran out, or pause() was called (run() continues)
  kInterrupted,       // the host's stop flag was raised (a signal to vmlab, --timeout)
};

struct Shebang;

struct FaultRateSample {
  uint64_t instructions;  // when the sample was taken
  uint64_t faults;        // faults since the previous sample
  uint64_t major_faults;
};

struct SpawnRequest {
  std::vector<std::string> argv;
  std::vector<std::string> envp;
  std::string cwd = "/";
  // Standard streams; null means the host's own descriptor.
  std::shared_ptr<vfs::OpenFile> stdin_file, stdout_file, stderr_file;
};

struct BootInfo {
  uint64_t reserved_frames = 0;  // frames of RAM the kernel image occupies (from frame 0)
};

class Kernel final : public TrapEntry, public UserFaultHandler {
 public:
  // One MMU per modelled CPU (config.cpus of them).
  Kernel(const KernelConfig& config, std::vector<mmu::Mmu*> cpus, Platform& platform,
         const BootInfo& boot);
  // A machine with one CPU.
  Kernel(const KernelConfig& config, mmu::Mmu& mmu, Platform& platform, const BootInfo& boot)
      : Kernel(config, std::vector<mmu::Mmu*>{&mmu}, platform, boot) {}
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  // Starts a program as a new process without a parent (the first one is pid 1): argv[0] is
  // resolved in the guest file system, and searched in the guest's PATH when it has no slash.
  // Returns its pid, or the errno of the failed exec with a one-line message.
  Result<int, ErrnoMessage> spawn(const SpawnRequest& request);
  // Schedules processes until they have all exited (or a limit stops the machine). With a
  // budget, pauses after exactly that many more instructions; call run() again to continue.
  RunEnd run(uint64_t budget_instructions = 0);
  // From an event handler: run() returns kPaused at the next instruction boundary.
  void pause();
  // run() returns kInterrupted at the next time slice once *flag is non-zero. The flag is
  // written asynchronously (by a host signal handler), so it is only read between slices.
  void set_stop_flag(const std::atomic<int>* flag) { stop_flag_ = flag; }
  // Calls on_tick at every point of the schedule (os/ticker.h) while run() runs, between time
  // slices: the handler may look at the machine and pause() it, not run it. Replaces any
  // previous ticker.
  void set_ticker(TickSchedule schedule, std::function<void()> on_tick);
  void clear_ticker() { ticker_.reset(); }
  // Called between time slices (a host-side status display); must not run the machine.
  void set_between_slices(std::function<void()> hook) { between_slices_ = std::move(hook); }
  const std::vector<FaultRateSample>& fault_rate() const { return fault_rate_; }
  const HugePageCounters& huge_pages() const { return huge_counters_; }
  static constexpr uint64_t kSampleInterval = 1'000'000;
  // Kills every remaining process and drops the page cache (end of the run).
  void shutdown();

  // ---- TrapEntry: called by the CPU from inside its hooks (os/kernel_traps.cpp; the system
  // call in os/kernel_syscall.cpp) ----
  void syscall(Process& process) override;
  void page_fault(Process& process, uint64_t address, uint32_t error_code, uint64_t rip) override;
  void cpu_exception(Process& process, CpuException exception, uint64_t rip) override;
  uint64_t time_stamp_counter() const override;
  bool is_current(const Process& process) const override;
  // ---- UserFaultHandler: a fault taken by the kernel itself while touching user memory ----
  bool kernel_fault(Process& process, const FaultRequest& request) override;
  // The kernel's access to `process`'s memory (copy_from_user / copy_to_user).
  UserMemory user_memory(Process& process) {
    return UserMemory(frames_, mmu().control(), *this, process);
  }

  // ---- Services for system calls and the fault path ----
  const KernelConfig& config() const { return config_; }
  // The MMU of the CPU the kernel works on now.
  mmu::Mmu& mmu() { return tlb_.mmu(); }
  FrameAllocator& frames() { return frames_; }
  const FrameAllocator& frames() const { return frames_; }
  TlbControl& tlb() { return tlb_; }
  vfs::FileSystem& fs() { return fs_; }
  PageCache& page_cache() { return page_cache_; }
  FaultHandler& faults() { return *faults_; }
  Reclaimer& reclaim() { return *reclaim_; }
  const Reclaimer& reclaim() const { return *reclaim_; }
  KernelEvents& events() { return events_; }
  FutexTable& futexes() { return futexes_; }
  // Every task, and what the ended ones left (summaries, totals).
  const ProcessTable& tasks() const { return tasks_; }
  // The run queue and what each modelled CPU did.
  const Scheduler& scheduler() const { return scheduler_; }
  // The task with this ID (a process's first thread has the process's ID), or null.
  Process* find(int pid) { return tasks_.find(pid); }
  // The first thread of `task`'s process: it keeps what belongs to the process (its ID, wait
  // status, children, heap and timers) until the last thread has exited.
  Process& leader_of(Process& task) { return *find(task.tgid()); }
  Process& current() { return *current_; }
  bool has_current() const { return current_ != nullptr; }
  std::vector<Process*> memory_holders() const { return tasks_.memory_holders(); }

  // Virtual time: the modelled cycles since boot (os/cycle_accounting.h) after the epoch. They
  // are derived from the instructions retired by every CPU and the kernel's modelled costs,
  // so runs repeat exactly.
  uint64_t now_ns() const;
  uint64_t uptime_ns() const;
  uint64_t instructions() const;
  // Instructions a CPU context retired outside CpuPort::run, which the machine's count would
  // otherwise miss: a test's fake CPU that steps a process call by call moves the clock so.
  void count_instructions_outside_run(uint64_t n) { instructions_before_slice_ += n; }
  uint64_t user_cycles() const { return instructions() * config_.ns_per_instruction; }
  const CycleCounters& cycles() const { return cycles_; }
  // Adds modelled time the kernel spent for `process` (null: for nobody in particular).
  void charge(Process* process, CycleKind kind, uint64_t cycles);
  // Memory pressure (PSI) as of now.
  const MemoryPressure& pressure();
  // Processes other than `process` that could run now.
  bool others_runnable(const Process& process) const;

  // Sends a signal to `target`'s process (kill, SIGCHLD, timers): any thread of it that does
  // not block the signal takes it.
  void send_signal(Process& target, const SigInfo& info);
  // Sends a signal to one thread (tgkill, SIGPIPE).
  void send_thread_signal(Process& thread, const SigInfo& info);
  // A signal caused by the process's own instruction (fault, exception): it cannot be blocked
  // or ignored, like Linux's force_sig_fault.
  void force_signal(Process& target, const SigInfo& info);
  // rt_sigreturn: restores the state saved in the signal frame at the user stack pointer.
  bool sigreturn(Process& process);
  // wait4 found this zombie child: its status has been reported, remove it.
  void reap_child(Process& child) { reap(child); }
  // The CPU time `p` has used, on the virtual clock (its instructions).
  uint64_t process_cpu_ns(Process& p) const;
  // Ends every thread of `process` (exit_group, a fatal signal): the process's wait status is
  // `wait_status`; its memory and files go, its parent is told.
  void exit_process(Process& process, int wait_status);
  // Ends one thread (exit): the process ends with it when it was the last one.
  void exit_thread(Process& task, int wait_status);
  // Replaces the image of `process` (execve), or says why not (errno and a one-line message).
  Result<void, ErrnoMessage> exec(Process& process, const std::string& path,
                                  const std::vector<std::string>& argv,
                                  const std::vector<std::string>& envp);
  // Duplicates `parent` (fork/vfork/clone without CLONE_VM): the child (never null), or
  // EAGAIN beyond the task limit.
  Result<Process*> fork(Process& parent);
  // A new thread in `parent`'s process (clone with CLONE_THREAD): same memory, descriptors
  // and dispositions, the CPU state of the parent's system call. EAGAIN beyond the task limit.
  Result<Process*> clone_thread(Process& parent);
  std::unique_ptr<AddressSpace> new_address_space();

  // Prints `message` on stderr the first time this machine sees it.
  void warn_once(const std::string& message);

  uint64_t frames_free_at_start() const { return frames_free_at_start_; }

 private:
  // execve of a "#!" script: the interpreter it names runs it (at most kMaxInterpreterDepth
  // levels deep).
  Result<void, ErrnoMessage> exec_script(Process& process, const std::string& path,
                                         const Shebang& script,
                                         const std::vector<std::string>& argv,
                                         const std::vector<std::string>& envp, int depth);
  Result<void, ErrnoMessage> exec_at_depth(Process& process, const std::string& path,
                                           const std::vector<std::string>& argv,
                                           const std::vector<std::string>& envp, int depth);
  // Delivers every deliverable signal: default actions, or one frame per handler. False when
  // a signal ended the process. A handler interrupts a waiting call (interrupt_blocked_call);
  // a call whose signals were all discarded stays blocked.
  bool deliver_signals(Process& process);
  bool signal_ignored(const Process& target, const SigInfo& info) const;
  // The last thread has exited: files, memory, the parent's SIGCHLD.
  void finish_process(Process& process);
  // A thread ends: the robust futexes it holds are marked FUTEX_OWNER_DIED and a waiter woken
  // (set_robust_list(2)).
  void release_robust_futexes(Process& task);
  bool task_limit_reached() const;
  bool setup_frame(Process& process, const SigInfo& info, const SigAction& action);
  // Retries a waiting call: true when the process can run (the call completed, or a signal
  // waits for delivery).
  bool retry_blocked(Process& process);
  // A handler for `action` interrupts the call the process waits in: it restarts (SA_RESTART,
  // for calls Linux restarts) or returns what its table entry says (EINTR).
  void interrupt_blocked_call(Process& process, const SigAction& action);
  void finish_blocked(Process& process, int64_t result);
  int64_t dispatch(Process& process, const BlockedCall& call, bool retry, bool* block,
                   bool* no_return);
  // A system call's entry, or its end with `result`, for the tracers and scripts.
  void raise_syscall_event(const Process& process, const BlockedCall& call, int64_t result,
                           bool entry);
  FaultResult handle_fault(Process& process, const FaultRequest& request, uint32_t error_code,
                           uint64_t rip);
  void account_fault(Process& process, const FaultRequest& request, uint32_t error_code,
                     uint64_t rip, const FaultResult& result, bool huge);
  void charge_fault(Process& process, const FaultResult& result, bool refault, bool huge);
  // Between time slices: reaps, fires timers and ticks; a reason to stop the run, if any.
  std::optional<RunEnd> before_turn();
  // No CPU has a task that can run: the clock skips to the next wake-up, or the run ends.
  std::optional<RunEnd> idle();
  // `process` gets the CPU whose turn it is.
  void switch_to(Process& process);
  std::optional<RunEnd> run_slice(Process& process, uint64_t pause_at);
  bool resumable(const Process& process) const;
  bool fire_due_tick();
  void out_of_memory(Process& process, FaultResolution why);
  void report_fatal_signal(const Process& process, const SigInfo& info);
  void reap_engines();
  void reparent_children(Process& process);
  void reap(Process& process);
  void sample_fault_rate();
  // Timers (os/timers.h): sends the signals of every timer due now; the instructions until the
  // next one is due, for `running` or any process's machine-time timer (UINT64_MAX: none).
  void fire_timers();
  uint64_t instructions_until_timer(Process& running);
  uint64_t next_timer_wake_ns();

  uint16_t allocate_pcid();

  KernelConfig config_;
  mmu::Mmu& mmu_;
  Platform& platform_;
  BootInfo boot_;
  FrameAllocator frames_;
  TlbControl tlb_;
  vfs::FileSystem fs_;
  PageCache page_cache_;
  std::unique_ptr<Reclaimer> reclaim_;
  std::unique_ptr<FaultHandler> faults_;  // after reclaim_: it uses reclaim's limits and swap-in
  KernelEvents events_;
  SyscallTable syscalls_;
  ProcFs procfs_;
  FutexTable futexes_;

  ProcessTable tasks_;
  Scheduler scheduler_;  // after tasks_, which it reads
  Process* current_ = nullptr;
  uint16_t next_pcid_ = 1;
  // The machine's instruction count: every CPU context's, up to the start of the slice that
  // runs (a running total, not a sum over the tasks each time it is asked).
  uint64_t instructions_before_slice_ = 0;
  const CpuPort* running_ = nullptr;  // inside CpuPort::run: the context, and its count
  uint64_t running_from_ = 0;         // when the slice began
  CycleCounters cycles_;              // modelled time besides user time
  MemoryPressure pressure_;
  std::unique_ptr<Ticker> ticker_;
  std::function<void()> between_slices_;
  bool tick_stop_requested_ = false;  // a page fault stopped the CPU because a tick is due
  std::vector<std::unique_ptr<CpuPort>> retired_cpus_;  // destroyed after their run returns
  std::set<std::string> warnings_;                      // warn_once: each line once per machine
  uint64_t frames_free_at_start_ = 0;
  bool paused_ = false;
  const std::atomic<int>* stop_flag_ = nullptr;
  std::vector<FaultRateSample> fault_rate_;
  HugePageCounters huge_counters_;
  uint64_t next_sample_ = kSampleInterval;
  uint64_t sampled_faults_ = 0, sampled_majors_ = 0;
};

}  // namespace vmlab::os
