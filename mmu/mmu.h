// The translation hardware seen by every guest access: TLB hierarchy → paging-structure caches
// → page walker, with named statistics and an event interface that costs nothing when unused.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "mmu/mmu_config.h"
#include "mmu/paging.h"
#include "mmu/paging_structure_cache.h"
#include "mmu/physical_memory.h"
#include "mmu/stats.h"
#include "mmu/tlb.h"
#include "mmu/walker.h"

namespace vmlab::mmu {

enum class TlbOutcome : uint8_t { kL1Hit, kL2Hit, kWalk };

struct Translation {
  bool faulted = false;
  Fault fault;
  PhysAddr pa;
  PageSize size = PageSize::k4K;
  TlbOutcome outcome = TlbOutcome::kWalk;
};

// Everything that happened in one translate() call, for tracing and scripting.
struct TranslationEvent {
  VirtAddr va;
  Access access;
  Mode mode;
  uint16_t pcid;
  const Translation& result;
  const WalkResult* walk;  // set when the translation walked
  int psc_level;           // level whose cached entry the walk resumed below (0: none)
  bool rewalk;             // a TLB entry was found but could not serve the access
  uint32_t cycles;
};

enum class InvalidationKind : uint8_t {
  kInvlpg,
  kInvpcidAddress,
  kInvpcidContext,
  kFlushAll,
  kFlushNonGlobal,
  kCr3Load
};
struct InvalidationEvent {
  InvalidationKind kind;
  VirtAddr va;
  uint16_t pcid;
  uint32_t entries_dropped;
};

class MmuObserver {
 public:
  virtual ~MmuObserver() = default;
  virtual void on_translation(const TranslationEvent&) {}
  virtual void on_invalidation(const InvalidationEvent&) {}
};

// INVPCID types (SDM Vol. 2, INVPCID).
enum class InvpcidType : uint8_t {
  kIndividualAddress = 0,
  kSingleContext = 1,
  kAllContextsIncludingGlobal = 2,
  kAllContextsExceptGlobal = 3,
};

class Mmu {
 public:
  Mmu(PhysicalMemory& memory, const MmuConfig& config);

  // Translates one access through L1 → L2 → walk, filling TLBs and setting A/D bits as the
  // hardware does. A fault is returned, never thrown.
  Translation translate(VirtAddr va, Access access, Mode mode) {
    // The common case inline: the same page as the previous hit in the first L1 array, with
    // nobody observing. Counts and replacement state change exactly as on the full path.
    const int l1 = access == Access::kFetch ? kL1iIndex : kL1dIndex;
    TlbArray* first = first_array_[l1];
    // Repeated hits of this path come first: the search below may touch their entries.
    settle(access == Access::kFetch ? kFetchPath : kDataPath);
    if (first != nullptr && observer_ == nullptr && is_canonical(va)) [[likely]] {
      if (const TlbEntry* e = first->lookup_recent(va, control_.pcid)) {
        const int a = static_cast<int>(access);
        const uint8_t need = required_flags_[a][mode == Mode::kUser ? 0 : 1];
        if ((e->flags() & need) == need) [[likely]] {
          ++counters_.translations[a];
          LevelCounters& c = counters_.levels[l1];
          ++c.hits;
          ++c.hits_by[a];
          ++array_hits_[l1][0];
          counters_.cycles += config_.cycles.l1_hit;
          Translation t;
          t.pa = e->translate(va);
          t.size = e->size();
          t.outcome = TlbOutcome::kL1Hit;
          return t;
        }
      }
    }
    return translate_full(va, access, mode);
  }

