// raw_unicorn [--hooks none|block|block+memory] PROGRAM [ARGS...]: runs a static x86-64 Linux
// ELF on bare Unicorn, the baseline of bench/compare. No paging, no model: the program's
// PT_LOADs are mapped at their virtual addresses and only the few system calls that the musl
// benchmark guests make are implemented. Besides `syscall`, --hooks installs empty callbacks
// of the kinds vmlab needs (a block hook for exact instruction counts; memory hooks for the
// full model), so the price of the hooks themselves is measured apart from vmlab's work.
// Exits with the guest's exit status.
#include <elf.h>
#include <unicorn/unicorn.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kStackTop = 0x7ffffffff000;
constexpr uint64_t kStackSize = 8 << 20;
constexpr uint64_t kMmapBase = 0x7f0000000000;  // anonymous mmaps: a bump allocator from here
constexpr uint64_t kBrkGap = 0x1000000;         // brk starts this far above the image
constexpr uint64_t kSyscallInsnLen = 2;
constexpr uint64_t kArchSetFs = 0x1002;
constexpr int kMapFixed = 0x10;
constexpr int kMapAnonymous = 0x20;
constexpr int kExitHostError = 125;

enum Sys : uint64_t {
  kWrite = 1,
  kMmap = 9,
  kMprotect = 10,
  kMunmap = 11,
  kBrk = 12,
  kRtSigaction = 13,
  kRtSigprocmask = 14,
  kIoctl = 16,
  kWritev = 20,
  kMadvise = 28,
  kGetpid = 39,
  kExit = 60,
  kArchPrctl = 158,
  kGettid = 186,
  kSetTidAddress = 218,
  kExitGroup = 231,
};

uint64_t page_down(uint64_t a) {
  return a & ~(kPageSize - 1);
}
uint64_t page_up(uint64_t a) {
  return page_down(a + kPageSize - 1);
}

struct Guest {
  uc_engine* uc = nullptr;
  uint64_t brk_base = 0, brk_cur = 0, brk_mapped = 0;  // brk_mapped: end of mapped brk pages
  uint64_t mmap_next = kMmapBase;
  int exit_code = 0;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "raw_unicorn: %s\n", what.c_str());
  std::exit(kExitHostError);
}

void check(uc_err err, const char* what) {
  if (err != UC_ERR_OK) die(std::string(what) + ": " + uc_strerror(err));
}

uint64_t reg(uc_engine* uc, int id) {
  uint64_t v = 0;
  uc_reg_read(uc, id, &v);
  return v;
}

void set_reg(uc_engine* uc, int id, uint64_t v) {
  uc_reg_write(uc, id, &v);
}

// Maps [lo, hi) (page-aligned) read/write/execute, replacing whatever was there.
void map_fresh(uc_engine* uc, uint64_t lo, uint64_t hi) {
  uc_mem_unmap(uc, lo, hi - lo);  // fails harmlessly when nothing was mapped
  check(uc_mem_map(uc, lo, hi - lo, UC_PROT_ALL), "uc_mem_map");
}

// Loads the PT_LOADs; returns the entry point, fills the auxv facts and the end of the image.
struct Image {
  uint64_t entry, phdr, phnum, end;
};

Image load_elf(uc_engine* uc, const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die(std::string("cannot open ") + path);
  const std::vector<char> file{std::istreambuf_iterator<char>(in), {}};
  if (file.size() < sizeof(Elf64_Ehdr)) die("not an ELF file");
  Elf64_Ehdr eh;
  std::memcpy(&eh, file.data(), sizeof eh);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_machine != EM_X86_64 || eh.e_type != ET_EXEC)
    die("not a static x86-64 ET_EXEC ELF file");
  if (eh.e_phoff + uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr) > file.size()) die("bad phdrs");
  Image img{eh.e_entry, 0, eh.e_phnum, 0};
  uint64_t mapped_end = 0;  // PT_LOADs are sorted by address; neighbours may share a page
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    std::memcpy(&ph, file.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type != PT_LOAD) continue;
    if (ph.p_offset + ph.p_filesz > file.size()) die("segment beyond end of file");
    if (img.phdr == 0) img.phdr = ph.p_vaddr - ph.p_offset + eh.e_phoff;
    const uint64_t lo = std::max(page_down(ph.p_vaddr), mapped_end);
    const uint64_t hi = page_up(ph.p_vaddr + ph.p_memsz);
    if (lo < hi) check(uc_mem_map(uc, lo, hi - lo, UC_PROT_ALL), "uc_mem_map (segment)");
    mapped_end = std::max(mapped_end, hi);
    check(uc_mem_write(uc, ph.p_vaddr, file.data() + ph.p_offset, ph.p_filesz), "load");
  }
  img.end = mapped_end;
  return img;
}

