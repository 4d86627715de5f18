// Socket options and what never leaves the machine (argv[1]): "options" reads and sets
// SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ERROR, SO_ACCEPTCONN, SO_REUSEADDR, SO_RCVBUF,
// SO_SNDBUF and TCP_NODELAY and checks Linux's errors (the same output natively);
// "outside" tries addresses beyond the loopback and families vmlab does not have.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "socket_report.h"

static void options_mode(void) {
  const int tcp = socket(AF_INET, SOCK_STREAM, 0);
  const int udp = socket(AF_INET6, SOCK_DGRAM, 0);
  const int local = socket(AF_UNIX, SOCK_STREAM, 0);
  int value = 0;
  socklen_t length = sizeof value;
  const struct {
    const char* name;
    int fd, level, option;
  } reads[] = {{"tcp SO_TYPE", tcp, SOL_SOCKET, SO_TYPE},
               {"udp SO_TYPE", udp, SOL_SOCKET, SO_TYPE},
               {"udp SO_DOMAIN", udp, SOL_SOCKET, SO_DOMAIN},
               {"tcp SO_PROTOCOL", tcp, SOL_SOCKET, SO_PROTOCOL},
               {"unix SO_ERROR", local, SOL_SOCKET, SO_ERROR},
               {"tcp SO_ACCEPTCONN", tcp, SOL_SOCKET, SO_ACCEPTCONN},
               {"tcp SO_REUSEADDR", tcp, SOL_SOCKET, SO_REUSEADDR},
               {"tcp TCP_NODELAY", tcp, IPPROTO_TCP, TCP_NODELAY},
               {"unix TCP_NODELAY", local, IPPROTO_TCP, TCP_NODELAY},
               {"udp TCP_NODELAY", udp, IPPROTO_TCP, TCP_NODELAY},
               {"tcp unknown option", tcp, SOL_SOCKET, 9999}};
  for (size_t i = 0; i < sizeof reads / sizeof reads[0]; ++i) {
    value = -1;
    length = sizeof value;
    const int r = getsockopt(reads[i].fd, reads[i].level, reads[i].option, &value, &length);
    if (r < 0)
      printf("%s = -1 %s\n", reads[i].name, errno_name(errno));
    else
      printf("%s = %d (length %u)\n", reads[i].name, value, (unsigned)length);
  }
  value = 5;
  show("set SO_REUSEADDR", setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &value, sizeof value));
  show("set TCP_NODELAY", setsockopt(tcp, IPPROTO_TCP, TCP_NODELAY, &value, sizeof value));
  show("set TCP_NODELAY on unix",
       setsockopt(local, IPPROTO_TCP, TCP_NODELAY, &value, sizeof value));
  show("set with a short length", setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &value, 2));
  value = 4096;
  show("set SO_RCVBUF", setsockopt(tcp, SOL_SOCKET, SO_RCVBUF, &value, sizeof value));
  show("set SO_SNDBUF", setsockopt(local, SOL_SOCKET, SO_SNDBUF, &value, sizeof value));
  const struct {
    const char* name;
    int fd, level, option;
  } after[] = {{"SO_REUSEADDR", tcp, SOL_SOCKET, SO_REUSEADDR},
               {"TCP_NODELAY", tcp, IPPROTO_TCP, TCP_NODELAY},
               {"SO_RCVBUF", tcp, SOL_SOCKET, SO_RCVBUF},
               {"SO_SNDBUF", local, SOL_SOCKET, SO_SNDBUF}};
  for (size_t i = 0; i < sizeof after / sizeof after[0]; ++i) {
    length = sizeof value;
    getsockopt(after[i].fd, after[i].level, after[i].option, &value, &length);
    printf("%s now %d\n", after[i].name, value);
  }
  show("socket of an unknown family", socket(12345, SOCK_STREAM, 0));
  show("socket of an unknown type", socket(AF_INET, 77, 0));
  int fds[2];
  pipe(fds);
  show("getsockopt on a pipe", getsockopt(fds[0], SOL_SOCKET, SO_TYPE, &value, &length));
  show("listen on a datagram socket", listen(udp, 1));
  show("accept on an unlistening socket", accept(tcp, NULL, NULL));
  show("shutdown of an unconnected tcp socket", shutdown(tcp, SHUT_RDWR));
  show("getpeername unconnected", getpeername(tcp, (struct sockaddr*)&value, &length));
}

static void outside_mode(void) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(80)};
  inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
  const int tcp = socket(AF_INET, SOCK_STREAM, 0);
  show("connect to 192.0.2.1", connect(tcp, (struct sockaddr*)&a, sizeof a));
  show("bind to 192.0.2.1", bind(tcp, (struct sockaddr*)&a, sizeof a));
  const int udp = socket(AF_INET, SOCK_DGRAM, 0);
  show("sendto 192.0.2.1", sendto(udp, "x", 1, 0, (struct sockaddr*)&a, sizeof a));
  struct sockaddr_in6 b = {.sin6_family = AF_INET6, .sin6_port = htons(80)};
  inet_pton(AF_INET6, "2001:db8::1", &b.sin6_addr);
  show("connect to 2001:db8::1",
       connect(socket(AF_INET6, SOCK_STREAM, 0), (struct sockaddr*)&b, sizeof b));
  inet_pton(AF_INET6, "::1", &b.sin6_addr);
  show("connect to [::1]:80",
       connect(socket(AF_INET6, SOCK_STREAM, 0), (struct sockaddr*)&b, sizeof b));
  show("socket(AF_NETLINK)", socket(AF_NETLINK, SOCK_RAW, 0));
  show("socket(AF_PACKET)", socket(AF_PACKET, SOCK_RAW, 0));
  show("socket(AF_INET, SOCK_RAW)", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
  show("connect with an AF_INET6 address", connect(tcp, (struct sockaddr*)&b, sizeof b));
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc < 2) return 2;
  if (strcmp(argv[1], "options") == 0)
    options_mode();
  else if (strcmp(argv[1], "outside") == 0)
    outside_mode();
  else
    return 2;
  return 0;
}
