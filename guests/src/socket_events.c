// Readiness of sockets (argv[1]): poll and select on listening, connected, shut-down and
// closed sockets, and an epoll event loop serving connections, a pipe and a signal of its
// client, with epoll_ctl's errors. Every step waits for the one before, so the output is the
// same on Linux and in vmlab.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int port = 29831;

static void describe(const char* what, unsigned events) {
  static const struct {
    unsigned bit;
    const char* name;
  } names[] = {{POLLIN, "IN"},   {POLLPRI, "PRI"},   {POLLOUT, "OUT"},    {POLLERR, "ERR"},
               {POLLHUP, "HUP"}, {POLLNVAL, "NVAL"}, {POLLRDHUP, "RDHUP"}};
  printf("%s:", what);
  if (events == 0) printf(" none");
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i)
    if (events & names[i].bit) printf(" %s", names[i].name);
  printf("\n");
}

static void show_poll(const char* what, int fd) {
  struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDHUP, 0};
  const int n = poll(&p, 1, 0);
  if (n < 0) printf("%s: poll failed %d\n", what, errno);
  describe(what, p.revents);
}

static void show_select(const char* what, int fd) {
  fd_set r, w, x;
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_ZERO(&x);
  FD_SET(fd, &r);
  FD_SET(fd, &w);
  FD_SET(fd, &x);
  struct timeval zero = {0, 0};
  const int n = select(fd + 1, &r, &w, &x, &zero);
  printf("%s: %d%s%s%s\n", what, n, FD_ISSET(fd, &r) ? " read" : "",
         FD_ISSET(fd, &w) ? " write" : "", FD_ISSET(fd, &x) ? " except" : "");
}

static struct sockaddr_in loopback(void) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static int tcp_listener(void) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = loopback();
  if (bind(fd, (struct sockaddr*)&a, sizeof a) < 0 || listen(fd, 4) < 0) {
    printf("listener: %s\n", strerror(errno));
    exit(1);
  }
  return fd;
}

static int tcp_client(void) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = loopback();
  if (connect(fd, (struct sockaddr*)&a, sizeof a) < 0) printf("connect: %s\n", strerror(errno));
  return fd;
}

// The same states, seen through poll or select.
static void readiness(void (*show)(const char*, int)) {
  const int listener = tcp_listener();
  show("listener, nobody connecting", listener);
  const int client = tcp_client();
  show("listener, a connection waiting", listener);
  const int server = accept(listener, NULL, NULL);
  show("connected, nothing sent", server);
  write(client, "data", 4);
  show("connected, data sent", server);
  char buf[16];
  read(server, buf, sizeof buf);
  shutdown(client, SHUT_WR);
  show("peer shut down writing", server);
  show("the side that shut down", client);
  close(client);
  show("peer closed", server);
  close(server);
  close(listener);
  const int unconnected = socket(AF_INET, SOCK_STREAM, 0);
  show("unconnected tcp", unconnected);
  const int local = socket(AF_UNIX, SOCK_STREAM, 0);
  show("unconnected unix stream", local);
  const int udp = socket(AF_INET, SOCK_DGRAM, 0);
  show("udp", udp);
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  write(sv[0], "x", 1);
  close(sv[0]);
  show("socketpair, peer closed with data sent", sv[1]);
  socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  show("datagram socketpair", sv[1]);

  // A blocking wait woken by the child's write.
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  const pid_t child = fork();
  if (child == 0) {
    usleep(10000);
    write(sv[1], "late", 4);
    _exit(0);
  }
  struct pollfd p = {sv[0], POLLIN, 0};
  printf("waiting poll returns %d\n", poll(&p, 1, -1));
  describe("after the wait", p.revents);
  waitpid(child, NULL, 0);
}

static int expect(const char* what, int result) {
  if (result < 0)
    printf("%s = -1 errno %d (%s)\n", what, errno, strerror(errno));
  else
    printf("%s = %d\n", what, result);
  return result;
}

