/* poll_select MODE: waiting for descriptors with poll, ppoll, select and pselect, between a
   parent and a child joined by pipes. Prints only what Linux makes deterministic.
   poll     timeout 0, a timeout that expires, readiness after the child writes, POLLHUP once
            the writers are gone, POLLERR without readers, POLLNVAL, files, EINTR
   ppoll    the temporary signal mask: a blocked signal it unblocks interrupts it (the handler
            runs, the old mask is back), one it keeps blocked does not; the time left
   select   the same for select: cleared sets on timeout, counts over several sets, EBADF,
            EINVAL, EINTR, and the time left written back to the timeval
   pselect  pselect's signal mask
   forever  poll with no timeout on a pipe nobody else can write to: never returns */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int usr1_seen;

static void on_usr1(int sig) {
  (void)sig;
  ++usr1_seen;
}

static void install_usr1(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char* err_name(int r) {
  if (r >= 0) return "";
  switch (errno) {
    case EINTR:
      return " EINTR";
    case EBADF:
      return " EBADF";
    case EINVAL:
      return " EINVAL";
    case EFAULT:
      return " EFAULT";
    default:
      return " E?";
  }
}

static void show_revents(const char* what, int r, const struct pollfd* fds, int n) {
  printf("%s: %d%s", what, r, err_name(r));
  for (int i = 0; i < n; ++i)
    printf(" [fd %d revents %#x]", i, fds[i].revents);
  printf("\n");
}

/* A child that waits for one byte on `go`, then writes `text` to `out`, then waits for another
   byte (or EOF) on `go` and exits. */
static pid_t writer_child(int go, int out, const char* text, int* close_in_child, int n_close) {
  const pid_t pid = fork();
  if (pid == 0) {
    for (int i = 0; i < n_close; ++i)
      close(close_in_child[i]);
    char byte;
    if (read(go, &byte, 1) != 1) _exit(1);
    if (write(out, text, strlen(text)) < 0) _exit(2);
    read(go, &byte, 1);
    _exit(0);
  }
  return pid;
}

/* A child that sleeps `ms` milliseconds, then sends SIGUSR1 to its parent. */
static pid_t signalling_child(int ms) {
  const pid_t pid = fork();
  if (pid == 0) {
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
    kill(getppid(), SIGUSR1);
    _exit(0);
  }
  return pid;
}

static int blocked(int sig) {
  sigset_t now;
  sigprocmask(SIG_BLOCK, NULL, &now);
  return sigismember(&now, sig);
}

static void block(int sig) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_BLOCK, &set, NULL);
}

static int mode_poll(void) {
  int data[2], go[2];
  if (pipe(data) != 0 || pipe(go) != 0) return 1;
  int in_child[] = {data[0], go[1]};
  const pid_t child = writer_child(go[0], data[1], "ping", in_child, 2);
  close(go[0]);

  struct pollfd fds[2] = {{data[0], POLLIN, 0x7777}, {data[1], POLLOUT, 0x7777}};
  show_revents("nothing to read, timeout 0", poll(fds, 1, 0), fds, 1);
  long start = now_ms();
  fds[0].revents = 0x7777;
  show_revents("nothing to read, timeout 60 ms", poll(fds, 1, 60), fds, 1);
  printf("  waited at least 60 ms: %s\n", now_ms() - start >= 60 ? "yes" : "no");
  show_revents("write end", poll(&fds[1], 1, 0), &fds[1], 1);

  write(go[1], "x", 1);  // the child writes "ping" now
  show_revents("after the child writes, no timeout", poll(fds, 1, -1), fds, 1);
  show_revents("both ends", poll(fds, 2, 0), fds, 2);
  char buffer[16] = {0};
  printf("  read %zd bytes: %s\n", read(data[0], buffer, sizeof buffer - 1), buffer);

  close(go[1]);  // the child exits
  waitpid(child, NULL, 0);
  close(data[1]);
  struct pollfd hup = {data[0], POLLIN, 0};
  show_revents("every writer gone", poll(&hup, 1, 1000), &hup, 1);

  int lonely[2];
  if (pipe(lonely) != 0) return 1;
  close(lonely[0]);
  struct pollfd err = {lonely[1], POLLOUT, 0};
  show_revents("every reader gone", poll(&err, 1, 0), &err, 1);
  close(lonely[1]);

  const int devnull = open("/dev/null", O_RDWR);
  const int file = open("/etc/passwd", O_RDONLY);
  struct pollfd misc[4] = {{devnull, POLLIN | POLLOUT, 0},
                           {file, POLLIN | POLLOUT | POLLPRI, 0},
                           {-1, POLLIN, 0x7777},
                           {900, POLLIN, 0}};
  show_revents("/dev/null, a file, fd -1, a closed fd", poll(misc, 4, -1), misc, 4);
  show_revents("no descriptors, timeout 10 ms", poll(NULL, 0, 10), NULL, 0);

  install_usr1();
  int idle[2];
  if (pipe(idle) != 0) return 1;
  const pid_t sender = signalling_child(50);
  struct pollfd wait_fd = {idle[0], POLLIN, 0x7777};
  show_revents("SIGUSR1 while waiting", poll(&wait_fd, 1, 5000), &wait_fd, 1);
  printf("  handler ran: %d\n", usr1_seen);
  waitpid(sender, NULL, 0);
  return 0;
}

