// Machine events as Lua tables: one builder per event type. Field names are the API
// (scripts/README.md, "Events"); identifiers, not prose, so scripts can compare them.
#include "emulator/lua/events.h"
#include "emulator/lua/lua_support.h"
#include "emulator/lua/tables.h"
#include "os/kernel.h"
#include "os/syscalls/syscall_table.h"
#include "os/wait_status.h"

namespace vmlab::lua {

namespace {

constexpr int kSyscallArgs = 6;

const char* resolution_name(os::FaultResolution r) {
  using R = os::FaultResolution;
  switch (r) {
    case R::kZeroFill:
      return "zero_fill";
    case R::kZeroPage:
      return "zero_page";
    case R::kFileMinor:
      return "file_minor";
    case R::kFileMajor:
      return "file_major";
    case R::kCowCopy:
      return "cow_copy";
    case R::kCowReuse:
      return "cow_reuse";
    case R::kSwapIn:
      return "swap_in";
    case R::kSwapCache:
      return "swap_cache";
    case R::kSpurious:
      return "spurious";
    case R::kSegvMapErr:
      return "segv_maperr";
    case R::kSegvAccErr:
      return "segv_accerr";
    case R::kOutOfMemory:
      return "out_of_memory";
    case R::kBusError:
      return "sigbus";
    case R::kLimitExceeded:
      return "limit_exceeded";
    case R::kBadPageTable:
      return "bad_page_table";
  }
  return "unknown";
}

const char* reclaim_kind_name(os::ReclaimEvent::Kind k) {
  using K = os::ReclaimEvent::Kind;
  switch (k) {
    case K::kEvictClean:
      return "clean";
    case K::kSwapOut:
      return "swap_out";
    case K::kDropCache:
      return "drop_cache";
    case K::kSwapIn:
      return "swap_in";
  }
  return "unknown";
}

const char* process_kind_name(os::ProcessEvent::Kind k) {
  using K = os::ProcessEvent::Kind;
  switch (k) {
    case K::kCreated:
      return "created";
    case K::kExec:
      return "exec";
    case K::kExit:
      return "exit";
    case K::kSwitchIn:
      return "switch";
    case K::kThreadExit:
      return "thread_exit";
  }
  return "unknown";
}

void set_instructions(lua_State* L, emulator::Machine& machine) {
  set_u64(L, "instructions", machine.kernel().instructions());
}

}  // namespace

const char* invalidation_kind_name(mmu::InvalidationKind k) {
  using K = mmu::InvalidationKind;
  switch (k) {
    case K::kInvlpg:
      return "invlpg";
    case K::kInvpcidAddress:
      return "invpcid_address";
    case K::kInvpcidContext:
      return "invpcid_context";
    case K::kFlushAll:
      return "flush_all";
    case K::kFlushNonGlobal:
      return "flush_non_global";
    case K::kCr3Load:
      return "cr3_load";
  }
  return "unknown";
}

void push_string_array(lua_State* L, const std::vector<std::string>& items) {
  lua_createtable(L, static_cast<int>(items.size()), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
}

void push_fault_table(lua_State* L, const void* event, emulator::Machine& machine) {
  const auto& e = *static_cast<const os::FaultEvent*>(event);
  lua_newtable(L);
  set_integer(L, "pid", e.process.pid());
  set_u64(L, "address", e.address);
  set_integer(L, "error_code", e.error_code);
  set_u64(L, "rip", e.rip);
  set_string(L, "resolution", resolution_name(e.resolution));
  set_boolean(L, "major", os::is_major(e.resolution));
  set_boolean(L, "write", (e.error_code & mmu::pf_error::kWrite) != 0);
  set_boolean(L, "user", (e.error_code & mmu::pf_error::kUser) != 0);
  set_boolean(L, "protection", (e.error_code & mmu::pf_error::kPresent) != 0);
  set_boolean(L, "fetch", (e.error_code & mmu::pf_error::kInstruction) != 0);
  set_u64(L, "old_pfn", e.old_pfn);
  set_u64(L, "new_pfn", e.new_pfn);
  set_instructions(L, machine);
}

void push_reclaim_table(lua_State* L, const void* event, emulator::Machine& machine) {
  const auto& e = *static_cast<const os::ReclaimEvent*>(event);
  lua_newtable(L);
  set_integer(L, "pid", e.process != nullptr ? e.process->pid() : 0);
  set_u64(L, "va", e.va);
  set_u64(L, "pfn", e.pfn);
  set_string(L, "kind", reclaim_kind_name(e.kind));
  set_u64(L, "slot", e.slot);
  set_instructions(L, machine);
}

void push_syscall_table(lua_State* L, const void* event, emulator::Machine& machine) {
  const auto& e = *static_cast<const os::SyscallEvent*>(event);
  lua_newtable(L);
  set_integer(L, "pid", e.process.pid());
  set_integer(L, "number", e.number);
  set_string(L, "name", os::syscall_name(e.number));
  lua_createtable(L, kSyscallArgs, 0);
  for (int i = 0; i < kSyscallArgs; ++i) {
    push_u64(L, e.args[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "args");
  set_integer(L, "result", e.result);
  set_instructions(L, machine);
}

void push_process_table(lua_State* L, const void* event, emulator::Machine& machine) {
  const auto& e = *static_cast<const os::ProcessEvent*>(event);
  lua_newtable(L);
  set_integer(L, "pid", e.process.pid());
  set_integer(L, "ppid", e.process.ppid());
  set_string(L, "kind", process_kind_name(e.kind));
  set_string(L, "command", e.process.comm);
  if (e.kind == os::ProcessEvent::Kind::kExit) {
    set_integer(L, "wait_status", e.wait_status);
    set_integer(L, "status", os::shell_status(e.wait_status));
    set_integer(L, "signal", os::terminating_signal(e.wait_status));
  }
  if (e.argv != nullptr) {
    push_string_array(L, *e.argv);
    lua_setfield(L, -2, "argv");
  }
  set_instructions(L, machine);
}

void push_translation_table(lua_State* L, const void* event, emulator::Machine& machine) {
  const auto& e = *static_cast<const mmu::TranslationEvent*>(event);
  os::Kernel& kernel = machine.kernel();
  lua_newtable(L);
  set_integer(L, "pid", kernel.has_current() ? kernel.current().pid() : 0);
  set_u64(L, "va", e.va.value);
  set_string(L, "access", mmu::access_name(e.access));
  set_integer(L, "pcid", e.pcid);
  set_boolean(L, "faulted", e.result.faulted);
  if (!e.result.faulted) {
    set_u64(L, "pa", e.result.pa.value);
    set_u64(L, "page_size", mmu::page_bytes(e.result.size));
  }
  set_integer(L, "psc_level", e.psc_level);
  set_integer(L, "cycles", e.cycles);
}

void push_invalidation_table(lua_State* L, const void* event, emulator::Machine& machine) {
  const auto& e = *static_cast<const mmu::InvalidationEvent*>(event);
  lua_newtable(L);
  set_string(L, "kind", invalidation_kind_name(e.kind));
  set_u64(L, "va", e.va.value);
  set_integer(L, "pcid", e.pcid);
  set_integer(L, "entries", e.entries_dropped);
  set_instructions(L, machine);
}

void push_instruction_table(lua_State* L, const void* event, emulator::Machine&) {
  const auto& e = *static_cast<const InstructionEvent*>(event);
  lua_newtable(L);
  set_integer(L, "pid", e.process.pid());
  set_u64(L, "address", e.address);
  set_string(L, "bytes",
             std::string_view(reinterpret_cast<const char*>(e.bytes.data()), e.bytes.size()));
  set_u64(L, "index", e.index);
}

namespace {

void set_value(lua_State* L, const emulator::StatValue& v) {
  if (v.missing) return;  // nil
  if (v.integer)
    set_u64(L, v.name.c_str(), v.count);
  else
    set_number(L, v.name.c_str(), v.number);
}

}  // namespace

void push_tick_table(lua_State* L, const void* event, emulator::Machine&) {
  const auto& r = *static_cast<const emulator::TimelineRecord*>(event);
  constexpr uint64_t kKibPerPage = mmu::kPageBytes / 1024;
  lua_newtable(L);
  for (const emulator::StatValue& v : r.fields)
    set_value(L, v);
  lua_createtable(L, static_cast<int>(r.processes.size()), 0);
  for (size_t i = 0; i < r.processes.size(); ++i) {
    const emulator::ProcessSample& p = r.processes[i];
    lua_createtable(L, 0, 4);
    set_integer(L, "pid", p.pid);
    set_string(L, "command", p.command);
    set_u64(L, "rss_kib", p.rss_pages * kKibPerPage);
    set_u64(L, "swap_kib", p.swap_pages * kKibPerPage);
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
  lua_setfield(L, -2, "processes");
  lua_createtable(L, 0, static_cast<int>(r.totals.size()));
  for (const emulator::StatValue& v : r.totals)
    set_value(L, v);
  lua_setfield(L, -2, emulator::kTotals);
}

void push_end_table(lua_State* L, const void* event, emulator::Machine& machine) {
  const auto& e = *static_cast<const EndEvent*>(event);
  lua_newtable(L);
  set_string(L, "reason", e.reason);
  set_integer(L, "status", e.exit_status);
  set_instructions(L, machine);
}

}  // namespace vmlab::lua
