#include "emulator/trace/symbols.h"

#include <elf.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace vmlab::emulator {

Symbols Symbols::load(const std::string& host_path, uint64_t bias) {
  Symbols out;
  std::ifstream in(host_path, std::ios::binary);
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto fits = [&](uint64_t offset, uint64_t size) {
    return offset <= file.size() && size <= file.size() - offset;
  };
  if (!fits(0, sizeof(Elf64_Ehdr))) return out;
  Elf64_Ehdr eh;
  std::copy_n(file.data(), sizeof eh, reinterpret_cast<char*>(&eh));
  if (!std::equal(eh.e_ident, eh.e_ident + SELFMAG, ELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_shentsize != sizeof(Elf64_Shdr) ||
      !fits(eh.e_shoff, uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr)))
    return out;
  const auto* sections = reinterpret_cast<const Elf64_Shdr*>(file.data() + eh.e_shoff);
  for (unsigned i = 0; i < eh.e_shnum; ++i) {
    const Elf64_Shdr& symtab = sections[i];
    if (symtab.sh_type != SHT_SYMTAB || symtab.sh_link >= eh.e_shnum) continue;
    const Elf64_Shdr& strtab = sections[symtab.sh_link];
    if (!fits(symtab.sh_offset, symtab.sh_size) || !fits(strtab.sh_offset, strtab.sh_size))
      continue;
    const auto* syms = reinterpret_cast<const Elf64_Sym*>(file.data() + symtab.sh_offset);
    for (uint64_t k = 0; k < symtab.sh_size / sizeof(Elf64_Sym); ++k) {
      const Elf64_Sym& s = syms[k];
      if (ELF64_ST_TYPE(s.st_info) != STT_FUNC || s.st_value == 0 || s.st_name >= strtab.sh_size)
        continue;
      const char* name = file.data() + strtab.sh_offset + s.st_name;
      out.entries_.push_back(Entry{s.st_value + bias, s.st_size,
                                   std::string(name, strnlen(name, strtab.sh_size - s.st_name))});
    }
  }
  std::sort(out.entries_.begin(), out.entries_.end(),
            [](const Entry& a, const Entry& b) { return a.start < b.start; });
  return out;
}

std::string Symbols::describe(uint64_t address) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), address,
                             [](uint64_t a, const Entry& e) { return a < e.start; });
  if (it == entries_.begin()) return "";
  --it;
  if (address - it->start >= std::max<uint64_t>(it->size, 1)) return "";
  if (address == it->start) return it->name;
  char offset[24];
  std::snprintf(offset, sizeof offset, "+0x%llx",
                static_cast<unsigned long long>(address - it->start));
  return it->name + offset;
}

}  // namespace vmlab::emulator
