#include "mmu/mmu.h"

#include <string>

namespace vmlab::mmu {

namespace {
constexpr int kUserMode = 0;
constexpr int kSupervisorMode = 1;
int mode_index(Mode m) {
  return m == Mode::kUser ? kUserMode : kSupervisorMode;
}
}  // namespace

Mmu::Mmu(PhysicalMemory& memory, const MmuConfig& config) : memory_(memory), config_(config) {
  for (int l = 0; l < kTlbLevels; ++l) {
    for (auto array_config : config_.arrays[l]) {
      array_config.seed = config_.seed * 1000003 + arrays_[l].size() * 7919 + l;
      arrays_[l].emplace_back(array_config);
    }
    array_hits_[l].assign(arrays_[l].size(), 0);
    first_array_[l] = arrays_[l].empty() ? nullptr : &arrays_[l][0];
  }
  for (int l = 0; l < kTlbLevels; ++l)
    for (auto size : {PageSize::k4K, PageSize::k2M, PageSize::k1G})
      fill_array_[l][static_cast<int>(size)] = fill_array(static_cast<TlbLevel>(l), size);
  psc_.emplace_back(Level::kPml4, config_.psc.pml4e_entries);
  psc_.emplace_back(Level::kPdpt, config_.psc.pdpte_entries);
  psc_.emplace_back(Level::kPd, config_.psc.pde_entries);
  psc_enabled_ =
      config_.psc.pml4e_entries + config_.psc.pdpte_entries + config_.psc.pde_entries != 0;
  recompute_required_flags();
  recompute_repeatable();
  register_stats();
}

void Mmu::register_stats() {
  static constexpr Access kAccesses[] = {Access::kRead, Access::kWrite, Access::kFetch};
  for (auto a : kAccesses) {
    const std::string kind(access_name(a));
    stats_.add("translations." + kind, "count", "accesses of kind " + kind + " translated",
               &counters_.translations[static_cast<int>(a)]);
  }
  for (auto l : {TlbLevel::kL1i, TlbLevel::kL1d, TlbLevel::kL2}) {
    const std::string level(tlb_level_name(l));
    if (arrays_[static_cast<int>(l)].empty()) continue;
    auto& c = counters_.levels[static_cast<int>(l)];
    stats_.add("tlb." + level + ".hits", "count", "lookups that hit the " + level + " TLB",
               &c.hits);
    stats_.add("tlb." + level + ".misses", "count", "lookups that missed the " + level + " TLB",
               &c.misses);
    for (auto a : kAccesses) {
      const std::string kind(access_name(a));
      if ((l == TlbLevel::kL1i) != (a == Access::kFetch) && l != TlbLevel::kL2) continue;
      stats_.add("tlb." + level + "." + kind + ".hits", "count",
                 kind + " lookups that hit the " + level + " TLB", &c.hits_by[static_cast<int>(a)]);
      stats_.add("tlb." + level + "." + kind + ".misses", "count",
                 kind + " lookups that missed the " + level + " TLB",
                 &c.misses_by[static_cast<int>(a)]);
    }
    for (size_t i = 0; i < arrays_[static_cast<int>(l)].size(); ++i) {
      const auto& name = arrays_[static_cast<int>(l)][i].config().name;
      stats_.add("tlb.array." + name + ".hits", "count", "hits in TLB array " + name,
                 &array_hits_[static_cast<int>(l)][i]);
    }
  }
  stats_.add("walks", "count", "page walks started (TLB misses at every level)", &counters_.walks);
  stats_.add("walk_memory_refs", "count", "paging-structure entries read by walks",
             &counters_.walk_refs);
  stats_.add("psc.pml4e.hits", "count", "walks resumed from the PML4E cache",
             &counters_.psc_hits[static_cast<int>(Level::kPml4)]);
  stats_.add("psc.pdpte.hits", "count", "walks resumed from the PDPTE cache",
             &counters_.psc_hits[static_cast<int>(Level::kPdpt)]);
  stats_.add("psc.pde.hits", "count", "walks resumed from the PDE cache",
             &counters_.psc_hits[static_cast<int>(Level::kPd)]);
  stats_.add("psc.misses", "count", "walks that started from CR3", &counters_.psc_misses);
  stats_.add("ad.accessed_set", "count", "Accessed bits set by walks", &counters_.accessed_set);
  stats_.add("ad.dirty_set", "count", "Dirty bits set by walks", &counters_.dirty_set);
  stats_.add("tlb.rewalks", "count",
             "TLB hits that could not serve the access (D clear on a write, or rights) and walked",
             &counters_.rewalks);
  stats_.add("mmu.page_faults", "count", "translations that raised #PF", &counters_.page_faults);
  stats_.add("mmu.gp_faults", "count", "non-canonical accesses (#GP)", &counters_.gp_faults);
  stats_.add("tlb.invlpg", "count", "INVLPG operations", &counters_.invlpg);
  stats_.add("tlb.invpcid", "count", "INVPCID operations", &counters_.invpcid);
  stats_.add("tlb.cr3_loads", "count", "CR3 loads (address-space switches)", &counters_.cr3_loads);
  stats_.add("tlb.cr3_flushes", "count",
             "CR3 loads that flushed the TLB (PCIDs off, or a load without the no-flush bit)",
             &counters_.cr3_flushes);
  stats_.add("tlb.full_flushes", "count", "flushes of every entry (non-global or all)",
             &counters_.full_flushes);
  stats_.add("tlb.entries_invalidated", "count", "TLB entries dropped by invalidations",
             &counters_.entries_invalidated);
  stats_.add("translation_cycles", "cycles",
             "estimated cycles spent translating (from the configured latencies)",
             &counters_.cycles);
}

void Mmu::recompute_required_flags() {
  for (auto& rights : repeat_rights_)
    for (auto& r : rights)
      r = 0;
  for (int a = 0; a < kAccessKinds; ++a) {
    for (int m = 0; m < 2; ++m) {
      uint8_t need = 0;
      const auto access = static_cast<Access>(a);
      if (m == kUserMode) need |= TlbEntry::kUser;
      if (access == Access::kWrite) {
        need |= TlbEntry::kDirty;  // a write through a clean entry walks to set D
        if (m == kUserMode || control_.write_protect) need |= TlbEntry::kWritable;
      }
      if (access == Access::kFetch) need |= TlbEntry::kExecutable;
      required_flags_[a][m] = need;
    }
  }
  for (unsigned flags = 0; flags < (1u << 5); ++flags) {
    for (int a = 0; a < kAccessKinds; ++a) {
      const uint8_t need = required_flags_[a][kUserMode];
      const int path = static_cast<Access>(a) == Access::kFetch ? kFetchPath : kDataPath;
      if ((flags & need) == need) repeat_rights_[path][flags] |= static_cast<uint8_t>(1u << a);
    }
  }
}

bool Mmu::serves(const TlbEntry& entry, Access access, Mode mode) const {
  const uint8_t need = required_flags_[static_cast<int>(access)][mode_index(mode)];
  return (entry.flags() & need) == need;
}

const TlbEntry* Mmu::lookup(TlbLevel level, VirtAddr va, uint16_t pcid,
                            std::vector<uint64_t>& hits) {
  // Pointers, not indices: TlbArray's size is not a power of two, and an index would cost a
  // division per lookup.
  uint64_t* hit = hits.data();
  for (TlbArray& array : arrays_[static_cast<int>(level)]) {
    // An array with no entries (the huge-page arrays of a program without any) is not searched.
    if (!array.empty()) {
      if (const TlbEntry* e = array.lookup(va, pcid)) {
        ++*hit;
        return e;
      }
    }
    ++hit;
  }
  return nullptr;
}

TlbArray* Mmu::fill_array(TlbLevel level, PageSize size) {
  // Hardware fills one array per level: the one holding this page size, else the one holding
  // the largest smaller size (the page is splintered).
  TlbArray* best = nullptr;
  PageSize best_size = PageSize::k4K;
  for (auto& array : arrays_[static_cast<int>(level)]) {
    if (array.config().holds(size)) return &array;
    for (auto s : {PageSize::k2M, PageSize::k4K}) {
      if (s < size && array.config().holds(s) && (best == nullptr || s > best_size)) {
        best = &array;
        best_size = s;
      }
    }
  }
  return best;
}

const WalkResult& Mmu::walk_with_caches(VirtAddr va, Access access, Mode mode, int& psc_level) {
  WalkStart start{Level::kPml4, control_.root, {true, true, true}};
  psc_level = 0;
  // Search the cache closest to the leaf first: it saves the most references.
  for (auto it = psc_.rbegin(); psc_enabled_ && it != psc_.rend(); ++it) {
    if (const auto* hit = it->lookup(va, control_.pcid)) {
      psc_level = static_cast<int>(it->level());
      start = WalkStart{static_cast<Level>(psc_level - 1), hit->next_table, hit->rights};
      ++counters_.psc_hits[psc_level];
      break;
    }
  }
  if (psc_level == 0) ++counters_.psc_misses;
  WalkResult& walk = walk_scratch_;
  walk_into(walk, memory_, control_, start, va, access, mode, WalkEffects::kSetAccessedDirty);
  // Cache every non-leaf entry the walk went through; rights accumulate down the levels.
  Permissions rights = start.inherited;
  for (uint8_t i = 0; psc_enabled_ && i + 1 < walk.step_count; ++i) {
    const WalkStep& step = walk.steps[i];
    rights.writable = rights.writable && step.entry.writable();
    rights.user = rights.user && step.entry.user();
    rights.executable = rights.executable && !(control_.no_execute && step.entry.no_execute());
    psc_[kLevels - static_cast<int>(step.level)].fill(va, control_.pcid, step.entry.address(),
                                                      rights);
  }
  return walk;
}

Translation Mmu::translate_full(VirtAddr va, Access access, Mode mode) {
  // A miss refills and evicts in this access's L1 and the L2, which repeated hits of the
  // other path do not depend on; a rewalk drops the page from every array (below).
  const RepeatPath path = access == Access::kFetch ? kFetchPath : kDataPath;
  const RepeatPath other = path == kFetchPath ? kDataPath : kFetchPath;
  settle(path);
  stop_repeating(path);
  const int a = static_cast<int>(access);
  ++counters_.translations[a];
  Translation t;
  if (!is_canonical(va)) {
    ++counters_.gp_faults;
    t.faulted = true;
    t.fault = Fault{FaultKind::kGeneralProtection, va, 0};
    return t;
  }
  const uint16_t pcid = control_.pcid;
  const TlbLevel l1 = access == Access::kFetch ? TlbLevel::kL1i : TlbLevel::kL1d;
  auto& c1 = counters_.levels[static_cast<int>(l1)];
  uint32_t cycles = config_.cycles.l1_hit;
  bool rewalk = false;

  const TlbEntry* e = lookup(l1, va, pcid, array_hits_[static_cast<int>(l1)]);
  if (e != nullptr) {
    ++c1.hits;
    ++c1.hits_by[a];
    if (serves(*e, access, mode)) [[likely]] {
      t.pa = e->translate(va);
      t.size = e->size();
      t.outcome = TlbOutcome::kL1Hit;
      counters_.cycles += cycles;
      if (observer_ != nullptr)
        observer_->on_translation({va, access, mode, pcid, t, nullptr, 0, false, cycles});
      return t;
    }
    rewalk = true;
  } else {
    ++c1.misses;
    ++c1.misses_by[a];
    auto& c2 = counters_.levels[static_cast<int>(TlbLevel::kL2)];
    cycles += config_.cycles.l2_hit;
    e = lookup(TlbLevel::kL2, va, pcid, array_hits_[static_cast<int>(TlbLevel::kL2)]);
    if (e != nullptr) {
      ++c2.hits;
      ++c2.hits_by[a];
      if (serves(*e, access, mode)) {
        t.pa = e->translate(va);
        t.size = e->size();
        t.outcome = TlbOutcome::kL2Hit;
        fill_after_miss(
            l1, TlbFill{va, e->size(), e->frame(), e->permissions(), e->global(), e->dirty()});
        counters_.cycles += cycles;
        if (observer_ != nullptr)
          observer_->on_translation({va, access, mode, pcid, t, nullptr, 0, false, cycles});
        return t;
      }
      rewalk = true;
    } else if (!arrays_[static_cast<int>(TlbLevel::kL2)].empty()) {
      ++c2.misses;
      ++c2.misses_by[a];
    }
  }
  if (rewalk) {
    // The entry cannot serve this access. Like QEMU (and like Intel after a #PF), drop it and
    // consult the page tables, which may have been upgraded since the entry was filled.
    ++counters_.rewalks;
    settle(other);
    stop_repeating(other);
    drop_page_everywhere(va, pcid);
  }

  ++counters_.walks;
  int psc_level = 0;
  const WalkResult& walk = walk_with_caches(va, access, mode, psc_level);
  counters_.walk_refs += walk.step_count;
  cycles += walk.step_count * config_.cycles.memory_ref;
  counters_.cycles += cycles;
  for (uint8_t i = 0; i < walk.step_count; ++i) {
    counters_.accessed_set += walk.steps[i].set_accessed;
    counters_.dirty_set += walk.steps[i].set_dirty;
  }
  t.outcome = TlbOutcome::kWalk;
  if (walk.faulted) {
    ++counters_.page_faults;
    t.faulted = true;
    t.fault = walk.fault;
  } else {
    t.pa = walk.translate(va);
    t.size = walk.size;
    const TlbFill fill{va, walk.size, walk.frame, walk.permissions, walk.global, walk.dirty};
    fill_after_miss(TlbLevel::kL2, fill);
    fill_after_miss(l1, fill);
  }
  if (observer_ != nullptr)
    observer_->on_translation({va, access, mode, pcid, t, &walk, psc_level, rewalk, cycles});
  return t;
}

WalkResult Mmu::probe(VirtAddr va, Access access, Mode mode) const {
  return walk(memory_, control_, va, access, mode, WalkEffects::kNone);
}

void Mmu::set_control(const PagingControl& control) {
  begin_change();
  control_ = control;
  recompute_required_flags();
  flush_all(true);
}

TlbArray* Mmu::find_array(const std::string& name) {
  begin_change();
  for (auto& level : arrays_)
    for (auto& array : level)
      if (array.config().name == name) return &array;
  return nullptr;
}

}  // namespace vmlab::mmu
