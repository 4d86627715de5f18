// User and group IDs (credentials(7)): get/set of the real, effective, saved and file-system
// IDs and the supplementary groups, with the rules of setuid(2), setreuid(2), setresuid(2) and
// setfsuid(2). A process whose effective UID is 0 holds CAP_SETUID and CAP_SETGID.
#include <sys/syscall.h>

#include <cerrno>
#include <cstdint>
#include <initializer_list>

#include "os/kernel.h"
#include "os/syscalls/syscall_table.h"

namespace vmlab::os {

namespace {

constexpr uint32_t kUnchanged = ~uint32_t{0};  // (uid_t)-1: "leave this ID alone"
constexpr uint64_t kMaxGroups = 65536;         // NGROUPS_MAX

// One family of IDs (user or group) of a process, so the rules are written once.
struct IdSet {
  uint32_t& real;
  uint32_t& effective;
  uint32_t& saved;
  uint32_t& fs;
};

IdSet user_ids(Credentials& c) {
  return {c.ruid, c.euid, c.suid, c.fsuid};
}
IdSet group_ids(Credentials& c) {
  return {c.rgid, c.egid, c.sgid, c.fsgid};
}
bool privileged(const Process& p) {
  return p.credentials.euid == 0;
}
uint32_t id_arg(const SyscallContext& c, int i) {
  return static_cast<uint32_t>(c.arg(i));
}
// An unprivileged process may only pick an ID it already holds as real, effective or saved.
bool held(const IdSet& ids, uint32_t id) {
  return id == ids.real || id == ids.effective || id == ids.saved;
}

// setuid/setgid: a privileged caller sets all three; others only the effective ID, to the
// real or saved one.
int64_t set_one(IdSet ids, bool privileged, uint32_t id) {
  if (id == kUnchanged) return -EINVAL;
  if (privileged) {
    ids.real = ids.saved = id;
  } else if (id != ids.real && id != ids.saved) {
    return -EPERM;
  }
  ids.effective = ids.fs = id;
  return 0;
}

// setreuid/setregid.
int64_t set_real_effective(IdSet ids, bool privileged, uint32_t real, uint32_t effective) {
  if (!privileged) {
    if (real != kUnchanged && real != ids.real && real != ids.effective) return -EPERM;
    if (effective != kUnchanged && !held(ids, effective)) return -EPERM;
  }
  const uint32_t old_real = ids.real;
  if (real != kUnchanged) ids.real = real;
  if (effective != kUnchanged) ids.effective = effective;
  // The saved ID follows the effective one when the real ID is set, or the effective ID is
  // set to something other than the previous real ID.
  if (real != kUnchanged || (effective != kUnchanged && effective != old_real))
    ids.saved = ids.effective;
  ids.fs = ids.effective;
  return 0;
}

// setresuid/setresgid.
int64_t set_all(IdSet ids, bool privileged, uint32_t real, uint32_t effective, uint32_t saved) {
  if (!privileged) {
    for (uint32_t id : {real, effective, saved})
      if (id != kUnchanged && !held(ids, id)) return -EPERM;
  }
  if (real != kUnchanged) ids.real = real;
  if (effective != kUnchanged) ids.effective = effective;
  if (saved != kUnchanged) ids.saved = saved;
  ids.fs = ids.effective;
  return 0;
}

// setfsuid/setfsgid: always returns the previous ID, and changes it only when allowed.
int64_t set_fs(IdSet ids, bool privileged, uint32_t id) {
  const uint32_t previous = ids.fs;
  if (id != kUnchanged && (privileged || held(ids, id) || id == ids.fs)) ids.fs = id;
  return previous;
}

int64_t get_all(SyscallContext& c, const IdSet& ids) {
  UserMemory user = c.user();
  return user.write_value(c.arg(0), ids.real) && user.write_value(c.arg(1), ids.effective) &&
                 user.write_value(c.arg(2), ids.saved)
             ? 0
             : -EFAULT;
}

int64_t sys_getuid(SyscallContext& c) {
  return c.process.credentials.ruid;
}
int64_t sys_geteuid(SyscallContext& c) {
  return c.process.credentials.euid;
}
int64_t sys_getgid(SyscallContext& c) {
  return c.process.credentials.rgid;
}
int64_t sys_getegid(SyscallContext& c) {
  return c.process.credentials.egid;
}
int64_t sys_getresuid(SyscallContext& c) {
  return get_all(c, user_ids(c.process.credentials));
}
int64_t sys_getresgid(SyscallContext& c) {
  return get_all(c, group_ids(c.process.credentials));
}
int64_t sys_setuid(SyscallContext& c) {
  return set_one(user_ids(c.process.credentials), privileged(c.process), id_arg(c, 0));
}
int64_t sys_setgid(SyscallContext& c) {
  return set_one(group_ids(c.process.credentials), privileged(c.process), id_arg(c, 0));
}
int64_t sys_setreuid(SyscallContext& c) {
  return set_real_effective(user_ids(c.process.credentials), privileged(c.process), id_arg(c, 0),
                            id_arg(c, 1));
}
int64_t sys_setregid(SyscallContext& c) {
  return set_real_effective(group_ids(c.process.credentials), privileged(c.process), id_arg(c, 0),
                            id_arg(c, 1));
}
int64_t sys_setresuid(SyscallContext& c) {
  return set_all(user_ids(c.process.credentials), privileged(c.process), id_arg(c, 0), id_arg(c, 1),
                 id_arg(c, 2));
}
int64_t sys_setresgid(SyscallContext& c) {
  return set_all(group_ids(c.process.credentials), privileged(c.process), id_arg(c, 0),
                 id_arg(c, 1), id_arg(c, 2));
}
int64_t sys_setfsuid(SyscallContext& c) {
  return set_fs(user_ids(c.process.credentials), privileged(c.process), id_arg(c, 0));
}
int64_t sys_setfsgid(SyscallContext& c) {
  return set_fs(group_ids(c.process.credentials), privileged(c.process), id_arg(c, 0));
}

// getgroups(size, list): size 0 asks for the count only.
int64_t sys_getgroups(SyscallContext& c) {
  const std::vector<uint32_t>& groups = c.process.credentials.groups;
  if (c.int_arg(0) < 0) return -EINVAL;
  const auto size = static_cast<uint64_t>(c.int_arg(0));
  if (size == 0) return static_cast<int64_t>(groups.size());
  if (size < groups.size()) return -EINVAL;
  if (!groups.empty() && !c.user().write(c.arg(1), {reinterpret_cast<const uint8_t*>(groups.data()),
                                                    groups.size() * sizeof(uint32_t)}))
    return -EFAULT;
  return static_cast<int64_t>(groups.size());
}

int64_t sys_setgroups(SyscallContext& c) {
  const uint64_t size = c.arg(0);
  if (size > kMaxGroups) return -EINVAL;
  if (!privileged(c.process)) return -EPERM;
  std::vector<uint32_t> groups(size);
  if (size != 0 && !c.user().read(c.arg(1), {reinterpret_cast<uint8_t*>(groups.data()),
                                             size * sizeof(uint32_t)}))
    return -EFAULT;
  c.process.credentials.groups = std::move(groups);
  return 0;
}

}  // namespace

void register_credential_syscalls(SyscallTable& table) {
  table.add(SYS_getuid, sys_getuid);
  table.add(SYS_geteuid, sys_geteuid);
  table.add(SYS_getgid, sys_getgid);
  table.add(SYS_getegid, sys_getegid);
  table.add(SYS_getresuid, sys_getresuid);
  table.add(SYS_getresgid, sys_getresgid);
  table.add(SYS_setuid, sys_setuid);
  table.add(SYS_setgid, sys_setgid);
  table.add(SYS_setreuid, sys_setreuid);
  table.add(SYS_setregid, sys_setregid);
  table.add(SYS_setresuid, sys_setresuid);
  table.add(SYS_setresgid, sys_setresgid);
  table.add(SYS_setfsuid, sys_setfsuid);
  table.add(SYS_setfsgid, sys_setfsgid);
  table.add(SYS_getgroups, sys_getgroups);
  table.add(SYS_setgroups, sys_setgroups);
}

}  // namespace vmlab::os
