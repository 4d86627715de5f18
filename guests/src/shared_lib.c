/* shared_lib [WORKERS]: one process of a program that uses its C library the way a small
   utility does (formatted output, strings, sorting, the heap), then waits. With WORKERS > 0
   it first starts that many copies of itself (fork + exec of /proc/self/exe) and waits for
   them; each copy does the same work and then blocks reading a pipe nobody writes, so a
   script can look at the memory of all the copies at once (vmlab ends such a run with
   "every process is blocked"). Built dynamically linked and static, to compare how much
   memory N copies of each cost. With no argument it does the work once and exits.
   Built also as shared_lib_1 ... shared_lib_8 with -DVARIANT=1..8: eight different programs
   (different code, different files) that use the C library alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef VARIANT
#define VARIANT 0
#endif

static int compare(const void* a, const void* b) {
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

static unsigned long work(void) {
  enum { kWords = 512 };
  char* words[kWords];
  unsigned seed = 2024 + VARIANT;
  for (int i = 0; i < kWords; ++i) {
    char buffer[32];
    seed = seed * 1103515245u + 12345u;
    snprintf(buffer, sizeof buffer, "w%08x-%d", seed >> 4, i);
    words[i] = strdup(buffer);
  }
  qsort(words, kWords, sizeof words[0], compare);
  unsigned long hash = 5381;
  for (int i = 0; i < kWords; ++i) {
    for (const char* c = words[i]; *c; ++c)
      hash = hash * 33 + (unsigned char)*c;
    free(words[i]);
  }
  return hash;
}

int main(int argc, char** argv) {
  const int workers = argc > 1 ? atoi(argv[1]) : -1;
  const unsigned long hash = work();
  if (workers < 0) {
    printf("hash %lx\n", hash);
    return 0;
  }
  int never[2];
  if (pipe(never) != 0) return 1;
  for (int i = 0; i < workers; ++i) {
    const pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
      char* const args[] = {argv[0], "0", NULL};
      execv("/proc/self/exe", args);
      _exit(127);
    }
  }
  char byte;
  /* Holds the read end and the write end: the read blocks until the process is killed. */
  return (int)read(never[0], &byte, 1);
}
