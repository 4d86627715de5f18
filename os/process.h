// A guest task (Linux's task_struct): a process, or one thread of one. Identity, address space,
// CPU, open files, signal state and counters; what clone(2) flags share between tasks (the
// address space, the descriptor table, the signal dispositions) is held by shared pointers,
// and the tasks of one process meet in its ThreadGroup.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mmu/x86_registers.h"
#include "os/address_space.h"
#include "os/cpu_port.h"
#include "os/process_counters.h"
#include "os/signals.h"
#include "os/timers.h"
#include "os/vfs/fd_table.h"

namespace vmlab::os {

enum class ProcessState : uint8_t {
  kRunnable,
  kBlocked,  // inside a system call that waits (pipe, wait4, nanosleep)
  kZombie,   // exited, waiting for its parent to reap it
};

// What the threads of one process share besides memory, files and dispositions (Linux's
// signal_struct): who they are, and the signals sent to the process as a whole, which any
// thread that does not block them may take.
struct ThreadGroup {
  explicit ThreadGroup(int tgid) : tgid(tgid) {}
  int tgid;               // the process ID: the first thread's ID
  std::vector<int> tids;  // threads that have not exited, in creation order
  PendingSignals pending;
  bool exiting = false;  // exit_group or a fatal signal is ending every thread
  size_t created = 1;    // threads it ever had
};

// A task waiting in futex(2): its key and which wake-ups it accepts.
struct FutexWait {
  bool queued = false;  // on a futex queue (os/futex.h); cleared by the wake that picks it
  uint64_t key_space = 0, key_address = 0;
  uint32_t bitset = 0;
};

// A system call that has to wait: retried each time the scheduler considers the process.
struct BlockedCall {
  int number = -1;
  uint64_t args[6] = {};
  uint64_t wake_at_ns = 0;  // for sleeps: virtual time to wake up
};

// Who a process is (credentials(7)): real, effective, saved and file-system IDs. The guest
// starts as root; file access is not checked against them (the guest's root is read-only and
// its writes go to a private overlay), but programs that switch IDs (make, su, daemons) see
// Linux's rules.
struct Credentials {
  uint32_t ruid = 0, euid = 0, suid = 0, fsuid = 0;
  uint32_t rgid = 0, egid = 0, sgid = 0, fsgid = 0;
  std::vector<uint32_t> groups;  // supplementary groups
};

class Process {
 public:
  // A new process: the first thread of a new thread group.
  Process(int pid, int ppid)
      : pid_(pid),
        ppid_(ppid),
        pgid_(pid),
        sid_(pid),
        fds_(std::make_shared<vfs::FdTable>()),
        group_(std::make_shared<ThreadGroup>(pid)) {
    group_->tids.push_back(pid);
  }
  // A new thread of `process`'s thread group (CLONE_THREAD).
  Process(int tid, const Process& process)
      : pid_(tid),
        ppid_(process.ppid_),
        pgid_(process.pgid_),
        sid_(process.sid_),
        fds_(process.fds_),
        group_(process.group_) {
    group_->tids.push_back(tid);
  }

  // The task's own ID (gettid); for the first thread of a process, the process ID too.
  int pid() const { return pid_; }
  // The process ID (getpid): the thread group's.
  int tgid() const { return group_->tgid; }
  bool is_leader() const { return pid_ == group_->tgid; }
  ThreadGroup& group() { return *group_; }
  const ThreadGroup& group() const { return *group_; }
  int ppid() const { return ppid_; }
  void set_ppid(int ppid) { ppid_ = ppid; }
  int pgid() const { return pgid_; }
  void set_pgid(int pgid) { pgid_ = pgid; }
  int sid() const { return sid_; }
  void set_sid(int sid) { sid_ = sid; }

