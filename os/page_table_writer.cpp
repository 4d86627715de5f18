#include "os/page_table_writer.h"

#include <algorithm>
#include <stdexcept>

#include "os/pte_encoding.h"
#include "os/residency.h"
#include "os/user_layout.h"

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

Pte leaf_entry(Pfn frame, LeafRights rights) {
  uint64_t bits = Pte::kPresent | Pte::kUser;
  if (rights.writable) bits |= Pte::kWritable;
  if (!rights.executable) bits |= Pte::kNoExecute;
  return Pte{bits}.with_address(frame.address());
}

PageTableWriter::PageTableWriter(FrameAllocator& frames, TlbControl& tlb, AddressSpace& space,
                                 HugeLeafSplitter& splitter)
    : frames_(frames), tlb_(tlb), space_(space), splitter_(splitter) {
  const auto root = frames_.allocate(FrameUse::kPageTable);
  if (!root) throw std::runtime_error("out of memory allocating a page-table root");
  root_ = Pte{kTableEntryBits}.with_address(root->address());
}

PageTableWriter::~PageTableWriter() {
  // The CPU running this space is gone or about to be, so nobody is told about the
  // individual entries.
  observers_.clear();
  for_each_leaf([this](uint64_t va, Pte entry) { drop_entry(va, entry); });
  for_each_table([this](PhysAddr table) { frames_.put(Pfn{table}); });
  tlb_.forget(space_);
}

// ---------------------------------------------------------------------------------------------
// Walks

PhysAddr PageTableWriter::entry_in(PhysAddr table, uint64_t va, int lvl) {
  return table + mmu::table_index(mmu::VirtAddr{va}, static_cast<Level>(lvl)) * Pte::kBytes;
}

std::optional<PhysAddr> PageTableWriter::find_slot(uint64_t va, Level level) const {
  PhysAddr table = root();
  for (int lvl = mmu::kLevels; lvl > static_cast<int>(level); --lvl) {
    const PhysAddr entry_address = entry_in(table, va, lvl);
    const Pte e{frames_.memory().read_u64(entry_address)};
    // A huge leaf is the entry for every address it covers.
    if (e.present() && e.page_size()) return entry_address;
    if (!e.present()) return std::nullopt;
    table = e.address();
  }
  return entry_in(table, va, static_cast<int>(level));
}

std::optional<PhysAddr> PageTableWriter::make_slot(uint64_t va, Level level) {
  PhysAddr table = root();
  auto& memory = frames_.memory();
  for (int lvl = mmu::kLevels; lvl > static_cast<int>(level); --lvl) {
    const PhysAddr entry_address = entry_in(table, va, lvl);
    Pte e{memory.read_u64(entry_address)};
    if (e.present() && e.page_size()) {
      // The caller needs the page table below the huge leaf, which splitting creates.
      if (!splitter_.split_huge(va)) return std::nullopt;
      e = Pte{memory.read_u64(entry_address)};
    }
    if (!e.present()) {
      const auto frame = frames_.allocate(FrameUse::kPageTable);
      if (!frame) return std::nullopt;
      e = Pte{kTableEntryBits}.with_address(frame->address());
      memory.write_u64(entry_address, e.raw());
    }
    table = e.address();
  }
  return entry_in(table, va, static_cast<int>(level));
}

Pte PageTableWriter::read_entry(PhysAddr slot) const {
  return Pte{frames_.memory().read_u64(slot)};
}

Pte PageTableWriter::read_pte(uint64_t va) const {
  const auto s = find_slot(va, Level::kPt);
  return s ? read_entry(*s) : Pte{};
}

// ---------------------------------------------------------------------------------------------
// Leaf entries

void PageTableWriter::write_leaf(uint64_t va, PhysAddr slot, Pte before, Pte after) {
  frames_.memory().write_u64(slot, after.raw());
  // Resident as os/residency.h defines it (the zero page is nobody's; PROT_NONE keeps its page).
  auto own_frame = [this](Pte e) { return counts_in_rss(frames_, e); };
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
  if (is_downgrade(before, after)) tlb_.invalidate_page(space_, mmu::VirtAddr{va});
}

