// Socket addresses as the guest passes them (sockaddr_un, sockaddr_in, sockaddr_in6) and as
// Linux reports them back (getsockname, getpeername, accept, recvfrom).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace vmlab::os::vfs {

struct SocketAddress {
  int family = 0;  // AF_UNSPEC: unnamed (an unbound Unix socket, an unconnected peer)
  // AF_UNIX: a path, or '\0' and an abstract name; empty for an unnamed socket.
  std::string unix_name;
  // AF_INET: the first 4 bytes; AF_INET6: all 16. Network byte order.
  std::array<uint8_t, 16> ip{};
  uint16_t port = 0;  // host byte order

  bool is_abstract() const { return !unix_name.empty() && unix_name[0] == '\0'; }
  // 0.0.0.0 or ::
  bool is_any_ip() const;
  // 127.0.0.0/8, ::1, or the any address (a connect to it reaches this machine).
  bool is_local_ip() const;
  // The sockaddr Linux writes for this address; for AF_UNIX `family` alone when unnamed, and a
  // path with its terminating NUL.
  std::vector<uint8_t> to_bytes(int socket_family) const;
};

// An AF_UNIX address of `length` bytes: 0, or -EINVAL (too short or long, wrong family).
// `autobind` is set for bind's bare family (Linux then picks an abstract name).
int parse_unix_address(std::span<const uint8_t> bytes, SocketAddress& out, bool* autobind);
// An AF_INET or AF_INET6 address for a socket of `family`: 0, -EINVAL (too short),
// -EAFNOSUPPORT (another family).
int parse_inet_address(std::span<const uint8_t> bytes, int family, SocketAddress& out);

// The loopback address of `family` with `port`.
SocketAddress loopback_address(int family, uint16_t port);

}  // namespace vmlab::os::vfs
