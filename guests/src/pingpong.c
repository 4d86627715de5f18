/* pingpong ROUNDS PAGES: a parent and a child pass one byte back and forth over two pipes
   ROUNDS times; between passes each touches PAGES pages of its own memory. Every pass is a
   context switch, which is what --pcid on|off changes. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void touch(volatile unsigned char* p, size_t pages) {
  for (size_t i = 0; i < pages; ++i)
    p[i * 4096] += 1;
}

int main(int argc, char** argv) {
  const long rounds = argc > 1 ? strtol(argv[1], NULL, 0) : 1000;
  const size_t pages = argc > 2 ? strtoul(argv[2], NULL, 0) : 16;
  int to_child[2], to_parent[2];
  if (pipe(to_child) != 0 || pipe(to_parent) != 0) return 1;
  unsigned char* memory = calloc(pages + 1, 4096);
  if (memory == NULL) return 1;
  fflush(stdout);
  const pid_t child = fork();
  if (child < 0) return 1;
  char byte = 0;
  if (child == 0) {
    for (long i = 0; i < rounds; ++i) {
      if (read(to_child[0], &byte, 1) != 1) return 1;
      touch(memory, pages);
      byte++;
      if (write(to_parent[1], &byte, 1) != 1) return 1;
    }
    return 0;
  }
  for (long i = 0; i < rounds; ++i) {
    touch(memory, pages);
    if (write(to_child[1], &byte, 1) != 1 || read(to_parent[0], &byte, 1) != 1) return 1;
  }
  int status = 0;
  waitpid(child, &status, 0);
  printf("pingpong: %ld rounds, last byte %d, child status %d\n", rounds, byte & 0xff, status);
  return 0;
}
