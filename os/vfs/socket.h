// Sockets of a machine with no network and no servers. A guest can create, configure and
// close them, and every attempt to reach a peer fails the way Linux fails it when nobody
// listens: connecting to a Unix socket path that does not exist is ENOENT (glibc's nscd
// client and syslog() try that, and fall back), to anything else ECONNREFUSED, and to an
// Internet address ENETUNREACH (a network namespace without interfaces). Data calls on an
// unconnected socket answer as on Linux (ENOTCONN, EDESTADDRREQ).
#pragma once

#include <cstdint>

#include "os/vfs/open_file.h"

namespace vmlab::os::vfs {

class Socket final : public OpenFile {
 public:
  // `domain` AF_UNIX/AF_INET/AF_INET6, `type` SOCK_STREAM/SOCK_DGRAM/SOCK_SEQPACKET (without
  // the SOCK_NONBLOCK/SOCK_CLOEXEC bits); `flags` open-style (O_NONBLOCK).
  Socket(int domain, int type, uint64_t ino, Timespec created, int flags);

  int domain() const { return domain_; }
  int type() const { return type_; }
  bool connection_oriented() const;

  int64_t read(std::span<uint8_t> out) override;
  int64_t write(std::span<const uint8_t> data) override;
  FileStat stat() const override;
  std::string describe() const override;
  // Never connected: writable and nothing to read, hung up when connection-oriented (unix_poll,
  // tcp_poll, datagram_poll).
  uint32_t poll() const override;

 private:
  int domain_;
  int type_;
  uint64_t ino_;
  Timespec created_;
};

}  // namespace vmlab::os::vfs
