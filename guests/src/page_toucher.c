/* Touches pages of a fresh anonymous mapping: page_toucher PAGES [STRIDE] [r|w|rw|wr] [ROUNDS].
   Every STRIDE-th page of a PAGES*STRIDE-page region is read (r), written (w), written then
   read (rw), or written in the first round and only read after that (wr), ROUNDS times.
   Freestanding, so the only faults besides the touched pages are the program's own start-up faults
   (code, data, stack). */
#include "rt.h"

enum { kPage = 4096 };

int main(int argc, char** argv) {
  if (argc < 2) {
    rt_puts("usage: page_toucher PAGES [STRIDE] [r|w|rw] [ROUNDS]\n");
    return 2;
  }
  const u64 pages = rt_parse(argv[1]);
  const u64 stride = argc > 2 ? rt_parse(argv[2]) : 1;
  const char* mode = argc > 3 ? argv[3] : "w";
  const u64 rounds = argc > 4 ? rt_parse(argv[4]) : 1;
  const int write_first = mode[0] == 'w' && mode[1] == 'r';
  const int do_write = mode[0] == 'w' || (mode[0] == 'r' && mode[1] == 'w');
  const int do_read = mode[0] == 'r' || write_first;
  if (pages == 0 || stride == 0) return 2;
  volatile unsigned char* region =
      rt_mmap(pages * stride * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  if ((i64)region < 0) {
    rt_puts("mmap failed\n");
    return 1;
  }
  u64 checksum = 0;
  for (u64 r = 0; r < rounds; ++r) {
    for (u64 i = 0; i < pages; ++i) {
      volatile unsigned char* p = region + i * stride * kPage;
      if (do_write && (!write_first || r == 0)) *p = (unsigned char)(i + r + 1);
      if (do_read && (!write_first || r > 0)) checksum += *p;
    }
  }
  rt_puts("touched ");
  rt_put_u64(pages);
  rt_puts(" pages x ");
  rt_put_u64(rounds);
  rt_puts(" rounds, checksum ");
  rt_put_u64(checksum);
  rt_puts("\n");
  return 0;
}
