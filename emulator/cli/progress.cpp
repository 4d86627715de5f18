#include "emulator/cli/progress.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cinttypes>

#include "mmu/address.h"

namespace vmlab::cli {

namespace {

constexpr const char* kEraseLine = "\r\033[K";
constexpr double kMega = 1e6, kGiga = 1e9;
constexpr uint64_t kBytesPerKib = 1024;
constexpr uint64_t kBytesPerMib = kBytesPerKib * 1024;
// The system calls that write to a descriptor given as their first argument.
constexpr std::array<int, 6> kWrites = {SYS_write,   SYS_writev,   SYS_pwrite64,
                                        SYS_pwritev, SYS_pwritev2, SYS_sendfile};

std::string count(double n) {
  char buffer[32];
  if (n >= kGiga)
    std::snprintf(buffer, sizeof buffer, "%.2fG", n / kGiga);
  else if (n >= kMega)
    std::snprintf(buffer, sizeof buffer, "%.1fM", n / kMega);
  else
    std::snprintf(buffer, sizeof buffer, "%.0f", n);
  return buffer;
}

}  // namespace

ProgressLine::ProgressLine(os::Kernel& kernel, std::FILE* stream)
    : kernel_(kernel),
      stream_(stream),
      start_(std::chrono::steady_clock::now()),
      next_draw_(start_ + kShowAfter) {
  if (isatty(fileno(stream_)) != 1) return;
  kernel_.set_between_slices([this] { between_slices(); });
}

ProgressLine::~ProgressLine() {
  clear();
  kernel_.set_between_slices(nullptr);
}

std::string ProgressLine::text() const {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const uint64_t instructions = kernel_.instructions();
  const os::ProcessCounters c = kernel_.tasks().totals();
  uint64_t resident = 0;
  for (const os::Process* p : kernel_.memory_holders())
    resident += p->space().stats().resident;
  char rss[32];
  const uint64_t bytes = resident * mmu::kPageBytes;
  if (bytes >= kBytesPerMib)
    std::snprintf(rss, sizeof rss, "%.1f MiB", static_cast<double>(bytes) / kBytesPerMib);
  else
    std::snprintf(rss, sizeof rss, "%" PRIu64 " KiB", bytes / kBytesPerKib);
  char buffer[200];
  std::snprintf(buffer, sizeof buffer,
                "vmlab: %s instructions, %.0f MIPS, %s faults (%s major), RSS %s, %.0f s",
                count(static_cast<double>(instructions)).c_str(),
                static_cast<double>(instructions) / kMega / seconds,
                count(static_cast<double>(c.minor_faults + c.major_faults)).c_str(),
                count(static_cast<double>(c.major_faults)).c_str(), rss, seconds);
  return buffer;
}

void ProgressLine::between_slices() {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_draw_) return;
  next_draw_ = now + kRedrawEvery;
  if (!watching_writes_) {
    // From the first drawing on, a write of the guest to a terminal erases the line first.
    watching_writes_ = true;
    writes_ = kernel_.events().syscall.subscribe([this](const os::SyscallEvent& e) {
      if (!e.entry || !visible_) return;
      if (std::find(kWrites.begin(), kWrites.end(), e.number) != kWrites.end())
        on_write(e.process.pid(), static_cast<int>(e.args[0]));
    });
  }
  std::fprintf(stream_, "%s%s", kEraseLine, text().c_str());
  std::fflush(stream_);
  visible_ = true;
}

void ProgressLine::on_write(int pid, int fd) {
  os::Process* p = kernel_.find(pid);
  if (p == nullptr) return;
  const auto file = p->fds().get(fd);
  if (file != nullptr && file->is_tty()) clear();
}

void ProgressLine::clear() {
  if (!visible_) return;
  std::fprintf(stream_, "%s", kEraseLine);
  std::fflush(stream_);
  visible_ = false;
}

}  // namespace vmlab::cli
