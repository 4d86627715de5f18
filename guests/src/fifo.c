/* fifo: named pipes as fifo(7) describes them, between a parent and its child: mkfifo and
   mknod, stat, O_NONBLOCK opens (a reader opens at once, a writer without reader gets
   ENXIO), blocking opens that wait for the other end in either order, O_RDWR, data flowing
   as in a pipe, EOF when the writer closes, and a buffer that does not outlive its ends. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/vmlab_fifo_XXXXXX";
static char fifo[64], regular[64];

static void say(const char* what, long value) {
  printf("%s: %ld%s%s\n", what, value, value < 0 ? " " : "", value < 0 ? strerror(errno) : "");
  fflush(stdout);
}

static void pause_a_bit(void) {
  struct timespec t = {0, 100 * 1000 * 1000};
  nanosleep(&t, NULL);
}

/* The child writes `text` through the FIFO; `late` makes it open after the parent. */
static pid_t writer(const char* text, int late) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  if (late) pause_a_bit();
  int fd = open(fifo, O_WRONLY);
  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) _exit(1);
  _exit(0);
}

static void read_all(int fd) {
  char buffer[128];
  size_t total = 0;
  ssize_t n;
  while ((n = read(fd, buffer + total, sizeof buffer - 1 - total)) > 0)
    total += (size_t)n;
  buffer[total] = 0;
  printf("read until EOF (%ld): %s", (long)n, buffer);
  fflush(stdout);
}

int main(void) {
  if (mkdtemp(dir) == NULL) return 1;
  snprintf(fifo, sizeof fifo, "%s/fifo", dir);
  snprintf(regular, sizeof regular, "%s/regular", dir);
  umask(022);
  say("mkfifo", mkfifo(fifo, 0666));
  say("mkfifo again", mkfifo(fifo, 0666));
  struct stat st;
  say("stat", stat(fifo, &st));
  printf("S_ISFIFO %d, mode %o, size %ld\n", S_ISFIFO(st.st_mode), st.st_mode & 07777,
         (long)st.st_size);
  const ino_t fifo_ino = st.st_ino;
  say("mknod S_IFREG", mknod(regular, S_IFREG | 0600, 0));
  say("stat regular", stat(regular, &st));
  printf("S_ISREG %d, mode %o\n", S_ISREG(st.st_mode), st.st_mode & 07777);
  say("mknod bad type", mknod(regular, 0170000 | 0600, 0));
  say("mknod existing", mknodat(AT_FDCWD, fifo, S_IFIFO | 0600, 0));

  say("open write nonblock, no reader", open(fifo, O_WRONLY | O_NONBLOCK));
  int r = open(fifo, O_RDONLY | O_NONBLOCK);
  say("open read nonblock", r >= 0);
  char c;
  say("read without writer", read(r, &c, 1));
  int w = open(fifo, O_WRONLY | O_NONBLOCK);
  say("open write nonblock, with reader", w >= 0);
  say("write", write(w, "abc", 3));
  struct stat fst;
  fstat(w, &fst);
  say("fstat is the fifo's", S_ISFIFO(fst.st_mode) && fst.st_ino == fifo_ino);
  int available = 0;
  ioctl(r, FIONREAD, &available);
  say("FIONREAD", available);
  char buffer[16] = {0};
  say("read", read(r, buffer, sizeof buffer));
  printf("got %s\n", buffer);
  say("read empty, writer open", read(r, buffer, 1));
  close(w);
  close(r);

  int rw = open(fifo, O_RDWR);
  say("open O_RDWR", rw >= 0);
  say("write stale", write(rw, "stale", 5));
  close(rw);
  rw = open(fifo, O_RDWR | O_NONBLOCK);
  say("after last close, read", read(rw, buffer, sizeof buffer));
  close(rw);

  /* The reader opens first and waits for the writer. */
  pid_t child = writer("reader first\n", 1);
  r = open(fifo, O_RDONLY);
  read_all(r);
  close(r);
  waitpid(child, NULL, 0);
  /* The writer opens first and waits for the reader. */
  child = writer("writer first\n", 0);
  pause_a_bit();
  r = open(fifo, O_RDONLY);
  read_all(r);
  close(r);
  int status = 0;
  waitpid(child, &status, 0);
  say("writer status", WEXITSTATUS(status));
  /* Writing with no reader left: EPIPE (SIGPIPE ignored). */
  signal(SIGPIPE, SIG_IGN);
  rw = open(fifo, O_RDWR);
  w = open(fifo, O_WRONLY);
  close(rw);
  say("write without reader", write(w, "x", 1));
  close(w);
  say("unlink", unlink(fifo));
  unlink(regular);
  rmdir(dir);
  return 0;
}
