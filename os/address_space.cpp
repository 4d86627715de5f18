#include "os/address_space.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "os/pte_encoding.h"
#include "os/residency.h"

namespace vmlab::os {

using mmu::Level;
using mmu::Pfn;
using mmu::PhysAddr;
using mmu::Pte;

namespace {

constexpr uint64_t kTableEntryBits = Pte::kPresent | Pte::kWritable | Pte::kUser;

// A change that takes rights away (or moves the page) must not be served by a stale TLB entry.
bool is_downgrade(Pte before, Pte after) {
  if (!before.present()) return false;
  if (!after.present()) return true;
  return before.address() != after.address() || (before.writable() && !after.writable()) ||
         (before.user() && !after.user()) || (!before.no_execute() && after.no_execute());
}

uint64_t region_bytes(int level) {
  return uint64_t{1} << mmu::level_shift(static_cast<Level>(level));
}

}  // namespace

AddressSpace::AddressSpace(FrameAllocator& frames, TlbControl& tlb, uint16_t pcid)
    : frames_(frames), tlb_(tlb), pcid_(pcid) {
  const auto root = frames_.allocate(FrameUse::kPageTable);
  if (!root) throw std::runtime_error("out of memory allocating a page-table root");
  root_ = Pte{kTableEntryBits}.with_address(root->address());
}

AddressSpace::~AddressSpace() {
  // Drop every leaf, then the tables themselves. The CPU running this space is gone or about
  // to be, so nobody is told about the individual entries.
  observers_.clear();
  for_each_leaf([this](uint64_t va, Pte entry) { drop_entry(va, entry); });
  for_each_table([this](PhysAddr table) { frames_.put(Pfn{table}); });
  tlb_.forget(*this);
}

void AddressSpace::for_each_table(const std::function<void(PhysAddr)>& fn) const {
  visit_tables(root(), mmu::kLevels, fn);
}

void AddressSpace::visit_tables(PhysAddr table, int level,
                                const std::function<void(PhysAddr)>& fn) const {
  if (level > 1) {
    for (uint64_t i = 0; i < Pte::kEntriesPerTable; ++i) {
      const Pte e{frames_.memory().read_u64(table + i * Pte::kBytes)};
      if (e.present() && !e.page_size()) visit_tables(e.address(), level - 1, fn);
    }
  }
  fn(table);  // after its children: the destructor frees tables bottom-up
}

// ---------------------------------------------------------------------------------------------
// VMAs

const Vma* AddressSpace::find_vma(uint64_t va) const {
  auto it = vmas_.upper_bound(va);
  if (it == vmas_.begin()) return nullptr;
  --it;
  return it->second.contains(va) ? &it->second : nullptr;
}

Vma* AddressSpace::find_vma(uint64_t va) {
  return const_cast<Vma*>(static_cast<const AddressSpace*>(this)->find_vma(va));
}

const Vma* AddressSpace::vma_above(uint64_t va) const {
  if (const Vma* v = find_vma(va)) return v;
  auto it = vmas_.upper_bound(va);
  return it == vmas_.end() ? nullptr : &it->second;
}

Vma& AddressSpace::insert_vma(Vma vma) {
  if (!range_is_free(vma.start, vma.end))
    throw std::logic_error("VMA overlaps an existing mapping");
  return vmas_.emplace(vma.start, std::move(vma)).first->second;
}

bool AddressSpace::range_is_usable(uint64_t start, uint64_t end) const {
  return start < end && start >= layout::kMmapMinAddr && end <= layout::kUserTop;
}

bool AddressSpace::range_is_free(uint64_t start, uint64_t end) const {
  auto it = vmas_.lower_bound(start);
  if (it != vmas_.end() && it->second.start < end) return false;
  if (it != vmas_.begin() && std::prev(it)->second.end > start) return false;
  return true;
}

std::optional<uint64_t> AddressSpace::find_free_range(uint64_t length) const {
  // Occupied ranges, highest first: VMAs (with the stack's guard gap).
  std::vector<std::pair<uint64_t, uint64_t>> taken;
  for (const auto& [start, vma] : vmas_) {
    const uint64_t gap = vma.grows_down ? layout::kStackGuardGap : 0;
    taken.emplace_back(start > gap ? start - gap : 0, vma.end);
  }
  std::sort(taken.begin(), taken.end(), [](auto a, auto b) { return a.second > b.second; });
  uint64_t gap_end = layout::kMmapBase;
  for (const auto& [start, end] : taken) {
    if (end <= gap_end && gap_end - end >= length) return gap_end - length;
    gap_end = std::min(gap_end, start);
  }
  if (gap_end >= layout::kMmapMinAddr + length) return gap_end - length;
  return std::nullopt;
}

void AddressSpace::split_at(uint64_t va) {
  Vma* v = find_vma(va);
  if (v == nullptr || v->start == va) return;
  Vma upper = *v;
  upper.start = va;
  if (upper.kind == VmaKind::kFile) {
    const uint64_t consumed = va - v->start;
    upper.file_offset += consumed;
    upper.file_bytes = upper.file_bytes > consumed ? upper.file_bytes - consumed : 0;
  }
  v->end = va;
  vmas_.emplace(va, std::move(upper));
}

void AddressSpace::unmap_range(uint64_t start, uint64_t end) {
  const TlbControl::Batch batch(tlb_, *this);
  split_huge_in(start, end);
  split_at(start);
  split_at(end);
  for (auto it = vmas_.lower_bound(start); it != vmas_.end() && it->second.start < end;)
    it = vmas_.erase(it);
  std::vector<uint64_t> pages;
  for_each_leaf_in(start, end, [&](uint64_t va, Pte) { pages.push_back(va); });
  for (uint64_t va : pages)
    unmap_page(va);
}

bool AddressSpace::protect_range(uint64_t start, uint64_t end, uint32_t new_prot) {
  const TlbControl::Batch batch(tlb_, *this);
  for (uint64_t va = start; va < end;) {
    const Vma* v = find_vma(va);
    if (v == nullptr) return false;
    va = v->end;
  }
  split_huge_in(start, end);
  split_at(start);
  split_at(end);
  for (auto it = vmas_.lower_bound(start); it != vmas_.end() && it->second.start < end; ++it)
    it->second.prot = new_prot;
  std::vector<std::pair<uint64_t, Pte>> entries;
  for_each_leaf_in(start, end, [&](uint64_t va, Pte e) {
    if (holds_frame(e)) entries.emplace_back(va, e);
  });
  for (const auto& [va, entry] : entries) {
    const Vma& vma = *find_vma(va);
    const auto slot = leaf_slot(va);
    Pte resident = entry.present() ? entry : restore_prot_none(entry);
    const Pfn frame = resident.pfn();
    const Frame& f = frames_.frame(frame);
    // A private page stays read-only while anyone else can see its frame: the next write
    // fault decides between copying and reusing it.
    const bool exclusive =
        vma.sharing == Sharing::kShared || (f.use == FrameUse::kAnonymous && f.refcount == 1);
    const LeafRights rights{vma.writable() && exclusive, vma.executable()};
    Pte updated = make_leaf(frame, rights).with(resident.raw() & (Pte::kAccessed | Pte::kDirty));
    if (new_prot == prot::kNone) updated = make_prot_none(updated);
    write_leaf(va, *slot, entry, updated);
  }
  return true;
}

void AddressSpace::resize_vma(uint64_t start, uint64_t new_end) {
  auto it = vmas_.find(start);
  if (it == vmas_.end()) throw std::logic_error("resize of a VMA that does not exist");
  Vma& v = it->second;
  if (new_end < v.end) {
    split_huge_in(new_end, v.end);
    std::vector<uint64_t> pages;
    for_each_leaf_in(new_end, v.end, [&](uint64_t va, Pte) { pages.push_back(va); });
    for (uint64_t va : pages)
      unmap_page(va);
  }
  v.end = new_end;
  if (v.end == v.start) vmas_.erase(it);
}

void AddressSpace::grow_down(uint64_t start, uint64_t new_start) {
  auto node = vmas_.extract(start);
  node.key() = new_start;
  node.mapped().start = new_start;
  vmas_.insert(std::move(node));
}

bool AddressSpace::move_range(uint64_t old_start, uint64_t old_size, uint64_t new_start,
                              uint64_t new_size) {
  split_huge_in(old_start, old_start + old_size);
  split_at(old_start);
  split_at(old_start + old_size);
  auto it = vmas_.find(old_start);
  if (it == vmas_.end()) return false;
  Vma moved = it->second;
  vmas_.erase(it);
  moved.start = new_start;
  moved.end = new_start + new_size;
  vmas_.emplace(new_start, moved);
  std::vector<uint64_t> pages;
  for_each_leaf_in(old_start, old_start + old_size, [&](uint64_t va, Pte) { pages.push_back(va); });
  for (const uint64_t va : pages) {
    const uint64_t target = new_start + (va - old_start);
    if (target >= new_start + new_size) {
      unmap_page(va);  // shrinking move: the tail goes away
      continue;
    }
    // Allocating a table may reclaim memory: read the entry to move afterwards.
    const auto to = slot(target, Level::kPt, true);
    if (!to) return false;
    const Pte entry = read_pte(va);
    if (entry.raw() == 0) continue;
    write_leaf(target, *to, Pte{}, entry);
    write_leaf(va, *leaf_slot(va), entry, Pte{});
    if (holds_frame(entry)) {
      const Pfn frame = (entry.present() ? entry : restore_prot_none(entry)).pfn();
      rmap_remove(frame, va);
      rmap_add(frame, target);
    }
  }
  return true;
}

void AddressSpace::discard_range(uint64_t start, uint64_t end) {
  const TlbControl::Batch batch(tlb_, *this);
  split_huge_in(start, end);
  std::vector<uint64_t> pages;
  for_each_leaf_in(start, end, [&](uint64_t va, Pte) {
    const Vma* v = find_vma(va);
    // Shared anonymous memory has no other home than its frames: keep it.
    if (v != nullptr && !(v->sharing == Sharing::kShared && v->kind == VmaKind::kAnonymous))
      pages.push_back(va);
  });
  for (uint64_t va : pages)
    unmap_page(va);
}

void AddressSpace::set_huge_advice(uint64_t start, uint64_t end, bool huge) {
  split_at(start);
  split_at(end);
  for (auto it = vmas_.lower_bound(start); it != vmas_.end() && it->second.start < end; ++it)
    it->second.huge_advised = huge;
}

// ---------------------------------------------------------------------------------------------
// Page-table entries

std::optional<PhysAddr> AddressSpace::slot(uint64_t va, Level level, bool allocate) {
  PhysAddr table = root();
  auto& memory = frames_.memory();
  for (int lvl = mmu::kLevels; lvl > static_cast<int>(level); --lvl) {
    const PhysAddr entry_address =
        table + mmu::table_index(mmu::VirtAddr{va}, static_cast<Level>(lvl)) * Pte::kBytes;
    Pte e{memory.read_u64(entry_address)};
    if (e.present() && e.page_size()) {
      // A huge leaf: it is the entry for every address it covers, unless the caller needs the
      // page table below it, which splitting creates.
      if (!allocate) return entry_address;
      if (!split_huge(va)) return std::nullopt;
      e = Pte{memory.read_u64(entry_address)};
    }
    if (!e.present()) {
      if (!allocate) return std::nullopt;
      const auto frame = frames_.allocate(FrameUse::kPageTable);
      if (!frame) return std::nullopt;
      e = Pte{kTableEntryBits}.with_address(frame->address());
      memory.write_u64(entry_address, e.raw());
    }
    table = e.address();
  }
  return table + mmu::table_index(mmu::VirtAddr{va}, level) * Pte::kBytes;
}

bool AddressSpace::pd_slot_empty(uint64_t base) const {
  const auto s = const_cast<AddressSpace*>(this)->slot(base, Level::kPd, false);
  return !s || frames_.memory().read_u64(*s) == 0;
}

bool AddressSpace::map_huge(uint64_t base, Pfn head, LeafRights rights) {
  const auto s = slot(base, Level::kPd, true);
  if (!s) return false;
  const Pte before{frames_.memory().read_u64(*s)};
  if (before.raw() != 0) throw std::logic_error("map_huge over an existing page table");
  write_leaf(base, *s, before, make_leaf(head, rights).with(Pte::kPageSize));
  rmap_add(head, base);
  if (counters_ != nullptr) ++counters_->huge_faults;
  return true;
}

bool AddressSpace::split_huge(uint64_t va) {
  const uint64_t base = va & ~mmu::page_offset_mask(mmu::PageSize::k2M);
  auto& memory = frames_.memory();
  const auto pde_slot = slot(base, Level::kPd, false);
  if (!pde_slot) return true;
  const Pte pde{memory.read_u64(*pde_slot)};
  if (!pde.present() || !pde.page_size()) return true;
  const Pfn head = pde.pfn();
  frames_.get(head);  // reclaim must not take the page while its table is built
  const auto table = frames_.allocate(FrameUse::kPageTable);
  if (!table) {
    frames_.put(head);
    return false;
  }
  // The same frames, rights and A/D bits, now one 4 KiB entry each.
  const uint64_t keep = pde.raw() & (Pte::kPresent | Pte::kWritable | Pte::kUser | Pte::kAccessed |
                                     Pte::kDirty | Pte::kNoExecute);
  for (uint64_t i = 0; i < Pte::kEntriesPerTable; ++i)
    memory.write_u64(table->address() + i * Pte::kBytes,
                     Pte{keep}.with_address(Pfn{head.value + i}.address()).raw());
  memory.write_u64(*pde_slot, Pte{kTableEntryBits}.with_address(table->address()).raw());
  rmap_remove(head, base);
  for (uint64_t i = 0; i < Pte::kEntriesPerTable; ++i)
    rmap_add(Pfn{head.value + i}, base + i * mmu::kPageBytes);
  frames_.put(head);
  // Nothing moved, but the CPUs must forget the 2 MiB translation.
  for (PageTableObserver* o : observers_)
    o->invalidate(base);
  tlb_.invalidate_page(*this, mmu::VirtAddr{base});
  --stats_.huge;
  if (counters_ != nullptr) ++counters_->huge_splits;
  return true;
}

void AddressSpace::split_huge_in(uint64_t start, uint64_t end) {
  std::vector<uint64_t> huge;
  for_each_leaf_in(start, end, [&](uint64_t va, Pte e) {
    if (e.page_size()) huge.push_back(va);
  });
  for (uint64_t va : huge)
    split_huge(va);
}

std::optional<PhysAddr> AddressSpace::leaf_slot(uint64_t va) const {
  return const_cast<AddressSpace*>(this)->slot(va, Level::kPt, false);
}

Pte AddressSpace::read_pte(uint64_t va) const {
  const auto s = leaf_slot(va);
  return s ? Pte{frames_.memory().read_u64(*s)} : Pte{};
}

Pte AddressSpace::make_leaf(Pfn frame, LeafRights rights) const {
  uint64_t bits = Pte::kPresent | Pte::kUser;
  if (rights.writable) bits |= Pte::kWritable;
  if (!rights.executable) bits |= Pte::kNoExecute;
  return Pte{bits}.with_address(frame.address());
}

bool mapped_dirty(const Frame& frame) {
  return std::any_of(frame.rmap.begin(), frame.rmap.end(),
                     [](const Mapping& m) { return m.space->read_pte(m.va).dirty(); });
}

void AddressSpace::write_leaf(uint64_t va, PhysAddr slot, Pte before, Pte after) {
  frames_.memory().write_u64(slot, after.raw());
  // Resident as os/residency.h defines it (the zero page is nobody's; PROT_NONE keeps its page).
  auto own_frame = [this](Pte e) { return counts_in_rss(classify_leaf(frames_, e).state); };
  const bool huge = before.page_size() || after.page_size();
  const uint64_t pages = huge ? Pte::kEntriesPerTable : 1;
  const bool held = own_frame(before), holds = own_frame(after);
  if (!held && holds) {
    stats_.resident += pages;
    stats_.peak_resident = std::max(stats_.peak_resident, stats_.resident);
    if (huge) ++stats_.huge;
  }
  if (held && !holds) {
    stats_.resident -= pages;
    if (huge) --stats_.huge;
  }
  // A page-cache page written through this entry stays dirty after the entry goes: the page
  // cache writes it back to its file (PageCache::write_back).
  if (before.present() && before.dirty() && !(after.present() && after.dirty())) {
    Frame& f = frames_.frame(before.pfn());
    if (f.use == FrameUse::kFile) f.dirty = true;
  }
  if (non_present_kind(before) == NonPresentKind::kSwap) --stats_.swapped;
  if (non_present_kind(after) == NonPresentKind::kSwap) ++stats_.swapped;
  for (PageTableObserver* o : observers_)
    o->pte_changed(va, huge ? mmu::PageSize::k2M : mmu::PageSize::k4K, before, after);
  if (is_downgrade(before, after)) tlb_.invalidate_page(*this, mmu::VirtAddr{va});
}

void AddressSpace::rmap_add(Pfn frame, uint64_t va) {
  Frame& f = frames_.frame(frame);
  if (f.use != FrameUse::kZero) f.rmap.push_back(Mapping{this, va});
}

void AddressSpace::rmap_remove(Pfn frame, uint64_t va) {
  Frame& f = frames_.frame(frame);
  if (f.use == FrameUse::kZero) return;
  auto it = std::find(f.rmap.begin(), f.rmap.end(), Mapping{this, va});
  if (it == f.rmap.end()) throw std::logic_error("reverse map lost a mapping");
  *it = f.rmap.back();
  f.rmap.pop_back();
}

void AddressSpace::drop_entry(uint64_t va, Pte entry) {
  if (holds_frame(entry)) {
    const Pfn frame = (entry.present() ? entry : restore_prot_none(entry)).pfn();
    rmap_remove(frame, va);
    constexpr unsigned kHugeOrder = 9;  // 512 frames
    if (frames_.frame(frame).use != FrameUse::kZero)
      frames_.put(frame, entry.page_size() ? kHugeOrder : 0);
  } else if (non_present_kind(entry) == NonPresentKind::kSwap && swap_release_) {
    swap_release_(swap_slot_of(entry));
  }
}

bool AddressSpace::map_page(uint64_t va, Pfn frame, LeafRights rights) {
  const auto s = slot(va, Level::kPt, true);
  if (!s) return false;
  const Pte before{frames_.memory().read_u64(*s)};
  if (holds_frame(before)) throw std::logic_error("map_page over a resident page");
  write_leaf(va, *s, before, make_leaf(frame, rights));
  rmap_add(frame, va);
  return true;
}

void AddressSpace::set_rights(uint64_t va, LeafRights rights) {
  const auto s = leaf_slot(va);
  if (!s) return;
  const Pte before{frames_.memory().read_u64(*s)};
  if (!before.present()) return;
  const Pte after =
      make_leaf(before.pfn(), rights).with(before.raw() & (Pte::kAccessed | Pte::kDirty));
  if (after != before) write_leaf(va, *s, before, after);
}

void AddressSpace::replace_frame(uint64_t va, Pfn frame, LeafRights rights) {
  const auto s = leaf_slot(va);
  const Pte before{frames_.memory().read_u64(*s)};
  write_leaf(va, *s, before, make_leaf(frame, rights));
  rmap_add(frame, va);
  drop_entry(va, before);
}

void AddressSpace::unmap_page(uint64_t va) {
  const auto s = leaf_slot(va);
  if (!s) return;
  const Pte before{frames_.memory().read_u64(*s)};
  if (before.raw() == 0) return;
  write_leaf(va, *s, before, Pte{});
  drop_entry(va, before);
}

void AddressSpace::set_swap_entry(uint64_t va, uint64_t slot_number) {
  const auto s = leaf_slot(va);
  const Pte before{frames_.memory().read_u64(*s)};
  write_leaf(va, *s, before, make_swap_entry(slot_number));
  const Pfn frame = before.pfn();
  rmap_remove(frame, va);
  frames_.put(frame);
}

bool AddressSpace::test_and_clear_accessed(uint64_t va) {
  const auto s = leaf_slot(va);
  if (!s) return false;
  const Pte before{frames_.memory().read_u64(*s)};
  if (!before.present() || !before.accessed()) return false;
  const Pte after = before.without(Pte::kAccessed);
  frames_.memory().write_u64(*s, after.raw());
  // The TLB would otherwise keep serving the page without setting A again.
  for (PageTableObserver* o : observers_)
    o->pte_changed(va, mmu::PageSize::k4K, before, after);
  tlb_.invalidate_page(*this, mmu::VirtAddr{va});
  return true;
}

bool AddressSpace::test_and_clear_dirty(uint64_t va) {
  const auto s = leaf_slot(va);
  if (!s) return false;
  const Pte before{frames_.memory().read_u64(*s)};
  if (!before.present() || !before.dirty()) return false;
  const Pte after = before.without(Pte::kDirty);
  frames_.memory().write_u64(*s, after.raw());
  for (PageTableObserver* o : observers_)
    o->pte_changed(va, mmu::PageSize::k4K, before, after);
  tlb_.invalidate_page(*this, mmu::VirtAddr{va});
  return true;
}

void AddressSpace::walk_leaves(PhysAddr table, int level, uint64_t base, uint64_t lo, uint64_t hi,
                               const std::function<void(uint64_t, Pte)>& fn) const {
  auto& memory = frames_.memory();
  const uint64_t span = region_bytes(level);
  for (uint64_t i = 0; i < Pte::kEntriesPerTable; ++i) {
    const uint64_t va = base + i * span;  // user space: the lower canonical half only
    if (va + span <= lo || va >= hi) continue;
    const Pte e{memory.read_u64(table + i * Pte::kBytes)};
    if (e.raw() == 0) continue;
    if (level == 1 || (level == 2 && e.present() && e.page_size())) {
      fn(va, e);  // a 4 KiB entry, or a 2 MiB one (PS set)
    } else if (e.present()) {
      walk_leaves(e.address(), level - 1, va, lo, hi, fn);
    }
  }
}

void AddressSpace::for_each_leaf(const std::function<void(uint64_t, Pte)>& fn) const {
  walk_leaves(root(), mmu::kLevels, 0, 0, layout::kUserTop, fn);
}

void AddressSpace::for_each_leaf_in(uint64_t start, uint64_t end,
                                    const std::function<void(uint64_t, Pte)>& fn) const {
  walk_leaves(root(), mmu::kLevels, 0, start, end, fn);
}

void AddressSpace::fork_into(AddressSpace& child, const std::function<void(uint64_t)>& dup_swap) {
  const TlbControl::Batch batch(tlb_, *this);
  // A huge page becomes copy-on-write at fork: it is split, and its 4 KiB pieces are shared.
  split_huge_in(0, layout::kUserTop);
  for (const auto& [start, vma] : vmas_)
    child.vmas_.emplace(start, vma);
  std::vector<uint64_t> pages;
  for_each_leaf([&](uint64_t va, Pte) { pages.push_back(va); });
  // Consecutive pages share their page tables: both sides' PT of the current 2 MiB region are
  // looked up once. (Page tables are never freed while the space lives, so a reclaim triggered
  // by allocating a child table cannot invalidate them; it may change the parent's entries,
  // which are therefore read after the child's table exists.)
  constexpr uint64_t kRegionMask = ~((uint64_t{1} << mmu::level_shift(Level::kPd)) - 1);
  uint64_t region = ~uint64_t{0};
  PhysAddr parent_pt, child_pt;
  const Vma* vma = nullptr;
  for (const uint64_t va : pages) {
    if ((va & kRegionMask) != region) {
      const auto child_slot = child.slot(va, Level::kPt, true);
      const auto parent_slot = leaf_slot(va);
      if (!child_slot) throw std::runtime_error("out of memory copying page tables in fork");
      if (!parent_slot) continue;
      region = va & kRegionMask;
      const uint64_t offset = mmu::table_index(mmu::VirtAddr{va}, Level::kPt) * Pte::kBytes;
      child_pt = PhysAddr{child_slot->value - offset};
      parent_pt = PhysAddr{parent_slot->value - offset};
    }
    const uint64_t index = mmu::table_index(mmu::VirtAddr{va}, Level::kPt);
    const PhysAddr parent_entry = parent_pt + index * Pte::kBytes;
    const PhysAddr child_entry = child_pt + index * Pte::kBytes;
    const Pte entry{frames_.memory().read_u64(parent_entry)};
    if (entry.raw() == 0) continue;
    if (non_present_kind(entry) == NonPresentKind::kSwap) {
      dup_swap(swap_slot_of(entry));
      child.write_leaf(va, child_entry, Pte{}, entry);
      continue;
    }
    if (vma == nullptr || !vma->contains(va)) vma = find_vma(va);
    Pte copy = entry;
    if (vma != nullptr && vma->sharing == Sharing::kPrivate && entry.writable()) {
      // Copy-on-write: both sides lose write access; the first writer copies (or reuses).
      copy = entry.without(Pte::kWritable);
      write_leaf(va, parent_entry, entry, copy);
    }
    const Pfn frame = (copy.present() ? copy : restore_prot_none(copy)).pfn();
    if (frames_.frame(frame).use != FrameUse::kZero) frames_.get(frame);
    child.write_leaf(va, child_entry, Pte{}, copy);
    child.rmap_add(frame, va);
  }
}

}  // namespace vmlab::os
