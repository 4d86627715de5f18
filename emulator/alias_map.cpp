#include "emulator/alias_map.h"

#include <atomic>
#include <fstream>

namespace vmlab::emulator {
namespace {

// Host mappings left for everything but aliases: the program and its libraries, malloc
// arenas, each engine's code buffer and zones, the physical window.
constexpr int64_t kReservedMappings = 8192;
// Each run costs its own mapping and the reservation gap after it.
constexpr int64_t kMappingsPerRun = 2;
constexpr int64_t kDefaultMaxMapCount = 65530;

std::atomic<int64_t> g_runs{0};

int64_t max_map_count() {
  std::ifstream in("/proc/sys/vm/max_map_count");
  int64_t n = 0;
  return (in >> n) && n > 0 ? n : kDefaultMaxMapCount;
}

}  // namespace

int64_t AliasMap::run_budget() {
  static const int64_t budget = (max_map_count() - kReservedMappings) / kMappingsPerRun;
  return budget;
}

int64_t AliasMap::runs_in_use() {
  return g_runs.load(std::memory_order_relaxed);
}

AliasMap::~AliasMap() {
  add_runs(-runs_);
}

bool AliasMap::continues(uint64_t vpn, uint64_t pfn) const {
  auto it = frames_.find(vpn);
  return it != frames_.end() && it->second == pfn;
}

void AliasMap::reserve(uint64_t vpn, uint64_t pfn) const {
  if (continues(vpn - 1, pfn - 1) || continues(vpn + 1, pfn + 1)) return;  // extends a run
  if (runs_in_use() + 1 <= run_budget()) return;
  throw HostLimitError(
      "the guest's memory is too scattered for the host: " + std::to_string(runs_in_use()) +
      " separate runs of pages are aliased and vm.max_map_count (" +
      std::to_string(max_map_count()) +
      ") allows no more; raise it (sysctl -w vm.max_map_count=1048576) or touch less memory");
}

void AliasMap::record(uint64_t vpn, uint64_t pfn) {
  erase(vpn);  // a page re-aliased to another frame (copy-on-write) leaves its old run first
  const bool left = continues(vpn - 1, pfn - 1);
  const bool right = continues(vpn + 1, pfn + 1);
  frames_[vpn] = pfn;
  add_runs(1 - static_cast<int64_t>(left) - static_cast<int64_t>(right));
}

void AliasMap::erase(uint64_t vpn) {
  auto it = frames_.find(vpn);
  if (it == frames_.end()) return;
  const uint64_t pfn = it->second;
  frames_.erase(it);
  // The run loses a page: it vanishes (no neighbours), shrinks (one), or splits in two (both).
  const bool left = continues(vpn - 1, pfn - 1);
  const bool right = continues(vpn + 1, pfn + 1);
  add_runs(static_cast<int64_t>(left) + static_cast<int64_t>(right) - 1);
}

uint64_t AliasMap::frame_at(uint64_t vpn) const {
  auto it = frames_.find(vpn);
  return it == frames_.end() ? 0 : it->second;
}

void AliasMap::add_runs(int64_t delta) {
  runs_ += delta;
  g_runs.fetch_add(delta, std::memory_order_relaxed);
}

}  // namespace vmlab::emulator
