// A loopback TCP echo server and client in one program: the server binds 127.0.0.1 on the
// port given (default 29801), listens and forks the client, which connects, sends lines and
// reads their echoes. Both print what they see, in an order the exchange fixes; the output
// is the same on Linux and in vmlab.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const char* const kLines[] = {"hello", "echo this line",
                                     "a longer line with more words in it", "last"};
enum { kLineCount = sizeof kLines / sizeof kLines[0] };

static void die(const char* what) {
  printf("%s: %s\n", what, strerror(errno));
  exit(1);
}

// Reads one line (without its newline) from a stream socket; 0 at end of stream.
static ssize_t read_line(int fd, char* line, size_t size) {
  size_t n = 0;
  while (n + 1 < size) {
    char c;
    const ssize_t got = read(fd, &c, 1);
    if (got < 0) die("read");
    if (got == 0) break;
    if (c == '\n') {
      line[n] = '\0';
      return (ssize_t)n + 1;
    }
    line[n++] = c;
  }
  line[n] = '\0';
  return (ssize_t)n;
}

static void write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = write(fd, data, size);
    if (n < 0) die("write");
    data += n;
    size -= (size_t)n;
  }
}

static struct sockaddr_in address_of(int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

static void client(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("client socket");
  const int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("TCP_NODELAY");
  struct sockaddr_in server = address_of(port);
  if (connect(fd, (struct sockaddr*)&server, sizeof server) < 0) die("connect");
  struct sockaddr_in peer;
  socklen_t length = sizeof peer;
  if (getpeername(fd, (struct sockaddr*)&peer, &length) < 0) die("getpeername");
  printf("client: connected to %s port %d\n", inet_ntoa(peer.sin_addr), ntohs(peer.sin_port));
  for (int i = 0; i < kLineCount; ++i) {
    char line[256];
    snprintf(line, sizeof line, "%s\n", kLines[i]);
    write_all(fd, line, strlen(line));
    if (read_line(fd, line, sizeof line) <= 0) die("echo missing");
    printf("client: echo \"%s\"\n", line);
  }
  if (shutdown(fd, SHUT_WR) < 0) die("shutdown");
  char rest[16];
  const ssize_t n = read(fd, rest, sizeof rest);
  printf("client: after shutdown, read returns %zd\n", n);
  close(fd);
}

static void server(int listener) {
  struct sockaddr_in peer;
  socklen_t length = sizeof peer;
  const int fd = accept(listener, (struct sockaddr*)&peer, &length);
  if (fd < 0) die("accept");
  int lines = 0;
  char line[256];
  while (read_line(fd, line, sizeof line) > 0) {
    // Printed once the client has spoken, so that its own first line comes before.
    if (lines == 0)
      printf("server: accepted a connection from %s (address length %u)\n",
             inet_ntoa(peer.sin_addr), (unsigned)length);
    printf("server: got \"%s\"\n", line);
    fflush(stdout);
    ++lines;
    char reply[260];
    snprintf(reply, sizeof reply, "%s\n", line);
    write_all(fd, reply, strlen(reply));
  }
  printf("server: end of stream after %d lines\n", lines);
  close(fd);
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const int port = argc > 1 ? atoi(argv[1]) : 29801;
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0) die("socket");
  const int one = 1;
  if (setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) die("SO_REUSEADDR");
  struct sockaddr_in address = address_of(port);
  if (bind(listener, (struct sockaddr*)&address, sizeof address) < 0) die("bind");
  if (listen(listener, 4) < 0) die("listen");
  struct sockaddr_in bound;
  socklen_t length = sizeof bound;
  if (getsockname(listener, (struct sockaddr*)&bound, &length) < 0) die("getsockname");
  printf("server: listening on %s port %d\n", inet_ntoa(bound.sin_addr), ntohs(bound.sin_port));
  const pid_t child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    close(listener);
    client(port);
    return 0;
  }
  server(listener);
  int status = 0;
  waitpid(child, &status, 0);
  printf("server: client exited with status %d\n", WEXITSTATUS(status));
  close(listener);
  return 0;
}
