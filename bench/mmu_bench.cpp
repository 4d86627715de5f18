// translate() on its three paths: L1 hit, L2 hit, and a full 4-level walk.
// Targets on the 2-core CI machine: L1 hit < 5 ns, full walk < 50 ns.
#include <benchmark/benchmark.h>

#include "mmu/mmu.h"
#include "tests/mmu/page_table_builder.h"

namespace vmlab::mmu {
namespace {

constexpr uint64_t kLeafRw = Pte::kPresent | Pte::kWritable | Pte::kUser;
constexpr uint64_t kPages = 4096;  // 16 MiB of mappings

struct Fixture {
  explicit Fixture(const char* spec) : memory(PhysAddr{0}, 64 << 20), tables(memory) {
    MmuConfig config = MmuConfig::defaults();
    if (spec != nullptr) config.apply_spec(spec);
    mmu = std::make_unique<Mmu>(memory, config);
    for (uint64_t i = 0; i < kPages; ++i)
      tables.map(Vpn{0x10000 + i}.address(), PhysAddr{(32 << 20) + i * kPageBytes}, kLeafRw);
    PagingControl control;
    control.root = tables.root();
    mmu->set_control(control);
  }
  PhysicalMemory memory;
  testing::PageTableBuilder tables;
  std::unique_ptr<Mmu> mmu;
};

void BM_TranslateL1Hit(benchmark::State& state) {
  Fixture f(nullptr);
  const VirtAddr va = Vpn{0x10000}.address();
  f.mmu->translate(va, Access::kRead, Mode::kUser);
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.mmu->translate(va, Access::kRead, Mode::kUser));
  }
}
BENCHMARK(BM_TranslateL1Hit);

void BM_TranslateL2Hit(benchmark::State& state) {
  // 256 pages overflow the 64-entry L1 but fit the 1536-entry L2.
  Fixture f(nullptr);
  for (uint64_t i = 0; i < 256; ++i)
    f.mmu->translate(Vpn{0x10000 + i}.address(), Access::kRead, Mode::kUser);
  uint64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        f.mmu->translate(Vpn{0x10000 + (i++ & 255)}.address(), Access::kRead, Mode::kUser));
  }
}
BENCHMARK(BM_TranslateL2Hit);

void BM_TranslateFullWalk(benchmark::State& state) {
  // No L2 and no paging-structure caches: every access to a new page reads four entries.
  Fixture f("l2=none,psc=off");
  uint64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.mmu->translate(Vpn{0x10000 + (i++ & (kPages - 1))}.address(),
                                              Access::kRead, Mode::kUser));
  }
}
BENCHMARK(BM_TranslateFullWalk);

void BM_TranslateWalkWithPdeCache(benchmark::State& state) {
  Fixture f("l2=none");
  uint64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.mmu->translate(Vpn{0x10000 + (i++ & (kPages - 1))}.address(),
                                              Access::kRead, Mode::kUser));
  }
}
BENCHMARK(BM_TranslateWalkWithPdeCache);

}  // namespace
}  // namespace vmlab::mmu

BENCHMARK_MAIN();
