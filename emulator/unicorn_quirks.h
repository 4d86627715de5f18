// Workarounds for Unicorn 2.0.1 (Debian's libunicorn) that need its saved-context layout.
//
// 1. Unicorn never resets QEMU's `old_exception` after an exception handled in UC_HOOK_INTR,
//    so the second fault would arrive as a double fault (#DF) and the third stops emulation
//    silently. Writing -1 into the field of a saved context and restoring it fixes that.
// 2. The #PF error code is not exposed as a register; it sits in the same context.
// 3. The CPU model lacks the NX feature bit, so EFER.NXE cannot be set through WRMSR. Setting
//    it in a saved context makes QEMU's walker honour the XD bit (bit 63) like real hardware.
//
// The offsets below were measured on this Debian build; probe() proves them on the installed
// library at start-up and refuses to run with a clear message if they are wrong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

struct uc_struct;
struct uc_context;

namespace vmlab::emulator {

struct ContextLayout {
  size_t old_exception = 0;  // int32: QEMU CPUX86State::old_exception, in the saved blob
  size_t error_code = 0;     // int32: CPUX86State::error_code
  size_t efer = 0;           // uint64: CPUX86State::efer
};

// Verifies the layout on a scratch engine. Throws std::runtime_error explaining what differs.
const ContextLayout& context_layout();

// Reads the error code of the exception being delivered, from inside UC_HOOK_INTR.
uint32_t exception_error_code(uc_struct* uc, uc_context* scratch);
// Makes the next exception arrive as itself (not #DF); call inside UC_HOOK_INTR after reading
// whatever the context holds.
void clear_exception_state(uc_struct* uc, uc_context* scratch);
// Turns on EFER.NXE (execute-disable) in the engine.
void enable_no_execute(uc_struct* uc, uc_context* scratch);

}  // namespace vmlab::emulator
