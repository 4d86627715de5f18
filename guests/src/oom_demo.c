/* oom_demo HOG_MIB SMALL_PAGES: forks a hog that touches HOG_MIB MiB and, running at the same
   time, a small worker that touches SMALL_PAGES pages and prints a checksum; the parent
   reports how each ended. With
   too little memory the OOM killer should pick the hog and leave the worker alone. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void hog(size_t mib) {
  char* p = malloc(mib << 20);
  if (p == NULL) _exit(1);
  for (size_t i = 0; i < (mib << 20); i += 4096)
    p[i] = 1;
  _exit(0);
}

static void worker(size_t pages) {
  unsigned char* p = calloc(pages, 4096);
  if (p == NULL) _exit(1);
  unsigned long sum = 0;
  for (size_t i = 0; i < pages; ++i)
    p[i * 4096] = (unsigned char)i;
  for (size_t i = 0; i < pages; ++i)
    sum += p[i * 4096];
  printf("worker: checksum %lu\n", sum);
  _exit(0);
}

static void report(const char* who, int status) {
  if (WIFSIGNALED(status))
    printf("%s: killed by signal %d\n", who, WTERMSIG(status));
  else
    printf("%s: exited %d\n", who, WEXITSTATUS(status));
}

int main(int argc, char** argv) {
  const size_t hog_mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 64;
  const size_t small = argc > 2 ? strtoul(argv[2], NULL, 0) : 100;
  fflush(stdout);
  /* Both run at the same time: the hog grows while the worker works. */
  const pid_t hog_pid = fork();
  if (hog_pid == 0) hog(hog_mib);
  const pid_t worker_pid = fork();
  if (worker_pid == 0) worker(small);
  int status = 0;
  waitpid(worker_pid, &status, 0);
  report("worker", status);
  waitpid(hog_pid, &status, 0);
  report("hog", status);
  return 0;
}
