// What the host charges for the two things every zero-fill fault of vmlab needs, before any
// emulation: a page of the RAM memfd touched for the first time (shmem allocation), and the
// alias of one frame at the guest's virtual address (mmap MAP_FIXED, then the touch that
// installs the host PTE). This is the floor under BM_ZeroFillFault of machine_bench.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <system_error>

namespace {

constexpr size_t kPageBytes = 4096;
constexpr size_t kPages = 16384;  // 64 MiB: the default RAM
constexpr size_t kBytes = kPages * kPageBytes;

// A memfd of kBytes mapped shared, like mmu::PhysicalMemory; touched or not.
class Memfd {
 public:
  explicit Memfd(bool populate) {
    fd_ = memfd_create("host-bench", MFD_CLOEXEC);
    if (fd_ < 0 || ftruncate(fd_, kBytes) != 0) fail("memfd");
    if (populate && fallocate(fd_, 0, 0, kBytes) != 0) fail("fallocate");
    base_ =
        static_cast<uint8_t*>(mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0));
    if (base_ == MAP_FAILED) fail("mmap");
  }
  ~Memfd() {
    munmap(base_, kBytes);
    close(fd_);
  }
  Memfd(const Memfd&) = delete;
  Memfd& operator=(const Memfd&) = delete;

  int fd() const { return fd_; }
  volatile uint8_t* page(size_t i) { return base_ + i * kPageBytes; }

  [[noreturn]] static void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
  }

 private:
  int fd_ = -1;
  uint8_t* base_ = nullptr;
};

// The first store to each page of a fresh memfd.
void BM_HostFirstTouch(benchmark::State& state) {
  auto ram = std::make_unique<Memfd>(false);
  size_t next = 0;
  for (auto _ : state) {
    if (next == kPages) {
      state.PauseTiming();
      ram = std::make_unique<Memfd>(false);
      next = 0;
      state.ResumeTiming();
    }
    *ram->page(next++) = 1;
  }
}
BENCHMARK(BM_HostFirstTouch);

// One frame (already allocated in the memfd) mapped at a new virtual page with MAP_FIXED
// inside a reservation, as vmlab aliases a guest page, and stored to once.
void BM_HostAliasPage(benchmark::State& state) {
  Memfd ram(true);
  // Every other page of the reservation, so Linux cannot merge the aliases into one mapping.
  const size_t span = 2 * kBytes;
  auto* reservation = static_cast<uint8_t*>(
      mmap(nullptr, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
  if (reservation == MAP_FAILED) Memfd::fail("reservation");
  size_t next = 0;
  for (auto _ : state) {
    if (next == kPages) {
      state.PauseTiming();
      if (mmap(reservation, span, PROT_NONE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED)
        Memfd::fail("reservation");
      next = 0;
      state.ResumeTiming();
    }
    void* va = reservation + 2 * next * kPageBytes;
    auto* alias = static_cast<volatile uint8_t*>(mmap(va, kPageBytes, PROT_READ | PROT_WRITE,
                                                      MAP_SHARED | MAP_FIXED, ram.fd(),
                                                      static_cast<off_t>(next * kPageBytes)));
    if (alias == MAP_FAILED) Memfd::fail("alias");
    *alias = 1;
    ++next;
  }
  munmap(reservation, span);
}
BENCHMARK(BM_HostAliasPage);

}  // namespace

BENCHMARK_MAIN();
