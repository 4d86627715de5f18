/* record_locks: fcntl(2) record locks between a parent and its child, printing only what
   Linux makes deterministic (pids as "parent"/"child"/-1). Conflicts and F_GETLK reports,
   byte ranges from SEEK_SET/SEEK_CUR/SEEK_END with len 0 (to EOF) and negative lengths,
   splitting and merging, F_SETLKW waiting for an unlock, EDEADLK for a two-process cycle,
   release on close of another descriptor and at exit, OFD locks, and bad arguments. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char path[] = "/tmp/vmlab_record_locks_XXXXXX";
static int to_child[2], to_parent[2];
static pid_t parent_pid, child_pid;

static void say(const char* who, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const char* who, const char* fmt, ...) {
  char line[256];
  int n = snprintf(line, sizeof line, "%s: ", who);
  va_list args;
  va_start(args, fmt);
  n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, args);
  va_end(args);
  line[n++] = '\n';
  if (write(1, line, (size_t)n) != n) exit(3);
}

static void signal_to(int fd) {
  if (write(fd, "x", 1) != 1) exit(4);
}
static void wait_on(int fd) {
  char c;
  if (read(fd, &c, 1) != 1) exit(5);
}

static const char* type_name(short t) {
  return t == F_RDLCK ? "F_RDLCK" : t == F_WRLCK ? "F_WRLCK" : t == F_UNLCK ? "F_UNLCK" : "?";
}
static const char* pid_name(pid_t pid) {
  return pid == parent_pid ? "parent" : pid == child_pid ? "child" : pid == -1 ? "-1" : "other";
}

static int lock(int fd, int cmd, short type, short whence, off_t start, off_t len) {
  struct flock l = {.l_type = type, .l_whence = whence, .l_start = start, .l_len = len};
  return fcntl(fd, cmd, &l) == 0 ? 0 : errno;
}

static void report(const char* who, int fd, int cmd, short type, off_t start, off_t len) {
  struct flock l = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
  if (fcntl(fd, cmd, &l) != 0) {
    say(who, "getlk %ld+%ld: %s", (long)start, (long)len, strerror(errno));
  } else if (l.l_type == F_UNLCK) {
    say(who, "getlk %s %ld+%ld: F_UNLCK", type_name(type), (long)start, (long)len);
  } else {
    say(who, "getlk %s %ld+%ld: %s at %ld+%ld by %s", type_name(type), (long)start, (long)len,
        type_name(l.l_type), (long)l.l_start, (long)l.l_len, pid_name(l.l_pid));
  }
}

static void result(const char* who, const char* what, int err) {
  say(who, "%s: %s", what, err == 0 ? "ok" : strerror(err));
}

static void child(int fd) {
  const char* me = "child";
  wait_on(to_child[0]);
  report(me, fd, F_GETLK, F_WRLCK, 5, 1);
  report(me, fd, F_GETLK, F_RDLCK, 20, 10);
  report(me, fd, F_GETLK, F_WRLCK, 25, 1);
  report(me, fd, F_GETLK, F_WRLCK, 1000, 1);
  report(me, fd, F_GETLK, F_RDLCK, 30, 2);
  result(me, "setlk write 0+10", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
  result(me, "setlk read 20+10", lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 10));
  signal_to(to_parent[1]);
  wait_on(to_child[0]);  // the parent split its lock on 0+10
  report(me, fd, F_GETLK, F_WRLCK, 3, 2);
  report(me, fd, F_GETLK, F_WRLCK, 4, 2);
  signal_to(to_parent[1]);
  wait_on(to_child[0]);  // ... and merged it again, and closed a second descriptor
  report(me, fd, F_GETLK, F_WRLCK, 0, 1);
  report(me, fd, F_GETLK, F_WRLCK, 50, 10);
  say(me, "setlkw write 0+10 ...");
  signal_to(to_parent[1]);
  result(me, "setlkw write 0+10", lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 10));
  result(me, "unlock 0+10", lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 10));
  result(me, "setlk write 101+1", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 101, 1));
  signal_to(to_parent[1]);
  wait_on(to_child[0]);  // the parent holds 100+1
  say(me, "setlkw write 100+1 ...");
  result(me, "setlkw write 100+1", lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 100, 1));
  exit(0);  // holding 100+2: exit releases them
}

int main(void) {
  int fd = mkstemp(path);
  if (fd < 0 || pipe(to_child) != 0 || pipe(to_parent) != 0) return 1;
  char data[100];
  memset(data, 'x', sizeof data);
  if (write(fd, data, sizeof data) != (ssize_t)sizeof data) return 1;
  parent_pid = getpid();
  const char* me = "parent";
  result(me, "setlk write 0+10", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
  result(me, "setlk read 20+10", lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 10));
  result(me, "setlk write END-10 to EOF", lock(fd, F_SETLK, F_WRLCK, SEEK_END, -10, 0));
  lseek(fd, 40, SEEK_SET);
  result(me, "setlk read CUR-8 len -2", lock(fd, F_SETLK, F_RDLCK, SEEK_CUR, -8, -2));
  report(me, fd, F_OFD_GETLK, F_WRLCK, 30, 1);
  child_pid = fork();
  if (child_pid == 0) {
    child_pid = getpid();
    child(fd);
  }
  signal_to(to_child[1]);
  wait_on(to_parent[0]);
  result(me, "unlock 3+2", lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 3, 2));
  signal_to(to_child[1]);
  wait_on(to_parent[0]);
  result(me, "setlk write 3+2", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 3, 2));
  int second = open(path, O_RDWR);
  result(me, "setlk write 50+10", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 50, 10));
  close(second);  // releases every POSIX lock of this process on the file
  result(me, "setlk write 0+10 again", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
  signal_to(to_child[1]);
  wait_on(to_parent[0]);
  struct timespec pause = {0, 100 * 1000 * 1000};
  nanosleep(&pause, NULL);  // the child waits in F_SETLKW by now
  say(me, "unlock 0+10");
  lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 10);
  wait_on(to_parent[0]);
  result(me, "setlk write 100+1", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 100, 1));
  signal_to(to_child[1]);
  nanosleep(&pause, NULL);  // the child waits for 100+1 by now
  result(me, "setlkw write 101+1 (deadlock)", lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 101, 1));
  say(me, "unlock 100+1");  // before: the child may print as soon as it is unlocked
  lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 100, 1);
  int status = 0;
  waitpid(child_pid, &status, 0);
  say(me, "child exited %d", WEXITSTATUS(status));
  report(me, fd, F_OFD_GETLK, F_WRLCK, 100, 2);
  /* OFD locks belong to the open file description. */
  int ofd1 = open(path, O_RDWR), ofd2 = open(path, O_RDWR);
  result(me, "ofd setlk write 200+10", lock(ofd1, F_OFD_SETLK, F_WRLCK, SEEK_SET, 200, 10));
  report(me, ofd2, F_OFD_GETLK, F_RDLCK, 205, 1);
  report(me, fd, F_GETLK, F_RDLCK, 205, 1);
  result(me, "ofd setlk on another description",
         lock(ofd2, F_OFD_SETLK, F_RDLCK, SEEK_SET, 200, 1));
  int dup1 = dup(ofd1);
  close(ofd1);
  report(me, ofd2, F_OFD_GETLK, F_WRLCK, 200, 1);
  close(dup1);
  report(me, ofd2, F_OFD_GETLK, F_WRLCK, 200, 1);
  /* Bad arguments. */
  result(me, "whence 7", lock(fd, F_SETLK, F_RDLCK, 7, 0, 1));
  result(me, "negative start", lock(fd, F_SETLK, F_RDLCK, SEEK_SET, -1, 1));
  result(me, "type 9", lock(fd, F_SETLK, 9, SEEK_SET, 0, 1));
  struct flock l = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_len = 1, .l_pid = 1};
  result(me, "ofd with l_pid", fcntl(ofd2, F_OFD_SETLK, &l) == 0 ? 0 : errno);
  l.l_type = F_UNLCK;
  l.l_pid = 0;
  result(me, "getlk F_UNLCK", fcntl(fd, F_GETLK, &l) == 0 ? 0 : errno);
  int readonly = open(path, O_RDONLY);
  result(me, "write lock on O_RDONLY", lock(readonly, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
  result(me, "bad descriptor", lock(99, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
  result(me, "bad pointer", fcntl(fd, F_SETLK, (struct flock*)8) == 0 ? 0 : errno);
  unlink(path);
  return 0;
}