  // ---- Repeated hits ----
  // A user-mode translation that hits one of the two most recent entries of its first L1 array
  // changes nothing but counters and that entry's replacement state. After such a hit, or a
  // miss that filled that entry, the CPU may remember() the page under a key of its choosing
  // (the virtual page, or the physical page its memory hook reports); the page remembered
  // before stays remembered while its entry is the array's other recent one. While nothing
  // else happens to that L1, repeat() with either key counts the next accesses the entries
  // serve without a lookup (code alternating between two pages, a row and a column). A miss of
  // the other path (which changes the other L1 and the L2) keeps the pages; any other
  // operation forgets both. The counts are folded into the statistics by settle(), which every
  // other operation calls first; whoever reads the statistics during a run settles before.
  enum RepeatPath : uint8_t { kFetchPath = 0, kDataPath = 1 };
  // The page counted last: the hot path, a compare, a bit test and an increment.
  bool repeat(RepeatPath path, uint64_t key, Access access) {
    Repeats& r = repeats_[path];
    const int a = static_cast<int>(access);
    if (r.page[0].key != key || ((r.page[0].rights >> a) & 1) == 0) return false;
    ++repeated_[a];
    return true;
  }
  // repeat(kFetchPath, key, Access::kFetch) in one compare: the CPU's block hook.
  bool repeat_fetch(uint64_t key) {
    if (fetch_key_ != key) return false;
    ++repeated_[static_cast<int>(Access::kFetch)];
    return true;
  }
  // The other remembered page, when repeat() said no: it becomes the page counted last.
  bool repeat_other(RepeatPath path, uint64_t key, Access access) {
    Repeats& r = repeats_[path];
    const int a = static_cast<int>(access);
    if (r.page[1].key != key || ((r.page[1].rights >> a) & 1) == 0) return false;
    std::swap(r.page[0], r.page[1]);
    r.swapped = !r.swapped;
    r.run_start = pending(path);
    ++repeated_[a];
    if (path == kFetchPath) sync_fetch_key();
    return true;
  }
  // Call right after a translate() of `va` that did not fault: the page is remembered when
  // the access hit or filled the most recent entry of the first L1 array.
  void remember(RepeatPath path, uint64_t key, VirtAddr va) {
    settle(path);
    Repeats& r = repeats_[path];
    const TlbArray* first = first_array_[path == kFetchPath ? kL1iIndex : kL1dIndex];
    const RepeatedPage previous = r.page[0];
    const TlbEntry* e = repeatable_ ? first->recent_entry(va, control_.pcid) : nullptr;
    r.page[0] = {key, first->recent_key(va, control_.pcid),
                 e == nullptr ? uint8_t{0} : repeat_rights_[path][e->flags()]};
    const TlbEntry* p = e != nullptr && previous.key != key && previous.key != kNoPage
                            ? first->previous_entry(previous.tlb_key)
                            : nullptr;
    r.page[1] = {previous.key, previous.tlb_key,
                 p == nullptr ? uint8_t{0} : repeat_rights_[path][p->flags()]};
    if (path == kFetchPath) sync_fetch_key();
  }
  // The pages are forgotten; their keys may name other pages from now on.
  void forget(RepeatPath path) {
    for (RepeatedPage& page : repeats_[path].page)
      page = RepeatedPage{};
    if (path == kFetchPath) sync_fetch_key();
  }
  void settle() {
    if ((repeated_[0] | repeated_[1] | repeated_[2]) != 0) [[unlikely]] {
      fold_repeated_hits(kFetchPath);
      fold_repeated_hits(kDataPath);
    }
  }

  // The hardware's walk from the current CR3 without the modelled TLBs or statistics: it sets
  // Accessed/Dirty bits. The fast model's fill path, where the engine's own TLB stands in for
  // the modelled ones.
  WalkResult walk_untracked(VirtAddr va, Access access, Mode mode) {
    return walk(memory_, control_, va, access, mode, WalkEffects::kSetAccessedDirty);
  }

  // Side-effect-free walk from the current CR3 (tools, debuggers, Lua): no TLB state, no
  // statistics, no A/D bits.
  WalkResult probe(VirtAddr va, Access access, Mode mode) const;

