/* strace_decoding MODE: system calls whose arguments strace decodes as structures, for
   comparing `vmlab --strace` with a native `strace -f`. Every value is deterministic.
   calls    sigaction, sigprocmask, getrlimit/setrlimit/prlimit64, writev/readv, nanosleep,
            and a forked child whose exit raises SIGCHLD in a handler while the parent waits
   segv     a write to NULL with no handler: the default action kills the process
   restart  a SIGUSR1 handler with SA_RESTART interrupts a read of a pipe, which starts again */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int children_seen;

static void on_chld(int sig) {
  (void)sig;
  ++children_seen;
}

static void on_usr1(int sig) {
  (void)sig;
}

static void signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_chld;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaction(SIGCHLD, &sa, NULL);
  signal(SIGUSR2, SIG_IGN);
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, &old);
  sigprocmask(SIG_SETMASK, &old, NULL);
}

static void limits(void) {
  struct rlimit limit;
  syscall(SYS_getrlimit, RLIMIT_NOFILE, &limit);
  limit.rlim_cur = 64;
  syscall(SYS_setrlimit, RLIMIT_NOFILE, &limit);
  struct rlimit stack = {8192 * 1024, RLIM_INFINITY}, old;
  syscall(SYS_prlimit64, 0, RLIMIT_STACK, &stack, &old);
}

static void vectors(void) {
  struct iovec out[2] = {{"hello ", 6}, {"vectors\n", 8}};
  writev(1, out, 2);
  int fds[2];
  if (pipe(fds) != 0) return;
  writev(fds[1], out, 2);
  char a[4], b[16];
  struct iovec in[2] = {{a, sizeof a}, {b, sizeof b}};
  readv(fds[0], in, 2);
  close(fds[0]);
  close(fds[1]);
}

static void child_and_sleep(void) {
  const pid_t child = fork();
  if (child == 0) {
    struct timespec pause = {0, 1000000};
    nanosleep(&pause, NULL);
    _exit(3);
  }
  int status = 0;
  waitpid(child, &status, 0);
  printf("child exited with %d, handler ran %d time(s)\n", WEXITSTATUS(status), children_seen);
}

/* The child signals the parent once it waits in read (200 ms is plenty natively too), then
   gives it something to read. */
static int restarted_read(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, NULL);
  int fds[2];
  if (pipe(fds) != 0) return 1;
  const pid_t child = fork();
  if (child == 0) {
    struct timespec pause = {0, 200000000};
    nanosleep(&pause, NULL);
    kill(getppid(), SIGUSR1);
    nanosleep(&pause, NULL);
    if (write(fds[1], "x", 1) != 1) _exit(1);
    _exit(0);
  }
  char c = 0;
  const ssize_t n = read(fds[0], &c, 1);
  int status = 0;
  waitpid(child, &status, 0);
  printf("read %zd byte(s): %c\n", n, c);
  return 0;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "calls";
  if (strcmp(mode, "segv") == 0) {
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    *(volatile int*)0 = 1;
    return 1;
  }
  setvbuf(stdout, NULL, _IONBF, 0);
  if (strcmp(mode, "restart") == 0) return restarted_read();
  signals();
  limits();
  vectors();
  child_and_sleep();
  return 0;
}
