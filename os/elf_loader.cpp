#include "os/elf_loader.h"

#include <elf.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include "mmu/address.h"
#include "os/address_space.h"
#include "os/vfs/inode.h"

namespace vmlab::os {

namespace {

constexpr uint64_t kMaxProgramHeaders = 256;

ErrnoMessage fail(int code, std::string message) {
  return ErrnoMessage{Errno(code), std::move(message)};
}

uint32_t prot_of(uint32_t flags) {
  return ((flags & PF_R) ? prot::kRead : 0) | ((flags & PF_W) ? prot::kWrite : 0) |
         ((flags & PF_X) ? prot::kExec : 0);
}

// The ELF header, checked: an x86-64 little-endian executable or shared object whose program
// headers lie inside the file.
Result<Elf64_Ehdr, ErrnoMessage> read_header(vfs::Inode& file, uint64_t file_size) {
  Elf64_Ehdr eh{};
  if (file_size < sizeof eh || file.read(0, {reinterpret_cast<uint8_t*>(&eh), sizeof eh}) !=
                                   static_cast<int64_t>(sizeof eh)) {
    if (file_size >= SELFMAG) {
      unsigned char magic[SELFMAG];
      if (file.read(0, {magic, SELFMAG}) == SELFMAG && std::equal(magic, magic + SELFMAG, ELFMAG))
        return fail(ENOEXEC, "truncated ELF file (no complete ELF header)");
    }
    return fail(ENOEXEC, "not an ELF file (too short for an ELF header)");
  }
  if (!std::equal(eh.e_ident, eh.e_ident + SELFMAG, ELFMAG))
    return fail(ENOEXEC, "not an ELF file (bad magic)");
  if (eh.e_ident[EI_CLASS] != ELFCLASS64)
    return fail(ENOEXEC,
                "not a 64-bit ELF file (ELF class " + std::to_string(eh.e_ident[EI_CLASS]) + ")");
  if (eh.e_ident[EI_DATA] != ELFDATA2LSB) return fail(ENOEXEC, "not a little-endian ELF file");
  if (eh.e_machine != EM_X86_64)
    return fail(ENOEXEC, "ELF file for another machine (e_machine " + std::to_string(eh.e_machine) +
                             ", x86-64 is " + std::to_string(EM_X86_64) + ")");
  if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
    return fail(ENOEXEC,
                "ELF file is not an executable (e_type " + std::to_string(eh.e_type) + ")");
  if (eh.e_phentsize != sizeof(Elf64_Phdr))
    return fail(ENOEXEC, "bad program header size " + std::to_string(eh.e_phentsize));
  if (eh.e_phnum == 0 || eh.e_phnum > kMaxProgramHeaders)
    return fail(ENOEXEC, "absurd program header count " + std::to_string(eh.e_phnum));
  const uint64_t ph_bytes = uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr);
  if (eh.e_phoff > file_size || ph_bytes > file_size - eh.e_phoff)
    return fail(ENOEXEC, "truncated ELF file (program headers past the end of the file)");
  return eh;
}

// PT_INTERP: a NUL-terminated path inside the file (binfmt_elf: 2 <= p_filesz <= PATH_MAX).
Result<std::string, ErrnoMessage> read_interpreter_path(vfs::Inode& file, uint64_t file_size,
                                                        const Elf64_Phdr& ph) {
  if (ph.p_filesz < 2 || ph.p_filesz > PATH_MAX || ph.p_offset > file_size ||
      ph.p_filesz > file_size - ph.p_offset)
    return fail(ENOEXEC, "bad PT_INTERP (the interpreter's path)");
  std::string path(ph.p_filesz, '\0');
  if (file.read(ph.p_offset, {reinterpret_cast<uint8_t*>(path.data()), path.size()}) !=
      static_cast<int64_t>(path.size()))
    return fail(EIO, "cannot read PT_INTERP");
  if (path.back() != '\0' || path.find('\0') != path.size() - 1)
    return fail(ENOEXEC, "bad PT_INTERP (the path is not one NUL-terminated string)");
  path.pop_back();
  return path;
}

// A PT_LOAD segment, checked against the file and user space.
Result<ElfSegment, ErrnoMessage> load_segment(uint64_t file_size, const Elf64_Phdr& ph) {
  if (ph.p_filesz > ph.p_memsz)
    return fail(ENOEXEC, "PT_LOAD segment with filesz larger than memsz");
  if (ph.p_offset > file_size || ph.p_filesz > file_size - ph.p_offset)
    return fail(ENOEXEC, "truncated ELF file (segment data past the end of the file)");
  if ((ph.p_vaddr & mmu::kPageOffsetMask) != (ph.p_offset & mmu::kPageOffsetMask))
    return fail(ENOEXEC, "PT_LOAD segment whose address and offset differ modulo the page size");
  if (ph.p_vaddr + ph.p_memsz < ph.p_vaddr || ph.p_vaddr + ph.p_memsz > layout::kUserTop)
    return fail(ENOEXEC, "PT_LOAD segment outside the user address space");
  return ElfSegment{ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_filesz, prot_of(ph.p_flags)};
}

// The image's segments in address order, apart, with the entry point in an executable one.
Result<void, ErrnoMessage> sort_and_check_segments(ElfImage& image, uint64_t entry) {
  if (image.loads.empty()) return fail(ENOEXEC, "ELF file has no loadable segment");
  std::sort(image.loads.begin(), image.loads.end(),
            [](const ElfSegment& a, const ElfSegment& b) { return a.vaddr < b.vaddr; });
  for (size_t i = 1; i < image.loads.size(); ++i) {
    const auto& prev = image.loads[i - 1];
    const uint64_t prev_end =
        (prev.vaddr + prev.memsz + mmu::kPageOffsetMask) & ~mmu::kPageOffsetMask;
    if ((image.loads[i].vaddr & ~mmu::kPageOffsetMask) < prev_end)
      return fail(ENOEXEC, "overlapping PT_LOAD segments");
  }
  const bool entry_ok =
      std::any_of(image.loads.begin(), image.loads.end(), [&](const ElfSegment& s) {
        return (s.prot & prot::kExec) && entry >= s.vaddr && entry < s.vaddr + s.memsz;
      });
  if (!entry_ok) return fail(ENOEXEC, "entry point is not inside an executable segment");
  return {};
}

}  // namespace

