#include "os/reclaim.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "os/kernel.h"
#include "os/pte_encoding.h"
#include "os/residency.h"
#include "os/wait_status.h"

namespace vmlab::os {

using mmu::Pfn;

Reclaimer::Reclaimer(Kernel& kernel, std::unique_ptr<ReplacementPolicy> policy,
                     std::unique_ptr<SwapDevice> swap, bool local, uint64_t process_limit,
                     std::vector<RangeLimit> ranges)
    : kernel_(kernel),
      policy_(std::move(policy)),
      swap_(std::move(swap)),
      local_(local),
      process_limit_(process_limit),
      ranges_(std::move(ranges)) {}

void Reclaimer::record_references(const std::string& path) {
  recorder_ = std::make_unique<ReferenceString>(path);
}

// ---------------------------------------------------------------------------------------------
// Frame lifetime

void Reclaimer::replace_policy(std::unique_ptr<ReplacementPolicy> policy) {
  if (pages_loaded_) throw std::logic_error("replace_policy: pages are already resident");
  policy_ = std::move(policy);
}

void Reclaimer::on_allocated(Pfn frame, FrameUse use) {
  if (use != FrameUse::kAnonymous && use != FrameUse::kFile) return;
  pages_loaded_ = true;
  kernel_.frames().frame(frame).loaded_at = now();
  policy_->on_load(frame);
}

void Reclaimer::on_freed(Pfn frame, const Frame& state) {
  if (state.use != FrameUse::kAnonymous && state.use != FrameUse::kFile) return;
  policy_->on_release(frame);
  if (state.swap_slot >= 0 && swap_) {
    // The swap cache's reference: the copy outlives the frame only for PTEs that hold it.
    swap_->uncache(static_cast<uint64_t>(state.swap_slot));
    swap_->release(static_cast<uint64_t>(state.swap_slot));
  }
}

void Reclaimer::on_access(Pfn frame, int pid, uint64_t va) {
  kernel_.frames().frame(frame).last_access = now();
  if (recorder_) recorder_->record(pid, va);
  policy_->on_access(frame, pid, va);
}

// ---------------------------------------------------------------------------------------------
// Choosing and evicting

bool Reclaimer::evictable(Pfn frame) const {
  const Frame& f = kernel_.frames().frame(frame);
  // A page brought in since the last instruction retired may be the one the faulting
  // instruction needs next to its code or its other operand: evicting it would make the two
  // evict each other forever. Hardware needs them all resident at once; so does the kernel.
  if (f.loaded_at == now()) return false;
  // A reference beyond the mappings (and the page cache's own) is a pin: a fault handler is
  // working with the frame right now.
  if (f.use == FrameUse::kFile) return f.refcount == f.rmap.size() + 1;
  if (f.use != FrameUse::kAnonymous || f.rmap.empty() || f.refcount != f.rmap.size() || !swap_ ||
      swap_broken_)
    return false;
  return f.swap_slot >= 0 || swap_->used() < swap_->slots();
}

bool Reclaimer::scan(Pfn frame) {
  ++stats_.scanned;
  kernel_.charge(beneficiary(), CycleKind::kReclaim, cycle_cost::kScanPage);
  return evictable(frame);
}

Process* Reclaimer::beneficiary() {
  if (reclaiming_for_ != nullptr) return reclaiming_for_;
  return kernel_.has_current() ? &kernel_.current() : nullptr;
}

uint64_t Reclaimer::reclaim(uint64_t wanted) {
  Process* scope = reclaiming_for_;
  if (scope == nullptr && local_ && kernel_.has_current()) scope = &kernel_.current();
  uint64_t freed = 0;
  while (freed < wanted) {
    const auto victim = policy_->choose(*this, [&](Pfn f) {
      if (!scan(f)) return false;
      if (scope == nullptr) return true;
      for (const auto& [pid, va] : mappings(f))
        if (pid == scope->pid()) return true;
      return false;
    });
    if (!victim || !evict(*victim)) break;
    ++freed;
  }
  return freed;
}

bool Reclaimer::evict(Pfn frame) {
  const Frame& f = kernel_.frames().frame(frame);
  const uint64_t eviction = ++stats_.evictions;
  for (const Mapping& m : f.rmap)
    shadows_[{m.space->owner(), m.va >> mmu::kPageShift}] = eviction;
  const bool ok = f.use == FrameUse::kFile ? evict_file(frame) : evict_anonymous(frame);
  if (!ok) --stats_.evictions;
  if (ok) kernel_.charge(beneficiary(), CycleKind::kReclaim, cycle_cost::kEvictPage);
  return ok;
}

bool Reclaimer::evict_file(Pfn frame) {
  FrameAllocator& frames = kernel_.frames();
  const std::vector<Mapping> rmap = frames.frame(frame).rmap;
  // Unmapping notes a page a shared mapping wrote (Frame::dirty); dropping it writes it back.
  for (const Mapping& m : rmap)
    m.space->unmap_page(m.va);
  const Process* owner = rmap.empty() ? nullptr : kernel_.find(rmap.front().space->owner());
  KernelEvents::raise(kernel_.events().reclaim,
                      ReclaimEvent{owner, rmap.empty() ? 0 : rmap.front().va, frame.value,
                                   ReclaimEvent::Kind::kDropCache, 0});
  ++stats_.file_drops;
  const bool write_back = frames.frame(frame).dirty;
  ++(write_back ? stats_.file_writebacks : stats_.evict_clean);
  if (write_back) kernel_.charge(beneficiary(), CycleKind::kSwapWait, cycle_cost::kDiskWrite);
  return kernel_.page_cache().drop(frame);
}

bool Reclaimer::evict_anonymous(Pfn frame) {
  FrameAllocator& frames = kernel_.frames();
  // A huge page is split first; then its first 4 KiB goes like any other page.
  for (const Mapping& m : std::vector<Mapping>(frames.frame(frame).rmap))
    if (m.space->read_pte(m.va).page_size() && !m.space->split_huge(m.va)) return false;
  Frame& f = frames.frame(frame);
  const bool have_copy = f.swap_slot >= 0;
  uint64_t slot;
  if (have_copy) {
    slot = static_cast<uint64_t>(f.swap_slot);
  } else {
    const auto allocated = swap_->allocate();
    if (!allocated) return false;
    slot = *allocated;  // its first reference becomes the swap cache's
  }
  const std::vector<Mapping> rmap = f.rmap;
  bool dirty_page = !have_copy;
  for (const Mapping& m : rmap)
    dirty_page = dirty_page || m.space->read_pte(m.va).dirty();
  if (dirty_page && !swap_->write(slot, frames.memory().host(frame.address(), mmu::kPageBytes))) {
    std::fprintf(stderr, "vmlab: %s; no more pages will be swapped out\n", swap_->error().c_str());
    swap_broken_ = true;
    if (!have_copy) swap_->release(slot);
    return false;
  }
  f.swap_slot = static_cast<int32_t>(slot);
  swap_->cache(slot, frame);
  const Process* owner = rmap.empty() ? nullptr : kernel_.find(rmap.front().space->owner());
  // Every PTE becomes a swap entry holding one slot reference; the last one frees the frame.
  for (const Mapping& m : rmap) {
    swap_->duplicate(slot);
    m.space->set_swap_entry(m.va, slot);
  }
  if (dirty_page) {
    ++stats_.swap_outs;
    kernel_.charge(beneficiary(), CycleKind::kSwapWait, cycle_cost::kDiskWrite);
  } else {
    ++stats_.evict_clean;
  }
  KernelEvents::raise(
      kernel_.events().reclaim,
      ReclaimEvent{owner, rmap.empty() ? 0 : rmap.front().va, frame.value,
                   dirty_page ? ReclaimEvent::Kind::kSwapOut : ReclaimEvent::Kind::kEvictClean,
                   slot});
  return true;
}

// ---------------------------------------------------------------------------------------------
// Limits

uint64_t Reclaimer::resident_in(const Process& process, const RangeLimit& range) const {
  return resident_set(kernel_.frames(), process.space(), range.start, range.end).rss();
}

bool Reclaimer::make_room(Process& process, uint64_t va) {
  reclaiming_for_ = &process;
  bool ok = true;
  for (const RangeLimit& range : ranges_) {
    if (va < range.start || va >= range.end) continue;
    while (resident_in(process, range) >= range.pages) {
      const auto victim = policy_->choose(*this, [&](Pfn f) {
        if (!scan(f)) return false;
        for (const Mapping& m : kernel_.frames().frame(f).rmap)
          if (m.space == &process.space() && m.va >= range.start && m.va < range.end) return true;
        return false;
      });
      if (!victim || !evict(*victim)) {
        ok = false;
        break;
      }
      ++stats_.limit_reclaims;
    }
  }
  while (ok && process_limit_ != 0 && process.space().stats().resident >= process_limit_) {
    if (reclaim(1) == 0)
      ok = false;
    else
      ++stats_.limit_reclaims;
  }
  reclaiming_for_ = nullptr;
  return ok;
}

bool Reclaimer::note_fault(Process& process, uint64_t va, Pfn new_frame) {
  for (const RangeLimit& range : ranges_)
    if (va >= range.start && va < range.end) ++stats_.range_faults;
  auto it = shadows_.find({process.pid(), va >> mmu::kPageShift});
  if (it == shadows_.end()) return false;
  ++stats_.refaults;
  if (new_frame.value != 0) {
    if (kernel_.frames().frame(new_frame).use == FrameUse::kFile) ++stats_.refaults_file;
    policy_->on_refault(new_frame, stats_.evictions - it->second);
  }
  shadows_.erase(it);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Swap-in and the swap references of PTEs

FaultResult Reclaimer::swap_in(Process& process, const Vma& vma, uint64_t page, uint64_t slot) {
  FrameAllocator& frames = kernel_.frames();
  if (const auto cached = swap_->cached(slot)) {
    // Another sharer already read the page back: map the same frame, copy-on-write.
    frames.get(*cached);
    if (!process.space().map_page(page, *cached, LeafRights{false, vma.executable()})) {
      frames.put(*cached);
      return {FaultResolution::kOutOfMemory};
    }
    swap_->release(slot);
    ++stats_.swap_cache_hits;
    return {FaultResolution::kSwapCache, 0, cached->value};
  }
  const auto frame = frames.allocate(FrameUse::kAnonymous);
  if (!frame) return {FaultResolution::kOutOfMemory};
  if (!swap_->read(slot, frames.memory().host(frame->address(), mmu::kPageBytes))) {
    std::fprintf(stderr, "vmlab: %s\n", swap_->error().c_str());
    frames.put(*frame);
    return {FaultResolution::kBusError};
  }
  Frame& f = frames.frame(*frame);
  f.swap_slot = static_cast<int32_t>(slot);
  swap_->cache(slot, *frame);
  swap_->duplicate(slot);  // the swap cache's reference
  // Writable only when no other PTE still shares the slot (otherwise copy-on-write).
  const bool exclusive = swap_->references(slot) == 2;
  const LeafRights rights{vma.writable() && exclusive, vma.executable()};
  if (!process.space().map_page(page, *frame, rights)) {
    frames.put(*frame);
    return {FaultResolution::kOutOfMemory};
  }
  swap_->release(slot);  // the PTE's reference moved to the frame
  ++stats_.swap_ins;
  KernelEvents::raise(kernel_.events().reclaim, ReclaimEvent{&process, page, frame->value,
                                                             ReclaimEvent::Kind::kSwapIn, slot});
  return {FaultResolution::kSwapIn, 0, frame->value};
}

bool Reclaimer::can_reuse(Pfn frame) {
  Frame& f = kernel_.frames().frame(frame);
  if (f.swap_slot < 0 || !swap_) return true;
  const uint64_t slot = static_cast<uint64_t>(f.swap_slot);
  if (swap_->references(slot) > 1) return false;  // a swap entry elsewhere needs this copy
  // Only the cache holds the slot: the write makes the copy stale, so drop it.
  swap_->uncache(slot);
  swap_->release(slot);
  f.swap_slot = -1;
  return true;
}

void Reclaimer::release_slot(uint64_t slot) {
  if (swap_) swap_->release(slot);
}

void Reclaimer::duplicate_slot(uint64_t slot) {
  if (swap_) swap_->duplicate(slot);
}

// ---------------------------------------------------------------------------------------------
// OOM

Process* Reclaimer::oom_kill(const char* context) {
  Process* victim = nullptr;
  uint64_t largest = 0;
  for (Process* p : kernel_.memory_holders()) {
    if (p->state() == ProcessState::kZombie || p->exiting || p->group().exiting) continue;
    const auto& s = p->space().stats();
    const uint64_t footprint = s.resident + s.swapped;
    if (victim == nullptr || footprint >= largest) {
      victim = p;
      largest = footprint;
    }
  }
  if (victim == nullptr) return nullptr;
  const auto& s = victim->space().stats();
  std::fprintf(stderr, "vmlab: %s: Killed process %d (%s) anon-rss:%llukB, swap:%llukB\n", context,
               victim->tgid(), victim->comm.c_str(),
               static_cast<unsigned long long>(s.resident * mmu::kPageBytes / 1024),
               static_cast<unsigned long long>(s.swapped * mmu::kPageBytes / 1024));
  ++stats_.oom_kills;
  kernel_.exit_process(*victim, signaled_status(sig::kKill, false));
  return victim;
}

// ---------------------------------------------------------------------------------------------
// PageInspector

bool Reclaimer::test_and_clear_referenced(Pfn frame) {
  bool referenced = false;
  const std::vector<Mapping> rmap = kernel_.frames().frame(frame).rmap;
  for (const Mapping& m : rmap)
    referenced = m.space->test_and_clear_accessed(m.va) || referenced;
  return referenced;
}

bool Reclaimer::referenced(Pfn frame) const {
  for (const Mapping& m : kernel_.frames().frame(frame).rmap)
    if (m.space->read_pte(m.va).accessed()) return true;
  return false;
}

bool Reclaimer::dirty(Pfn frame) const {
  return mapped_dirty(kernel_.frames().frame(frame));
}

uint64_t Reclaimer::now() const {
  return kernel_.instructions();
}
uint64_t Reclaimer::loaded_at(Pfn frame) const {
  return kernel_.frames().frame(frame).loaded_at;
}
uint64_t Reclaimer::last_access(Pfn frame) const {
  return kernel_.frames().frame(frame).last_access;
}

int Reclaimer::owner(Pfn frame) const {
  const auto& rmap = kernel_.frames().frame(frame).rmap;
  return rmap.empty() ? 0 : rmap.front().space->owner();
}

std::vector<std::pair<int, uint64_t>> Reclaimer::mappings(Pfn frame) const {
  std::vector<std::pair<int, uint64_t>> out;
  for (const Mapping& m : kernel_.frames().frame(frame).rmap)
    out.emplace_back(m.space->owner(), m.va);
  return out;
}

}  // namespace vmlab::os
