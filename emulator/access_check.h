// --check: a second, independent opinion on every translation the engine is given. Each fill
// is judged by the SDM reference walker (mmu/reference), which reads the same page tables
// without writing them; any difference in outcome, error code, frame or rights stops the run
// with both views.
#pragma once

#include <cstdint>
#include <string>

#include "mmu/mmu.h"

namespace vmlab::emulator {

class AccessCheck {
 public:
  explicit AccessCheck(bool enabled) : enabled_(enabled) {}
  bool enabled() const { return enabled_; }

  // The model's walk for a user access of `va` (after it ran): an empty string when the
  // reference walker agrees, otherwise a description of the disagreement.
  std::string judge(mmu::Mmu& mmu, uint64_t va, mmu::Access access,
                    const mmu::WalkResult& model) const;

 private:
  bool enabled_;
};

}  // namespace vmlab::emulator
