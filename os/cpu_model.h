// The processor the guest sees through the cpuid instruction: Unicorn 2.1's default x86-64
// model (QEMU's qemu64, as Unicorn configures it). /proc/cpuinfo describes it; the e2e test
// of /proc/cpuinfo compares this table with what cpuid answers inside the guest.
#pragma once

#include <cstdint>
#include <string>

namespace vmlab::os {

struct CpuModel {
  const char* vendor;
  unsigned family, model, stepping;
  const char* name;
  unsigned cpuid_level;  // highest basic leaf
  // Feature registers: leaf 1 EDX/ECX, leaf 0x80000001 EDX/ECX, leaf 7 subleaf 0 EBX.
  uint32_t leaf1_edx, leaf1_ecx, ext_edx, ext_ecx, leaf7_ebx;
  unsigned physical_address_bits, virtual_address_bits;
  unsigned clflush_bytes;
};

const CpuModel& modelled_cpu();

// The flags line of /proc/cpuinfo: Linux's names of the feature bits the model reports, in
// Linux's order (leaf 1 EDX, 0x80000001 EDX, leaf 1 ECX, 0x80000001 ECX, leaf 7 EBX).
std::string cpu_flags(const CpuModel& cpu);

}  // namespace vmlab::os
