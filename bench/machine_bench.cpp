// Google Benchmark of the operating-system paths, measured on real guests running on the whole
// machine (Unicorn CPU, MMU model, kernel):
//   - the round trip of a zero-fill page fault and of a copy-on-write fault: guest store ->
//     CPU hook -> model walk -> #PF -> kernel -> PTE written -> the store retried;
//   - fork of a process with N resident pages (the fork system call, timed from its entry to its
//     exit event: page-table copy, write protection, reference counts, the child's CPU);
//   - a context switch, as two processes passing a byte through pipes;
//   - creating and booting a Unicorn engine (the price one engine per process would pay).
// Fault and switch costs are differences between two runs of one guest that differ only in
// the number of faults or switches, so start-up costs cancel out.
// With --benchmark_repetitions=N every benchmark also reports the minimum over the N repetitions
// (the `_min` rows), as bench/compare keeps the minimum of its runs: interference from the rest
// of the machine only ever slows a repetition down.
#include <benchmark/benchmark.h>
#include <fcntl.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "emulator/machine.h"

namespace vmlab {
namespace {

using Clock = std::chrono::steady_clock;

std::string guest(const std::string& name) {
  return std::string(VMLAB_GUESTS_DIR) + "/" + name;
}

emulator::MachineConfig config_for(emulator::ModelMode model) {
  emulator::MachineConfig config;
  config.ram_bytes = 256ull << 20;
  config.cpu.model = model;
  return config;
}

// Runs the guest to completion; returns the seconds spent in Kernel::run. Guest output goes to
// the guest's /dev/null. Throws if the guest fails.
double run_guest(const std::vector<std::string>& argv, const emulator::MachineConfig& config) {
  emulator::Machine machine(config);
  os::Kernel& kernel = machine.kernel();
  os::SpawnRequest request;
  request.argv = argv;
  request.stdout_file = kernel.fs().open("/dev/null", "/", O_WRONLY, 0)->file;
  if (const auto spawned = kernel.spawn(request); !spawned)
    throw std::runtime_error(spawned.error().message);
  const auto start = Clock::now();
  const os::RunEnd end = kernel.run();
  const std::chrono::duration<double> elapsed = Clock::now() - start;
  if (end != os::RunEnd::kAllExited || kernel.tasks().init_status() != 0)
    throw std::runtime_error(argv[0] + " did not exit cleanly");
  kernel.shutdown();
  return elapsed.count();
}

void report_minimum(benchmark::internal::Benchmark* b) {
  b->ComputeStatistics("min", [](const std::vector<double>& v) {
    return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
  });
}

// The benchmarks of a guest's events, once per model: fast:0 is --model full, fast:1 --model fast.
void in_both_models(benchmark::internal::Benchmark* b) {
  b->ArgName("fast")->Arg(0)->Arg(1)->UseManualTime()->Unit(benchmark::kMillisecond);
  report_minimum(b);
}

emulator::ModelMode model_arg(const benchmark::State& state) {
  return state.range(0) == 0 ? emulator::ModelMode::kFull : emulator::ModelMode::kFast;
}

// Each iteration runs the guest twice, with and without the events, and is timed as the
// difference; the counter reports the time per event.
void measure_difference(benchmark::State& state, const std::vector<std::string>& with_events,
                        const std::vector<std::string>& without_events, int64_t events) {
  const auto config = config_for(model_arg(state));
  for (auto _ : state) {
    try {
      const double with = run_guest(with_events, config);
      const double without = run_guest(without_events, config);
      state.SetIterationTime(std::max(with - without, 0.0));
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      return;
    }
  }
  state.counters["per_event"] = benchmark::Counter(
      static_cast<double>(events),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_ZeroFillFault(benchmark::State& state) {
  constexpr int kPages = 8192;
  measure_difference(state, {guest("page_toucher-rt"), std::to_string(kPages + 1)},
                     {guest("page_toucher-rt"), "1"}, kPages);
}
BENCHMARK(BM_ZeroFillFault)->Apply(in_both_models);

void BM_CowFault(benchmark::State& state) {
  // The parent fills the pages and forks; the child writes every one of them (each write
  // copies, since the parent still maps the page) or none.
  constexpr int kPages = 4096;
  const std::string pages = std::to_string(kPages);
  measure_difference(state, {guest("fork_demo-musl"), pages, pages, "0"},
                     {guest("fork_demo-musl"), pages, "0", "0"}, kPages);
}
BENCHMARK(BM_CowFault)->Apply(in_both_models);

bool is_fork(int number) {
  constexpr int kClone = 56, kFork = 57, kVfork = 58;
  return number == kClone || number == kFork || number == kVfork;
}

void BM_Fork(benchmark::State& state) {
  const int64_t pages = state.range(0);
  const auto config = config_for(emulator::ModelMode::kFull);
  for (auto _ : state) {
    emulator::Machine machine(config);
    os::Kernel& kernel = machine.kernel();
    Clock::time_point entered;
    double fork_seconds = 0;
    const os::Subscription forks =
        kernel.events().syscall.subscribe([&](const os::SyscallEvent& e) {
          if (!is_fork(e.number)) return;
          if (e.entry) {
            entered = Clock::now();
          } else if (e.result > 0) {  // the parent's return
            fork_seconds = std::chrono::duration<double>(Clock::now() - entered).count();
          }
        });
    os::SpawnRequest request;
    request.argv = {guest("fork_demo-musl"), std::to_string(pages), "0", "0"};
    request.stdout_file = kernel.fs().open("/dev/null", "/", O_WRONLY, 0)->file;
    const auto spawned = kernel.spawn(request);
    if (!spawned || kernel.run() != os::RunEnd::kAllExited || fork_seconds == 0) {
      const std::string why = spawned ? "" : spawned.error().message;
      state.SkipWithError(("fork_demo did not run: " + why).c_str());
      break;
    }
    kernel.shutdown();
    state.SetIterationTime(fork_seconds);
  }
  state.counters["pages"] = static_cast<double>(pages);
}
BENCHMARK(BM_Fork)
    ->ArgName("pages")
    ->Arg(1)
    ->Arg(5000)
    ->UseManualTime()
    ->Apply(report_minimum)
    ->Unit(benchmark::kMillisecond);

// Each round is two switches (one side -> the other -> back), each with a pipe write and read.
// Enough rounds that what only the first ones pay (translating the loop's code, the host's
// first touch of the memory it uses) is a small part of the difference.
void measure_switches(benchmark::State& state, const char* guest_name) {
  constexpr int kRounds = 20000;
  measure_difference(state, {guest(guest_name), std::to_string(kRounds), "0"},
                     {guest(guest_name), "0", "0"}, 2 * kRounds);
}

// Between two processes: a CR3 load at each switch (their TLB entries stay, tagged by PCID).
void BM_ContextSwitch(benchmark::State& state) {
  measure_switches(state, "pingpong-musl");
}
BENCHMARK(BM_ContextSwitch)->Apply(in_both_models);

// The same passes between two threads of one process: no CR3 load, the TLB stays.
void BM_ThreadSwitch(benchmark::State& state) {
  measure_switches(state, "pingpong_threads-musl");
}
BENCHMARK(BM_ThreadSwitch)->Apply(in_both_models);

// What one engine per process would cost every fork and exec: a fresh Unicorn engine with the
// machine's RAM mapped, booted to user mode (vmlab instead binds each process's context to the
// one engine of its CPU, see BM_ContextSwitch).
void BM_NewEngine(benchmark::State& state) {
  mmu::PhysicalMemory ram(mmu::PhysAddr{emulator::kRamBase}, 256ull << 20);
  const emulator::KernelImage image(ram);
  for (auto _ : state) {
    emulator::Engine engine(ram, image, emulator::EngineOptions{});
    benchmark::DoNotOptimize(engine.uc());
  }
}
BENCHMARK(BM_NewEngine)->Apply(report_minimum)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace vmlab

BENCHMARK_MAIN();
