#include "os/cpu_model.h"

namespace vmlab::os {

namespace {

// Linux's names of the feature bits (arch/x86/include/asm/cpufeatures.h); "" is unnamed.
constexpr const char* kLeaf1Edx[32] = {
    "fpu",  "vme",  "de",   "pse", "tsc",  "msr", "pae",   "mce", "cx8",     "apic", "",
    "sep",  "mtrr", "pge",  "mca", "cmov", "pat", "pse36", "pn",  "clflush", "",     "dts",
    "acpi", "mmx",  "fxsr", "sse", "sse2", "ss",  "ht",    "tm",  "ia64",    "pbe"};
constexpr const char* kExtEdx[32] = {
    "",        "", "", "",         "",        "",       "", "",   "",         "",     "",
    "syscall", "", "", "",         "",        "",       "", "",   "mp",       "nx",   "",
    "mmxext",  "", "", "fxsr_opt", "pdpe1gb", "rdtscp", "", "lm", "3dnowext", "3dnow"};
constexpr const char* kLeaf1Ecx[32] = {
    "pni",    "pclmulqdq", "dtes64", "monitor", "ds_cpl",
    "vmx",    "smx",       "est",    "tm2",     "ssse3",
    "cid",    "sdbg",      "fma",    "cx16",    "xtpr",
    "pdcm",   "",          "pcid",   "dca",     "sse4_1",
    "sse4_2", "x2apic",    "movbe",  "popcnt",  "tsc_deadline_timer",
    "aes",    "xsave",     "",       "avx",     "f16c",
    "rdrand", "hypervisor"};
constexpr const char* kExtEcx[32] = {"lahf_lm",
                                     "cmp_legacy",
                                     "svm",
                                     "extapic",
                                     "cr8_legacy",
                                     "abm",
                                     "sse4a",
                                     "misalignsse",
                                     "3dnowprefetch",
                                     "osvw",
                                     "ibs",
                                     "xop",
                                     "skinit",
                                     "wdt",
                                     "",
                                     "lwp",
                                     "fma4",
                                     "tce",
                                     "",
                                     "nodeid_msr",
                                     "",
                                     "tbm",
                                     "topoext",
                                     "perfctr_core",
                                     "perfctr_nb",
                                     "",
                                     "bpext",
                                     "ptsc",
                                     "perfctr_llc",
                                     "mwaitx",
                                     "",
                                     ""};
constexpr const char* kLeaf7Ebx[32] = {
    "fsgsbase",   "tsc_adjust", "sgx",        "bmi1",     "hle",      "avx2",     "",
    "smep",       "bmi2",       "erms",       "invpcid",  "rtm",      "",         "",
    "mpx",        "",           "avx512f",    "avx512dq", "rdseed",   "adx",      "smap",
    "avx512ifma", "",           "clflushopt", "clwb",     "intel_pt", "avx512pf", "avx512er",
    "avx512cd",   "sha_ni",     "avx512bw",   "avx512vl"};

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
  append_flags(out, cpu.leaf1_edx, kLeaf1Edx);
  append_flags(out, cpu.ext_edx, kExtEdx);
  append_flags(out, cpu.leaf1_ecx, kLeaf1Ecx);
  append_flags(out, cpu.ext_ecx, kExtEcx);
  append_flags(out, cpu.leaf7_ebx, kLeaf7Ebx);
  return out;
}

}  // namespace vmlab::os
