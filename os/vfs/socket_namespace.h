// The names sockets of one machine are reachable by: Unix paths (the socket file bind
// creates; the socket is found through that inode, as Linux does), Unix abstract names, and
// loopback ports per protocol. Entries are weak: a closed socket's name is free again (a
// path's file stays, and connecting to it is ECONNREFUSED, as on Linux).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "os/vfs/inode.h"
#include "os/vfs/overlay_state.h"
#include "os/vfs/socket.h"

namespace vmlab::os::vfs {

// The file a Unix socket bound to a path leaves in the file system (S_IFSOCK).
class SocketNode final : public Inode {
 public:
  SocketNode(OverlayState& state, uint32_t mode, std::string path);
  FileStat stat() const override { return stat_; }

 private:
  FileStat stat_;
};

class SocketNamespace {
 public:
  // Linux's ephemeral port range (net.ipv4.ip_local_port_range).
  static constexpr uint16_t kFirstEphemeralPort = 32768;
  static constexpr uint16_t kLastEphemeralPort = 60999;

  // Unix sockets: an abstract name (starting with '\0') or the inode of a bound path.
  int bind_abstract(const std::string& name, const std::shared_ptr<Socket>& socket);
  void bind_node(const Inode* node, const std::shared_ptr<Socket>& socket);
  std::shared_ptr<Socket> find_abstract(const std::string& name);
  std::shared_ptr<Socket> find_node(const Inode* node);
  // A free abstract name for an automatic bind: '\0' and five hex digits, as Linux picks.
  std::string autobind_name();

  // Internet sockets: `address`'s port (a free ephemeral one when 0) for protocol `type`.
  // Returns the port, or -EADDRINUSE / -EAGAIN (no ephemeral port left).
  int bind_port(int type, const SocketAddress& address, const std::shared_ptr<Socket>& socket);
  // The socket of protocol `type` bound where `destination` points, null if none.
  std::shared_ptr<Socket> find_port(int type, const SocketAddress& destination);

 private:
  bool port_free(int type, uint16_t port);

  std::map<std::string, std::weak_ptr<Socket>> abstract_;
  std::map<const Inode*, std::weak_ptr<Socket>> nodes_;
  std::map<std::pair<int, uint16_t>, std::weak_ptr<Socket>> ports_;
  uint32_t next_autobind_ = 0;
  uint16_t next_ephemeral_ = kFirstEphemeralPort;
};

}  // namespace vmlab::os::vfs
