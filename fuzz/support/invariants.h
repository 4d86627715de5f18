// What must hold while the guest kernel runs and once it has shut down, whatever the guest did:
// consistent memory bookkeeping; then every process gone, every frame back in the allocator
// with no reference or mapping left, no swap slot or page-cache page still held. A violation is
// reported through fail() with a dump.
#pragma once

#include <string>

namespace vmlab::fuzz {

class GuestMachine;

// The kernel's own cross-examination of its memory bookkeeping (os/memory_invariants.h: frames
// vs page tables, reference counts vs reverse maps, swap slots vs owners), as --check runs it.
// Only between time slices.
void check_bookkeeping(GuestMachine& machine, const std::string& context);

// Shuts the kernel down and checks. `context` describes the input for the dump.
void shut_down_and_check(GuestMachine& machine, const std::string& context);

}  // namespace vmlab::fuzz
