/* belady [PAGE...]: touches (writes) pages of a 5-page region at 0x10000000 in the order
   given (1-based page numbers), by default the textbook string 1 2 3 4 1 2 5 1 2 3 4 5.
   Run with --limit-range 0x10000000-0x10005000=N to give the region exactly N frames. */
#include "rt.h"

enum { kPage = 4096, kPages = 5, MAP_FIXED_NOREPLACE = 0x100000 };
static const u64 kRegion = 0x10000000ul;

int main(int argc, char** argv) {
  volatile unsigned char* region = (volatile unsigned char*)rt_syscall(
      SYS_mmap, (i64)kRegion, kPages * kPage, PROT_READ | PROT_WRITE,
      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if ((u64)region != kRegion) {
    rt_puts("belady: cannot map the region\n");
    return 1;
  }
  static const char* const kTextbook[] = {"1", "2", "3", "4", "1", "2",
                                          "5", "1", "2", "3", "4", "5"};
  const int n = argc > 1 ? argc - 1 : (int)(sizeof kTextbook / sizeof kTextbook[0]);
  for (int i = 0; i < n; ++i) {
    const u64 page = rt_parse(argc > 1 ? argv[i + 1] : kTextbook[i]);
    if (page < 1 || page > kPages) return 2;
    region[(page - 1) * kPage] = (unsigned char)(i + 1);
  }
  rt_puts("belady: ");
  rt_put_u64((u64)n);
  rt_puts(" references\n");
  return 0;
}
