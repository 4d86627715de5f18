// pagemap: what /proc/self/pagemap says about each kind of page, at fixed addresses (so that
// `vmlab run --limit-range` can name one region):
//   untouched  a page of an anonymous mapping never touched: no entry
//   zero       a page only read: the shared zero page, present but not this mapping's alone;
//              a second page only read maps the same frame
//   written    a page written: present, mapped here only
//   prot_none  a page written, then mprotect(PROT_NONE): still present, it keeps its frame
//   shared     a MAP_SHARED|MAP_ANONYMOUS page written: shared memory counts as a file page
//   text       the page of main(): a page of the program's file
//   swap       8 pages written: under a --limit-range of 2 pages with swap, 6 are swapped
//   huge       a 2 MiB region advised MADV_HUGEPAGE, written once: whether its first two
//              pages lie in consecutive frames (a transparent huge page)
//   unmapped   a page just munmap()ed: no VMA, no bit at all
// Then a fork: the child sees the parent's written page shared (not exclusive, the same frame)
// until it writes it (its own copy, another frame), and a descriptor inherited from the parent
// still reads the parent's pages: the file belongs to the address space it was opened for.
// Last, the rules of reading the file: offsets and lengths are multiples of 8, and nothing
// lies past the top of user space.
// Frame numbers are shown only to a reader with CAP_SYS_ADMIN; the output says whether they
// were, and names no frame itself, so that it can be compared with a native run. With the
// argument `raw` it also prints "raw NAME VA ENTRY" (hex) for the pages above and then calls
// getppid(), where a script under vmlab (tests/e2e/1560) reads the same entries from the
// machine.
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL
#define HUGE (2UL << 20)
#define TASK_SIZE 0x7ffffffff000UL

#define PM_FRAME_MASK ((1ULL << 55) - 1)
#define PM_EXCLUSIVE (1ULL << 56)
#define PM_FILE (1ULL << 61)
#define PM_SWAPPED (1ULL << 62)
#define PM_PRESENT (1ULL << 63)

static int pagemap = -1;  // this process's /proc/self/pagemap

static void *map_at(unsigned long addr, unsigned long length, int flags) {
  void *p = mmap((void *)addr, length, PROT_READ | PROT_WRITE,
                 flags | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p != (void *)addr) {
    perror("mmap");
    exit(1);
  }
  return p;
}

static int open_pagemap(void) {
  const int fd = open("/proc/self/pagemap", O_RDONLY);
  if (fd < 0) {
    perror("open /proc/self/pagemap");
    exit(1);
  }
  return fd;
}

static uint64_t entry_in(int fd, const volatile void *va) {
  uint64_t e = 0;
  const off_t at = (off_t)((uintptr_t)va / PAGE * sizeof e);
  if (pread(fd, &e, sizeof e, at) != (ssize_t)sizeof e) {
    perror("pread pagemap");
    exit(1);
  }
  return e;
}

static uint64_t entry(const volatile void *va) {
  return entry_in(pagemap, va);
}

// The flags of an entry by name. Soft-dirty (bit 55) is left out: it needs
// CONFIG_MEM_SOFT_DIRTY, which not every kernel has.
static void show(const char *name, uint64_t e) {
  printf("%-10s", name);
  if (e & PM_PRESENT) printf(" present");
  if (e & PM_SWAPPED) printf(" swapped");
  if (e & PM_FILE) printf(" file");
  if (e & PM_EXCLUSIVE) printf(" exclusive");
  if ((e & (PM_PRESENT | PM_SWAPPED)) == 0) printf(" -");
  printf("\n");
}

static int same_frame(uint64_t a, uint64_t b) {
  return (a & PM_FRAME_MASK) == (b & PM_FRAME_MASK);
}

static const char *yes_no(int b) {
  return b ? "yes" : "no";
}

static void read_rules(void) {
  uint64_t buf[2];
  ssize_t n = pread(pagemap, buf, 8, 4);
  printf("offset 4: %zd %s\n", n, n < 0 ? strerror(errno) : "");
  n = pread(pagemap, buf, 4, 0);
  printf("length 4: %zd %s\n", n, n < 0 ? strerror(errno) : "");
  const off_t top = (off_t)(TASK_SIZE / PAGE * 8);
  printf("16 bytes before the top: %zd\n", pread(pagemap, buf, 16, top - 8));
  printf("at the top: %zd\n", pread(pagemap, buf, 8, top));
  printf("far past the top: %zd\n", pread(pagemap, buf, 8, top * 4));
  printf("lseek to the top: %s\n", yes_no(lseek(pagemap, top, SEEK_SET) == top));
}

