// Helpers shared by the file system calls: descriptors, directory file descriptors, stat.
#pragma once

#include <fcntl.h>
#include <sys/uio.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "os/kernel.h"
#include "os/syscalls/syscall_table.h"

namespace vmlab::os::file_syscalls {

// The directory a *at() call is relative to: the cwd for AT_FDCWD, else the path of the
// directory open on `dirfd`. Returns -errno on a bad descriptor.
int directory_of(SyscallContext& c, int dirfd, std::string& out);

// Reads a path argument (EFAULT, ENAMETOOLONG, ENOENT for "").
int path_arg(SyscallContext& c, uint64_t pointer, std::string& out);

// /proc/self/exe and /proc/<pid>/exe name the running program.
bool is_self_exe(const SyscallContext& c, const std::string& path);

// Copies a FileStat to the guest as Linux's x86-64 struct stat.
int64_t write_stat(SyscallContext& c, uint64_t pointer, const vfs::FileStat& st);

// Keeps the page cache and the file one copy (os/page_cache.h): before a system call reads a
// file, pages written through shared mappings go back to it; after one writes `n` bytes at
// `offset`, the cached pages there read them. Other files (pipes, devices) are left alone.
void before_reading(SyscallContext& c, const vfs::OpenFile& file);
void after_writing(SyscallContext& c, const vfs::OpenFile& file, int64_t offset, int64_t n);
// after_writing for a write at the file offset (write, writev): the bytes end at the offset.
void after_writing_at_offset(SyscallContext& c, vfs::OpenFile& file, int64_t n);

// Largest single transfer; Linux caps at MAX_RW_COUNT (2 GiB), the guest loops for the rest.
inline constexpr uint64_t kMaxTransfer = 4ull << 20;

// The struct iovec array of `count` entries at `pointer` (readv, writev, sendmsg, recvmsg):
// 0, -EINVAL (more than UIO_MAXIOV entries, a negative length) or -EFAULT; `total` bytes.
int read_iovecs(SyscallContext& c, uint64_t pointer, uint64_t count, std::vector<struct iovec>& iov,
                uint64_t* total);
// The bytes the iovecs name, up to kMaxTransfer, in one buffer; false on a fault.
bool gather(SyscallContext& c, const std::vector<struct iovec>& iov, uint64_t total,
            std::vector<uint8_t>& buffer);
// `data` spread over the iovecs in order; false on a fault.
bool scatter(SyscallContext& c, const std::vector<struct iovec>& iov,
             std::span<const uint8_t> data);

// The result of a read/write that may have to wait, or that hit a closed pipe.
int64_t finish_io(SyscallContext& c, int64_t result);

// fcntl's F_GETLK, F_SETLK, F_SETLKW and F_OFD_* forms on `file` (record_lock_calls.cpp).
int64_t fcntl_record_lock(SyscallContext& c, const std::shared_ptr<vfs::OpenFile>& file,
                          int command);
// The calling process closes a descriptor of `file`: its POSIX record locks on it go away.
void release_record_locks(SyscallContext& c, const vfs::OpenFile& file);

void register_io(SyscallTable& table);
void register_paths(SyscallTable& table);
void register_descriptors(SyscallTable& table);
void register_attributes(SyscallTable& table);

}  // namespace vmlab::os::file_syscalls
