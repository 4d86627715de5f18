// setsockopt/getsockopt storage: the values a guest set, returned as set, and the buffer sizes
// with Linux's defaults and its doubling (socket(7): "the kernel doubles this value").
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <utility>
#include <vector>

namespace vmlab::os::vfs {

// Linux's defaults (net.core.[rw]mem_default and _max, net.ipv4.tcp_[rw]mem[1]).
inline constexpr int kDefaultSocketBuffer = 212992;
inline constexpr int kTcpDefaultReceiveBuffer = 131072;
inline constexpr int kTcpDefaultSendBuffer = 16384;
inline constexpr int kMaxSocketBuffer = 212992;
inline constexpr int kMinReceiveBuffer = 2304;  // SOCK_MIN_RCVBUF
inline constexpr int kMinSendBuffer = 4608;     // SOCK_MIN_SNDBUF

class SocketOptions {
 public:
  SocketOptions(int receive_buffer, int send_buffer)
      : receive_buffer_(receive_buffer), send_buffer_(send_buffer) {}

  int receive_buffer() const { return receive_buffer_; }
  int send_buffer() const { return send_buffer_; }
  // SO_RCVBUF / SO_SNDBUF: twice the value asked for, within Linux's limits.
  void set_receive_buffer(int requested);
  void set_send_buffer(int requested);

  // Any other option: its bytes as the guest set them; null if never set.
  void set(int level, int name, std::span<const uint8_t> value);
  const std::vector<uint8_t>* get(int level, int name) const;
  // An int option's value (SO_REUSEADDR, TCP_NODELAY...), `fallback` if never set.
  int get_int(int level, int name, int fallback) const;

 private:
  int receive_buffer_;
  int send_buffer_;
  std::map<std::pair<int, int>, std::vector<uint8_t>> values_;
};

}  // namespace vmlab::os::vfs
