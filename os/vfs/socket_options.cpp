#include "os/vfs/socket_options.h"

#include <algorithm>
#include <cstring>

namespace vmlab::os::vfs {

namespace {

int doubled(int requested, int minimum) {
  const int64_t value = std::min<int64_t>(std::max(requested, 0), kMaxSocketBuffer) * 2;
  return static_cast<int>(std::max<int64_t>(value, minimum));
}

}  // namespace

void SocketOptions::set_receive_buffer(int requested) {
  receive_buffer_ = doubled(requested, kMinReceiveBuffer);
}

void SocketOptions::set_send_buffer(int requested) {
  send_buffer_ = doubled(requested, kMinSendBuffer);
}

void SocketOptions::set(int level, int name, std::span<const uint8_t> value) {
  values_[{level, name}].assign(value.begin(), value.end());
}

const std::vector<uint8_t>* SocketOptions::get(int level, int name) const {
  const auto it = values_.find({level, name});
  return it == values_.end() ? nullptr : &it->second;
}

int SocketOptions::get_int(int level, int name, int fallback) const {
  const std::vector<uint8_t>* bytes = get(level, name);
  if (bytes == nullptr || bytes->size() < sizeof(int)) return fallback;
  int value = 0;
  std::memcpy(&value, bytes->data(), sizeof value);
  return value;
}

}  // namespace vmlab::os::vfs
