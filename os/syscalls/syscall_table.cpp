#include "os/syscalls/syscall_table.h"

#include "os/kernel.h"

namespace vmlab::os {

UserMemory SyscallContext::user() {
  return kernel.user_memory(process);
}

SyscallTable::SyscallTable() {
  register_memory_syscalls(*this);
  register_file_syscalls(*this);
  register_process_syscalls(*this);
  register_futex_syscalls(*this);
  register_clone_syscalls(*this);
  register_signal_syscalls(*this);
  register_info_syscalls(*this);
  register_credential_syscalls(*this);
  register_file_system_info_syscalls(*this);
  register_socket_syscalls(*this);
  register_timer_syscalls(*this);
  register_memory_policy_syscalls(*this);
  register_poll_syscalls(*this);
  register_select_syscalls(*this);
  register_epoll_syscalls(*this);
}

}  // namespace vmlab::os
