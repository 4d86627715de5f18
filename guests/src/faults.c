/* Ends the way a buggy program does: faults NAME, with NAME one of
   null-read null-write ro-write nx-exec wild priv ud2 div0 int3 port stack-overflow ok.
   Freestanding, so the faulting instruction is exactly the one written here. */
#include "rt.h"

static const char kReadOnly[] = "read-only data";

/* Recursion the compiler cannot see is infinite: it stops only when the stack runs out. */
static int recurse(volatile char* p, int depth) {
  volatile char frame[512];
  frame[0] = (char)depth;
  if (depth >= 0) return recurse(frame, depth + 1) + p[0];
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    rt_puts(
        "usage: faults null-read|null-write|ro-write|nx-exec|wild|priv|ud2|div0|int3|port|"
        "stack-overflow|ok\n");
    return 2;
  }
  const char* what = argv[1];
  if (rt_streq(what, "null-read")) return *(volatile int*)0;
  if (rt_streq(what, "null-write")) *(volatile int*)0 = 1;
  if (rt_streq(what, "ro-write")) *(volatile char*)kReadOnly = 'X';
  if (rt_streq(what, "wild")) *(volatile u64*)0x123456789000ul = 1;
  if (rt_streq(what, "nx-exec")) {
    /* Code in a writable, non-executable mapping: the fetch faults (XD). */
    unsigned char* data = rt_mmap(4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    data[0] = 0xc3; /* ret */
    ((void (*)(void))data)();
  }
  if (rt_streq(what, "priv")) __asm__ volatile("hlt");
  if (rt_streq(what, "ud2")) __asm__ volatile("ud2");
  if (rt_streq(what, "div0")) {
    unsigned zero = 0;
    __asm__ volatile("divl %1" ::"a"(1), "r"(zero), "d"(0)); /* #DE */
  }
  if (rt_streq(what, "int3")) __asm__ volatile("int3");
  if (rt_streq(what, "port")) __asm__ volatile("outb %%al, $0x80" ::"a"(0));
  if (rt_streq(what, "stack-overflow")) return recurse(argv[0], 0);
  if (rt_streq(what, "ok")) return 0;
  rt_puts("faults: survived\n");
  return 3;
}
