// A machine driven by a Lua script: either built by the script (vmlab.machine) or the machine
// of a `vmlab run --script` command. It wires the script's event handlers and policies to the
// machine through one ScriptLink, and keeps what the API reports (captured output, how the last
// run ended).
#pragma once

#include <lua.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emulator/lua/events.h"
#include "emulator/lua/policies.h"
#include "emulator/lua/script_link.h"
#include "emulator/lua/string_streams.h"
#include "emulator/machine.h"
#include "emulator/observer_fanout.h"
#include "emulator/options/run_options.h"
#include "emulator/report.h"
#include "emulator/trace/strace.h"
#include "emulator/trace/tracer.h"

namespace vmlab::lua {

// Everything a machine table says (machine_table.cpp).
struct MachineSpec {
  emulator::RunOptions options;  // MachineConfig, trace options, the default guest environment
  std::optional<PagePolicySpec> page_policy;
  std::map<std::string, TlbPolicySpec> tlb_policies;  // by TLB array name
};

class ScriptMachine {
 public:
  // A machine of the script's own. Throws std::exception when the machine cannot be built.
  ScriptMachine(lua_State* L, MachineSpec spec);
  // The machine of `vmlab run --script`, which the command owns and runs (with its timeline,
  // if it keeps one).
  ScriptMachine(lua_State* L, emulator::Machine& machine, const emulator::RunOptions& options,
                emulator::Tracer* tracer, emulator::Timeline* timeline);
  ~ScriptMachine();
  ScriptMachine(const ScriptMachine&) = delete;
  ScriptMachine& operator=(const ScriptMachine&) = delete;

  emulator::Machine& machine() { return *machine_; }
  os::Kernel& kernel() { return machine_->kernel(); }
  ScriptLink& link() { return *link_; }
  const std::shared_ptr<ScriptLink>& shared_link() const { return link_; }
  EventDispatcher& events() { return *events_; }
  bool owns_machine() const { return owned_ != nullptr; }
  const std::vector<std::string>& default_env() const { return default_env_; }
  // CPUs exist: whether instructions are observed is fixed for them.
  bool cpus_created() const { return cpus_created_; }

  // Starts a program (the caller drives the link). Returns the pid, or throws
  // std::runtime_error with the exec error.
  int spawn(os::SpawnRequest request, std::shared_ptr<StringOutput> capture);
  // Runs the kernel for `budget` instructions (0: until it ends). Returns the reason: "exited",
  // "instruction-limit", "deadlock", "error", "paused" (budget used) or "stopped" (a handler).
  std::string run(uint64_t budget);
  // Output captured for the process spawned as `pid` (and its descendants).
  std::optional<std::string> captured(int pid) const;
  // The status of pid 1 as vmlab run reports it; nullopt while it has not exited.
  std::optional<int> exit_status() const;

  // After subscribing or unsubscribing: observe the machine only as much as handlers need.
  void update_observers();
  // The timeline `tick` handlers need: the machine's own (interval, vmstat, timeline
  // settings), or one sampling every emulator::kDefaultInterval from now.
  void ensure_timeline();
  // The machine finished: the timeline's last, partial interval, and its file.
  void finish_timeline();
  // The facts of --stats-json (end, exit status, frames), as of now.
  emulator::RunFacts run_facts();

 private:
  void attach();
  void use_timeline(emulator::Timeline* timeline);

  std::shared_ptr<ScriptLink> link_;
  std::unique_ptr<emulator::Machine> owned_;
  emulator::Machine* machine_ = nullptr;
  std::unique_ptr<EventDispatcher> events_;
  emulator::ObserverFanout fanout_;  // the tracer and the dispatcher, when both observe
  std::unique_ptr<emulator::Tracer> own_tracer_;
  std::unique_ptr<emulator::Strace> strace_;
  emulator::Tracer* tracer_ = nullptr;
  std::unique_ptr<emulator::Timeline> own_timeline_;
  emulator::Timeline* timeline_ = nullptr;
  std::vector<std::string> default_env_;
  std::map<int, std::shared_ptr<StringOutput>> captures_;
  bool cpus_created_ = false;
  std::string last_end_ = "not-run";
};

}  // namespace vmlab::lua
