/* cpuid_info: what the CPU reports through the cpuid instruction, in /proc/cpuinfo's words:
   vendor_id, cpu family, model, model name, stepping, cpuid level, the flags of CPUID leaves
   1, 0x80000001 and 7 under Linux's names in Linux's order, and the address sizes, in the
   order /proc/cpuinfo has them. A test compares it with the /proc/cpuinfo vmlab generates. */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>

#include "os/cpu_flag_names.inc"

static void flags(unsigned value, const char* const names[32]) {
  for (int bit = 0; bit < 32; ++bit)
    if ((value >> bit) & 1 && names[bit][0] != 0) printf(" %s", names[bit]);
}

int main(void) {
  unsigned a, b, c, d;
  char vendor[13] = {0};
  __cpuid(0, a, b, c, d);
  const unsigned max_leaf = a;
  memcpy(vendor, &b, 4);
  memcpy(vendor + 4, &d, 4);
  memcpy(vendor + 8, &c, 4);
  printf("vendor_id\t: %s\n", vendor);
  __cpuid(1, a, b, c, d);
  const unsigned l1_ecx = c, l1_edx = d;
  unsigned family = (a >> 8) & 0xf, model = (a >> 4) & 0xf;
  if (family == 0xf) family += (a >> 20) & 0xff;
  if (family >= 6) model += ((a >> 16) & 0xf) << 4;
  printf("cpu family\t: %u\nmodel\t\t: %u\n", family, model);
  char name[49] = {0};
  for (unsigned i = 0; i < 3; ++i) {
    __cpuid(0x80000002 + i, a, b, c, d);
    memcpy(name + 16 * i, &a, 4);
    memcpy(name + 16 * i + 4, &b, 4);
    memcpy(name + 16 * i + 8, &c, 4);
    memcpy(name + 16 * i + 12, &d, 4);
  }
  printf("model name\t: %s\n", name);
  __cpuid(1, a, b, c, d);
  printf("stepping\t: %u\n", a & 0xf);
  printf("cpuid level\t: %u\n", max_leaf);
  unsigned e_ecx = 0, e_edx = 0, l7_ebx = 0;
  __cpuid(0x80000001, a, b, e_ecx, e_edx);
  if (max_leaf >= 7) __cpuid_count(7, 0, a, l7_ebx, c, d);
  printf("flags\t\t:");
  flags(l1_edx, kLeaf1EdxNames);
  flags(e_edx, kExtEdxNames);
  flags(l1_ecx, kLeaf1EcxNames);
  flags(e_ecx, kExtEcxNames);
  flags(l7_ebx, kLeaf7EbxNames);
  printf("\n");
  __cpuid(0x80000008, a, b, c, d);
  printf("address sizes\t: %u bits physical, %u bits virtual\n", a & 0xff, (a >> 8) & 0xff);
  return 0;
}
