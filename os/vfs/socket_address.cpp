#include "os/vfs/socket_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

namespace vmlab::os::vfs {

namespace {

constexpr size_t kUnixPathOffset = offsetof(sockaddr_un, sun_path);
// Linux accepts a sockaddr_in6 without sin6_scope_id (RFC 2133's layout, SIN6_LEN_RFC2133).
constexpr size_t kShortestInet6Address = 24;

template <typename T>
std::vector<uint8_t> bytes_of(const T& value) {
  const auto* p = reinterpret_cast<const uint8_t*>(&value);
  return {p, p + sizeof value};
}

}  // namespace

bool SocketAddress::is_any_ip() const {
  const size_t n = family == AF_INET ? 4 : 16;
  return std::all_of(ip.begin(), ip.begin() + static_cast<ptrdiff_t>(n),
                     [](uint8_t b) { return b == 0; });
}

bool SocketAddress::is_local_ip() const {
  if (is_any_ip()) return true;
  if (family == AF_INET) return ip[0] == 127;
  return std::all_of(ip.begin(), ip.begin() + 15, [](uint8_t b) { return b == 0; }) && ip[15] == 1;
}

std::vector<uint8_t> SocketAddress::to_bytes(int socket_family) const {
  if (socket_family == AF_UNIX) {
    std::vector<uint8_t> out(kUnixPathOffset);
    const sa_family_t f = AF_UNIX;
    std::memcpy(out.data(), &f, sizeof f);
    out.insert(out.end(), unix_name.begin(), unix_name.end());
    if (!unix_name.empty() && !is_abstract()) out.push_back(0);
    return out;
  }
  if (socket_family == AF_INET) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    std::memcpy(&in.sin_addr, ip.data(), 4);
    return bytes_of(in);
  }
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(port);
  std::memcpy(&in6.sin6_addr, ip.data(), 16);
  return bytes_of(in6);
}

int parse_unix_address(std::span<const uint8_t> bytes, SocketAddress& out, bool* autobind) {
  *autobind = false;
  if (bytes.size() < sizeof(sa_family_t) || bytes.size() > sizeof(sockaddr_un)) return -EINVAL;
  sa_family_t family = 0;
  std::memcpy(&family, bytes.data(), sizeof family);
  if (family != AF_UNIX) return -EINVAL;
  out = SocketAddress{};
  out.family = AF_UNIX;
  if (bytes.size() == kUnixPathOffset) {
    *autobind = true;
    return 0;
  }
  const auto* path = reinterpret_cast<const char*>(bytes.data() + kUnixPathOffset);
  const size_t path_bytes = bytes.size() - kUnixPathOffset;
  // An abstract name is every byte given; a path ends at its first NUL.
  out.unix_name = path[0] == '\0' ? std::string(path, path_bytes)
                                  : std::string(path, strnlen(path, path_bytes));
  return 0;
}

int parse_inet_address(std::span<const uint8_t> bytes, int family, SocketAddress& out) {
  const size_t needed = family == AF_INET ? sizeof(sockaddr_in) : kShortestInet6Address;
  if (bytes.size() < sizeof(sa_family_t)) return -EINVAL;
  sa_family_t given = 0;
  std::memcpy(&given, bytes.data(), sizeof given);
  if (bytes.size() < needed) return -EINVAL;
  if (given != family) return -EAFNOSUPPORT;
  out = SocketAddress{};
  out.family = family;
  if (family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, bytes.data(), sizeof in);
    out.port = ntohs(in.sin_port);
    std::memcpy(out.ip.data(), &in.sin_addr, 4);
  } else {
    sockaddr_in6 in6{};
    std::memcpy(&in6, bytes.data(), std::min(bytes.size(), sizeof in6));
    out.port = ntohs(in6.sin6_port);
    std::memcpy(out.ip.data(), &in6.sin6_addr, 16);
  }
  return 0;
}

SocketAddress loopback_address(int family, uint16_t port) {
  SocketAddress a;
  a.family = family;
  a.port = port;
  if (family == AF_INET)
    a.ip[0] = 127, a.ip[3] = 1;
  else
    a.ip[15] = 1;
  return a;
}

}  // namespace vmlab::os::vfs