void PageTableWriter::drop_entry(uint64_t va, Pte entry) {
  if (holds_frame(entry)) {
    const Pfn frame = held_frame(entry);
    rmap_remove(frame, va);
    constexpr unsigned kHugeOrder = 9;  // 512 frames
    if (frames_.frame(frame).use != FrameUse::kZero)
      frames_.put(frame, entry.page_size() ? kHugeOrder : 0);
  } else if (non_present_kind(entry) == NonPresentKind::kSwap && swap_release_) {
    swap_release_(swap_slot_of(entry));
  }
}

bool PageTableWriter::map_page(uint64_t va, Pfn frame, LeafRights rights) {
  const auto s = make_slot(va, Level::kPt);
  if (!s) return false;
  const Pte before = read_entry(*s);
  if (holds_frame(before)) throw std::logic_error("map_page over a resident page");
  write_leaf(va, *s, before, leaf_entry(frame, rights));
  rmap_add(frame, va);
  return true;
}

void PageTableWriter::set_rights(uint64_t va, LeafRights rights) {
  const auto s = find_slot(va, Level::kPt);
  if (!s) return;
  const Pte before = read_entry(*s);
  if (!before.present()) return;
  const Pte after =
      leaf_entry(before.pfn(), rights).with(before.raw() & (Pte::kAccessed | Pte::kDirty));
  if (after != before) write_leaf(va, *s, before, after);
}

void PageTableWriter::replace_frame(uint64_t va, Pfn frame, LeafRights rights) {
  const auto s = find_slot(va, Level::kPt);
  const Pte before = read_entry(*s);
  write_leaf(va, *s, before, leaf_entry(frame, rights));
  rmap_add(frame, va);
  drop_entry(va, before);
}

void PageTableWriter::unmap_page(uint64_t va) {
  const auto s = find_slot(va, Level::kPt);
  if (!s) return;
  const Pte before = read_entry(*s);
  if (before.raw() == 0) return;
  write_leaf(va, *s, before, Pte{});
  drop_entry(va, before);
}

bool PageTableWriter::move_entry(uint64_t from, uint64_t to) {
  // Allocating a table may reclaim memory: read the entry to move afterwards.
  const auto target = make_slot(to, Level::kPt);
  if (!target) return false;
  const Pte entry = read_pte(from);
  if (entry.raw() == 0) return true;
  write_leaf(to, *target, Pte{}, entry);
  write_leaf(from, *find_slot(from, Level::kPt), entry, Pte{});
  if (holds_frame(entry)) {
    rmap_remove(held_frame(entry), from);
    rmap_add(held_frame(entry), to);
  }
  return true;
}

void PageTableWriter::set_swap_entry(uint64_t va, uint64_t slot_number) {
  const auto s = find_slot(va, Level::kPt);
  const Pte before = read_entry(*s);
  write_leaf(va, *s, before, make_swap_entry(slot_number));
  const Pfn frame = before.pfn();
  rmap_remove(frame, va);
  frames_.put(frame);
}

bool PageTableWriter::test_and_clear(uint64_t va, uint64_t bit) {
  const auto s = find_slot(va, Level::kPt);
  if (!s) return false;
  const Pte before = read_entry(*s);
  if (!before.present() || (before.raw() & bit) == 0) return false;
  const Pte after = before.without(bit);
  frames_.memory().write_u64(*s, after.raw());
  // The TLB would otherwise keep serving the page without setting the bit again.
  for (PageTableObserver* o : observers_)
    o->pte_changed(va, mmu::PageSize::k4K, before, after);
  tlb_.invalidate_page(space_, mmu::VirtAddr{va});
  return true;
}

bool PageTableWriter::test_and_clear_accessed(uint64_t va) {
  return test_and_clear(va, Pte::kAccessed);
}

bool PageTableWriter::test_and_clear_dirty(uint64_t va) {
  return test_and_clear(va, Pte::kDirty);
}

