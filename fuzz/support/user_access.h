// User-mode memory accesses made the way the emulator's CPU makes them: translated by the
// modelled MMU in user mode, a #PF (or #GP) handed to the kernel, the access retried after a
// resolved fault, and the bytes moved to or from the frame the translation named.
#pragma once

#include <cstdint>
#include <span>

#include "mmu/paging.h"

namespace vmlab::fuzz {

class GuestMachine;

// Reads (access kRead), writes (kWrite) or fetches (kFetch, `data` unused) `data.size()` bytes
// at `va` for process `pid`, page by page. False when the access did not complete: the process
// is gone, or the kernel answered with a signal. Reports a livelock (the kernel resolving a
// fault that the retried access raises again, forever) through fail().
bool user_access(GuestMachine& machine, int pid, uint64_t va, mmu::Access access,
                 std::span<uint8_t> data, uint64_t rip);

}  // namespace vmlab::fuzz