  bool has_space() const { return space_ != nullptr; }
  AddressSpace& space() { return *space_; }
  const AddressSpace& space() const { return *space_; }
  const std::shared_ptr<AddressSpace>& shared_space() const { return space_; }
  // Installs a new address space (execve, exit: null); the old one lives on while other tasks
  // share it (CLONE_VM).
  void replace_space(std::shared_ptr<AddressSpace> space) { space_ = std::move(space); }
  bool has_cpu() const { return cpu_ != nullptr; }
  CpuPort& cpu() { return *cpu_; }
  std::unique_ptr<CpuPort> replace_cpu(std::unique_ptr<CpuPort> cpu) {
    cpu_.swap(cpu);
    return cpu;
  }

  vfs::FdTable& fds() { return *fds_; }
  // CLONE_FILES: the descriptor table is `other`'s; otherwise a copy (fork) or a fresh table.
  void share_fds(const Process& other) { fds_ = other.fds_; }
  // Exit: lets go of the descriptor table, closing its files when no other task shares it.
  void release_fds() {
    if (fds_.use_count() == 1) fds_->close_all();
    fds_ = std::make_shared<vfs::FdTable>();
  }
  // A signal is waiting that this task could take now (its own or its process's).
  bool has_deliverable_signal() const { return (pending_signals() & ~signals_.blocked) != 0; }
  // Signals waiting for this task: its own and its process's.
  uint64_t pending_signals() const { return signals_.pending.mask | group_->pending.mask; }
  SignalState& signals() { return signals_; }
  const SignalState& signals() const { return signals_; }
  ProcessCounters& counters() { return counters_; }
  const ProcessCounters& counters() const { return counters_; }

  ProcessState state() const { return state_; }
  void set_state(ProcessState s) { state_ = s; }
  int wait_status() const { return wait_status_; }
  void set_wait_status(int status) { wait_status_ = status; }
  BlockedCall& blocked_call() { return blocked_; }

  // What a new task (fork, clone) takes over from the one that made it: program, directory,
  // umask, credentials.
  void inherit_identity(const Process& parent) {
    comm = parent.comm;
    exe = parent.exe;
    argv = parent.argv;
    cwd = parent.cwd;
    umask = parent.umask;
    credentials = parent.credentials;
  }

  // Program identity.
  std::string comm;               // 15-character name (prctl PR_SET_NAME, /proc/self/comm)
  std::string exe;                // guest path of the executable (/proc/self/exe)
  std::vector<std::string> argv;  // of the last execve (/proc/PID/cmdline)
  std::string cwd = "/";
  uint32_t umask = 022;
  Credentials credentials;
  ProcessTimers timers;  // the process's: kept by its first thread; not inherited by fork

  // Heap: the process's, kept by its first thread.
  uint64_t brk_start = 0;
  uint64_t brk = 0;

  uint64_t clear_child_tid = 0;  // set_tid_address, CLONE_CHILD_CLEARTID
  uint64_t robust_list = 0;      // set_robust_list: the head of the thread's robust futexes
  FutexWait futex;
  // Set when exit begins: the exit path may itself fault (CLONE_CHILD_CLEARTID's write) and
  // must neither run twice nor be picked by the OOM killer again.
  bool exiting = false;
  int exit_signal = 17;       // SIGCHLD: what the parent gets when this process ends
  uint64_t random_draws = 0;  // getrandom calls so far (each draws a fresh stream)
  int vfork_child = 0;        // waiting (not schedulable) until this vfork child execs or exits
  int vfork_parent = 0;       // the task that waits for this vfork child
  size_t processor = 0;       // the modelled CPU it runs on
  uint64_t affinity = ~uint64_t{0};  // sched_setaffinity: the CPUs it may run on
  uint64_t instructions_at_exit = 0;
  uint64_t peak_resident = 0;
  std::vector<int> children;

 private:
  int pid_;
  int ppid_;
  int pgid_;
  int sid_;
  std::shared_ptr<AddressSpace> space_;
  std::unique_ptr<CpuPort> cpu_;
  std::shared_ptr<vfs::FdTable> fds_;
  std::shared_ptr<ThreadGroup> group_;
  SignalState signals_;
  ProcessCounters counters_;
  ProcessState state_ = ProcessState::kRunnable;
  int wait_status_ = 0;
  BlockedCall blocked_;
};

}  // namespace vmlab::os
