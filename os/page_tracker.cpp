#include "os/page_tracker.h"

#include <stdexcept>

#include "os/address_space.h"

namespace vmlab::os {

using mmu::Pfn;

namespace {
bool tracked(FrameUse use) {
  return use == FrameUse::kAnonymous || use == FrameUse::kFile;
}
}  // namespace

PageTracker::PageTracker(FrameAllocator& frames, std::function<uint64_t()> clock,
                         std::unique_ptr<ReplacementPolicy> policy)
    : frames_(frames), clock_(std::move(clock)), policy_(std::move(policy)) {}

void PageTracker::replace_policy(std::unique_ptr<ReplacementPolicy> policy) {
  if (pages_loaded_) throw std::logic_error("replace_policy: pages are already resident");
  policy_ = std::move(policy);
}

void PageTracker::record_references(const std::string& path) {
  recorder_ = std::make_unique<ReferenceString>(path);
}

void PageTracker::loaded(Pfn frame, FrameUse use) {
  if (!tracked(use)) return;
  pages_loaded_ = true;
  frames_.frame(frame).loaded_at = now();
  policy_->on_load(frame);
}

void PageTracker::released(Pfn frame, const Frame& state) {
  if (tracked(state.use)) policy_->on_release(frame);
}

void PageTracker::on_access(Pfn frame, int pid, uint64_t va) {
  frames_.frame(frame).last_access = now();
  if (recorder_) recorder_->record(pid, va);
  policy_->on_access(frame, pid, va);
}

bool PageTracker::test_and_clear_referenced(Pfn frame) {
  bool referenced = false;
  const std::vector<Mapping> rmap = frames_.frame(frame).rmap;
  for (const Mapping& m : rmap)
    referenced = m.space->test_and_clear_accessed(m.va) || referenced;
  return referenced;
}

bool PageTracker::referenced(Pfn frame) const {
  for (const Mapping& m : frames_.frame(frame).rmap)
    if (m.space->read_pte(m.va).accessed()) return true;
  return false;
}

bool PageTracker::dirty(Pfn frame) const {
  return mapped_dirty(frames_.frame(frame));
}

uint64_t PageTracker::loaded_at(Pfn frame) const {
  return frames_.frame(frame).loaded_at;
}

uint64_t PageTracker::last_access(Pfn frame) const {
  return frames_.frame(frame).last_access;
}

int PageTracker::owner(Pfn frame) const {
  const auto& rmap = frames_.frame(frame).rmap;
  return rmap.empty() ? 0 : rmap.front().space->owner();
}

std::vector<std::pair<int, uint64_t>> PageTracker::mappings(Pfn frame) const {
  std::vector<std::pair<int, uint64_t>> out;
  for (const Mapping& m : frames_.frame(frame).rmap)
    out.emplace_back(m.space->owner(), m.va);
  return out;
}

}  // namespace vmlab::os
