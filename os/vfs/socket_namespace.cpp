#include "os/vfs/socket_namespace.h"

#include <cerrno>
#include <cstdio>

#include "os/vfs/memory_inode.h"

namespace vmlab::os::vfs {

namespace {

constexpr uint32_t kAutobindNames = 0x100000;  // five hex digits

template <typename Map, typename Key>
std::shared_ptr<Socket> live(Map& map, const Key& key) {
  const auto it = map.find(key);
  if (it == map.end()) return nullptr;
  auto socket = it->second.lock();
  if (!socket) map.erase(it);
  return socket;
}

}  // namespace

SocketNode::SocketNode(OverlayState& state, uint32_t mode, std::string path)
    : Inode(S_IFSOCK, kNoCacheId, std::move(path)),
      stat_(new_overlay_stat(state, S_IFSOCK | (mode & 07777))) {}

int SocketNamespace::bind_abstract(const std::string& name, const std::shared_ptr<Socket>& socket) {
  if (live(abstract_, name)) return -EADDRINUSE;
  abstract_[name] = socket;
  return 0;
}

void SocketNamespace::bind_node(const Inode* node, const std::shared_ptr<Socket>& socket) {
  nodes_[node] = socket;
}

std::shared_ptr<Socket> SocketNamespace::find_abstract(const std::string& name) {
  return live(abstract_, name);
}

std::shared_ptr<Socket> SocketNamespace::find_node(const Inode* node) {
  return live(nodes_, node);
}

std::string SocketNamespace::autobind_name() {
  for (uint32_t tries = 0; tries < kAutobindNames; ++tries) {
    char digits[8];
    std::snprintf(digits, sizeof digits, "%05x", next_autobind_);
    next_autobind_ = (next_autobind_ + 1) % kAutobindNames;
    std::string name = std::string(1, '\0') + digits;
    if (!live(abstract_, name)) return name;
  }
  return {};
}

bool SocketNamespace::port_free(int type, uint16_t port) {
  return !live(ports_, std::make_pair(type, port));
}

int SocketNamespace::bind_port(int type, const SocketAddress& address,
                               const std::shared_ptr<Socket>& socket) {
  uint16_t port = address.port;
  if (port == 0) {
    constexpr int kRange = kLastEphemeralPort - kFirstEphemeralPort + 1;
    for (int tries = 0; tries < kRange && port == 0; ++tries) {
      if (port_free(type, next_ephemeral_)) port = next_ephemeral_;
      next_ephemeral_ = next_ephemeral_ == kLastEphemeralPort
                            ? kFirstEphemeralPort
                            : static_cast<uint16_t>(next_ephemeral_ + 1);
    }
    if (port == 0) return -EAGAIN;
  } else if (!port_free(type, port)) {
    return -EADDRINUSE;
  }
  ports_[{type, port}] = socket;
  return port;
}

std::shared_ptr<Socket> SocketNamespace::find_port(int type, const SocketAddress& destination) {
  auto socket = live(ports_, std::make_pair(type, destination.port));
  if (!socket || socket->domain() != destination.family) return nullptr;
  const SocketAddress& bound = socket->local_address();
  if (!bound.is_any_ip() && bound.ip != destination.ip && !destination.is_any_ip()) return nullptr;
  return socket;
}

}  // namespace vmlab::os::vfs