// Builds the Linux initial stack: argc, argv, envp, auxv and the strings; returns RSP.
uint64_t build_stack(uc_engine* uc, const Image& img, int argc, char** argv, char** envp) {
  check(uc_mem_map(uc, kStackTop - kStackSize, kStackSize, UC_PROT_ALL), "uc_mem_map (stack)");
  uint64_t sp = kStackTop - 8;  // 8 zero bytes at the very top, as Linux
  auto push_bytes = [&](const void* p, size_t n) {
    sp -= n;
    check(uc_mem_write(uc, sp, p, n), "stack write");
    return sp;
  };
  std::vector<uint64_t> args, envs;
  for (int i = 0; i < argc; ++i)
    args.push_back(push_bytes(argv[i], std::strlen(argv[i]) + 1));
  for (char** e = envp; *e != nullptr; ++e)
    envs.push_back(push_bytes(*e, std::strlen(*e) + 1));
  const uint8_t random_bytes[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  const uint64_t at_random = push_bytes(random_bytes, sizeof random_bytes);

  const uint64_t auxv[] = {AT_PHDR,   img.phdr,  AT_PHENT, sizeof(Elf64_Phdr), AT_PHNUM,  img.phnum,
                           AT_PAGESZ, kPageSize, AT_ENTRY, img.entry,          AT_RANDOM, at_random,
                           AT_NULL,   0};
  std::vector<uint64_t> words{uint64_t(argc)};
  words.insert(words.end(), args.begin(), args.end());
  words.push_back(0);
  words.insert(words.end(), envs.begin(), envs.end());
  words.push_back(0);
  words.insert(words.end(), std::begin(auxv), std::end(auxv));
  sp = (sp - words.size() * 8) & ~uint64_t{15};  // RSP 16-byte aligned, pointing at argc
  check(uc_mem_write(uc, sp, words.data(), words.size() * 8), "stack write");
  return sp;
}

int64_t sys_writev(uc_engine* uc, int fd, uint64_t iov, uint64_t count) {
  int64_t total = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t base_len[2];
    if (uc_mem_read(uc, iov + 16 * i, base_len, sizeof base_len) != UC_ERR_OK) return -EFAULT;
    std::vector<char> buf(base_len[1]);
    if (uc_mem_read(uc, base_len[0], buf.data(), buf.size()) != UC_ERR_OK) return -EFAULT;
    const ssize_t n = ::write(fd, buf.data(), buf.size());
    if (n < 0) return -errno;
    total += n;
  }
  return total;
}

int64_t sys_brk(Guest& g, uint64_t want) {
  if (want < g.brk_base) return int64_t(g.brk_cur);
  if (page_up(want) > g.brk_mapped) {
    map_fresh(g.uc, g.brk_mapped, page_up(want));
    g.brk_mapped = page_up(want);
  }
  g.brk_cur = want;
  return int64_t(want);
}

int64_t sys_mmap(Guest& g, uint64_t addr, uint64_t len, int flags) {
  if (!(flags & kMapAnonymous) || len == 0) return -ENOSYS;  // file mappings: not needed here
  const uint64_t size = page_up(len);
  if (!(flags & kMapFixed)) {
    addr = g.mmap_next;
    g.mmap_next += size;
  }
  map_fresh(g.uc, page_down(addr), page_down(addr) + size);
  return int64_t(addr);
}

