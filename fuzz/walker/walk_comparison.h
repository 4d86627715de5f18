// Judges vmlab's answers against the reference walker's: the walker's full record, and the
// Mmu's translation (through TLBs and paging-structure caches). Each returns an empty string
// when they agree, or a readable account of every difference.
#pragma once

#include <optional>
#include <string>

#include "mmu/mmu.h"
#include "mmu/reference/sdm_walker.h"
#include "mmu/walker.h"

namespace vmlab::fuzz {

namespace ref = mmu::ref;

// `walk` is empty when mmu::walk threw std::out_of_range (an entry outside RAM).
std::string compare_walk(const ref::Outcome& expected, const std::optional<mmu::WalkResult>& walk,
                         uint64_t linear);

// The same for a walk without effects (WalkEffects::kNone, Mmu::probe): the answer and the
// entries read must be those of the real walk; writing nothing is checked on RAM.
std::string compare_probe(const ref::Outcome& expected, const std::optional<mmu::WalkResult>& walk,
                          uint64_t linear);

// `t` is empty when Mmu::translate threw std::out_of_range.
std::string compare_translation(const ref::Outcome& expected,
                                const std::optional<mmu::Translation>& t, uint64_t linear);

std::string describe(const ref::Outcome& outcome);
std::string describe(const mmu::WalkResult& walk);
std::string describe(const mmu::Translation& t);

}  // namespace vmlab::fuzz
