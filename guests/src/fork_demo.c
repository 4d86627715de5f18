/* fork_demo [PAGES] [CHILD_WRITES] [PARENT_WRITES]: the parent fills PAGES pages, forks;
   the child rewrites CHILD_WRITES of them and, while the child still shares the region,
   the parent rewrites PARENT_WRITES others. Each prints a
   checksum of the whole region, proving that copy-on-write kept them isolated. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

enum { kPage = 4096 };

static uint64_t checksum(const unsigned char* p, size_t pages) {
  uint64_t sum = 0;
  for (size_t i = 0; i < pages; ++i)
    sum = sum * 31 + p[i * kPage];
  return sum;
}

int main(int argc, char** argv) {
  const size_t pages = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000;
  const size_t child_writes = argc > 2 ? strtoul(argv[2], NULL, 0) : 100;
  const size_t parent_writes = argc > 3 ? strtoul(argv[3], NULL, 0) : 50;
  if (child_writes + parent_writes > pages) return 2;
  unsigned char* region =
      mmap(NULL, pages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) return 1;
  for (size_t i = 0; i < pages; ++i)
    region[i * kPage] = 1;
  fflush(stdout);
  const pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) {
    for (size_t i = 0; i < child_writes; ++i)
      region[i * kPage] = 2;
    printf("child:  checksum %llu\n", (unsigned long long)checksum(region, pages));
    return 0;
  }
  for (size_t i = 0; i < parent_writes; ++i)
    region[(pages - 1 - i) * kPage] = 3;
  int status = 0;
  waitpid(child, &status, 0);
  printf("parent: checksum %llu, child exited %d\n", (unsigned long long)checksum(region, pages),
         WEXITSTATUS(status));
  return 0;
}