static void epoll_errors(void) {
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  struct epoll_event e = {.events = EPOLLIN, .data.u64 = 7};
  expect("add", epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &e));
  expect("add twice", epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &e));
  expect("mod an unknown fd", epoll_ctl(ep, EPOLL_CTL_MOD, sv[1], &e));
  expect("del an unknown fd", epoll_ctl(ep, EPOLL_CTL_DEL, sv[1], NULL));
  expect("add itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &e));
  const int file = open("/etc/passwd", O_RDONLY);
  expect("add a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, file, &e));
  expect("add a closed fd", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &e));
  expect("ctl on a non-epoll fd", epoll_ctl(sv[1], EPOLL_CTL_ADD, sv[0], &e));
  expect("bad op", epoll_ctl(ep, 99, sv[0], &e));
  const int outer = epoll_create(1);
  expect("nest", epoll_ctl(outer, EPOLL_CTL_ADD, ep, &e));
  expect("loop", epoll_ctl(ep, EPOLL_CTL_ADD, outer, &e));
  expect("epoll_create(0)", epoll_create(0));
  expect("epoll_create1(bad flags)", epoll_create1(1));
  struct epoll_event out[4];
  expect("wait with maxevents 0", epoll_wait(ep, out, 0, 0));
  expect("wait on a socket", epoll_wait(sv[0], out, 4, 0));
  expect("wait, nothing ready", epoll_wait(ep, out, 4, 0));
  expect("wait 20 ms, nothing ready", epoll_wait(ep, out, 4, 20));
  write(sv[1], "x", 1);
  show_poll("nested epoll instance", outer);
  expect("outer wait", epoll_wait(outer, out, 4, 0));
  expect("level-triggered: ready", epoll_wait(ep, out, 4, 0));
  printf("data %llu events %#x\n", (unsigned long long)out[0].data.u64, out[0].events);
  expect("level-triggered: still ready", epoll_wait(ep, out, 4, 0));
  e.events = EPOLLIN | EPOLLONESHOT;
  e.data.u64 = 8;
  expect("mod to one-shot", epoll_ctl(ep, EPOLL_CTL_MOD, sv[0], &e));
  expect("one-shot: reported", epoll_pwait(ep, out, 4, 0, NULL));
  expect("one-shot: disarmed", epoll_wait(ep, out, 4, 0));
  expect("rearm", epoll_ctl(ep, EPOLL_CTL_MOD, sv[0], &e));
  expect("one-shot: reported again", epoll_wait(ep, out, 4, 0));
  expect("del", epoll_ctl(ep, EPOLL_CTL_DEL, sv[0], NULL));
  expect("after del", epoll_wait(ep, out, 4, 0));
  e.events = EPOLLOUT;
  expect("add for writing", epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &e));
  close(sv[0]);
  expect("after closing the only descriptor", epoll_wait(ep, out, 4, 0));
}

// An event loop: a listener, the connections it accepts and a pipe, all in one epoll set.
static void epoll_server(void) {
  const int listener = tcp_listener();
  int done[2], ack[2];
  pipe(done);
  pipe(ack);
  const pid_t child = fork();
  if (child == 0) {
    char byte;
    for (int i = 1; i <= 2; ++i) {
      const int fd = tcp_client();
      char msg[32], reply[32] = {0};
      snprintf(msg, sizeof msg, "request %d", i);
      write(fd, msg, strlen(msg));
      read(fd, reply, sizeof reply - 1);
      printf("client: %s\n", reply);
      close(fd);
      read(ack[0], &byte, 1);  // the server saw the end of this connection
    }
    write(done[1], "done", 4);
    _exit(0);
  }
  const int ep = epoll_create1(0);
  struct epoll_event e = {.events = EPOLLIN, .data.fd = listener};
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &e);
  e.data.fd = done[0];
  epoll_ctl(ep, EPOLL_CTL_ADD, done[0], &e);
  for (int running = 1; running;) {
    struct epoll_event events[8];
    const int n = epoll_wait(ep, events, 8, -1);
    printf("epoll_wait: %d\n", n);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listener) {
        const int connection = accept(listener, NULL, NULL);
        struct epoll_event c = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = connection};
        epoll_ctl(ep, EPOLL_CTL_ADD, connection, &c);
        describe("  listener", events[i].events);
      } else if (fd == done[0]) {
        describe("  pipe", events[i].events);
        running = 0;
      } else {
        char buf[32] = {0};
        const ssize_t got = read(fd, buf, sizeof buf - 1);
        describe(got > 0 ? "  connection with data" : "  connection at its end", events[i].events);
        if (got > 0) {
          for (ssize_t k = 0; k < got; ++k)
            buf[k] = (char)(buf[k] >= 'a' && buf[k] <= 'z' ? buf[k] - 32 : buf[k]);
          write(fd, buf, (size_t)got);
        } else {
          epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
          close(fd);
          write(ack[1], "k", 1);
        }
      }
    }
  }
  int status = 0;
  waitpid(child, &status, 0);
  printf("client exited with %d\n", WEXITSTATUS(status));
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc < 2) return 2;
  if (argc > 2) port = atoi(argv[2]);
  if (strcmp(argv[1], "poll") == 0)
    readiness(show_poll);
  else if (strcmp(argv[1], "select") == 0)
    readiness(show_select);
  else if (strcmp(argv[1], "epoll") == 0)
    epoll_errors();
  else if (strcmp(argv[1], "epoll_server") == 0)
    epoll_server();
  else
    return 2;
  return 0;
}