void on_syscall(uc_engine* uc, void* user) {
  Guest& g = *static_cast<Guest*>(user);
  const uint64_t nr = reg(uc, UC_X86_REG_RAX), a0 = reg(uc, UC_X86_REG_RDI),
                 a1 = reg(uc, UC_X86_REG_RSI), a2 = reg(uc, UC_X86_REG_RDX),
                 a3 = reg(uc, UC_X86_REG_R10);
  int64_t ret = -ENOSYS;
  switch (nr) {
    case kWrite: {
      std::vector<char> buf(a2);
      if (uc_mem_read(uc, a1, buf.data(), buf.size()) != UC_ERR_OK) {
        ret = -EFAULT;
        break;
      }
      ret = ::write(int(a0), buf.data(), buf.size());
      if (ret < 0) ret = -errno;
      break;
    }
    case kWritev:
      ret = sys_writev(uc, int(a0), a1, a2);
      break;
    case kBrk:
      ret = sys_brk(g, a0);
      break;
    case kMmap:
      ret = sys_mmap(g, a0, a1, int(a3));
      break;
    case kMunmap:
      uc_mem_unmap(uc, a0, page_up(a1));
      ret = 0;
      break;
    case kArchPrctl:
      if (a0 == kArchSetFs) {
        set_reg(uc, UC_X86_REG_FS_BASE, a1);
        ret = 0;
      } else
        ret = -EINVAL;
      break;
    case kSetTidAddress:
    case kGetpid:
    case kGettid:
      ret = getpid();
      break;
    case kIoctl:
      ret = -ENOTTY;
      break;
    case kRtSigprocmask:
    case kRtSigaction:
    case kMprotect:
    case kMadvise:
      ret = 0;
      break;
    case kExit:
    case kExitGroup:
      g.exit_code = int(a0 & 0xff);
      uc_emu_stop(uc);
      return;
    default:
      break;
  }
  // Linux's `syscall` leaves the return address in RCX and RFLAGS in R11; Unicorn sets
  // neither. RIP here is the syscall instruction itself (Unicorn advances it afterwards).
  set_reg(uc, UC_X86_REG_RAX, uint64_t(ret));
  set_reg(uc, UC_X86_REG_RCX, reg(uc, UC_X86_REG_RIP) + kSyscallInsnLen);
  set_reg(uc, UC_X86_REG_R11, reg(uc, UC_X86_REG_EFLAGS));
}

void on_block(uc_engine*, uint64_t, uint32_t, void* count) {
  ++*static_cast<uint64_t*>(count);
}

bool on_memory(uc_engine*, uc_mem_type, uint64_t, int, int64_t, void* count) {
  ++*static_cast<uint64_t*>(count);
  return true;
}

}  // namespace

int main(int argc, char** argv, char** envp) {
  std::string hooks = "none";
  if (argc >= 3 && std::string(argv[1]) == "--hooks") {
    hooks = argv[2];
    argc -= 2;
    argv += 2;
  }
  if (argc < 2 || (hooks != "none" && hooks != "block" && hooks != "block+memory")) {
    std::fputs("usage: raw_unicorn [--hooks none|block|block+memory] PROGRAM [ARGS...]\n", stderr);
    return 2;
  }
  Guest g;
  check(uc_open(UC_ARCH_X86, UC_MODE_64, &g.uc), "uc_open");
  const Image img = load_elf(g.uc, argv[1]);
  g.brk_base = g.brk_cur = g.brk_mapped = page_up(img.end) + kBrkGap;
  const uint64_t sp = build_stack(g.uc, img, argc - 1, argv + 1, envp);
  set_reg(g.uc, UC_X86_REG_RSP, sp);
  set_reg(g.uc, UC_X86_REG_RDX, 0);  // no rtld fini function

  uc_hook hook;
  check(uc_hook_add(g.uc, &hook, UC_HOOK_INSN, reinterpret_cast<void*>(on_syscall), &g, 1, 0,
                    UC_X86_INS_SYSCALL),
        "uc_hook_add");
  uint64_t blocks = 0, accesses = 0;  // counted so the callbacks are not optimised away
  if (hooks != "none")
    check(uc_hook_add(g.uc, &hook, UC_HOOK_BLOCK, reinterpret_cast<void*>(on_block), &blocks, 1, 0),
          "uc_hook_add");
  if (hooks == "block+memory")
    check(uc_hook_add(g.uc, &hook, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
                      reinterpret_cast<void*>(on_memory), &accesses, 1, 0),
          "uc_hook_add");
  const uc_err err = uc_emu_start(g.uc, img.entry, 0, 0, 0);
  if (std::getenv("RAW_UNICORN_COUNTS") != nullptr)
    std::fprintf(stderr, "raw_unicorn: %llu blocks, %llu accesses\n",
                 static_cast<unsigned long long>(blocks),
                 static_cast<unsigned long long>(accesses));
  if (err != UC_ERR_OK) {
    std::fprintf(stderr, "raw_unicorn: %s at rip=%#llx\n", uc_strerror(err),
                 static_cast<unsigned long long>(reg(g.uc, UC_X86_REG_RIP)));
    return kExitHostError;
  }
  uc_close(g.uc);
  return g.exit_code;
}