static int mode_ppoll(void) {
  install_usr1();
  block(SIGUSR1);
  int idle[2];
  if (pipe(idle) != 0) return 1;
  struct pollfd fds = {idle[0], POLLIN, 0};
  sigset_t none, keep_usr1;
  sigemptyset(&none);
  sigemptyset(&keep_usr1);
  sigaddset(&keep_usr1, SIGUSR1);

  const pid_t sender = signalling_child(10);
  struct timespec timeout = {5, 0};
  int r = ppoll(&fds, 1, &timeout, &none);
  printf("ppoll unblocking SIGUSR1: %d%s, handler ran %d, SIGUSR1 blocked again: %s\n", r,
         err_name(r), usr1_seen, blocked(SIGUSR1) ? "yes" : "no");
  waitpid(sender, NULL, 0);

  const pid_t second = signalling_child(10);
  waitpid(second, NULL, 0);  // SIGUSR1 is pending and stays blocked
  struct timespec short_timeout = {0, 30000000};
  r = ppoll(&fds, 1, &short_timeout, &keep_usr1);
  printf("ppoll keeping SIGUSR1 blocked: %d%s, handler ran %d\n", r, err_name(r), usr1_seen);
  sigset_t pending;
  sigpending(&pending);
  printf("  SIGUSR1 still pending: %s\n", sigismember(&pending, SIGUSR1) ? "yes" : "no");
  r = ppoll(&fds, 1, &short_timeout, &none);
  printf("ppoll with it pending: %d%s, handler ran %d\n", r, err_name(r), usr1_seen);

  /* The system call itself writes the time left back (the C libraries pass a copy). */
  struct timespec left = {0, 20000000};
  r = syscall(SYS_ppoll, &fds, 1, &left, NULL, 8);
  printf("raw ppoll, 20 ms: %d, time left {%ld, %ld}\n", r, (long)left.tv_sec, left.tv_nsec);
  fds.fd = idle[1];
  fds.events = POLLOUT;
  left.tv_sec = 7;
  left.tv_nsec = 0;
  r = syscall(SYS_ppoll, &fds, 1, &left, NULL, 8);
  printf("raw ppoll, ready at once: %d, time left between 6 and 7 s: %s\n", r,
         left.tv_sec == 7 || (left.tv_sec == 6 && left.tv_nsec > 0) ? "yes" : "no");
  r = syscall(SYS_ppoll, &fds, 1, NULL, &none, 4);
  printf("raw ppoll, sigset size 4: %d%s\n", r, err_name(r));
  return 0;
}

static void show_sets(const char* what, int r, const fd_set* in, const fd_set* out, int n) {
  printf("%s: %d%s", what, r, err_name(r));
  for (int fd = 0; fd < n; ++fd) {
    if (in != NULL && FD_ISSET(fd, in)) printf(" in:%d", fd);
    if (out != NULL && FD_ISSET(fd, out)) printf(" out:%d", fd);
  }
  printf("\n");
}

