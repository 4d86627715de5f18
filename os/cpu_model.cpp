#include "os/cpu_model.h"

#include "os/cpu_flag_names.inc"

namespace vmlab::os {

namespace {

void append_flags(std::string& out, uint32_t value, const char* const (&names)[32]) {
  for (int bit = 0; bit < 32; ++bit) {
    if (((value >> bit) & 1) == 0 || names[bit][0] == '\0') continue;
    if (!out.empty()) out += ' ';
    out += names[bit];
  }
}

// What cpuid answers inside the guest (guests/src/cpuid_info.c prints it). No PCID (vmlab's
// TLB model tags entries with PCIDs, but the guest runs at CPL 3 and cannot load CR3) and no
// Page1GB (the MMU model walks 1 GiB pages the kernel maps, but CPUID does not offer them).
constexpr CpuModel kQemu64{
    .vendor = "AuthenticAMD",
    .family = 6,
    .model = 6,
    .stepping = 3,
    .name = "QEMU Virtual CPU version 2.5+",
    .cpuid_level = 13,
    .leaf1_edx = 0x078bfbfd,
    .leaf1_ecx = 0x80002001,
    .ext_edx = 0x2193fbfd,
    .ext_ecx = 0x00000005,
    .leaf7_ebx = 0,
    .physical_address_bits = 40,
    .virtual_address_bits = 48,
    .clflush_bytes = 64,
};

}  // namespace

const CpuModel& modelled_cpu() {
  return kQemu64;
}

std::string cpu_flags(const CpuModel& cpu) {
  std::string out;
  append_flags(out, cpu.leaf1_edx, kLeaf1EdxNames);
  append_flags(out, cpu.ext_edx, kExtEdxNames);
  append_flags(out, cpu.leaf1_ecx, kLeaf1EcxNames);
  append_flags(out, cpu.ext_ecx, kExtEcxNames);
  append_flags(out, cpu.leaf7_ebx, kLeaf7EbxNames);
  return out;
}

}  // namespace vmlab::os
