// NUMA memory policy on a machine of one node (os/sysfs.h: node0 holds all RAM):
// get_mempolicy reports the default policy, node 0 for every mapped address, and node 0 as the
// only allowed node, as Linux does on a single-node machine. set_mempolicy and mbind stay
// ENOSYS: no policy but the default can be set, so none other is ever reported.
#include <linux/mempolicy.h>
#include <sys/syscall.h>

#include <cerrno>
#include <vector>

#include "os/kernel.h"
#include "os/syscalls/syscall_table.h"

namespace vmlab::os {

namespace {

constexpr uint64_t kNodes = 1;  // nr_node_ids
constexpr uint64_t kBitsPerLong = 64;
constexpr uint64_t kMaxMaskBytes = 4096;  // Linux refuses a mask longer than a page

// copy_nodes_to_user: `maxnode - 1` bits rounded up to longs, node 0 set if `node0`.
int copy_nodes(SyscallContext& c, uint64_t pointer, uint64_t maxnode, bool node0) {
  if (pointer == 0) return 0;
  if (maxnode < kNodes) return -EINVAL;
  const uint64_t longs = (maxnode - 1) / kBitsPerLong + ((maxnode - 1) % kBitsPerLong != 0);
  if (longs * sizeof(uint64_t) > kMaxMaskBytes) return -EINVAL;
  std::vector<uint64_t> mask(longs);
  if (node0 && !mask.empty()) mask[0] = 1;
  const auto* bytes = reinterpret_cast<const uint8_t*>(mask.data());
  return c.user().write(pointer, {bytes, mask.size() * sizeof(uint64_t)}) ? 0 : -EFAULT;
}

// get_mempolicy(int *mode, unsigned long *nodemask, unsigned long maxnode, void *addr,
// unsigned long flags).
int64_t sys_get_mempolicy(SyscallContext& c) {
  const uint64_t flags = c.arg(4);
  if ((flags & ~uint64_t{MPOL_F_NODE | MPOL_F_ADDR | MPOL_F_MEMS_ALLOWED}) != 0) return -EINVAL;
  int32_t mode = MPOL_DEFAULT;
  bool node0 = false;  // the default policy has an empty node mask
  if (flags & MPOL_F_MEMS_ALLOWED) {
    if (flags & (MPOL_F_NODE | MPOL_F_ADDR)) return -EINVAL;
    node0 = true;
  } else if (flags & MPOL_F_ADDR) {
    if (!c.process.has_space() || c.process.space().find_vma(c.arg(3)) == nullptr) return -EFAULT;
    // MPOL_F_NODE with it: the node the page is on, always 0.
  } else if (flags & MPOL_F_NODE) {
    return -EINVAL;  // the next interleave node: the default policy does not interleave
  }
  if (c.arg(0) != 0 && !c.user().write_value(c.arg(0), mode)) return -EFAULT;
  return copy_nodes(c, c.arg(1), c.arg(2), node0);
}

}  // namespace

void register_memory_policy_syscalls(SyscallTable& table) {
  table.add(SYS_get_mempolicy, sys_get_mempolicy);
}

}  // namespace vmlab::os