  const PagingControl& control() const { return control_; }
  // Changes CR0.WP / EFER.NXE / CR4.PCIDE / MAXPHYADDR. Flushes everything (as toggling
  // these bits does on hardware).
  void set_control(const PagingControl& control);
  // MOV to CR3. Without PCIDs every non-global entry is flushed. With CR4.PCIDE=1 the entries
  // of the new PCID are flushed unless `no_flush` (CR3 bit 63) is set.
  void load_cr3(PhysAddr root, uint16_t pcid, bool no_flush);
  void invlpg(VirtAddr va);
  void invpcid(InvpcidType type, uint16_t pcid, VirtAddr va);
  void flush_all(bool include_global);

  const StatSet& stats() const { return stats_; }
  const MmuConfig& config() const { return config_; }
  const std::vector<TlbArray>& arrays(TlbLevel level) const {
    return arrays_[static_cast<int>(level)];
  }
  TlbArray* find_array(const std::string& name);
  void set_observer(MmuObserver* observer) {
    begin_change();
    observer_ = observer;
    recompute_repeatable();
  }
  PhysicalMemory& memory() { return memory_; }

  // These two count the repeated hits not yet settled.
  uint64_t translations(Access a) const {
    return counters_.translations[static_cast<int>(a)] + repeated_[static_cast<int>(a)];
  }
  uint64_t level_hits(TlbLevel l) const {
    const uint64_t repeated = l == TlbLevel::kL1i ? repeated_[static_cast<int>(Access::kFetch)]
                              : l == TlbLevel::kL1d
                                  ? repeated_[static_cast<int>(Access::kRead)] +
                                        repeated_[static_cast<int>(Access::kWrite)]
                                  : 0;
    return counters_.levels[static_cast<int>(l)].hits + repeated;
  }
  uint64_t level_misses(TlbLevel l) const { return counters_.levels[static_cast<int>(l)].misses; }

 private:
  struct LevelCounters {
    uint64_t hits = 0, misses = 0;
    uint64_t hits_by[kAccessKinds] = {}, misses_by[kAccessKinds] = {};
  };
  struct Counters {
    uint64_t translations[kAccessKinds] = {};
    LevelCounters levels[kTlbLevels];
    uint64_t walks = 0, walk_refs = 0, page_faults = 0, gp_faults = 0, rewalks = 0;
    uint64_t psc_hits[kLevels + 1] = {}, psc_misses = 0;
    uint64_t accessed_set = 0, dirty_set = 0;
    uint64_t invlpg = 0, invpcid = 0, cr3_loads = 0, cr3_flushes = 0, full_flushes = 0,
             entries_invalidated = 0;
    uint64_t cycles = 0;
  };

