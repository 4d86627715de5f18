/* sigsuspend MODE: waiting for a signal with sigsuspend, the way shells wait for children.
   pending  SIGUSR1 is blocked and raised, then sigsuspend with an empty mask: the handler runs
            at once, sigsuspend returns EINTR, and SIGUSR1 is blocked again afterwards
   chld     SIGCHLD is blocked while a child exits; sigsuspend runs the SIGCHLD handler (with
            the child's pid and status) before it returns
   restart  a SA_RESTART handler still ends sigsuspend with EINTR (sigsuspend never restarts)
   ignored  a pending SIGCHLD nobody handles does not end sigsuspend; the SIGUSR1 a child
            sends afterwards does */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int child_pid_seen;
static volatile int child_status_seen;

/* Unbuffered output, usable from handlers and in the right order with the main program. */
static void say(const char* text) {
  write(1, text, strlen(text));
}

static void on_usr1(int sig) {
  (void)sig;
  say("  handler: SIGUSR1\n");
}

static void on_chld(int sig, siginfo_t* info, void* context) {
  (void)sig;
  (void)context;
  child_pid_seen = info->si_pid;
  child_status_seen = info->si_status;
  say("  handler: SIGCHLD\n");
}

static void install(int sig, void (*handler)(int), void (*action)(int, siginfo_t*, void*),
                    int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  if (action != NULL)
    sa.sa_sigaction = action;
  else
    sa.sa_handler = handler;
  sa.sa_flags = flags | (action != NULL ? SA_SIGINFO : 0);
  sigaction(sig, &sa, NULL);
}

static void block(int sig) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_BLOCK, &set, NULL);
}

static int is_blocked(int sig) {
  sigset_t now;
  sigprocmask(SIG_BLOCK, NULL, &now);
  return sigismember(&now, sig);
}

static int is_pending(int sig) {
  sigset_t set;
  sigpending(&set);
  return sigismember(&set, sig);
}

/* sigsuspend with an empty mask, and what it returned. */
static void suspend(void) {
  sigset_t none;
  sigemptyset(&none);
  say("sigsuspend\n");
  const int r = sigsuspend(&none);
  printf("sigsuspend returned %d (%s)\n", r, r < 0 && errno == EINTR ? "EINTR" : "?");
  fflush(stdout);
}

/* A child that sends SIGUSR1 to its parent and exits 0. */
static pid_t child_sending_usr1(void) {
  const pid_t child = fork();
  if (child == 0) {
    kill(getppid(), SIGUSR1);
    _exit(0);
  }
  return child;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "pending";
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (strcmp(mode, "pending") == 0) {
    install(SIGUSR1, on_usr1, NULL, 0);
    block(SIGUSR1);
    raise(SIGUSR1);
    printf("SIGUSR1 pending: %s\n", is_pending(SIGUSR1) ? "yes" : "no");
    suspend();
    printf("SIGUSR1 blocked again: %s, pending: %s\n", is_blocked(SIGUSR1) ? "yes" : "no",
           is_pending(SIGUSR1) ? "yes" : "no");
    return 0;
  }
  if (strcmp(mode, "chld") == 0) {
    install(SIGCHLD, NULL, on_chld, 0);
    block(SIGCHLD);
    const pid_t child = fork();
    if (child == 0) _exit(7);
    while (!is_pending(SIGCHLD))
      sched_yield();
    printf("SIGCHLD pending before sigsuspend\n");
    suspend();
    printf("handler saw the child: %s, status %d\n", child_pid_seen == child ? "yes" : "no",
           child_status_seen);
    printf("SIGCHLD blocked again: %s\n", is_blocked(SIGCHLD) ? "yes" : "no");
    int status = 0;
    const pid_t waited = waitpid(child, &status, 0);
    printf("waitpid: %s, exit %d\n", waited == child ? "child" : "?", WEXITSTATUS(status));
    return 0;
  }
  if (strcmp(mode, "restart") == 0) {
    install(SIGUSR1, on_usr1, NULL, SA_RESTART);
    block(SIGUSR1);
    const pid_t child = child_sending_usr1();
    suspend();
    printf("SIGUSR1 blocked again: %s\n", is_blocked(SIGUSR1) ? "yes" : "no");
    waitpid(child, NULL, 0);
    return 0;
  }
  if (strcmp(mode, "ignored") == 0) {
    install(SIGUSR1, on_usr1, NULL, 0);
    block(SIGCHLD);
    block(SIGUSR1);
    const pid_t quiet = fork();
    if (quiet == 0) _exit(0);
    while (!is_pending(SIGCHLD))
      sched_yield();
    printf("SIGCHLD pending, no handler\n");
    const pid_t sender = child_sending_usr1();
    suspend();
    waitpid(quiet, NULL, 0);
    waitpid(sender, NULL, 0);
    return 0;
  }
  return 2;
}
