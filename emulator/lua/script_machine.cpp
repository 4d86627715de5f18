#include "emulator/lua/script_machine.h"

#include <cstdio>
#include <stdexcept>

#include "emulator/lua/tables.h"
#include "os/wait_status.h"

namespace vmlab::lua {

namespace {

constexpr int kInitPid = 1;

}  // namespace

ScriptMachine::ScriptMachine(lua_State* L, MachineSpec spec)
    : link_(std::make_shared<ScriptLink>(L)), default_env_(spec.options.env) {
  emulator::MachineConfig config = spec.options.machine;
  if (spec.page_policy) {
    config.kernel.custom_policy = [link = link_, policy = *spec.page_policy] {
      return make_lua_page_policy(link, policy);
    };
  }
  owned_ = std::make_unique<emulator::Machine>(config);
  machine_ = owned_.get();
  for (const auto& [name, policy] : spec.tlb_policies) {
    mmu::TlbArray* array = machine_->mmu().find_array(name);
    if (array == nullptr) throw std::logic_error("no TLB array " + name);  // checked when read
    array->set_custom_replacement(make_lua_tlb_policy(link_, policy, array->ways()));
  }
  if (!spec.options.trace.file.empty())
    own_tracer_ = std::make_unique<emulator::Tracer>(*machine_, spec.options.trace);
  tracer_ = own_tracer_.get();
  if (spec.options.trace.strace) strace_ = std::make_unique<emulator::Strace>(kernel(), stderr);
  attach();
  if (spec.options.timeline.enabled()) {
    try {
      own_timeline_ = std::make_unique<emulator::Timeline>(*machine_, spec.options.timeline);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(std::string("vmlab.machine: ") + e.what());
    }
    use_timeline(own_timeline_.get());
  }
}

ScriptMachine::ScriptMachine(lua_State* L, emulator::Machine& machine,
                             const emulator::RunOptions& options, emulator::Tracer* tracer,
                             emulator::Timeline* timeline)
    : link_(std::make_shared<ScriptLink>(L)),
      machine_(&machine),
      tracer_(tracer),
      default_env_(options.env) {
  attach();
  if (timeline != nullptr) use_timeline(timeline);
}

void ScriptMachine::use_timeline(emulator::Timeline* timeline) {
  timeline_ = timeline;
  events_->watch_ticks(*timeline_);
}

void ScriptMachine::ensure_timeline() {
  if (timeline_ != nullptr) return;
  own_timeline_ = std::make_unique<emulator::Timeline>(*machine_, emulator::TimelineOptions{});
  use_timeline(own_timeline_.get());
}

void ScriptMachine::finish_timeline() {
  if (timeline_ != nullptr) timeline_->finish();
}

void ScriptMachine::attach() {
  link_->set_kernel(&kernel());
  events_ = std::make_unique<EventDispatcher>(*link_, *machine_);
  if (tracer_ != nullptr) {
    fanout_.add(static_cast<emulator::CpuObserver*>(tracer_));
    fanout_.add(static_cast<mmu::MmuObserver*>(tracer_));
  }
  fanout_.add(static_cast<emulator::CpuObserver*>(events_.get()));
  fanout_.add(static_cast<mmu::MmuObserver*>(events_.get()));
  update_observers();
}

ScriptMachine::~ScriptMachine() {
  link_->disable();
  own_timeline_.reset();  // completes its file while the machine still exists
  if (owned_ != nullptr) {
    // Processes end while everything that observes them still exists.
    owned_->kernel().shutdown();
    owned_->set_cpu_observer(nullptr);
    owned_->set_mmu_observer(nullptr);
    strace_.reset();
    own_tracer_.reset();
    owned_.reset();
  } else {
    machine_->set_cpu_observer(tracer_);
    machine_->set_mmu_observer(tracer_);
  }
  events_.reset();
}

void ScriptMachine::update_observers() {
  // Each pointer is the tracer, the dispatcher, both (fan-out), or nothing: an unobserved
  // machine pays nothing for the script.
  const bool instructions = events_->wants_instructions();
  emulator::CpuObserver* cpu = nullptr;
  if (tracer_ != nullptr)
    cpu = instructions ? static_cast<emulator::CpuObserver*>(&fanout_) : tracer_;
  else if (instructions)
    cpu = events_.get();
  machine_->set_cpu_observer(cpu);
  mmu::MmuObserver* mmu = nullptr;
  if (tracer_ != nullptr)
    mmu = events_->wants_mmu() ? static_cast<mmu::MmuObserver*>(&fanout_) : tracer_;
  else if (events_->wants_mmu())
    mmu = events_.get();
  machine_->set_mmu_observer(mmu);
}

int ScriptMachine::spawn(os::SpawnRequest request, std::shared_ptr<StringOutput> capture) {
  update_observers();
  const auto spawned = kernel().spawn(request);
  if (!spawned) throw std::runtime_error("m:spawn: " + spawned.error().message);
  const int pid = *spawned;
  cpus_created_ = true;
  if (capture != nullptr) captures_[pid] = std::move(capture);
  return pid;
}

std::string ScriptMachine::run(uint64_t budget) {
  link_->take_stop_request();  // a stop asked for while nothing ran is void
  const os::RunEnd end = kernel().run(budget);
  std::string reason;
  switch (end) {
    case os::RunEnd::kAllExited:
      reason = "exited";
      break;
    case os::RunEnd::kInstructionLimit:
      reason = "instruction-limit";
      break;
    case os::RunEnd::kDeadlock:
      reason = "deadlock";
      break;
    case os::RunEnd::kHostError:
      reason = "error";
      break;
    case os::RunEnd::kInterrupted:
      reason = "interrupted";
      break;
    case os::RunEnd::kPaused:
      return link_->take_stop_request() ? "stopped" : "paused";
  }
  last_end_ = reason;
  finish_timeline();
  events_->deliver_end(reason, exit_status().value_or(0));
  return reason;
}

std::optional<std::string> ScriptMachine::captured(int pid) const {
  auto it = captures_.find(pid);
  if (it == captures_.end()) return std::nullopt;
  return it->second->text();
}

std::optional<int> ScriptMachine::exit_status() const {
  for (const os::ProcessSummary& p : machine_->kernel().tasks().finished())
    if (p.pid == kInitPid) return os::shell_status(p.wait_status);
  return std::nullopt;
}

emulator::RunFacts ScriptMachine::run_facts() {
  emulator::RunFacts facts = emulator::facts_now(*machine_);
  facts.end = last_end_;
  facts.exit_status = exit_status().value_or(0);
  return facts;
}

}  // namespace vmlab::lua
