/* signals MODE: user signal handlers the way programs use them.
   segv     a SIGSEGV handler gets the faulting address in si_addr and jumps out (siglongjmp)
   chld     a SIGCHLD handler runs for exited children (SA_RESTART keeps wait going); standard
            signals do not queue, so it may run fewer times than there are children
   kill     a process kills its child with SIGTERM and reports the status
   mask     a blocked signal waits until it is unblocked */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static sigjmp_buf jump;
static volatile void* fault_address;
static volatile int children_seen;
static volatile int usr1_seen;

static void on_segv(int sig, siginfo_t* info, void* context) {
  (void)sig;
  (void)context;
  fault_address = info->si_addr;
  siglongjmp(jump, 1);
}

static void on_chld(int sig) {
  (void)sig;
  ++children_seen;
}

static void on_usr1(int sig) {
  (void)sig;
  ++usr1_seen;
}

/* Installs `handler`, or with SA_SIGINFO in flags the three-argument `action`. */
static void install(int sig, void (*handler)(int), void (*action)(int, siginfo_t*, void*),
                    int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  if (flags & SA_SIGINFO)
    sa.sa_sigaction = action;
  else
    sa.sa_handler = handler;
  sa.sa_flags = flags;
  sigaction(sig, &sa, NULL);
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "segv";
  if (strcmp(mode, "segv") == 0) {
    install(SIGSEGV, NULL, on_segv, SA_SIGINFO);
    volatile int* bad = (int*)0xdead000;
    if (sigsetjmp(jump, 1) == 0) *bad = 1;
    printf("caught SIGSEGV at %p\n", (void*)fault_address);
    if (sigsetjmp(jump, 1) == 0) *bad = 2;
    printf("caught it again at %p\n", (void*)fault_address);
    return 0;
  }
  if (strcmp(mode, "chld") == 0) {
    install(SIGCHLD, on_chld, NULL, SA_RESTART);
    for (int i = 0; i < 3; ++i)
      if (fork() == 0) _exit(i);
    int exited = 0, status;
    while (wait(&status) > 0)
      ++exited;
    printf("waited for %d children, handler ran: %s\n", exited, children_seen > 0 ? "yes" : "no");
    return 0;
  }
  if (strcmp(mode, "kill") == 0) {
    const pid_t child = fork();
    if (child == 0) {
      for (;;)
        pause();
    }
    kill(child, SIGTERM);
    int status = 0;
    waitpid(child, &status, 0);
    printf("child killed by signal %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return 0;
  }
  if (strcmp(mode, "mask") == 0) {
    signal(SIGUSR1, on_usr1);
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGUSR1);
    printf("blocked: handler ran %d times\n", usr1_seen);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: handler ran %d times\n", usr1_seen);
    return 0;
  }
  return 2;
}