bool PageTableWriter::expand_huge_leaf(uint64_t base, PhysAddr pde_slot, Pte pde) {
  auto& memory = frames_.memory();
  const Pfn head = pde.pfn();
  frames_.get(head);  // reclaim must not take the page while its table is built
  const auto table = frames_.allocate(FrameUse::kPageTable);
  if (!table) {
    frames_.put(head);
    return false;
  }
  const uint64_t keep = pde.raw() & (Pte::kPresent | Pte::kWritable | Pte::kUser | Pte::kAccessed |
                                     Pte::kDirty | Pte::kNoExecute);
  for (uint64_t i = 0; i < Pte::kEntriesPerTable; ++i)
    memory.write_u64(table->address() + i * Pte::kBytes,
                     Pte{keep}.with_address(Pfn{head.value + i}.address()).raw());
  memory.write_u64(pde_slot, Pte{kTableEntryBits}.with_address(table->address()).raw());
  rmap_remove(head, base);
  for (uint64_t i = 0; i < Pte::kEntriesPerTable; ++i)
    rmap_add(Pfn{head.value + i}, base + i * mmu::kPageBytes);
  frames_.put(head);
  // Nothing moved, but the CPUs must forget the 2 MiB translation.
  for (PageTableObserver* o : observers_)
    o->invalidate(base);
  tlb_.invalidate_page(space_, mmu::VirtAddr{base});
  --stats_.huge;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Reverse map

void PageTableWriter::rmap_add(Pfn frame, uint64_t va) {
  Frame& f = frames_.frame(frame);
  if (f.use == FrameUse::kZero) return;
  // Room for two from the start: a fork adds the second mapping of every page it shares, and
  // growing each list then was a third of fork's host instructions. It costs the host 16 bytes
  // per mapped frame (malloc's 48-byte chunk instead of 32).
  if (f.rmap.capacity() == 0) f.rmap.reserve(2);
  f.rmap.push_back(Mapping{&space_, va});
}

void PageTableWriter::rmap_remove(Pfn frame, uint64_t va) {
  Frame& f = frames_.frame(frame);
  if (f.use == FrameUse::kZero) return;
  auto it = std::find(f.rmap.begin(), f.rmap.end(), Mapping{&space_, va});
  if (it == f.rmap.end()) throw std::logic_error("reverse map lost a mapping");
  *it = f.rmap.back();
  f.rmap.pop_back();
}

// ---------------------------------------------------------------------------------------------
// Iteration

void PageTableWriter::for_each_table(const std::function<void(PhysAddr)>& fn) const {
  visit_tables(root(), mmu::kLevels, fn);
}

void PageTableWriter::visit_tables(PhysAddr table, int level,
                                   const std::function<void(PhysAddr)>& fn) const {
  if (level > 1) {
    for (uint64_t i = 0; i < Pte::kEntriesPerTable; ++i) {
      const Pte e = read_entry(table + i * Pte::kBytes);
      if (e.present() && !e.page_size()) visit_tables(e.address(), level - 1, fn);
    }
  }
  fn(table);  // after its children: the destructor frees tables bottom-up
}

void PageTableWriter::walk_leaves(PhysAddr table, int level, uint64_t base, uint64_t lo,
                                  uint64_t hi, const std::function<void(uint64_t, Pte)>& fn) const {
  const uint64_t span = region_bytes(level);
  for (uint64_t i = 0; i < Pte::kEntriesPerTable; ++i) {
    const uint64_t va = base + i * span;  // user space: the lower canonical half only
    if (va + span <= lo || va >= hi) continue;
    const Pte e = read_entry(table + i * Pte::kBytes);
    if (e.raw() == 0) continue;
    if (level == 1 || (level == 2 && e.present() && e.page_size())) {
      fn(va, e);  // a 4 KiB entry, or a 2 MiB one (PS set)
    } else if (e.present()) {
      walk_leaves(e.address(), level - 1, va, lo, hi, fn);
    }
  }
}

void PageTableWriter::for_each_leaf(const std::function<void(uint64_t, Pte)>& fn) const {
  walk_leaves(root(), mmu::kLevels, 0, 0, layout::kUserTop, fn);
}

void PageTableWriter::for_each_leaf_in(uint64_t start, uint64_t end,
                                       const std::function<void(uint64_t, Pte)>& fn) const {
  walk_leaves(root(), mmu::kLevels, 0, start, end, fn);
}

}  // namespace vmlab::os
