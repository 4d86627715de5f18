// residency: what mincore(2) and /proc/self/status say about four kinds of pages, at fixed
// addresses (so that `vmlab run --limit-range` can name one region):
//   prot_none  4 pages written, then mprotect(PROT_NONE): resident, in core
//   zero       4 pages only read: the shared zero page, in core but in no RSS
//   swap       8 pages written: under a --limit-range of 2 pages with swap, 6 go to swap
//   huge       one byte written in a 2 MiB region advised MADV_HUGEPAGE: a transparent huge
//              page where THP is available (512 pages in core and resident), else one page
// Prints "NAME in_core/pages" per region, then VmRSS, RssAnon and VmSwap (kB) before and after
// the regions were touched. Last, it calls getppid(): a script under vmlab (tests/e2e/550)
// reads the machine's view of the same regions at that call, and VmRSS just before it.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <fcntl.h>

#define PAGE 4096UL
#define HUGE (2UL << 20)

static unsigned char vec[HUGE / PAGE];
static char status[8192];

static void *map_at(unsigned long addr, unsigned long length) {
  void *p = mmap((void *)addr, length, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p != (void *)addr) {
    perror("mmap");
    exit(1);
  }
  return p;
}

static unsigned long in_core(void *start, unsigned long pages) {
  if (mincore(start, pages * PAGE, vec) != 0) {
    perror("mincore");
    exit(1);
  }
  unsigned long n = 0;
  for (unsigned long i = 0; i < pages; ++i)
    n += vec[i] & 1;
  return n;
}

// A field of /proc/self/status in kB, read with plain system calls into a static buffer so
// that reading it touches no new page.
static long status_kb(const char *name) {
  int fd = open("/proc/self/status", O_RDONLY);
  ssize_t n = fd < 0 ? -1 : read(fd, status, sizeof status - 1);
  if (fd >= 0) close(fd);
  if (n <= 0) return -1;
  status[n] = 0;
  char *line = strstr(status, name);
  return line ? atol(line + strlen(name) + 1) : -1;
}

int main(void) {
  volatile unsigned char *prot_none = map_at(0x200000000UL, 4 * PAGE);
  volatile unsigned char *zero = map_at(0x201000000UL, 4 * PAGE);
  volatile unsigned char *swap = map_at(0x202000000UL, 8 * PAGE);
  volatile unsigned char *huge = map_at(0x240000000UL, 2 * HUGE);
  if (madvise((void *)huge, HUGE, MADV_HUGEPAGE) != 0) perror("madvise");
  in_core((void *)prot_none, 1);  // touches vec and status before the first measurement
  const long rss0 = status_kb("VmRSS"), anon0 = status_kb("RssAnon");

  for (unsigned long i = 0; i < 4; ++i) prot_none[i * PAGE] = 1;
  if (mprotect((void *)prot_none, 4 * PAGE, PROT_NONE) != 0) perror("mprotect");
  unsigned sum = 0;
  for (unsigned long i = 0; i < 4; ++i) sum += zero[i * PAGE];
  for (unsigned long i = 0; i < 8; ++i) swap[i * PAGE] = 1;
  huge[0] = 1;

  // Measured before anything is printed: stdio's first use touches pages of its own.
  const unsigned long core_prot_none = in_core((void *)prot_none, 4);
  const unsigned long core_zero = in_core((void *)zero, 4);
  const unsigned long core_swap = in_core((void *)swap, 8);
  const unsigned long core_huge = in_core((void *)huge, 512);
  const long rss = status_kb("VmRSS"), anon = status_kb("RssAnon"), swapped = status_kb("VmSwap");
  printf("prot_none %lu/4\n", core_prot_none);
  printf("zero %lu/4 (sum %u)\n", core_zero, sum);
  printf("swap %lu/8\n", core_swap);
  printf("huge %lu/512\n", core_huge);
  printf("VmRSS %ld -> %ld kB, RssAnon %ld -> %ld kB, VmSwap %ld kB\n", rss0, rss, anon0, anon,
         swapped);
  fflush(stdout);
  // Nothing is touched between this reading and the call the script watches.
  const long at_call = status_kb("VmRSS");
  getppid();
  printf("VmRSS at getppid %ld kB\n", at_call);
  return 0;
}
