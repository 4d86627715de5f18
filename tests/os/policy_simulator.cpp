#include "tests/os/policy_simulator.h"

#include <stdexcept>

namespace vmlab::testing {

std::vector<PageReference> reads(const std::vector<uint64_t>& pages) {
  std::vector<PageReference> out;
  for (uint64_t p : pages)
    out.push_back({p, false});
  return out;
}

PolicySimulator::PolicySimulator(os::ReplacementPolicy& policy, uint64_t frames)
    : policy_(policy), frames_(frames) {}

Simulation PolicySimulator::run(const std::vector<PageReference>& references) {
  Simulation result;
  for (const PageReference& ref : references) {
    ++now_;
    auto it = resident_.find(ref.page);
    const mmu::Pfn frame = it != resident_.end() ? it->second : fault(ref.page, result);
    FrameState& s = state(frame);
    s.accessed = true;
    s.dirty = s.dirty || ref.write;
    s.last_access = now_;
    policy_.on_access(frame, kPid, ref.page << mmu::kPageShift);
  }
  return result;
}

mmu::Pfn PolicySimulator::fault(uint64_t page, Simulation& result) {
  ++result.faults;
  mmu::Pfn frame;
  for (uint64_t i = 0; i < frames_.size() && frame.value == 0; ++i)
    if (!frames_[i].used) frame = mmu::Pfn{i + 1};
  if (frame.value == 0) {
    const auto victim = policy_.choose(*this, [](mmu::Pfn) { return true; });
    if (!victim) throw std::logic_error(std::string(policy_.name()) + " chose no victim");
    frame = *victim;
    const uint64_t evicted = state(frame).page;
    result.victims.push_back(evicted);
    resident_.erase(evicted);
    shadows_[evicted] = ++evictions_;
    policy_.on_release(frame);
  }
  state(frame) = FrameState{true, page, false, false, now_, now_};
  resident_[page] = frame;
  policy_.on_load(frame);
  if (auto shadow = shadows_.find(page); shadow != shadows_.end()) {
    policy_.on_refault(frame, evictions_ - shadow->second);
    shadows_.erase(shadow);
  }
  return frame;
}

bool PolicySimulator::test_and_clear_referenced(mmu::Pfn frame) {
  const bool was = state(frame).accessed;
  state(frame).accessed = false;
  return was;
}

std::vector<std::pair<int, uint64_t>> PolicySimulator::mappings(mmu::Pfn frame) const {
  return {{kPid, state(frame).page << mmu::kPageShift}};
}

}  // namespace vmlab::testing
