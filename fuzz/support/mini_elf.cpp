#include "fuzz/support/mini_elf.h"

#include <elf.h>

#include <cstring>

namespace vmlab::fuzz {

namespace {

constexpr uint64_t kPageBytes = 4096;

template <typename T>
void put(std::vector<uint8_t>& image, uint64_t offset, const T& value) {
  if (image.size() < offset + sizeof value) image.resize(offset + sizeof value);
  std::memcpy(image.data() + offset, &value, sizeof value);
}

}  // namespace

std::vector<uint8_t> build_static_elf(uint64_t entry, const std::vector<MiniSegment>& segments) {
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_ident[EI_OSABI] = ELFOSABI_SYSV;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_entry = entry;
  eh.e_phoff = sizeof(Elf64_Ehdr);
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = static_cast<Elf64_Half>(segments.size());

  std::vector<uint8_t> image;
  put(image, 0, eh);
  uint64_t next = eh.e_phoff + segments.size() * sizeof(Elf64_Phdr);
  for (size_t i = 0; i < segments.size(); ++i) {
    const MiniSegment& s = segments[i];
    // The next page boundary, plus the address's offset in its page.
    const uint64_t offset = ((next + kPageBytes - 1) & ~(kPageBytes - 1)) + (s.vaddr % kPageBytes);
    Elf64_Phdr ph{};
    ph.p_type = PT_LOAD;
    ph.p_flags = s.flags;
    ph.p_offset = offset;
    ph.p_vaddr = ph.p_paddr = s.vaddr;
    ph.p_filesz = s.bytes.size();
    ph.p_memsz = s.memsz;
    ph.p_align = kPageBytes;
    put(image, eh.e_phoff + i * sizeof(Elf64_Phdr), ph);
    if (image.size() < offset + s.bytes.size()) image.resize(offset + s.bytes.size());
    if (!s.bytes.empty()) std::memcpy(image.data() + offset, s.bytes.data(), s.bytes.size());
    next = offset + s.bytes.size();
  }
  return image;
}

}  // namespace vmlab::fuzz
