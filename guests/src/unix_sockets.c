// Sockets between processes of one machine, one behaviour per mode (argv[1]): socketpair,
// AF_UNIX stream sockets named by a path or an abstract name, AF_UNIX datagrams, UDP on the
// loopback, a closed peer (EOF, EPIPE and SIGPIPE, ECONNRESET) and nonblocking sockets.
// Output names no pid, port or path that differs between runs.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "socket_report.h"

static void wait_child(pid_t child) {
  int status = 0;
  waitpid(child, &status, 0);
  printf("child exited with %d\n",
         WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static socklen_t unix_address(struct sockaddr_un* a, const char* name, int abstract) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  if (abstract) {
    memcpy(a->sun_path + 1, name, strlen(name));
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
  }
  strcpy(a->sun_path, name);
  return (socklen_t)sizeof *a;
}

static void socketpair_mode(void) {
  int sv[2];
  show("socketpair stream", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  const pid_t child = fork();
  if (child == 0) {
    close(sv[0]);
    char buf[32] = {0};
    const ssize_t n = read(sv[1], buf, sizeof buf - 1);
    printf("child read %zd: %s\n", n, buf);
    write(sv[1], "pong", 4);
    _exit(0);
  }
  close(sv[1]);
  write(sv[0], "ping", 4);
  char buf[32] = {0};
  show("parent read", read(sv[0], buf, sizeof buf - 1));
  printf("parent got %s\n", buf);
  show("read after the child closed", read(sv[0], buf, sizeof buf));
  wait_child(child);
  close(sv[0]);

  show("socketpair dgram", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
  send(sv[0], "one", 3, 0);
  send(sv[0], "two!", 4, 0);
  send(sv[0], "", 0, 0);
  show("dgram 1", recv(sv[1], buf, sizeof buf, 0));
  show("dgram 2 truncated", recv(sv[1], buf, 2, 0));
  show("dgram 3 empty", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
  show("no more", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
  close(sv[0]);
  close(sv[1]);

  show("socketpair seqpacket", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
  send(sv[0], "record one", 10, 0);
  send(sv[0], "record two", 10, 0);
  struct iovec iov = {buf, 6};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
  show("recvmsg", recvmsg(sv[1], &msg, 0));
  printf("MSG_TRUNC %s\n", (msg.msg_flags & MSG_TRUNC) ? "set" : "clear");
  show("next record", recv(sv[1], buf, sizeof buf, 0));
  show("socketpair inet", socketpair(AF_INET, SOCK_STREAM, 0, sv));
}

// A server bound to `name` (a path or an abstract name) and a forked client.
static void named_stream(const char* name, int abstract) {
  struct sockaddr_un a;
  const socklen_t length = unix_address(&a, name, abstract);
  const int listener = socket(AF_UNIX, SOCK_STREAM, 0);
  show("bind", bind(listener, (struct sockaddr*)&a, length));
  const int other = socket(AF_UNIX, SOCK_STREAM, 0);
  show("bind the same name again", bind(other, (struct sockaddr*)&a, length));
  show("connect before listen", connect(other, (struct sockaddr*)&a, length));
  show("listen", listen(listener, 2));
  struct stat st;
  if (!abstract)
    printf("a socket file: %s\n", stat(name, &st) == 0 && S_ISSOCK(st.st_mode) ? "yes" : "no");
  struct sockaddr_un got;
  socklen_t got_length = sizeof got;
  getsockname(listener, (struct sockaddr*)&got, &got_length);
  printf(
      "getsockname: length %s, name %s\n",
      got_length == (abstract ? length : offsetof(struct sockaddr_un, sun_path) + strlen(name) + 1)
          ? "right"
          : "wrong",
      memcmp(got.sun_path, a.sun_path, got_length - offsetof(struct sockaddr_un, sun_path)) == 0
          ? "matches"
          : "differs");
  const pid_t child = fork();
  if (child == 0) {
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    show("child connect", connect(fd, (struct sockaddr*)&a, length));
    struct sockaddr_un peer;
    socklen_t peer_length = sizeof peer;
    getpeername(fd, (struct sockaddr*)&peer, &peer_length);
    printf("child: peer name %s\n", peer_length == got_length ? "is the server's" : "differs");
    write(fd, "request", 7);
    char buf[32] = {0};
    read(fd, buf, sizeof buf - 1);
    printf("child: reply %s\n", buf);
    _exit(0);
  }
  struct sockaddr_un peer;
  socklen_t peer_length = sizeof peer;
  const int fd = accept(listener, (struct sockaddr*)&peer, &peer_length);
  char buf[32] = {0};
  read(fd, buf, sizeof buf - 1);
  printf("server: request %s from a client whose address has length %u\n", buf,
         (unsigned)peer_length);
  write(fd, "reply", 5);
  wait_child(child);
  close(fd);
  close(listener);
  show("connect after the server closed", connect(other, (struct sockaddr*)&a, length));
  if (!abstract) show("unlink", unlink(name));
  const int again = socket(AF_UNIX, SOCK_STREAM, 0);
  show("bind once more", bind(again, (struct sockaddr*)&a, length));
  if (!abstract) unlink(name);
}

static void missing_names(void) {
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a;
  socklen_t length = unix_address(&a, "/nonexistent/dir/sock", 0);
  show("connect to a missing path", connect(fd, (struct sockaddr*)&a, length));
  length = unix_address(&a, "/etc/passwd", 0);
  show("connect to a regular file", connect(fd, (struct sockaddr*)&a, length));
  length = unix_address(&a, "vmlab-nobody-listens", 1);
  show("connect to an unbound abstract name", connect(fd, (struct sockaddr*)&a, length));
  show("connect with a short address", connect(fd, (struct sockaddr*)&a, 1));
}

static void unix_dgram_mode(const char* receiver_path, const char* sender_path) {
  struct sockaddr_un r, s;
  const socklen_t r_length = unix_address(&r, receiver_path, 0);
  const socklen_t s_length = unix_address(&s, sender_path, 0);
  const int receiver = socket(AF_UNIX, SOCK_DGRAM, 0);
  const int sender = socket(AF_UNIX, SOCK_DGRAM, 0);
  show("send unconnected", send(sender, "x", 1, 0));
  show("bind receiver", bind(receiver, (struct sockaddr*)&r, r_length));
  const pid_t child = fork();
  if (child == 0) {
    show("child: bind sender", bind(sender, (struct sockaddr*)&s, s_length));
    show("child: sendto", sendto(sender, "first", 5, 0, (struct sockaddr*)&r, r_length));
    show("child: connect", connect(sender, (struct sockaddr*)&r, r_length));
    show("child: send", send(sender, "second message", 14, 0));
    _exit(0);
  }
  wait_child(child);
  char buf[64] = {0};
  struct sockaddr_un from;
  socklen_t from_length = sizeof from;
  show("recvfrom", recvfrom(receiver, buf, sizeof buf, 0, (struct sockaddr*)&from, &from_length));
  printf("from the sender's path: %s\n", strcmp(from.sun_path, sender_path) == 0 ? "yes" : "no");
  show("recv", recv(receiver, buf, 6, MSG_TRUNC));
  const int anonymous = socket(AF_UNIX, SOCK_DGRAM, 0);
  sendto(anonymous, "anon", 4, 0, (struct sockaddr*)&r, r_length);
  from_length = sizeof from;
  show("recvfrom an unbound sender",
       recvfrom(receiver, buf, sizeof buf, 0, (struct sockaddr*)&from, &from_length));
  printf("address length %u\n", (unsigned)from_length);
  int sent = 0;
  while (sendto(anonymous, "x", 1, MSG_DONTWAIT, (struct sockaddr*)&r, r_length) == 1 && sent < 100)
    ++sent;
  printf("queued %d datagrams before %s\n", sent, errno_name(errno));
  show("sendto a missing path",
       sendto(anonymous, "x", 1, 0, (struct sockaddr*)&s, sizeof(sa_family_t) + 4));
  unlink(receiver_path);
  unlink(sender_path);
}

static void udp_mode(int port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int receiver = socket(AF_INET, SOCK_DGRAM, 0);
  show("udp bind", bind(receiver, (struct sockaddr*)&a, sizeof a));
  const int sender = socket(AF_INET, SOCK_DGRAM, 0);
  show("udp send unconnected", send(sender, "x", 1, 0));
  show("udp sendto", sendto(sender, "datagram", 8, 0, (struct sockaddr*)&a, sizeof a));
  char buf[64] = {0};
  struct sockaddr_in from;
  socklen_t from_length = sizeof from;
  show("udp recvfrom",
       recvfrom(receiver, buf, sizeof buf, 0, (struct sockaddr*)&from, &from_length));
  printf("from %s, length %u\n", inet_ntoa(from.sin_addr), (unsigned)from_length);
  close(receiver);
  show("udp connect", connect(sender, (struct sockaddr*)&a, sizeof a));
  show("udp send to nobody", send(sender, "x", 1, 0));
  show("udp send again", send(sender, "x", 1, 0));
  show("udp recv", recv(sender, buf, sizeof buf, MSG_DONTWAIT));
}

static void on_sigpipe(int sig) {
  printf("SIGPIPE (%d)\n", sig);
}

static void closed_peer_mode(int port) {
  signal(SIGPIPE, on_sigpipe);
  int sv[2];
  char buf[16];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  write(sv[0], "bye", 3);
  close(sv[0]);
  show("read the last data", read(sv[1], buf, sizeof buf));
  show("read at the end", read(sv[1], buf, sizeof buf));
  show("write to a closed peer", write(sv[1], "x", 1));
  show("send with MSG_NOSIGNAL", send(sv[1], "x", 1, MSG_NOSIGNAL));
  close(sv[1]);
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  write(sv[0], "unread", 6);
  close(sv[1]);
  show("read after the peer closed with data unread", read(sv[0], buf, sizeof buf));
  show("read again", read(sv[0], buf, sizeof buf));
  close(sv[0]);
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  show("shutdown SHUT_WR", shutdown(sv[0], SHUT_WR));
  show("peer reads", read(sv[1], buf, sizeof buf));
  show("write after SHUT_WR", write(sv[0], "x", 1));
  show("peer can still write", write(sv[1], "ok", 2));
  show("and be read", read(sv[0], buf, sizeof buf));

  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  bind(listener, (struct sockaddr*)&a, sizeof a);
  listen(listener, 1);
  const int client = socket(AF_INET, SOCK_STREAM, 0);
  show("tcp connect", connect(client, (struct sockaddr*)&a, sizeof a));
  const int server = accept(listener, NULL, NULL);
  close(server);
  show("tcp read after the peer closed", read(client, buf, sizeof buf));
  show("tcp write after the peer closed", write(client, "x", 1));
  usleep(20000);  // the reset comes back
  show("tcp write after the reset", write(client, "x", 1));
  show("tcp send with MSG_NOSIGNAL", send(client, "x", 1, MSG_NOSIGNAL));
  close(client);
  const int second = socket(AF_INET, SOCK_STREAM, 0);
  connect(second, (struct sockaddr*)&a, sizeof a);
  const int accepted = accept(listener, NULL, NULL);
  write(second, "unread", 6);
  usleep(20000);
  close(accepted);
  usleep(20000);
  show("tcp read after a reset", read(second, buf, sizeof buf));
  show("tcp read again", read(second, buf, sizeof buf));
  close(listener);
  show("tcp connect with no listener",
       connect(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr*)&a, sizeof a));
}

static void nonblocking_mode(int port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  bind(listener, (struct sockaddr*)&a, sizeof a);
  listen(listener, 1);
  show("accept with nobody waiting", accept(listener, NULL, NULL));
  const int client = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  show("nonblocking connect", connect(client, (struct sockaddr*)&a, sizeof a));
  show("connect again", connect(client, (struct sockaddr*)&a, sizeof a));
  show("and once more", connect(client, (struct sockaddr*)&a, sizeof a));
  const int server = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
  printf("accept4 gave a nonblocking socket: %s\n",
         (fcntl(server, F_GETFL) & O_NONBLOCK) ? "yes" : "no");
  char buf[4096];
  show("recv with nothing sent", recv(server, buf, sizeof buf, 0));
  memset(buf, 'x', sizeof buf);
  long total = 0;
  ssize_t n;
  while ((n = send(client, buf, sizeof buf, 0)) > 0)
    total += n;
  printf("send filled the buffers, then %s\n", errno_name(errno));
  long drained = 0;
  while ((n = recv(server, buf, sizeof buf, 0)) > 0)
    drained += n;
  printf("everything sent arrived: %s, then %s\n", drained == total ? "yes" : "no",
         errno_name(errno));
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  show("MSG_DONTWAIT on a blocking socket", recv(sv[0], buf, sizeof buf, MSG_DONTWAIT));
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc < 2) return 2;
  const char* mode = argv[1];
  const int port = argc > 2 ? atoi(argv[2]) : 29811;
  char path[64], other[64];
  snprintf(path, sizeof path, "/tmp/vmlab-sock-%d", (int)getpid());
  snprintf(other, sizeof other, "/tmp/vmlab-sock-%d-b", (int)getpid());
  if (strcmp(mode, "socketpair") == 0)
    socketpair_mode();
  else if (strcmp(mode, "path") == 0)
    named_stream(path, 0);
  else if (strcmp(mode, "abstract") == 0)
    named_stream(path + 5, 1);
  else if (strcmp(mode, "missing") == 0)
    missing_names();
  else if (strcmp(mode, "dgram") == 0)
    unix_dgram_mode(path, other);
  else if (strcmp(mode, "udp") == 0)
    udp_mode(port);
  else if (strcmp(mode, "closed_peer") == 0)
    closed_peer_mode(port);
  else if (strcmp(mode, "nonblocking") == 0)
    nonblocking_mode(port);
  else
    return 2;
  return 0;
}
