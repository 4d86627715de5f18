// A Unicorn engine whose memory management unit is the hardware model. The machine keeps a few
// of them for its one modelled CPU, as a cache of hardware contexts (see machine.h).
//
// The machine's RAM is mapped once, at guest physical address 0. The engine runs in
// UC_TLB_VIRTUAL mode: every miss in QEMU's softmmu TLB calls the fill hook, which asks the
// CPU context bound to the engine (cpu.h) for the translation; QEMU's own page walker is never
// used. A process's context lives on one engine; binding another context there is a context
// switch (registers in, softmmu TLB out); translated code, keyed by physical address, is shared
// by every process of the engine.
//
// User mode is entered once, at boot: an `iretq` from a ring-0 stub drops to CPL 3 and the
// state right after it becomes the template every new context starts from. Privileged
// instructions therefore raise #GP as on Linux.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "emulator/kernel_image.h"
#include "emulator/registers.h"
#include "emulator/softmmu_shadow.h"
#include "mmu/physical_memory.h"

struct uc_struct;
struct uc_context;

namespace vmlab::emulator {

class Cpu;

struct EngineOptions {
  bool memory_hooks = true;       // the full model: every data access goes to the model
  bool instruction_hook = false;  // an observer wants every instruction
};

class Engine {
 public:
  Engine(mmu::PhysicalMemory& ram, const KernelImage& image, const EngineOptions& options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  uc_struct* uc() const { return uc_; }

  // A context holding the user-mode template (CPL 3, default FPU state, zero registers).
  uc_context* new_context();
  // Reloads the template under the live user-visible state (registers, x87/SSE). QEMU keeps
  // the vector of an exception delivered to UC_HOOK_INTR as pending, so the next contributory
  // exception would arrive as a double fault (#DF); the template has none pending.
  void reset_exception_state();
  // Saves the live state of the engine into `context`.
  void save(uc_context* context);

  // The context loaded in the engine (null: none).
  Cpu* bound() const { return bound_; }
  // Makes `cpu` the running context: the previous one is saved, `cpu`'s is loaded and the
  // softmmu TLB is flushed (it is tagged by virtual address only).
  void bind(Cpu& cpu);
  // `cpu` is going away: it is no longer bound (nothing is saved).
  void unbind(Cpu& cpu);
  // Registers of `cpu`: the live engine when bound, its saved context otherwise.
  RegisterFile registers(Cpu& cpu);

  // The softmmu TLB must not be used again: flushed before the guest runs another access.
  void invalidate_tlb() { flush_pending_ = true; }
  void flush_tlb_if_pending();
  // A softmmu fill is about to be granted. QEMU resizes its TLB only when the TLB is flushed
  // (doubling it when more than 70% of its entries were in use), so a program whose pages do
  // not fit the default 256 entries would keep missing in them forever: after twice as many
  // fills as the TLB may hold, this asks for a flush, at intervals that double until the TLB
  // may have 2^14 entries (a 64 MiB working set). Each doubling costs the host ~5 MiB, so
  // QEMU's own limit of 2^22 entries is not approached. A handful of flushes per run, each
  // costing at most one refill per entry.
  void count_fill() {
    if (++fills_since_flush_ < growth_interval_) [[likely]]
      return;
    growth_interval_ = std::min(growth_interval_ * 2, kLargestGrowthInterval);
    flush_pending_ = true;
  }
  // The virtual page of each physical page in the softmmu TLB (the full model's memory hook
  // reports physical addresses). Cleared with the TLB.
  SoftmmuShadow& shadow() { return shadow_; }

  // The frame at `pa` is about to hold new contents: drop code translated from it.
  void forget_code(mmu::PhysAddr pa);
  // Marks a frame as holding code the CPU has translated (seen by a fetch fill).
  void note_code_frame(mmu::PhysAddr pa);

  // Contexts whose home this engine is (they are only ever loaded here).
  void attach() { ++contexts_; }
  void detach() { --contexts_; }
  uint64_t contexts() const { return contexts_; }

 private:
  void set_up_cpu_state();
  void boot();
  void add_hooks();
  bool boot_fill(uint64_t va, int type, void* entry);

  static bool on_fill(uc_struct* uc, uint64_t va, int type, void* entry, void* self);
  static void on_block(uc_struct* uc, uint64_t address, uint32_t size, void* self);
  static void on_block_counted(uc_struct* uc, uint64_t address, uint32_t size, void* self);
  static void on_code(uc_struct* uc, uint64_t address, uint32_t size, void* self);
  static bool on_memory(uc_struct* uc, int type, uint64_t address, int size, int64_t value,
                        void* self);
  static void on_interrupt(uc_struct* uc, uint32_t intno, void* self);
  static void on_syscall(uc_struct* uc, void* self);
  static uint32_t on_port_in(uc_struct* uc, uint32_t port, int size, void* self);
  static void on_port_out(uc_struct* uc, uint32_t port, int size, uint32_t value, void* self);

  mmu::PhysicalMemory& ram_;
  const KernelImage& image_;
  EngineOptions options_;
  uc_struct* uc_ = nullptr;
  uc_context* template_ = nullptr;
  Cpu* bound_ = nullptr;
  bool booting_ = false;
  bool flush_pending_ = false;
  bool forgetting_code_ = false;  // forget_code's own fetch fill: the direct map, not a process
  std::vector<bool> code_frames_;
  SoftmmuShadow shadow_;
  // count_fill(): QEMU's TLB starts with 2^8 entries; these flushes let it grow to 2^14.
  static constexpr uint64_t kLargestGrowthInterval = uint64_t{2} << 14;
  uint64_t fills_since_flush_ = 0;
  uint64_t growth_interval_ = uint64_t{2} << 8;
  uint64_t contexts_ = 0;
};

}  // namespace vmlab::emulator
