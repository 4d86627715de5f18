#include "emulator/lua/events.h"

#include <algorithm>

namespace vmlab::lua {

namespace {

constexpr std::array<const char*, kEventKinds> kEventNames = {
    "fault",   "cow",     "eviction", "swap_out", "swap_in",     "tlb_miss", "invalidation",
    "syscall", "process", "exit",     "switch",   "instruction", "tick",     "end"};

constexpr const char* kStop = "stop";

bool is_cow(os::FaultResolution r) {
  return r == os::FaultResolution::kCowCopy || r == os::FaultResolution::kCowReuse;
}

}  // namespace

std::optional<EventKind> parse_event_kind(std::string_view name) {
  for (size_t i = 0; i < kEventNames.size(); ++i)
    if (name == kEventNames[i]) return static_cast<EventKind>(i);
  return std::nullopt;
}

std::string event_kind_list() {
  std::string out;
  for (const char* n : kEventNames)
    out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

EventDispatcher::EventDispatcher(ScriptLink& link, emulator::Machine& machine)
    : link_(link), machine_(machine) {
  subscribe_to_kernel();
}

void EventDispatcher::subscribe_to_kernel() {
  using Kind = EventKind;
  os::KernelEvents& events = machine_.kernel().events();
  subscriptions_.push_back(events.fault.subscribe([this](const os::FaultEvent& e) {
    if (wants(Kind::kFault)) deliver(Kind::kFault, &e, push_fault_table);
    if (is_cow(e.resolution) && wants(Kind::kCow)) deliver(Kind::kCow, &e, push_fault_table);
  }));
  subscriptions_.push_back(events.reclaim.subscribe([this](const os::ReclaimEvent& e) {
    using R = os::ReclaimEvent::Kind;
    if (e.kind == R::kSwapIn) {
      if (wants(Kind::kSwapIn)) deliver(Kind::kSwapIn, &e, push_reclaim_table);
      return;
    }
    if (wants(Kind::kEviction)) deliver(Kind::kEviction, &e, push_reclaim_table);
    if (e.kind == R::kSwapOut && wants(Kind::kSwapOut))
      deliver(Kind::kSwapOut, &e, push_reclaim_table);
  }));
  subscriptions_.push_back(events.syscall.subscribe([this](const os::SyscallEvent& e) {
    if (!e.entry && wants(Kind::kSyscall)) deliver(Kind::kSyscall, &e, push_syscall_table);
  }));
  subscriptions_.push_back(events.process.subscribe([this](const os::ProcessEvent& e) {
    using P = os::ProcessEvent::Kind;
    if (e.kind == P::kSwitchIn) {
      if (wants(Kind::kSwitch)) deliver(Kind::kSwitch, &e, push_process_table);
      return;
    }
    if (wants(Kind::kProcess)) deliver(Kind::kProcess, &e, push_process_table);
    if (e.kind == P::kExit && wants(Kind::kExit)) deliver(Kind::kExit, &e, push_process_table);
  }));
}

int EventDispatcher::subscribe(EventKind kind) {
  const int handle = next_handle_++;
  subscribers_[static_cast<size_t>(kind)].push_back(Subscriber{handle});
  return handle;
}

bool EventDispatcher::unsubscribe(int handle) {
  for (auto& list : subscribers_) {
    auto it = std::find_if(list.begin(), list.end(),
                           [&](const Subscriber& s) { return s.handle == handle; });
    if (it == list.end()) continue;
    list.erase(it);
    return true;
  }
  return false;
}

void EventDispatcher::deliver(EventKind kind, const void* event, TableBuilder build) {
  Delivery delivery{this, kind, event, build};
  link_.call(
      [](lua_State* L, void* context) {
        const auto& d = *static_cast<const Delivery*>(context);
        d.dispatcher->call_handlers(L, d);
      },
      &delivery);
}

void EventDispatcher::call_handlers(lua_State* L, const Delivery& d) {
  d.build(L, d.event, machine_);
  const int table = lua_gettop(L);
  const auto& live = subscribers_[static_cast<size_t>(d.kind)];
  // A handler may subscribe or unsubscribe others: walk a copy, skip those that left.
  const std::vector<Subscriber> snapshot = live;
  for (const Subscriber& s : snapshot) {
    const bool still_subscribed = std::any_of(
        live.begin(), live.end(), [&](const Subscriber& l) { return l.handle == s.handle; });
    if (!still_subscribed) continue;
    push_handler(L, this, s.handle);
    if (!lua_isfunction(L, -1)) {
      lua_pop(L, 1);
      continue;
    }
    lua_pushvalue(L, table);
    lua_call(L, 1, 1);
    if (lua_type(L, -1) == LUA_TSTRING && std::string_view(lua_tostring(L, -1)) == kStop)
      link_.request_stop();
    lua_pop(L, 1);
  }
}

void EventDispatcher::deliver_end(const std::string& reason, int exit_status) {
  if (!wants(EventKind::kEnd)) return;
  const EndEvent event{reason, exit_status};
  deliver(EventKind::kEnd, &event, push_end_table);
}

void EventDispatcher::watch_ticks(emulator::Timeline& timeline) {
  subscriptions_.push_back(timeline.add_listener([this](const emulator::TimelineRecord& record) {
    if (wants(EventKind::kTick)) deliver(EventKind::kTick, &record, push_tick_table);
  }));
}

void EventDispatcher::on_instruction(const os::Process& process, uint64_t address,
                                     std::span<const uint8_t> bytes, uint64_t index) {
  if (!wants(EventKind::kInstruction)) return;
  const InstructionEvent event{process, address, bytes, index};
  deliver(EventKind::kInstruction, &event, push_instruction_table);
}

void EventDispatcher::on_translation(const mmu::TranslationEvent& e) {
  if (e.result.outcome != mmu::TlbOutcome::kWalk || !wants(EventKind::kTlbMiss)) return;
  deliver(EventKind::kTlbMiss, &e, push_translation_table);
}

void EventDispatcher::on_invalidation(const mmu::InvalidationEvent& e) {
  if (wants(EventKind::kInvalidation))
    deliver(EventKind::kInvalidation, &e, push_invalidation_table);
}

}  // namespace vmlab::lua
