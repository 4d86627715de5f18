#include "emulator/trace/symbols.h"

#include <elf.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <tuple>

namespace vmlab::emulator {

namespace {

// A copy of the structure at `offset` (the file's bytes need not be aligned).
template <typename T>
T read_at(std::string_view file, uint64_t offset) {
  T value;
  std::memcpy(&value, file.data() + offset, sizeof value);
  return value;
}

}  // namespace

Symbols Symbols::parse(std::string_view file) {
  Symbols out;
  auto fits = [&](uint64_t offset, uint64_t size) {
    return offset <= file.size() && size <= file.size() - offset;
  };
  if (!fits(0, sizeof(Elf64_Ehdr))) return out;
  const auto eh = read_at<Elf64_Ehdr>(file, 0);
  if (!std::equal(eh.e_ident, eh.e_ident + SELFMAG, ELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64)
    return out;
  if (eh.e_phentsize == sizeof(Elf64_Phdr) &&
      fits(eh.e_phoff, uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr))) {
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
      const auto ph = read_at<Elf64_Phdr>(file, eh.e_phoff + i * sizeof(Elf64_Phdr));
      if (ph.p_type == PT_LOAD) out.segments_.push_back({ph.p_offset, ph.p_filesz, ph.p_vaddr});
    }
  }
  if (eh.e_shentsize != sizeof(Elf64_Shdr) ||
      !fits(eh.e_shoff, uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr)))
    return out;
  auto section = [&](unsigned i) {
    return read_at<Elf64_Shdr>(file, eh.e_shoff + i * sizeof(Elf64_Shdr));
  };
  for (unsigned i = 0; i < eh.e_shnum; ++i) {
    const Elf64_Shdr symtab = section(i);
    if ((symtab.sh_type != SHT_SYMTAB && symtab.sh_type != SHT_DYNSYM) ||
        symtab.sh_link >= eh.e_shnum)
      continue;
    const Elf64_Shdr strtab = section(symtab.sh_link);
    if (!fits(symtab.sh_offset, symtab.sh_size) || !fits(strtab.sh_offset, strtab.sh_size))
      continue;
    for (uint64_t k = 0; k < symtab.sh_size / sizeof(Elf64_Sym); ++k) {
      const auto s = read_at<Elf64_Sym>(file, symtab.sh_offset + k * sizeof(Elf64_Sym));
      if (ELF64_ST_TYPE(s.st_info) != STT_FUNC || s.st_value == 0 || s.st_name >= strtab.sh_size)
        continue;
      const char* name = file.data() + strtab.sh_offset + s.st_name;
      out.entries_.push_back(Entry{s.st_value, s.st_size,
                                   std::string(name, strnlen(name, strtab.sh_size - s.st_name))});
    }
  }
  // .symtab and .dynsym repeat names, and aliases share addresses: one entry per pair.
  auto key = [](const Entry& e) { return std::tie(e.start, e.name); };
  std::sort(out.entries_.begin(), out.entries_.end(),
            [&](const Entry& a, const Entry& b) { return key(a) < key(b); });
  out.entries_.erase(std::unique(out.entries_.begin(), out.entries_.end(),
                                 [&](const Entry& a, const Entry& b) { return key(a) == key(b); }),
                     out.entries_.end());
  return out;
}

std::string Symbols::describe_offset(uint64_t file_offset) const {
  const auto segment = std::find_if(segments_.begin(), segments_.end(), [&](const Segment& s) {
    return file_offset >= s.offset && file_offset - s.offset < s.size;
  });
  if (segment == segments_.end()) return "";
  const uint64_t address = segment->vaddr + (file_offset - segment->offset);
  auto it = std::upper_bound(entries_.begin(), entries_.end(), address,
                             [](uint64_t a, const Entry& e) { return a < e.start; });
  if (it == entries_.begin()) return "";
  // Aliases share an address (printf, _IO_printf): the largest, then the public-looking name
  // (fewest leading underscores), then the first in name order.
  auto rank = [](const Entry& e) {
    return std::make_tuple(~e.size, e.name.find_first_not_of('_'), std::string_view(e.name));
  };
  --it;
  auto best = it;
  while (it != entries_.begin() && std::prev(it)->start == it->start) {
    --it;
    if (rank(*it) <= rank(*best)) best = it;
  }
  it = best;
  if (address - it->start >= std::max<uint64_t>(it->size, 1)) return "";
  if (address == it->start) return it->name;
  char offset[24];
  std::snprintf(offset, sizeof offset, "+0x%llx",
                static_cast<unsigned long long>(address - it->start));
  return it->name + offset;
}

}  // namespace vmlab::emulator