uint64_t ElfImage::span() const {
  const uint64_t first = loads.front().vaddr & ~mmu::kPageOffsetMask;
  const ElfSegment& last = loads.back();
  return ((last.vaddr + last.memsz + mmu::kPageOffsetMask) & ~mmu::kPageOffsetMask) - first;
}

Result<ElfImage, ErrnoMessage> read_elf(vfs::Inode& file, uint64_t file_size) {
  const auto header = read_header(file, file_size);
  if (!header) return header.error();
  const Elf64_Ehdr& eh = *header;
  const uint64_t ph_bytes = uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr);
  std::vector<Elf64_Phdr> phdrs(eh.e_phnum);
  if (file.read(eh.e_phoff, {reinterpret_cast<uint8_t*>(phdrs.data()), ph_bytes}) !=
      static_cast<int64_t>(ph_bytes))
    return fail(EIO, "cannot read the program headers");

  ElfImage image;
  image.position_independent = eh.e_type == ET_DYN;
  image.entry = eh.e_entry;
  image.phentsize = eh.e_phentsize;
  image.phnum = eh.e_phnum;
  bool have_phdr = false;
  for (const auto& ph : phdrs) {
    if (ph.p_type == PT_INTERP) {
      auto path = read_interpreter_path(file, file_size, ph);
      if (!path) return path.error();
      image.interpreter = std::move(*path);
    }
    if (ph.p_type == PT_PHDR) {
      image.phdr_vaddr = ph.p_vaddr;
      have_phdr = true;
    }
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    const auto segment = load_segment(file_size, ph);
    if (!segment) return segment.error();
    image.loads.push_back(*segment);
  }
  if (auto checked = sort_and_check_segments(image, eh.e_entry); !checked) return checked.error();
  if (!have_phdr) {
    // Without PT_PHDR the headers are wherever the segment containing e_phoff maps them.
    const auto& first = image.loads.front();
    image.phdr_vaddr = first.vaddr - first.offset + eh.e_phoff;
  }
  return image;
}

}  // namespace vmlab::os
