#include "fuzz/syscalls/guest_program.h"

#include <arpa/inet.h>
#include <elf.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <cstring>
#include <iterator>
#include <string>
#include <string_view>

#include "fuzz/support/mini_elf.h"

namespace vmlab::fuzz {

namespace {

constexpr uint64_t kText = 0x400000;
constexpr uint64_t kRodata = 0x500000;
constexpr uint64_t kScratch = 0x600000;
constexpr uint64_t kPage = 4096;
constexpr uint64_t kScratchFileBytes = kPage;  // .data; the rest is .bss
constexpr uint64_t kScratchBytes = 16 * kPage;
constexpr uint8_t kInt3 = 0xcc;
constexpr size_t kLongNameBytes = 300;        // longer than NAME_MAX
constexpr uint64_t kSaRestorer = 0x04000000;  // the kernel's SA_RESTORER (not in libc headers)

// Paths a program would open: ordinary files, devices, the root's escaping and looping links,
// overlay directories, and malformed names. Objects are named by index in inputs: a change to
// this list or to the objects built after it must be mirrored in fuzz/make_seeds.sh.
const char* const kPaths[] = {
    "/",
    ".",
    "..",
    "",
    "/etc/passwd",
    "/etc",
    "/etc/hostname",
    "/tmp",
    "/tmp/file",
    "/tmp/dir/",
    "/tmp/dir/nested",
    "/dev/null",
    "/dev/zero",
    "/dev/urandom",
    "/dev/tty",
    "/init",
    "/proc/self/exe",
    "/escape/etc/passwd",
    "/escape",
    "/absolute/passwd",
    "/loop",
    "/loop/x",
    "/passwd-link",
    "/bin/not-executable",
    "/empty",
    "/etc/../../../../etc/passwd",
    "relative/name",
    "/nonexistent/file",
    "x",
    "/tmp/link",
    "A=B",
};

// The guest's generated /proc, appended after every other object so that the indices the
// seeds use stay as they are.
const char* const kProcPaths[] = {
    "/proc",         "/proc/self",      "/proc/self/maps", "/proc/self/status", "/proc/self/stat",
    "/proc/meminfo", "/proc/1/cmdline", "/proc/2",         "/proc/self/fd/0",   "/proc/self/mem",
};

// A FIFO's name (mknod) and the files that describe the machine, after the locks.
const char* const kMachinePaths[] = {
    "/tmp/fifo",
    "/proc/stat",
    "/proc/cpuinfo",
    "/proc/self/mountinfo",
    "/sys/devices/system/cpu/online",
    "/sys/kernel/mm/transparent_hugepage/enabled",
};

class Rodata {
 public:
  uint64_t add(const void* bytes, size_t size) {
    const uint64_t at = (data_.size() + 7) & ~size_t{7};
    data_.resize(at + size);
    std::memcpy(data_.data() + at, bytes, size);
    return kRodata + at;
  }
  uint64_t add_string(const std::string& s) { return add(s.c_str(), s.size() + 1); }
  template <typename T>
  uint64_t add_value(const T& value) {
    return add(&value, sizeof value);
  }
  std::vector<uint8_t> bytes() const { return data_; }

 private:
  std::vector<uint8_t> data_;
};

// Sockets' arguments, after the /proc paths: a Unix path and an abstract name, a loopback
// IPv4 and IPv6 address on one port, an epoll_event, a msghdr naming the IPv4 address and the
// iovec[2] at `iov`, and a socklen_t.
void add_socket_objects(Rodata& ro, uint64_t iov, std::vector<uint64_t>& objects) {
  sockaddr_un path{};
  path.sun_family = AF_UNIX;
  std::strcpy(path.sun_path, "/tmp/sock");
  objects.push_back(ro.add_value(path));
  sockaddr_un abstract{};
  abstract.sun_family = AF_UNIX;
  std::strcpy(abstract.sun_path + 1, "vmlab");
  objects.push_back(ro.add_value(abstract));
  constexpr uint16_t kPort = 7000;
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(kPort);
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const uint64_t in_address = ro.add_value(in);
  objects.push_back(in_address);
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(kPort);
  in6.sin6_addr = in6addr_loopback;
  objects.push_back(ro.add_value(in6));
  const struct [[gnu::packed]] {
    uint32_t events;
    uint64_t data;
  } event = {EPOLLIN | EPOLLOUT, 7};
  objects.push_back(ro.add_value(event));
  msghdr message{};
  message.msg_name = reinterpret_cast<void*>(in_address);
  message.msg_namelen = sizeof in;
  message.msg_iov = reinterpret_cast<struct iovec*>(iov);
  message.msg_iovlen = 2;
  objects.push_back(ro.add_value(message));
  const socklen_t length = sizeof(sockaddr_un);
  objects.push_back(ro.add_value(length));
}

GuestProgram build() {
  GuestProgram p;
  Rodata ro;
  for (const char* path : kPaths)
    p.objects.push_back(ro.add_string(path));
  p.objects.push_back(ro.add_string(std::string(kLongNameBytes, 'n')));
  auto address_of = [&](std::string_view path) {
    for (size_t i = 0; i < std::size(kPaths); ++i)
      if (path == kPaths[i]) return p.objects[i];
    return uint64_t{0};
  };
  const uint64_t argv[] = {address_of("/init"), address_of("/etc/passwd"), 0};
  p.objects.push_back(ro.add_value(argv));
  const uint64_t envp[] = {address_of("A=B"), 0};
  p.objects.push_back(ro.add_value(envp));
  const struct timespec short_sleep = {0, 1000};
  p.objects.push_back(ro.add_value(short_sleep));
  const struct iovec iov[] = {{reinterpret_cast<void*>(kScratch), 64},
                              {reinterpret_cast<void*>(kScratch + 256), 16}};
  p.objects.push_back(ro.add_value(iov));
  const struct pollfd poll_stdin = {0, POLLIN, 0};
  p.objects.push_back(ro.add_value(poll_stdin));
  // The kernel's struct sigaction layout: handler, flags, restorer, mask.
  const uint64_t action[] = {kText, SA_SIGINFO | kSaRestorer, kText, 0};
  p.objects.push_back(ro.add_value(action));
  const int fds[2] = {0, 1};
  p.objects.push_back(ro.add_value(fds));
  for (const char* path : kProcPaths)
    p.objects.push_back(ro.add_string(path));
  // fcntl record locks: a write lock on the whole file, a read lock on the last 16 bytes.
  const struct flock whole_file = {F_WRLCK, SEEK_SET, 0, 0, 0};
  p.objects.push_back(ro.add_value(whole_file));
  const struct flock tail = {F_RDLCK, SEEK_END, -16, 16, 0};
  p.objects.push_back(ro.add_value(tail));
  for (const char* path : kMachinePaths)
    p.objects.push_back(ro.add_string(path));
  add_socket_objects(ro, p.objects[35], p.objects);

  std::vector<uint8_t> data(kScratchFileBytes);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<uint8_t>(i * 7);
  const std::vector<MiniSegment> segments = {
      {kText, PF_R | PF_X, std::vector<uint8_t>(kPage, kInt3), kPage},
      {kRodata, PF_R, ro.bytes(), ro.bytes().size()},
      {kScratch, PF_R | PF_W, data, kScratchBytes},
  };
  p.elf = build_static_elf(kText, segments);
  p.text = kText;
  p.text_bytes = kPage;
  p.scratch = kScratch;
  p.scratch_bytes = kScratchBytes;
  return p;
}

}  // namespace

const GuestProgram& guest_program() {
  static const GuestProgram program = build();
  return program;
}

}  // namespace vmlab::fuzz
