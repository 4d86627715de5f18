// execve: replace a process's image with an ELF program (and the dynamic loader its PT_INTERP
// names) and build the initial stack exactly as Linux's fs/binfmt_elf.c does
// (load_elf_binary, create_elf_tables).
#include <elf.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "mmu/random.h"
#include "os/elf_loader.h"
#include "os/kernel.h"
#include "os/shebang.h"
#include "os/user_memory.h"

namespace vmlab::os {

namespace {

constexpr uint64_t kInitialStackBytes = 128 * 1024;  // what Linux maps below the arguments
constexpr uint64_t kHwcap = 0x078b'fbff;             // CPUID.1:EDX of the emulated CPU
constexpr uint64_t kHwcap2 = 0;
constexpr uint64_t kMinSigStackSize = 2048;  // AT_MINSIGSTKSZ for an FXSAVE frame
constexpr uint64_t kClockTicks = 100;        // USER_HZ
constexpr char kPlatform[] = "x86_64";
constexpr size_t kCommLength = 15;  // TASK_COMM_LEN - 1

uint64_t page_up(uint64_t v) {
  return (v + mmu::kPageOffsetMask) & ~mmu::kPageOffsetMask;
}
uint64_t page_down(uint64_t v) {
  return v & ~mmu::kPageOffsetMask;
}

ErrnoMessage refusal(int code, std::string message) {
  return ErrnoMessage{Errno(code), std::move(message)};
}

std::string basename_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Whether every segment, moved by `bias`, lies below the initial stack (without wrapping
// around). read_elf only sees the file; a segment above would overlap the stack VMA or leave
// user space.
bool segments_fit(const ElfImage& image, uint64_t bias) {
  for (const auto& seg : image.loads) {
    const uint64_t end = page_up(bias + seg.vaddr + seg.memsz);
    if (end < bias + seg.vaddr || end > layout::kStackTop - kInitialStackBytes) return false;
  }
  return true;
}

// Maps the PT_LOAD segments as Linux does: the file part as a private file mapping whose last
// page ends in zeros, the rest of memsz as anonymous memory.
void map_segments(AddressSpace& space, const ElfImage& image, uint64_t bias,
                  const std::shared_ptr<vfs::Inode>& file, const std::string& path, uint64_t* brk) {
  uint64_t end = 0;
  for (const auto& seg : image.loads) {
    const uint64_t start = page_down(bias + seg.vaddr);
    const uint64_t file_end = bias + seg.vaddr + seg.filesz;
    const uint64_t mem_end = page_up(bias + seg.vaddr + seg.memsz);
    if (seg.filesz > 0) {
      Vma v;
      v.start = start;
      v.end = page_up(file_end);
      v.prot = seg.prot;
      v.kind = VmaKind::kFile;
      v.file = file;
      v.file_offset = page_down(seg.offset);
      // The last file page of a segment followed by .bss reads as zeros past p_filesz (Linux
      // writes them: padzero), so it becomes a private copy. Other segments map whole
      // page-cache pages, whatever the file holds past p_filesz, so processes share them.
      v.file_bytes = seg.memsz > seg.filesz ? file_end - start : page_up(file_end) - start;
      v.name = path;
      space.insert_vma(std::move(v));
    }
    const uint64_t anon_start = seg.filesz > 0 ? page_up(file_end) : start;
    if (mem_end > anon_start) {
      Vma v;
      v.start = anon_start;
      v.end = mem_end;
      v.prot = seg.prot;
      space.insert_vma(std::move(v));
    }
    end = std::max(end, mem_end);
  }
  *brk = end;
}

// What execve maps, decided before the old image goes: the program and the dynamic loader
// its PT_INTERP names.
struct LoadPlan {
  vfs::Lookup file;
  ElfImage image;
  uint64_t bias = 0;
  vfs::Lookup interp_file;
  std::optional<ElfImage> interp;
};

// Looks up and reads the loader `plan.image` names, in the guest's file system like any path.
Result<void, ErrnoMessage> read_interpreter(vfs::FileSystem& fs, const std::string& cwd,
                                            const std::string& path, LoadPlan& plan) {
  const std::string& name = plan.image.interpreter;
  auto found = fs.resolve(name, cwd, vfs::Follow::kYes);
  if (!found) {
    const Errno code = found.error();
    return ErrnoMessage{
        code, path + ": cannot run its interpreter " + name + ": " + std::strerror(code.code())};
  }
  plan.interp_file = std::move(*found);
  if (plan.interp_file.inode->is_directory())
    return refusal(EACCES, path + ": its interpreter " + name + " is a directory");
  // As binfmt_elf: an interpreter too short to hold an ELF header cannot be read (EIO);
  // one that is not a usable x86-64 ELF file is a bad library (ELIBBAD).
  const auto size = static_cast<uint64_t>(plan.interp_file.inode->stat().size);
  auto loaded = read_elf(*plan.interp_file.inode, size);
  if (!loaded)
    return refusal(size < sizeof(Elf64_Ehdr) ? EIO : ELIBBAD,
                   path + ": its interpreter " + name + ": " + loaded.error().message);
  plan.interp = std::move(*loaded);
  return {};
}

// The new address space, built aside while the old image still runs.
struct NewImage {
  std::unique_ptr<AddressSpace> space;
  uint64_t brk = 0;
  uint64_t interp_bias = 0;  // AT_BASE: where the loader went (0 without one)
};

// The program's segments, the stack and the loader's segments.
Result<NewImage, ErrnoMessage> map_image(std::unique_ptr<AddressSpace> space, const LoadPlan& plan,
                                         const std::string& path) {
  NewImage out;
  map_segments(*space, plan.image, plan.bias, plan.file.inode, plan.file.path, &out.brk);
  Vma stack;
  stack.start = layout::kStackTop - kInitialStackBytes;
  stack.end = layout::kStackTop;
  stack.prot = prot::kRead | prot::kWrite;
  stack.grows_down = true;
  stack.name = "[stack]";
  space->insert_vma(std::move(stack));
  if (plan.interp) {
    // A position-independent loader goes where mmap(NULL) would put it: the top of the mmap
    // area (0x7ffff7fc...., as Linux without ASLR). One with fixed addresses stays there.
    if (plan.interp->position_independent) {
      const auto where = space->find_free_range(plan.interp->span());
      if (!where)
        return refusal(ENOMEM, path + ": no room for its interpreter " + plan.image.interpreter);
      out.interp_bias = *where - (plan.interp->loads.front().vaddr & ~mmu::kPageOffsetMask);
    } else if (!segments_fit(*plan.interp, 0)) {
      return refusal(
          ELIBBAD,
          path + ": its interpreter's PT_LOAD segments lie outside the user address space");
    }
    uint64_t interp_end = 0;
    map_segments(*space, *plan.interp, out.interp_bias, plan.interp_file.inode,
                 plan.interp_file.path, &interp_end);
  }
  out.space = std::move(space);
  return out;
}

// What of the old image does not survive execve(2): the other threads (Linux's de_thread).
void end_other_threads(Kernel& kernel, Process& process) {
  for (const int tid : std::vector<int>(process.group().tids))
    if (Process* other = kernel.find(tid); other != nullptr && other != &process)
      kernel.exit_thread(*other, 0);
}

// ... and the handlers, the alternate stack, POSIX timers and close-on-exec descriptors.
void start_new_image(Kernel& kernel, Process& process, const std::string& exe,
                     const std::vector<std::string>& argv, uint64_t brk) {
  process.brk_start = process.brk = brk;
  process.exe = exe;
  process.comm = basename_of(exe).substr(0, kCommLength);
  process.argv = argv;
  process.fds().close_on_exec();
  // Dispositions shared with threads that no longer exist become the process's own.
  process.signals().actions = std::make_shared<SignalActions>(*process.signals().actions);
  for (auto& action : *process.signals().actions) {
    // Handlers do not survive exec; ignored signals stay ignored (execve(2)).
    if (action.handler != kSigIgn) action = SigAction{};
  }
  process.signals().altstack_disabled = true;
  process.timers.posix.clear();  // POSIX timers end with the image; interval timers go on
  if (Process* parent = kernel.find(process.vfork_parent);
      parent != nullptr && parent->vfork_child == process.pid())
    parent->vfork_child = 0;  // a vfork parent resumes once its child has its own image
}

// The auxiliary vector (create_elf_tables), given where the stack's strings went.
std::vector<uint64_t> auxv(const LoadPlan& plan, uint64_t interp_bias, uint64_t at_random,
                           uint64_t execfn, uint64_t platform) {
  const ElfImage& image = plan.image;
  return {
      AT_MINSIGSTKSZ, kMinSigStackSize,
      AT_HWCAP,       kHwcap,
      AT_PAGESZ,      mmu::kPageBytes,
      AT_CLKTCK,      kClockTicks,
      AT_PHDR,        plan.bias + image.phdr_vaddr,
      AT_PHENT,       image.phentsize,
      AT_PHNUM,       image.phnum,
      AT_BASE,        interp_bias,
      AT_FLAGS,       0,
      AT_ENTRY,       plan.bias + image.entry,
      AT_UID,         0,
      AT_EUID,        0,
      AT_GID,         0,
      AT_EGID,        0,
      AT_SECURE,      0,
      AT_RANDOM,      at_random,
      AT_HWCAP2,      kHwcap2,
      AT_EXECFN,      execfn,
      AT_PLATFORM,    platform,
      AT_NULL,        0,
  };
}

// The initial stack, from the top down: strings, AT_RANDOM's bytes, then argc, argv, envp and
// the auxiliary vector. Returns the stack pointer the program starts with.
uint64_t build_initial_stack(UserMemory& user, const std::string& path,
                             const std::vector<std::string>& argv,
                             const std::vector<std::string>& envp, const LoadPlan& plan,
                             uint64_t interp_bias, uint64_t random_seed) {
  uint64_t sp = layout::kStackTop - sizeof(uint64_t);
  auto push_string = [&](const std::string& s) {
    sp -= s.size() + 1;
    user.write(sp, {reinterpret_cast<const uint8_t*>(s.c_str()), s.size() + 1});
    return sp;
  };
  const uint64_t execfn = push_string(path);
  std::vector<uint64_t> env_ptrs(envp.size()), arg_ptrs(argv.size());
  for (size_t i = envp.size(); i-- > 0;)
    env_ptrs[i] = push_string(envp[i]);
  for (size_t i = argv.size(); i-- > 0;)
    arg_ptrs[i] = push_string(argv[i]);
  sp &= ~uint64_t{15};
  const uint64_t platform = push_string(kPlatform);
  uint8_t random_bytes[16];
  mmu::SplitMix64(random_seed).fill(random_bytes);
  sp -= sizeof random_bytes;
  const uint64_t at_random = sp;
  user.write(sp, random_bytes);

  std::vector<uint64_t> words;
  words.push_back(argv.size());
  words.insert(words.end(), arg_ptrs.begin(), arg_ptrs.end());
  words.push_back(0);
  words.insert(words.end(), env_ptrs.begin(), env_ptrs.end());
  words.push_back(0);
  const std::vector<uint64_t> aux = auxv(plan, interp_bias, at_random, execfn, platform);
  words.insert(words.end(), aux.begin(), aux.end());
  sp = (sp - words.size() * sizeof(uint64_t)) & ~uint64_t{15};
  user.write(sp, {reinterpret_cast<const uint8_t*>(words.data()), words.size() * sizeof(uint64_t)});
  return sp;
}

}  // namespace

Result<void, ErrnoMessage> Kernel::exec(Process& process, const std::string& path,
                                        const std::vector<std::string>& argv,
                                        const std::vector<std::string>& envp) {
  return exec_at_depth(process, path, argv, envp, 0);
}

Result<void, ErrnoMessage> Kernel::exec_script(Process& process, const std::string& path,
                                               const Shebang& script,
                                               const std::vector<std::string>& argv,
                                               const std::vector<std::string>& envp, int depth) {
  if (depth >= kMaxInterpreterDepth)
    return refusal(ELOOP, path + ": too many levels of #! interpreters");
  // binfmt_script: the interpreter, its argument, the script's path, then argv[1...].
  std::vector<std::string> args = {script.interpreter};
  if (script.argument) args.push_back(*script.argument);
  args.push_back(path);
  if (!argv.empty()) args.insert(args.end(), argv.begin() + 1, argv.end());
  auto r = exec_at_depth(process, script.interpreter, args, envp, depth + 1);
  if (r) {
    process.comm = basename_of(path).substr(0, kCommLength);  // named after the script, as Linux
    return r;
  }
  if (r.error().code == Errno(ENOENT))
    return refusal(ENOENT, path + ": cannot run its interpreter " + script.interpreter + ": " +
                               std::strerror(ENOENT));
  return refusal(r.error().code.code(), path + ": " + r.error().message);
}

Result<void, ErrnoMessage> Kernel::exec_at_depth(Process& process, const std::string& path,
                                                 const std::vector<std::string>& argv,
                                                 const std::vector<std::string>& envp, int depth) {
  LoadPlan plan;
  auto found = fs_.resolve(path, process.cwd, vfs::Follow::kYes);
  if (!found) {
    const Errno code = found.error();
    return ErrnoMessage{code, path + ": " + std::strerror(code.code())};
  }
  plan.file = std::move(*found);
  vfs::Inode& file = *plan.file.inode;
  const vfs::FileStat st = file.stat();
  if (file.is_directory() || !S_ISREG(st.mode))
    return refusal(EACCES, path + ": not a regular file");
  if ((st.mode & (S_IXUSR | S_IXGRP | S_IXOTH)) == 0)
    return refusal(EACCES, path + ": permission denied (not executable)");
  const auto script = read_shebang(file);
  if (!script)
    return refusal(script.error().code(), path +
                                              ": bad #! line (no interpreter, or one longer than " +
                                              std::to_string(kShebangBytes) + " bytes)");
  if (*script) return exec_script(process, path, **script, argv, envp, depth);
  auto image = read_elf(file, static_cast<uint64_t>(st.size));
  if (!image) return refusal(image.error().code.code(), path + ": " + image.error().message);
  plan.image = std::move(*image);
  plan.bias = plan.image.position_independent ? layout::kDynamicBase : 0;
  if (!segments_fit(plan.image, plan.bias))
    return refusal(ENOEXEC, path + ": PT_LOAD segment outside the user address space");
  if (!plan.image.interpreter.empty())
    if (auto r = read_interpreter(fs_, process.cwd, path, plan); !r) return r;

  // The old image goes away only once the new one is mapped.
  auto space = new_address_space();
  space->set_owner(process.pid());
  auto mapped = map_image(std::move(space), plan, path);
  if (!mapped) return mapped.error();

  // The point of no return.
  end_other_threads(*this, process);
  if (process.has_cpu()) retired_cpus_.push_back(process.replace_cpu(nullptr));
  process.replace_space(std::move(mapped->space));
  start_new_image(*this, process, plan.file.path, argv, mapped->brk);
  UserMemory user = user_memory(process);
  UserRegs entry;  // everything zero, RDX included (glibc registers it as an exit function)
  entry.rsp = build_initial_stack(user, path, argv, envp, plan, mapped->interp_bias,
                                  config_.seed ^ (static_cast<uint64_t>(process.pid()) << 32));
  entry.rip = plan.interp ? mapped->interp_bias + plan.interp->entry : plan.bias + plan.image.entry;
  process.replace_cpu(platform_.new_cpu(process, entry));
  KernelEvents::raise(events_.process,
                      ProcessEvent{process, ProcessEvent::Kind::kExec, 0, &argv, &path});
  return {};
}

}  // namespace vmlab::os
