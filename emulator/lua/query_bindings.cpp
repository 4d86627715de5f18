// The query domain: looking at a machine without changing it. Translations walk the page
// tables with WalkEffects::kNone (no TLB fill, no statistics, no Accessed/Dirty bits), memory
// is read with UserMemory::peek (no faults), and statistics are the JSON of --stats-json.
#include "emulator/lua/bindings.h"
#include "emulator/lua/lua_support.h"
#include "emulator/lua/script_machine.h"
#include "emulator/lua/tables.h"
#include "mmu/walker.h"
#include "os/kernel.h"
#include "os/memory_usage.h"
#include "os/pte_encoding.h"
#include "os/residency.h"
#include "os/user_memory.h"
#include "os/wait_status.h"

namespace vmlab::lua {

namespace {

constexpr lua_Integer kMaxRead = 1 << 20;  // bytes per m:read: guest memory is not a file

const char* frame_use_name(os::FrameUse use) {
  using U = os::FrameUse;
  switch (use) {
    case U::kFree:
      return "free";
    case U::kKernel:
      return "kernel";
    case U::kZero:
      return "zero";
    case U::kPageTable:
      return "page_table";
    case U::kAnonymous:
      return "anonymous";
    case U::kFile:
      return "file";
  }
  return "unknown";
}

const char* state_name(os::ProcessState state) {
  switch (state) {
    case os::ProcessState::kRunnable:
      return "runnable";
    case os::ProcessState::kBlocked:
      return "blocked";
    case os::ProcessState::kZombie:
      return "zombie";
  }
  return "unknown";
}

// A live process with an address space: argument `arg` is its pid.
os::Process& check_process(lua_State* L, ScriptMachine& m, int arg) {
  const lua_Integer pid = luaL_checkinteger(L, arg);
  os::Process* p = m.kernel().find(static_cast<int>(pid));
  if (p == nullptr || !p->has_space()) luaL_error(L, "no live process with pid %I", pid);
  return *p;
}

mmu::Access check_access(lua_State* L, int arg) {
  static const char* const kNames[] = {"read", "write", "fetch", nullptr};
  return static_cast<mmu::Access>(luaL_checkoption(L, arg, "read", kNames));
}

int query_translate(lua_State* L) {
  ScriptMachine& m = check_machine(L, 1);
  os::Process& p = check_process(L, m, 2);
  const mmu::VirtAddr va{check_u64(L, 3)};
  const mmu::Access access = check_access(L, 4);
  mmu::Mmu& mmu = m.machine().mmu();
  mmu::PagingControl control = mmu.control();
  control.root = p.space().root();
  control.pcid = control.pcid_enabled ? p.space().pcid() : 0;
  const mmu::WalkResult w =
      mmu::walk(mmu.memory(), control, va, access, mmu::Mode::kUser, mmu::WalkEffects::kNone);
  lua_newtable(L);
  set_u64(L, "va", va.value);
  set_boolean(L, "faulted", w.faulted);
  if (w.faulted) {
    set_integer(L, "error_code", w.fault.error_code);
  } else {
    set_u64(L, "pa", w.translate(va).value);
    set_u64(L, "pfn", mmu::Pfn{w.translate(va)}.value);
    set_u64(L, "page_size", mmu::page_bytes(w.size));
    set_boolean(L, "writable", w.permissions.writable);
    set_boolean(L, "user", w.permissions.user);
    set_boolean(L, "executable", w.permissions.executable);
    set_boolean(L, "global", w.global);
    set_boolean(L, "dirty", w.dirty);
  }
  lua_createtable(L, w.step_count, 0);
  for (uint8_t i = 0; i < w.step_count; ++i) {
    lua_newtable(L);
    set_string(L, "level", mmu::level_name(w.steps[i].level));
    set_u64(L, "address", w.steps[i].entry_address.value);
    set_u64(L, "entry", w.steps[i].entry.raw());
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "steps");
  // Which TLB arrays hold the page now. Without PCIDs only the loaded space has entries.
  lua_newtable(L);
  if (control.pcid_enabled || m.kernel().tlb().current() == &p.space()) {
    lua_Integer n = 0;
    for (auto level : {mmu::TlbLevel::kL1i, mmu::TlbLevel::kL1d, mmu::TlbLevel::kL2})
      for (const mmu::TlbArray& array : mmu.arrays(level))
        if (array.peek(va, control.pcid) != nullptr) {
          lua_pushstring(L, array.config().name.c_str());
          lua_rawseti(L, -2, ++n);
        }
  }
  lua_setfield(L, -2, "tlb");
  return 1;
}

int query_read(lua_State* L) {
  ScriptMachine& m = check_machine(L, 1);
  os::Process& p = check_process(L, m, 2);
  const uint64_t va = check_u64(L, 3);
  const lua_Integer n = luaL_checkinteger(L, 4);
  luaL_argcheck(L, n >= 0 && n <= kMaxRead, 4, "must be from 0 to 1048576 bytes");
  std::string bytes(static_cast<size_t>(n), '\0');
  const bool resident =
      m.kernel().user_memory(p).peek(va, {reinterpret_cast<uint8_t*>(bytes.data()), bytes.size()});
  if (resident)
    lua_pushlstring(L, bytes.data(), bytes.size());
  else
    lua_pushnil(L);  // some byte is not resident (or not mapped): reading it would fault
  return 1;
}

int query_pte(lua_State* L) {
  ScriptMachine& m = check_machine(L, 1);
  os::Process& p = check_process(L, m, 2);
  const mmu::Pte e = p.space().read_pte(check_u64(L, 3));
  lua_newtable(L);
  set_u64(L, "raw", e.raw());
  set_boolean(L, "present", e.present());
  set_boolean(L, "writable", e.writable());
  set_boolean(L, "user", e.user());
  set_boolean(L, "accessed", e.accessed());
  set_boolean(L, "dirty", e.dirty());
  set_boolean(L, "global", e.global());
  set_boolean(L, "huge", e.page_size());
  set_boolean(L, "nx", e.no_execute());
  const os::NonPresentKind kind = os::non_present_kind(e);
  set_boolean(L, "prot_none", kind == os::NonPresentKind::kProtNone);
  if (os::holds_frame(e)) set_u64(L, "pfn", e.pfn().value);
  if (kind == os::NonPresentKind::kSwap) set_u64(L, "swap_slot", os::swap_slot_of(e));
  return 1;
}

// A table of what memory an area or a process costs, in bytes, as /proc/PID/smaps counts it.
void push_usage(lua_State* L, const os::MemoryUsage& u) {
  lua_newtable(L);
  set_u64(L, "rss", u.rss);
  set_u64(L, "pss", u.pss());
  set_u64(L, "pss_anon", u.pss_anon());
  set_u64(L, "pss_file", u.pss_file());
  set_u64(L, "pss_dirty", u.pss_dirty());
  set_u64(L, "shared_clean", u.shared_clean);
  set_u64(L, "shared_dirty", u.shared_dirty);
  set_u64(L, "private_clean", u.private_clean);
  set_u64(L, "private_dirty", u.private_dirty);
  set_u64(L, "referenced", u.referenced);
  set_u64(L, "anonymous", u.anonymous);
  set_u64(L, "anon_huge", u.anon_huge);
  set_u64(L, "swap", u.swap);
  lua_setfield(L, -2, "usage");
}

int query_vmas(lua_State* L) {
  ScriptMachine& m = check_machine(L, 1);
  const os::AddressSpace& space = check_process(L, m, 2).space();
  lua_createtable(L, static_cast<int>(space.vmas().size()), 0);
  lua_Integer n = 0;
  for (const auto& [start, vma] : space.vmas()) {
    const os::ResidentSet resident =
        os::resident_set(m.kernel().frames(), space, vma.start, vma.end);
    lua_newtable(L);
    set_u64(L, "start", vma.start);
    set_u64(L, "end", vma.end);
    set_u64(L, "pages", vma.pages());
    set_u64(L, "resident", resident.rss());
    set_u64(L, "swapped", resident.swapped);
    set_u64(L, "zero_page", resident.zero_page);
    const std::string prot = std::string(vma.readable() ? "r" : "-") +
                             (vma.writable() ? "w" : "-") + (vma.executable() ? "x" : "-");
    set_string(L, "prot", prot);
    set_string(L, "kind", vma.kind == os::VmaKind::kFile ? "file" : "anonymous");
    set_boolean(L, "shared", vma.sharing == os::Sharing::kShared);
    set_string(L, "name", vma.name);
    push_usage(L, os::memory_usage(m.kernel().frames(), space, vma.start, vma.end));
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

int query_frame(lua_State* L) {
  ScriptMachine& m = check_machine(L, 1);
  const mmu::Pfn pfn{check_u64(L, 2)};
  os::FrameAllocator& frames = m.kernel().frames();
  if (!frames.is_ram(pfn)) return luaL_error(L, "m:frame: %I is not a frame of RAM", pfn.value);
  const os::Frame& f = frames.frame(pfn);
  lua_newtable(L);
  set_u64(L, "pfn", pfn.value);
  set_string(L, "use", frame_use_name(f.use));
  set_integer(L, "refcount", f.refcount);
  lua_createtable(L, static_cast<int>(f.rmap.size()), 0);
  for (size_t i = 0; i < f.rmap.size(); ++i) {
    lua_newtable(L);
    set_integer(L, "pid", f.rmap[i].space->owner());
    set_u64(L, "va", f.rmap[i].va);
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
  lua_setfield(L, -2, "mappings");
  if (f.use == os::FrameUse::kFile) set_u64(L, "file_page", f.file_page);
  if (f.swap_slot >= 0) set_integer(L, "swap_slot", f.swap_slot);
  set_u64(L, "loaded_at", f.loaded_at);
  set_u64(L, "last_access", f.last_access);
  return 1;
}

// m:frames() counts frames by use; m:frames(use) lists the frame numbers of one use.
int query_frames(lua_State* L) {
  ScriptMachine& m = check_machine(L, 1);
  static const char* const kUses[] = {"free",      "kernel", "zero", "page_table",
                                      "anonymous", "file",   nullptr};
  const os::FrameTable& table = m.kernel().frames().table();
  const bool count_all = lua_isnoneornil(L, 2);
  const auto use = count_all ? os::FrameUse::kFree
                             : static_cast<os::FrameUse>(luaL_checkoption(L, 2, nullptr, kUses));
  lua_newtable(L);
  if (count_all) {
    uint64_t counts[std::size(kUses) - 1] = {};
    for (uint64_t i = 0; i < table.size(); ++i)
      ++counts[static_cast<size_t>(table[table.pfn_at(i)].use)];
    set_u64(L, "total", table.size());
    for (size_t u = 0; kUses[u] != nullptr; ++u)
      set_u64(L, kUses[u], counts[u]);
    return 1;
  }
  lua_Integer n = 0;
  for (uint64_t i = 0; i < table.size(); ++i)
    if (table[table.pfn_at(i)].use == use) {
      push_u64(L, table.pfn_at(i).value);
      lua_rawseti(L, -2, ++n);
    }
  return 1;
}

// Every per-process counter of the registry (os/process_counters.h), under its name.
void push_counters(lua_State* L, const os::ProcessCounters& c) {
  for (const auto& f : os::kProcessCounters) {
    lua_pushlstring(L, f.info.key.data(), f.info.key.size());
    push_u64(L, c.*f.field);
    lua_rawset(L, -3);
  }
}

void push_live_process(lua_State* L, os::Kernel& kernel, os::Process& p) {
  lua_newtable(L);
  set_integer(L, "pid", p.pid());
  set_integer(L, "ppid", p.ppid());
  set_string(L, "command", p.comm);
  set_string(L, "exe", p.exe);
  set_string(L, "state", state_name(p.state()));
  set_u64(L, "instructions", p.has_cpu() ? p.cpu().instructions() : p.instructions_at_exit);
  if (p.has_space()) {
    set_u64(L, "resident", p.space().stats().resident);
    set_u64(L, "peak_resident", p.space().stats().peak_resident);
    set_u64(L, "swapped", p.space().stats().swapped);
    set_integer(L, "pcid", p.space().pcid());
    set_u64(L, "cr3", p.space().root().value);
    push_usage(L, os::memory_usage(kernel.frames(), p.space()));
  }
  push_counters(L, p.counters());
}

void push_finished_process(lua_State* L, const os::ProcessSummary& p) {
  lua_newtable(L);
  set_integer(L, "pid", p.pid);
  set_integer(L, "ppid", p.ppid);
  set_string(L, "command", p.command);
  set_string(L, "state", "exited");
  set_integer(L, "status", os::shell_status(p.wait_status));
  set_integer(L, "wait_status", p.wait_status);
  set_u64(L, "instructions", p.instructions);
  set_u64(L, "peak_resident", p.peak_resident);
  push_counters(L, p.counters);
}

int query_processes(lua_State* L) {
  ScriptMachine& m = check_machine(L, 1);
  lua_newtable(L);
  lua_Integer n = 0;
  for (const auto& [pid, p] : m.kernel().tasks().all()) {
    push_live_process(L, m.kernel(), *p);
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

int query_process(lua_State* L) {
  ScriptMachine& m = check_machine(L, 1);
  const int pid = static_cast<int>(luaL_checkinteger(L, 2));
  if (os::Process* p = m.kernel().find(pid)) {
    push_live_process(L, m.kernel(), *p);
    return 1;
  }
  for (const os::ProcessSummary& s : m.kernel().tasks().finished())
    if (s.pid == pid) {
      push_finished_process(L, s);
      return 1;
    }
  lua_pushnil(L);
  return 1;
}

int query_stats(lua_State* L) {
  ScriptMachine& m = check_machine(L, 1);
  return guarded(L, [&] {
    push_stats(L, m.machine(), m.run_facts());
    return 1;
  });
}

int query_instructions(lua_State* L) {
  push_u64(L, check_machine(L, 1).kernel().instructions());
  return 1;
}

int query_regs(lua_State* L) {
  ScriptMachine& m = check_machine(L, 1);
  os::Process& p = check_process(L, m, 2);
  if (!p.has_cpu()) return luaL_error(L, "m:regs: process %d has no CPU", p.pid());
  const os::UserRegs r = p.cpu().regs();
  lua_newtable(L);
  const std::pair<const char*, uint64_t> fields[] = {
      {"rax", r.rax}, {"rbx", r.rbx},       {"rcx", r.rcx},         {"rdx", r.rdx},
      {"rsi", r.rsi}, {"rdi", r.rdi},       {"rbp", r.rbp},         {"rsp", r.rsp},
      {"r8", r.r8},   {"r9", r.r9},         {"r10", r.r10},         {"r11", r.r11},
      {"r12", r.r12}, {"r13", r.r13},       {"r14", r.r14},         {"r15", r.r15},
      {"rip", r.rip}, {"eflags", r.eflags}, {"fs_base", r.fs_base}, {"gs_base", r.gs_base}};
  for (const auto& [name, value] : fields)
    set_u64(L, name, value);
  return 1;
}

constexpr luaL_Reg kQueryMethods[] = {{"translate", query_translate},
                                      {"read", query_read},
                                      {"pte", query_pte},
                                      {"vmas", query_vmas},
                                      {"frame", query_frame},
                                      {"frames", query_frames},
                                      {"processes", query_processes},
                                      {"process", query_process},
                                      {"stats", query_stats},
                                      {"instructions", query_instructions},
                                      {"regs", query_regs},
                                      {nullptr, nullptr}};

}  // namespace

void add_query_methods(lua_State* L) {
  luaL_setfuncs(L, kQueryMethods, 0);
}

}  // namespace vmlab::lua
