// The kernel's memory bookkeeping, cross-examined (run by --check at the end of every run).
//
// Page tables, the frame table, the page cache, the swap device and the buddy allocator each
// record part of the same facts; they must agree:
//   - every frame in use is reachable: a page table, a page some PTE maps, a page-cache page,
//     a swap-cache page, the zero page or the kernel's own (otherwise it leaked);
//   - a frame's reverse map lists exactly the PTEs that map it, and its reference count is
//     one per mapping (plus the page cache's own for file pages);
//   - a swap slot's reference count is one per swap entry plus the swap cache's, and the
//     device's used count is the number of referenced slots;
//   - the buddy allocator's free frames are exactly the frames marked free;
//   - each space's resident and swapped counters equal what its page tables hold
//     (os/residency.h).
#pragma once

#include <string>
#include <vector>

namespace vmlab::os {

class Kernel;

// Every violation found, one line each (empty when the bookkeeping is consistent). Call only
// between time slices: a fault handler in progress legitimately holds extra references.
std::vector<std::string> check_memory_invariants(Kernel& kernel);

}  // namespace vmlab::os