static int mode_select(void) {
  int data[2], go[2];
  if (pipe(data) != 0 || pipe(go) != 0) return 1;
  int in_child[] = {data[0], go[1]};
  const pid_t child = writer_child(go[0], data[1], "pong", in_child, 2);
  close(go[0]);
  const int n = data[1] + 1;
  fd_set in, out;

  FD_ZERO(&in);
  FD_SET(data[0], &in);
  struct timeval zero = {0, 0};
  show_sets("nothing to read, timeout 0", select(n, &in, NULL, NULL, &zero), &in, NULL, n);
  FD_SET(data[0], &in);
  struct timeval soon = {0, 60000};
  const long start = now_ms();
  show_sets("nothing to read, timeout 60 ms", select(n, &in, NULL, NULL, &soon), &in, NULL, n);
  printf("  waited at least 60 ms: %s\n", now_ms() - start >= 60 ? "yes" : "no");

  FD_ZERO(&in);
  FD_ZERO(&out);
  FD_SET(data[0], &in);
  FD_SET(data[1], &out);
  show_sets("write end", select(n, &in, &out, NULL, NULL), &in, &out, n);

  write(go[1], "x", 1);  // the child writes "pong" now
  FD_ZERO(&in);
  FD_SET(data[0], &in);
  show_sets("after the child writes, no timeout", select(n, &in, NULL, NULL, NULL), &in, NULL,
            n);
  FD_ZERO(&in);
  FD_ZERO(&out);
  FD_SET(data[0], &in);
  FD_SET(data[1], &out);
  FD_SET(data[0], &out);
  show_sets("read and write sets", select(n, &in, &out, NULL, NULL), &in, &out, n);
  char buffer[16] = {0};
  printf("  read %zd bytes: %s\n", read(data[0], buffer, sizeof buffer - 1), buffer);

  close(go[1]);
  waitpid(child, NULL, 0);
  close(data[1]);
  FD_ZERO(&in);
  FD_SET(data[0], &in);
  show_sets("every writer gone", select(n, &in, NULL, NULL, NULL), &in, NULL, n);

  FD_ZERO(&in);
  FD_SET(data[1], &in);  // closed
  int r = select(n, &in, NULL, NULL, &zero);
  printf("a closed descriptor: %d%s\n", r, err_name(r));
  r = select(-1, NULL, NULL, NULL, &zero);
  printf("negative nfds: %d%s\n", r, err_name(r));
  struct timeval negative = {-1, 0};
  r = select(0, NULL, NULL, NULL, &negative);
  printf("negative timeout: %d%s\n", r, err_name(r));

  /* The system call writes the time left back to the timeval (musl passes a copy). */
  struct timeval left = {0, 20000};
  FD_ZERO(&in);
  FD_SET(data[0], &in);
  int idle[2];
  if (pipe(idle) != 0) return 1;
  fd_set idle_in;
  FD_ZERO(&idle_in);
  FD_SET(idle[0], &idle_in);
  r = syscall(SYS_select, idle[1] + 1, &idle_in, NULL, NULL, &left);
  printf("raw select, 20 ms: %d, time left {%ld, %ld}\n", r, (long)left.tv_sec,
         (long)left.tv_usec);
  left.tv_sec = 7;
  left.tv_usec = 0;
  r = syscall(SYS_select, n, &in, NULL, NULL, &left);
  printf("raw select, ready at once: %d, time left between 6 and 7 s: %s\n", r,
         left.tv_sec == 7 || (left.tv_sec == 6 && left.tv_usec > 0) ? "yes" : "no");
  left.tv_sec = 0;
  left.tv_usec = 1500000;  // whole seconds of tv_usec are folded in, not rejected
  r = syscall(SYS_select, n, &in, NULL, NULL, &left);
  printf("raw select, 1500000 us: %d, time left between 1 and 1.5 s: %s\n", r,
         (left.tv_sec == 1 && left.tv_usec <= 500000) || (left.tv_sec == 0 && left.tv_usec > 0)
             ? "yes"
             : "no");

  install_usr1();
  const pid_t sender = signalling_child(50);
  FD_ZERO(&idle_in);
  FD_SET(idle[0], &idle_in);
  struct timeval five = {5, 0};
  r = select(idle[0] + 1, &idle_in, NULL, NULL, &five);
  printf("SIGUSR1 while waiting: %d%s, handler ran %d, set untouched: %s\n", r, err_name(r),
         usr1_seen, FD_ISSET(idle[0], &idle_in) ? "yes" : "no");
  waitpid(sender, NULL, 0);
  return 0;
}

static int mode_pselect(void) {
  install_usr1();
  block(SIGUSR1);
  int idle[2];
  if (pipe(idle) != 0) return 1;
  sigset_t none;
  sigemptyset(&none);
  fd_set in;
  FD_ZERO(&in);
  FD_SET(idle[0], &in);
  const pid_t sender = signalling_child(10);
  struct timespec timeout = {5, 0};
  int r = pselect(idle[0] + 1, &in, NULL, NULL, &timeout, &none);
  printf("pselect unblocking SIGUSR1: %d%s, handler ran %d, SIGUSR1 blocked again: %s\n", r,
         err_name(r), usr1_seen, blocked(SIGUSR1) ? "yes" : "no");
  waitpid(sender, NULL, 0);
  fd_set out;
  FD_ZERO(&out);
  FD_SET(idle[1], &out);
  r = pselect(idle[1] + 1, NULL, &out, NULL, NULL, &none);
  printf("pselect, write end: %d%s, set: %s\n", r, err_name(r),
         FD_ISSET(idle[1], &out) ? "yes" : "no");
  return 0;
}

static int mode_forever(void) {
  int p[2];
  if (pipe(p) != 0) return 1;
  struct pollfd fds = {p[0], POLLIN, 0};
  printf("waiting\n");
  fflush(stdout);
  poll(&fds, 1, -1);
  printf("woke up\n");
  return 0;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "poll";
  setvbuf(stdout, NULL, _IONBF, 0);
  if (strcmp(mode, "poll") == 0) return mode_poll();
  if (strcmp(mode, "ppoll") == 0) return mode_ppoll();
  if (strcmp(mode, "select") == 0) return mode_select();
  if (strcmp(mode, "pselect") == 0) return mode_pselect();
  if (strcmp(mode, "forever") == 0) return mode_forever();
  return 2;
}
