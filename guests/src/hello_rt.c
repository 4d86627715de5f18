/* The smallest guest: no libc, one write, exit 0. */
#include "rt.h"

int main(int argc, char** argv) {
  (void)argc;
  (void)argv;
  rt_puts("hello from a freestanding guest\n");
  return 0;
}
