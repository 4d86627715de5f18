// Machine events delivered to Lua handlers as tables (m:on(name, handler)).
//
// Kernel events come from the kernel's subscriber lists, TLB misses and invalidations from the
// MMU observer, instructions from the CPU observer. Each is converted to a table only when a
// handler is subscribed to its kind, and delivered through the ScriptLink (protected). A
// handler that returns "stop" pauses the machine.
#pragma once

#include <lua.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/cpu_observer.h"
#include "emulator/lua/script_link.h"
#include "emulator/machine.h"
#include "emulator/timeline/timeline.h"
#include "mmu/mmu.h"

namespace vmlab::lua {

enum class EventKind : uint8_t {
  kFault,         // every page fault, with its resolution
  kCow,           // a fault resolved by copy-on-write (copied or reused)
  kEviction,      // a page left memory (clean drop, swap-out, page-cache drop)
  kSwapOut,       // a page was written to swap
  kSwapIn,        // a page was read back from swap
  kTlbMiss,       // a translation missed every TLB level and walked
  kInvalidation,  // INVLPG, INVPCID, CR3 load or flush
  kSyscall,       // a system call completed
  kProcess,       // a process was created, exec'd or exited
  kExit,          // a process exited
  kSwitch,        // the scheduler switched to a process
  kInstruction,   // an instruction is about to execute (slow)
  kTick,          // the timeline sampled the machine (every interval)
  kEnd,           // m:run ended because the machine finished (not for a pause)
};
inline constexpr size_t kEventKinds = static_cast<size_t>(EventKind::kEnd) + 1;

std::optional<EventKind> parse_event_kind(std::string_view name);
std::string event_kind_list();  // "fault, cow, ..." for messages

class EventDispatcher final : public emulator::CpuObserver, public mmu::MmuObserver {
 public:
  EventDispatcher(ScriptLink& link, emulator::Machine& machine);
  EventDispatcher(const EventDispatcher&) = delete;
  EventDispatcher& operator=(const EventDispatcher&) = delete;

  // A new subscription; the handler function itself is stored with the machine's userdata
  // (event_bindings.cpp) under the returned handle.
  int subscribe(EventKind kind);
  bool unsubscribe(int handle);
  bool wants(EventKind kind) const { return !subscribers_[static_cast<size_t>(kind)].empty(); }
  bool wants_mmu() const { return wants(EventKind::kTlbMiss) || wants(EventKind::kInvalidation); }

  // The machine finished: "exited", "instruction-limit", "deadlock" or "error".
  void deliver_end(const std::string& reason, int exit_status);
  // Delivers `timeline`'s records as `tick` events while this dispatcher lives.
  void watch_ticks(emulator::Timeline& timeline);

  // emulator::CpuObserver
  bool wants_instructions() const override { return wants(EventKind::kInstruction); }
  void on_instruction(const os::Process& process, uint64_t address, std::span<const uint8_t> bytes,
                      uint64_t index) override;
  // mmu::MmuObserver
  void on_translation(const mmu::TranslationEvent& e) override;
  void on_invalidation(const mmu::InvalidationEvent& e) override;

  // Used by the delivery trampoline.
  using TableBuilder = void (*)(lua_State* L, const void* event, emulator::Machine& machine);
  struct Delivery {
    EventDispatcher* dispatcher;
    EventKind kind;
    const void* event;
    TableBuilder build;
  };
  void call_handlers(lua_State* L, const Delivery& delivery);

 private:
  struct Subscriber {
    int handle;
  };
  void deliver(EventKind kind, const void* event, TableBuilder build);
  void subscribe_to_kernel();

  ScriptLink& link_;
  emulator::Machine& machine_;
  std::array<std::vector<Subscriber>, kEventKinds> subscribers_;
  int next_handle_ = 1;
  // Last, so the kernel and the timeline stop calling this dispatcher before any of its other
  // members go.
  std::vector<os::Subscription> subscriptions_;
};

// Pushes the handler subscribed as `handle` to `dispatcher`'s machine, or nil when that
// machine's userdata is gone (event_bindings.cpp). Handlers live in the userdata's user value,
// not in the registry, so a handler that captures its machine does not keep it alive forever.
void push_handler(lua_State* L, const EventDispatcher* dispatcher, int handle);

// Table builders (event_tables.cpp): one per event type, fields documented in scripts/README.md.
void push_fault_table(lua_State* L, const void* event, emulator::Machine& machine);
void push_reclaim_table(lua_State* L, const void* event, emulator::Machine& machine);
void push_syscall_table(lua_State* L, const void* event, emulator::Machine& machine);
void push_process_table(lua_State* L, const void* event, emulator::Machine& machine);
void push_translation_table(lua_State* L, const void* event, emulator::Machine& machine);
void push_invalidation_table(lua_State* L, const void* event, emulator::Machine& machine);

struct InstructionEvent {
  const os::Process& process;
  uint64_t address;
  std::span<const uint8_t> bytes;
  uint64_t index;
};
void push_instruction_table(lua_State* L, const void* event, emulator::Machine& machine);

// The timeline's record (emulator/timeline/record.h): its fields, processes and counters.
void push_tick_table(lua_State* L, const void* event, emulator::Machine& machine);

struct EndEvent {
  const std::string& reason;
  int exit_status;
};
void push_end_table(lua_State* L, const void* event, emulator::Machine& machine);

}  // namespace vmlab::lua
