/* pingpong ROUNDS PAGES: a parent and a child pass one byte back and forth over two pipes
   ROUNDS times; between passes each touches PAGES pages of its own memory. Every pass is a
   context switch, which is what --pcid on|off changes. Built with -DTHREADS, the child is a
   thread of the same process instead (a switch between threads keeps the address space). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef THREADS
#include <pthread.h>
#endif

static int to_child[2], to_parent[2];
static long rounds;
static size_t pages;

static void touch(volatile unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    p[i * 4096] += 1;
}

static int child_loop(unsigned char* memory) {
  char byte = 0;
  for (long i = 0; i < rounds; ++i) {
    if (read(to_child[0], &byte, 1) != 1) return 1;
    touch(memory, pages);
    byte++;
    if (write(to_parent[1], &byte, 1) != 1) return 1;
  }
  return 0;
}

#ifdef THREADS
static void* child_thread(void* memory) {
  return (void*)(long)child_loop(memory);
}
#endif

int main(int argc, char** argv) {
  rounds = argc > 1 ? strtol(argv[1], NULL, 0) : 1000;
  pages = argc > 2 ? strtoul(argv[2], NULL, 0) : 16;
  if (pipe(to_child) != 0 || pipe(to_parent) != 0) return 1;
  unsigned char* memory = calloc(2 * pages + 1, 4096);  // the child's half follows
  if (memory == NULL) return 1;
  fflush(stdout);
  int status = 0;
#ifdef THREADS
  pthread_t child;
  if (pthread_create(&child, NULL, child_thread, memory + pages * 4096) != 0) return 1;
#else
  const pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) return child_loop(memory + pages * 4096);
#endif
  char byte = 0;
  for (long i = 0; i < rounds; ++i) {
    touch(memory, pages);
    if (write(to_child[1], &byte, 1) != 1 || read(to_parent[0], &byte, 1) != 1) return 1;
  }
#ifdef THREADS
  void* result = NULL;
  pthread_join(child, &result);
  status = (int)(long)result;
#else
  waitpid(child, &status, 0);
#endif
  printf("pingpong: %ld rounds, last byte %d, child status %d\n", rounds, byte & 0xff, status);
  return 0;
}
