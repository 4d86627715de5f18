#include "emulator/strace_format/syscall_socket_format.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>

#include "emulator/strace_format/syscall_flags.h"

namespace vmlab::emulator {

namespace {

constexpr int64_t kMaxErrno = 4095;
constexpr size_t kMaxEpollEventsShown = 32;

bool succeeded(std::optional<int64_t> result) {
  return result && !(*result < 0 && *result >= -kMaxErrno);
}

std::string pointer(uint64_t v) {
  if (v == 0) return "NULL";
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
  return buf;
}

// A name, or strace's "0x3039 /* AF_??? */" for a value it does not know.
std::string known_or(const std::string& name, uint64_t value, const char* unknown) {
  if (name != std::to_string(static_cast<int64_t>(value))) return name;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%#llx /* %s */", static_cast<unsigned long long>(value), unknown);
  return buf;
}

std::string family(uint64_t value) {
  return known_or(one_name(value, {{AF_UNSPEC, "AF_UNSPEC"},
                                   {AF_UNIX, "AF_UNIX"},
                                   {AF_INET, "AF_INET"},
                                   {AF_INET6, "AF_INET6"},
                                   {AF_NETLINK, "AF_NETLINK"},
                                   {AF_PACKET, "AF_PACKET"}}),
                  value, "AF_???");
}

std::string socket_flags(uint64_t value) {
  return flag_bits(value, {{SOCK_NONBLOCK, "SOCK_NONBLOCK"}, {SOCK_CLOEXEC, "SOCK_CLOEXEC"}});
}

std::string socket_type(uint64_t value) {
  constexpr uint64_t kTypeMask = 0xf;
  const uint64_t flags = value & ~kTypeMask;
  const std::string type = one_name(value & kTypeMask, {{SOCK_STREAM, "SOCK_STREAM"},
                                                        {SOCK_DGRAM, "SOCK_DGRAM"},
                                                        {SOCK_RAW, "SOCK_RAW"},
                                                        {SOCK_SEQPACKET, "SOCK_SEQPACKET"}});
  if (type == std::to_string(value & kTypeMask) ||
      (flags & ~uint64_t{SOCK_NONBLOCK | SOCK_CLOEXEC}) != 0)
    return known_or(std::to_string(static_cast<int64_t>(value)), value, "SOCK_???");
  return flags != 0 ? type + "|" + socket_flags(flags) : type;
}

// strace names the protocols of Internet sockets (0 is IPPROTO_IP), numbers the others.
std::string protocol(uint64_t family_value, uint64_t value) {
  if (family_value != AF_INET && family_value != AF_INET6) return std::to_string(value);
  return one_name(value, {{IPPROTO_IP, "IPPROTO_IP"},
                          {IPPROTO_ICMP, "IPPROTO_ICMP"},
                          {IPPROTO_TCP, "IPPROTO_TCP"},
                          {IPPROTO_UDP, "IPPROTO_UDP"},
                          {IPPROTO_ICMPV6, "IPPROTO_ICMPV6"}});
}

std::string message_flags(uint64_t value) {
  return flag_bits(value, {{MSG_OOB, "MSG_OOB"},
                           {MSG_PEEK, "MSG_PEEK"},
                           {MSG_DONTROUTE, "MSG_DONTROUTE"},
                           {MSG_TRUNC, "MSG_TRUNC"},
                           {MSG_DONTWAIT, "MSG_DONTWAIT"},
                           {MSG_EOR, "MSG_EOR"},
                           {MSG_WAITALL, "MSG_WAITALL"},
                           {MSG_NOSIGNAL, "MSG_NOSIGNAL"},
                           {MSG_MORE, "MSG_MORE"},
                           {MSG_CMSG_CLOEXEC, "MSG_CMSG_CLOEXEC"}});
}

std::string level(uint64_t value) {
  return one_name(value, {{SOL_SOCKET, "SOL_SOCKET"},
                          {IPPROTO_IP, "SOL_IP"},
                          {IPPROTO_TCP, "SOL_TCP"},
                          {IPPROTO_UDP, "SOL_UDP"},
                          {IPPROTO_IPV6, "SOL_IPV6"}});
}

std::string option(uint64_t level_value, uint64_t value) {
  if (level_value == SOL_SOCKET)
    return known_or(one_name(value, {{SO_DEBUG, "SO_DEBUG"},
                                     {SO_REUSEADDR, "SO_REUSEADDR"},
                                     {SO_TYPE, "SO_TYPE"},
                                     {SO_ERROR, "SO_ERROR"},
                                     {SO_DONTROUTE, "SO_DONTROUTE"},
                                     {SO_BROADCAST, "SO_BROADCAST"},
                                     {SO_SNDBUF, "SO_SNDBUF"},
                                     {SO_RCVBUF, "SO_RCVBUF"},
                                     {SO_KEEPALIVE, "SO_KEEPALIVE"},
                                     {SO_OOBINLINE, "SO_OOBINLINE"},
                                     {SO_LINGER, "SO_LINGER"},
                                     {SO_REUSEPORT, "SO_REUSEPORT"},
                                     {SO_PASSCRED, "SO_PASSCRED"},
                                     {SO_PEERCRED, "SO_PEERCRED"},
                                     {SO_RCVLOWAT, "SO_RCVLOWAT"},
                                     {SO_RCVTIMEO, "SO_RCVTIMEO_OLD"},
                                     {SO_SNDTIMEO, "SO_SNDTIMEO_OLD"},
                                     {SO_ACCEPTCONN, "SO_ACCEPTCONN"},
                                     {SO_PROTOCOL, "SO_PROTOCOL"},
                                     {SO_DOMAIN, "SO_DOMAIN"},
                                     {SO_PRIORITY, "SO_PRIORITY"},
                                     {SO_TIMESTAMP, "SO_TIMESTAMP_OLD"}}),
                    value, "SO_???");
  if (level_value == IPPROTO_TCP)
    return one_name(value, {{TCP_NODELAY, "TCP_NODELAY"},
                            {TCP_CORK, "TCP_CORK"},
                            {TCP_KEEPIDLE, "TCP_KEEPIDLE"},
                            {TCP_KEEPINTVL, "TCP_KEEPINTVL"},
                            {TCP_KEEPCNT, "TCP_KEEPCNT"},
                            {TCP_QUICKACK, "TCP_QUICKACK"}});
  if (level_value == IPPROTO_IP) return one_name(value, {{IP_TOS, "IP_TOS"}, {IP_TTL, "IP_TTL"}});
  if (level_value == IPPROTO_IPV6)
    return one_name(value,
                    {{IPV6_V6ONLY, "IPV6_V6ONLY"}, {IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS"}});
  return std::to_string(value);
}

std::string epoll_events(uint64_t value) {
  return flag_bits(value, {{EPOLLIN, "EPOLLIN"},
                           {EPOLLPRI, "EPOLLPRI"},
                           {EPOLLOUT, "EPOLLOUT"},
                           {EPOLLERR, "EPOLLERR"},
                           {EPOLLHUP, "EPOLLHUP"},
                           {EPOLLRDNORM, "EPOLLRDNORM"},
                           {EPOLLRDBAND, "EPOLLRDBAND"},
                           {EPOLLWRNORM, "EPOLLWRNORM"},
                           {EPOLLWRBAND, "EPOLLWRBAND"},
                           {EPOLLMSG, "EPOLLMSG"},
                           {EPOLLRDHUP, "EPOLLRDHUP"},
                           {EPOLLEXCLUSIVE, "EPOLLEXCLUSIVE"},
                           {EPOLLWAKEUP, "EPOLLWAKEUP"},
                           {EPOLLONESHOT, "EPOLLONESHOT"},
                           {EPOLLET, "EPOLLET"}});
}

struct [[gnu::packed]] EpollEvent {
  uint32_t events;
  uint64_t data;
};

std::string epoll_event_text(const EpollEvent& e) {
  return "{events=" + epoll_events(e.events) +
         ", data={u32=" + std::to_string(static_cast<uint32_t>(e.data)) +
         ", u64=" + std::to_string(e.data) + "}}";
}

std::string epoll_events_at(const PeekMemory& peek, uint64_t address, int64_t count) {
  std::string out = "[";
  for (int64_t i = 0; i < count; ++i) {
    if (static_cast<size_t>(i) == kMaxEpollEventsShown) return out + ", ...]";
    EpollEvent e{};
    if (!peek(address + static_cast<uint64_t>(i) * sizeof e, &e, sizeof e)) return pointer(address);
    out += (i ? ", " : "") + epoll_event_text(e);
  }
  return out + "]";
}

std::string unix_address(const uint8_t* bytes, size_t length) {
  const size_t offset = offsetof(sockaddr_un, sun_path);
  if (length <= offset) return "{sa_family=AF_UNIX}";
  const char* path = reinterpret_cast<const char*>(bytes + offset);
  const size_t path_bytes = length - offset;
  if (path[0] == '\0')
    return "{sa_family=AF_UNIX, sun_path=@\"" + std::string(path + 1, path_bytes - 1) + "\"}";
  return "{sa_family=AF_UNIX, sun_path=\"" + std::string(path, strnlen(path, path_bytes)) + "\"}";
}

std::string inet_address(const uint8_t* bytes, size_t length) {
  sockaddr_in in{};
  std::memcpy(&in, bytes, std::min(length, sizeof in));
  char ip[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &in.sin_addr, ip, sizeof ip);
  return "{sa_family=AF_INET, sin_port=htons(" + std::to_string(ntohs(in.sin_port)) +
         "), sin_addr=inet_addr(\"" + ip + "\")}";
}

std::string inet6_address(const uint8_t* bytes, size_t length) {
  sockaddr_in6 in6{};
  std::memcpy(&in6, bytes, std::min(length, sizeof in6));
  char ip[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, &in6.sin6_addr, ip, sizeof ip);
  return "{sa_family=AF_INET6, sin6_port=htons(" + std::to_string(ntohs(in6.sin6_port)) +
         "), sin6_flowinfo=htonl(" + std::to_string(ntohl(in6.sin6_flowinfo)) +
         "), inet_pton(AF_INET6, \"" + ip +
         "\", &sin6_addr), sin6_scope_id=" + std::to_string(in6.sin6_scope_id) + "}";
}

// The sockaddr of `length` bytes at `address`.
std::string sockaddr_at(const PeekMemory& peek, uint64_t address, uint64_t length) {
  if (address == 0) return "NULL";
  sockaddr_storage storage{};
  const size_t n = std::min<uint64_t>(length, sizeof storage);
  if (n < sizeof(sa_family_t) || !peek(address, &storage, n)) return pointer(address);
  const auto* bytes = reinterpret_cast<const uint8_t*>(&storage);
  switch (storage.ss_family) {
    case AF_UNIX:
      return unix_address(bytes, n);
    case AF_INET:
      return inet_address(bytes, n);
    case AF_INET6:
      return inet6_address(bytes, n);
    default:
      return "{sa_family=" + family(storage.ss_family) + "}";
  }
}

// "[N]" for the int (socklen_t, option value) at `address`.
std::string int_at(const PeekMemory& peek, uint64_t address) {
  int32_t value = 0;
  if (address == 0 || !peek(address, &value, sizeof value)) return pointer(address);
  return "[" + std::to_string(value) + "]";
}

}  // namespace

std::string socket_argument(const PeekMemory& peek, Arg kind, const uint64_t (&args)[6],
                            size_t index, std::optional<int64_t> result) {
  const uint64_t v = args[index];
  switch (kind) {
    case Arg::kSocketFamily:
      return family(v);
    case Arg::kSocketType:
      return socket_type(v);
    case Arg::kSocketProtocol:
      return protocol(args[0], v);
    case Arg::kSocketFlags:
      return socket_flags(v);
    case Arg::kMessageFlags:
      return message_flags(v);
    case Arg::kShutdownHow:
      return one_name(v, {{SHUT_RD, "SHUT_RD"}, {SHUT_WR, "SHUT_WR"}, {SHUT_RDWR, "SHUT_RDWR"}});
    case Arg::kSocketLevel:
      return level(v);
    case Arg::kSocketOption:
      return option(args[index - 1], v);
    case Arg::kSockaddrIn:
      return sockaddr_at(peek, v, args[index + 1]);
    case Arg::kSockaddrOut: {
      int32_t length = 0;
      if (!succeeded(result) || !peek(args[index + 1], &length, sizeof length)) return pointer(v);
      return sockaddr_at(peek, v, static_cast<uint64_t>(length));
    }
    case Arg::kIntIn:
      return args[index + 1] == sizeof(int32_t) ? int_at(peek, v) : pointer(v);
    case Arg::kIntOut:
      return succeeded(result) ? int_at(peek, v) : pointer(v);
    case Arg::kSocklen:
      return int_at(peek, v);
    case Arg::kEpollOp:
      return known_or(one_name(v, {{EPOLL_CTL_ADD, "EPOLL_CTL_ADD"},
                                   {EPOLL_CTL_DEL, "EPOLL_CTL_DEL"},
                                   {EPOLL_CTL_MOD, "EPOLL_CTL_MOD"}}),
                      v, "EPOLL_CTL_???");
    case Arg::kEpollFlags:
      if ((v & ~uint64_t{EPOLL_CLOEXEC}) != 0) return known_or(std::to_string(v), v, "EPOLL_???");
      return flag_bits(v, {{EPOLL_CLOEXEC, "EPOLL_CLOEXEC"}});
    case Arg::kEpollEventIn: {
      EpollEvent e{};
      if (v == 0 || !peek(v, &e, sizeof e)) return pointer(v);
      return epoll_event_text(e);
    }
    case Arg::kEpollEventsOut:
      return succeeded(result) ? epoll_events_at(peek, v, *result) : pointer(v);
    default:
      return pointer(v);
  }
}

const char* socket_errno_name(int error) {
  switch (error) {
    case ENOTSOCK:
      return "ENOTSOCK";
    case EDESTADDRREQ:
      return "EDESTADDRREQ";
    case EMSGSIZE:
      return "EMSGSIZE";
    case EPROTOTYPE:
      return "EPROTOTYPE";
    case ENOPROTOOPT:
      return "ENOPROTOOPT";
    case EPROTONOSUPPORT:
      return "EPROTONOSUPPORT";
    case ESOCKTNOSUPPORT:
      return "ESOCKTNOSUPPORT";
    case EAFNOSUPPORT:
      return "EAFNOSUPPORT";
    case EADDRINUSE:
      return "EADDRINUSE";
    case EADDRNOTAVAIL:
      return "EADDRNOTAVAIL";
    case ENETUNREACH:
      return "ENETUNREACH";
    case ECONNRESET:
      return "ECONNRESET";
    case EISCONN:
      return "EISCONN";
    case ENOTCONN:
      return "ENOTCONN";
    case ECONNREFUSED:
      return "ECONNREFUSED";
    case EALREADY:
      return "EALREADY";
    case EINPROGRESS:
      return "EINPROGRESS";
    default:
      return nullptr;
  }
}

}  // namespace vmlab::emulator
