// Test support: what Unicorn does not expose about the CPU the paging harness runs, measured
// once per process on a scratch engine (no paging; Unicorn's initial 64-bit ring-0 state): the
// CPUID of the CPU model the harness selects, and where the saved context (uc_context) keeps
// QEMU's exception error code, found by provoking #GP(selector) with two known selectors. The
// measurement fails with a clear message when Unicorn does not behave as expected.
#pragma once

#include <unicorn/unicorn.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace vmlab::testing {

// `hlt`: at CPL 3 it raises #GP, which ends a run where the harness wants it to end.
constexpr uint8_t kHlt = 0xf4;

// The CPU model the harness runs, as measured at start-up.
struct CpuFacts {
  int model = 0;                      // the uc_cpu_x86 value selected with uc_ctl_set_cpu_model
  bool no_execute = false;            // CPUID.80000001H:EDX.NX
  bool one_gib_pages = false;         // CPUID.80000001H:EDX.Page1GB
  uint8_t physical_address_bits = 0;  // CPUID.80000008H:EAX[7:0], MAXPHYADDR
  size_t error_code_offset = 0;       // of CPUX86State::error_code (int32) in a saved uc_context
};
// Measures once and caches. Throws std::runtime_error when Unicorn does not behave as expected.
const CpuFacts& cpu_facts();

// QEMU's error code of the last exception, from a context saved (uc_context_save) in the
// interrupt hook: Unicorn has no register for it.
uint32_t read_error_code(const uc_context* context);

// Throws std::runtime_error with `what` and Unicorn's message unless `err` is UC_ERR_OK.
void check(uc_err err, const std::string& what);

}  // namespace vmlab::testing