  static constexpr int kL1iIndex = static_cast<int>(TlbLevel::kL1i);
  static constexpr int kL1dIndex = static_cast<int>(TlbLevel::kL1d);
  Translation translate_full(VirtAddr va, Access access, Mode mode);
  const TlbEntry* lookup(TlbLevel level, VirtAddr va, uint16_t pcid, std::vector<uint64_t>& hits);
  bool serves(const TlbEntry& entry, Access access, Mode mode) const;
  // Fills `level` with a translation its lookup has just missed (a rewalk drops the page from
  // every array first), in the array fill_array() chose for the page size.
  void fill_after_miss(TlbLevel level, const TlbFill& fill) {
    TlbArray* array = fill_array_[static_cast<int>(level)][static_cast<int>(fill.size)];
    if (array != nullptr) array->fill_absent(fill, control_.pcid);
  }
  TlbArray* fill_array(TlbLevel level, PageSize size);
  // The walk of a TLB miss, in walk_scratch_ (valid until the next miss).
  const WalkResult& walk_with_caches(VirtAddr va, Access access, Mode mode, int& psc_level);
  void drop_page_everywhere(VirtAddr va, uint16_t pcid);
  // Applies `invalidate` (TlbArray& -> entries dropped) to every TLB array; the total dropped.
  template <typename Invalidate>
  uint32_t drop_in_arrays(Invalidate invalidate);
  void notify_invalidation(InvalidationKind kind, VirtAddr va, uint16_t pcid, uint32_t dropped);
  void register_stats();
  void recompute_required_flags();
  // Folds one path's counts: its L1 is the only state they concern.
  void fold_repeated_hits(RepeatPath path);
  // The accesses of each path, a bit (1 << Access) each.
  static constexpr uint8_t kPathAccesses[2] = {
      1u << static_cast<int>(Access::kFetch),
      (1u << static_cast<int>(Access::kRead)) | (1u << static_cast<int>(Access::kWrite))};
  // The path's repeat()s not yet folded.
  uint64_t pending(RepeatPath path) const {
    uint64_t n = 0;
    for (int a = 0; a < kAccessKinds; ++a)
      if (kPathAccesses[path] & (1u << a)) n += repeated_[a];
    return n;
  }
  void settle(RepeatPath path) {
    if (pending(path) != 0) fold_repeated_hits(path);
  }
  // Settles the repeated hits and ends every repeat epoch: the TLBs are about to change.
  void begin_change() {
    settle();
    forget(kFetchPath);
    forget(kDataPath);
  }
  void recompute_repeatable();
  // A lookup is about to change the path's L1: no more repeats until remember(), which may
  // keep the page remembered last if its entry survives (the keys stay valid).
  void stop_repeating(RepeatPath path) {
    for (RepeatedPage& page : repeats_[path].page)
      page.rights = 0;
    if (path == kFetchPath) sync_fetch_key();
  }
  // Called whenever the fetch path's page[0] or its rights change.
  void sync_fetch_key() {
    const RepeatedPage& p = repeats_[kFetchPath].page[0];
    fetch_key_ = (p.rights >> static_cast<int>(Access::kFetch)) & 1 ? p.key : kNoPage;
  }

  PhysicalMemory& memory_;
  MmuConfig config_;
  PagingControl control_;
  std::vector<TlbArray> arrays_[kTlbLevels];
  std::vector<uint64_t> array_hits_[kTlbLevels];
  TlbArray* first_array_[kTlbLevels] = {};                 // the array searched first at each level
  TlbArray* fill_array_[kTlbLevels][kPageSizeCount] = {};  // [level][page size]: fill_array()
  std::vector<PagingStructureCache> psc_;                  // PML4E, PDPTE, PDE caches
  bool psc_enabled_ = false;                               // any of them has entries
  uint8_t required_flags_[kAccessKinds][2] = {};           // [access][mode] TlbEntry flags needed
  Counters counters_;
  static constexpr uint64_t kNoPage = ~uint64_t{0};
  struct RepeatedPage {
    uint64_t key = kNoPage;
    uint64_t tlb_key = 0;  // the first L1 array's key of its entry
    uint8_t rights = 0;    // bit (1 << Access) per access repeat() may count
  };
  struct Repeats {
    RepeatedPage page[2];  // [0] the page counted last, [1] the other one
    // pending() when page[0] began its run (it was counted last since). Each run starts with a
    // count, so a run_start above 0 also says page[1] was counted before it, last at run_start.
    uint64_t run_start = 0;
    bool swapped = false;  // page[0] is the array's entry before the last (and not the last)
  };
  Repeats repeats_[2];                    // per RepeatPath
  uint64_t fetch_key_ = kNoPage;          // the fetch path's page[0] key while it may count a fetch
  uint64_t repeated_[kAccessKinds] = {};  // repeat()s not yet folded into the counters
  // [path][TlbEntry flags]: the accesses of the path an entry with these flags serves.
  uint8_t repeat_rights_[2][1u << 5] = {};
  bool repeatable_ = false;  // first L1 arrays exist, no observer, no custom replacement
  WalkResult walk_scratch_;  // reused by every walk: no per-miss initialisation
  StatSet stats_;
  MmuObserver* observer_ = nullptr;
};

}  // namespace vmlab::mmu
