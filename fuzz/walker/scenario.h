// Decodes a fuzz input into page tables and the accesses to translate through them.
//
// The input is read front to back (ByteReader). Its bytes choose where RAM lies and how large
// it is, the control registers, and, for each access, the four entries on its walk (so walks
// go deep) plus stray entries anywhere in RAM. Entries may set any flag, reserved bits, PS at
// any level, and point into RAM, at aligned large frames, or anywhere in the physical space.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "mmu/reference/sdm_walker.h"

namespace vmlab::fuzz {

namespace ref = mmu::ref;

struct Operation {
  uint64_t linear = 0;
  ref::Kind kind = ref::Kind::kRead;
  ref::Privilege privilege = ref::Privilege::kUser;
};

struct EntryWrite {
  uint64_t address = 0;  // physical, 8-byte aligned, inside RAM
  uint64_t value = 0;
};

struct Scenario {
  uint64_t ram_base = 0;
  uint64_t ram_frames = 0;
  ref::Controls controls;
  bool pcid_enabled = false;
  uint16_t pcid = 0;
  bool small_tlbs = false;  // a tiny TLB geometry (evictions, splintering) instead of defaults
  std::vector<EntryWrite> writes;  // applied in order to zeroed RAM
  std::vector<Operation> operations;
};

Scenario decode_scenario(std::span<const uint8_t> input);

// One line per control and per write, for failure dumps.
std::string describe(const Scenario& s);
std::string describe(const Operation& op);

}  // namespace vmlab::fuzz
