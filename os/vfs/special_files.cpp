#include "os/vfs/special_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace vmlab::os::vfs {

namespace {

// The host descriptor's access mode and O_APPEND; read-write if the host cannot tell.
int host_flags(int host_fd) {
  const int flags = ::fcntl(host_fd, F_GETFL);
  return flags < 0 ? O_RDWR : flags & (O_ACCMODE | O_APPEND);
}

}  // namespace

DeviceFile::DeviceFile(std::shared_ptr<DeviceInode> device, int flags)
    : OpenFile(flags), device_(std::move(device)) {}

int64_t DeviceFile::read(std::span<uint8_t> out) {
  return pread(out, 0);
}

int64_t DeviceFile::write(std::span<const uint8_t> data) {
  return pwrite(data, 0);
}

int64_t DeviceFile::pread(std::span<uint8_t> out, int64_t offset) {
  if (!can_read()) return -EBADF;
  if (offset < 0) return -EINVAL;
  return device_->read(0, out);
}

int64_t DeviceFile::pwrite(std::span<const uint8_t> data, int64_t offset) {
  if (!can_write()) return -EBADF;
  if (offset < 0) return -EINVAL;
  return device_->write(0, data);
}

// Linux's memory devices accept any seek and stay at 0 (null_lseek, noop_llseek).
int64_t DeviceFile::seek(int64_t, int) {
  return 0;
}

HostStream::HostStream(int host_fd, std::string name)
    : OpenFile(host_flags(host_fd)), host_fd_(host_fd), name_(std::move(name)) {}

int64_t HostStream::read(std::span<uint8_t> out) {
  if (!can_read()) return -EBADF;
  for (;;) {
    const ssize_t n = ::read(host_fd_, out.data(), out.size());
    if (n >= 0) return n;
    if (errno != EINTR) return -errno;
  }
}

int64_t HostStream::write(std::span<const uint8_t> data) {
  if (!can_write()) return -EBADF;
  // The host may take a write in pieces (a pipe); the guest sees it whole, as from a terminal.
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(host_fd_, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return done > 0 ? static_cast<int64_t>(done) : -errno;
    done += static_cast<size_t>(n);
  }
  return static_cast<int64_t>(done);
}

int64_t HostStream::pread(std::span<uint8_t> out, int64_t offset) {
  if (!can_read()) return -EBADF;
  const ssize_t n = ::pread(host_fd_, out.data(), out.size(), offset);
  return n < 0 ? -errno : n;
}

int64_t HostStream::pwrite(std::span<const uint8_t> data, int64_t offset) {
  if (!can_write()) return -EBADF;
  const ssize_t n = ::pwrite(host_fd_, data.data(), data.size(), offset);
  return n < 0 ? -errno : n;
}

int64_t HostStream::seek(int64_t offset, int whence) {
  const off_t position = ::lseek(host_fd_, offset, whence);  // ESPIPE for terminals and pipes
  return position < 0 ? -errno : position;
}

FileStat HostStream::stat() const {
  struct stat st {};
  if (::fstat(host_fd_, &st) != 0) return {};
  return from_host_stat(st);
}

bool HostStream::is_tty() const {
  return ::isatty(host_fd_) == 1;
}

uint32_t HostStream::poll() const {
  using namespace poll_bits;
  struct stat st {};
  const bool plain_file =
      ::fstat(host_fd_, &st) == 0 &&
      (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode) || (S_ISCHR(st.st_mode) && !is_tty()));
  if (plain_file) return kAlwaysReady;
  return (can_read() ? kIn | kRdNorm : 0) | (can_write() ? kOut | kWrNorm : 0);
}

std::shared_ptr<OpenFile> make_host_stream(int host_fd) {
  static constexpr const char* kNames[] = {"/dev/stdin", "/dev/stdout", "/dev/stderr"};
  const bool standard = host_fd >= STDIN_FILENO && host_fd <= STDERR_FILENO;
  std::string name = standard ? kNames[host_fd] : "host:[" + std::to_string(host_fd) + "]";
  return std::make_shared<HostStream>(host_fd, std::move(name));
}

}  // namespace vmlab::os::vfs