int main(int argc, char **argv) {
  const int raw = argc > 1 && strcmp(argv[1], "raw") == 0;
  pagemap = open_pagemap();
  volatile unsigned char *anon = map_at(0x200000000UL, 8 * PAGE, MAP_PRIVATE);
  volatile unsigned char *shared = map_at(0x201000000UL, PAGE, MAP_SHARED);
  volatile unsigned char *swap = map_at(0x202000000UL, 8 * PAGE, MAP_PRIVATE);
  volatile unsigned char *huge = map_at(0x240000000UL, 2 * HUGE, MAP_PRIVATE);
  if (madvise((void *)huge, HUGE, MADV_HUGEPAGE) != 0) perror("madvise");

  volatile unsigned char *untouched = anon, *zero = anon + PAGE, *written = anon + 2 * PAGE;
  volatile unsigned char *prot_none = anon + 3 * PAGE, *zero2 = anon + 4 * PAGE;
  volatile unsigned char *unmapped = anon + 7 * PAGE;
  unsigned sum = zero[0] + zero2[0];
  written[0] = 1;
  prot_none[0] = 1;
  if (mprotect((void *)prot_none, PAGE, PROT_NONE) != 0) perror("mprotect");
  shared[0] = 1;
  for (unsigned long i = 0; i < 8; ++i) swap[i * PAGE] = 1;
  huge[0] = 1;
  huge[PAGE] = 1;
  if (munmap((void *)unmapped, PAGE) != 0) perror("munmap");

  // Read before anything is printed: stdio's first use touches pages of its own.
  const uint64_t e_untouched = entry(untouched), e_zero = entry(zero), e_written = entry(written);
  const uint64_t e_zero2 = entry(zero2);
  const uint64_t e_prot_none = entry(prot_none), e_shared = entry(shared);
  const uint64_t e_text = entry((const void *)(uintptr_t)&main), e_unmapped = entry(unmapped);
  const uint64_t e_swap_first = entry(swap), e_swap_last = entry(swap + 7 * PAGE);
  const uint64_t e_huge0 = entry(huge), e_huge1 = entry(huge + PAGE);

  const int frames_shown = (e_written & PM_FRAME_MASK) != 0;
  printf("frames shown: %s (zero-page reads sum %u)\n", yes_no(frames_shown), sum);
  show("untouched", e_untouched);
  show("zero", e_zero);
  show("written", e_written);
  show("prot_none", e_prot_none);
  show("shared", e_shared);
  show("text", e_text & ~PM_EXCLUSIVE);  // other processes may run this program
  show("swap[0]", e_swap_first);
  show("swap[7]", e_swap_last);
  show("unmapped", e_unmapped);
  if (frames_shown)
    printf("huge: consecutive frames %s\n",
           yes_no((e_huge1 & PM_FRAME_MASK) == (e_huge0 & PM_FRAME_MASK) + 1));
  if (frames_shown) printf("zero pages: one frame %s\n", yes_no(same_frame(e_zero, e_zero2)));
  if (raw) {
    const struct {
      const char *name;
      const volatile void *va;
      uint64_t entry;
    } pages[] = {{"zero", zero, e_zero},           {"written", written, e_written},
                 {"prot_none", prot_none, e_prot_none}, {"shared", shared, e_shared},
                 {"swap0", swap, e_swap_first},      {"swap7", swap + 7 * PAGE, e_swap_last},
                 {"huge0", huge, e_huge0},           {"huge1", huge + PAGE, e_huge1}};
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; ++i)
      printf("raw %s %lx %llx\n", pages[i].name, (unsigned long)(uintptr_t)pages[i].va,
             (unsigned long long)pages[i].entry);
    fflush(stdout);
    getppid();
  }
  fflush(stdout);

  int ready[2], go[2];
  if (pipe(ready) != 0 || pipe(go) != 0) return 1;
  const pid_t child = fork();
  if (child == 0) {
    close(ready[0]);
    close(go[1]);
    const int own = open_pagemap();
    const uint64_t before = entry_in(own, written);
    written[0] = 2;
    const uint64_t after = entry_in(own, written), parents = entry(written);
    show("child, before its write", before);
    show("child, after its write", after);
    show("child, through the parent's descriptor", parents);
    if (frames_shown) {
      printf("child, before: the parent's frame %s\n", yes_no(same_frame(before, e_written)));
      printf("child, after: the parent's frame %s\n", yes_no(same_frame(after, e_written)));
      printf("child, through the parent's descriptor: the parent's frame %s\n",
             yes_no(same_frame(parents, e_written)));
    }
    fflush(stdout);
    if (write(ready[1], "r", 1) != 1) _exit(1);
    char c;
    if (read(go[0], &c, 1) != 1) _exit(1);
    _exit(0);
  }
  // Without its own copies of the child's ends, the parent reads EOF if the child dies early.
  close(ready[1]);
  close(go[0]);
  char c;
  if (read(ready[0], &c, 1) != 1) return 1;
  show("parent, the child's copy made", entry(written));
  fflush(stdout);
  if (write(go[1], "g", 1) != 1) return 1;
  waitpid(child, NULL, 0);

  read_rules();
  return 0;
}
