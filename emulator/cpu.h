// One guest CPU: a Unicorn engine running one process at CPL 3 with real x86-64 paging.
//
// The data path lives here: every data access (UC_HOOK_MEM_*) and every translation block
// (UC_HOOK_BLOCK, the instruction fetch) goes through the modelled MMU first; a #PF the CPU
// raises goes to the kernel's fault handler; a `syscall` goes to the kernel's dispatcher.
//
// Memory: each present user page of the process is mapped on the host onto the memfd offset
// of the frame its PTE names (host aliasing), inside 1 GiB host reservations registered with
// Unicorn as regions ("zones"). The whole RAM is also registered at its physical address so
// QEMU's walker can read page tables there.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "emulator/alias_map.h"
#include "emulator/kernel_image.h"
#include "mmu/mmu.h"
#include "os/address_space.h"
#include "os/cpu_port.h"

struct uc_struct;
struct uc_context;

namespace vmlab::os {
class Kernel;
}

namespace vmlab::emulator {

class CpuObserver;

enum class ModelMode : uint8_t { kFull, kFast };

struct CpuOptions {
  ModelMode model = ModelMode::kFull;
  bool check = false;  // cross-check the model against the CPU on every access
};

class Cpu final : public os::CpuPort, public os::PageTableObserver {
 public:
  Cpu(os::Kernel& kernel, os::Process& process, mmu::Mmu& mmu, const KernelImage& image,
      const CpuOptions& options, CpuObserver* observer);
  ~Cpu() override;
  Cpu(const Cpu&) = delete;
  Cpu& operator=(const Cpu&) = delete;

  // A new image: the first run enters user mode at regs.rip through the iretq stub.
  void start_user(const os::UserRegs& regs);
  // A forked child: same user-mode state as `parent`, with this engine's own page tables.
  void copy_context_from(Cpu& parent);
  // Maps every resident page of the address space (after fork); merges contiguous runs.
  void alias_all();

  // os::CpuPort
  os::UserRegs regs() override;
  void set_regs(const os::UserRegs& regs) override;
  uint64_t reg(os::Reg r) override;
  void set_reg(os::Reg r, uint64_t value) override;
  os::FxsaveArea fpu_state() override;
  void set_fpu_state(const os::FxsaveArea& area) override;
  void request_stop() override;
  os::StopReason run(uint64_t budget, SliceEnd end) override;
  std::string error() const override { return error_; }
  uint64_t instructions() const override { return retired_; }
  void code_changed(uint64_t start, uint64_t end) override;

  // os::PageTableObserver
  void pte_changed(uint64_t va, mmu::PageSize size, mmu::Pte before, mmu::Pte after) override;
  void invalidate(uint64_t va) override;

 private:
  struct Block {
    uint64_t address = 0;
    uint32_t size = 0;
    uint32_t instructions = 0;
  };
  struct PredictedFault {
    bool pending = false;
    uint64_t address = 0;
    mmu::Access access = mmu::Access::kRead;
    mmu::Fault fault;
  };

  static void on_block(uc_struct* uc, uint64_t address, uint32_t size, void* self);
  static void on_code(uc_struct* uc, uint64_t address, uint32_t size, void* self);
  static bool on_memory(uc_struct* uc, int type, uint64_t address, int size, int64_t value,
                        void* self);
  static void on_interrupt(uc_struct* uc, uint32_t intno, void* self);
  static void on_syscall(uc_struct* uc, void* self);
  static uint32_t on_port_in(uc_struct* uc, uint32_t port, int size, void* self);
  static void on_port_out(uc_struct* uc, uint32_t port, int size, uint32_t value, void* self);
  static bool on_unmapped(uc_struct* uc, int type, uint64_t address, int size, int64_t value,
                          void* self);

  template <typename Body>
  static void guarded(void* self, Body&& body);
  void block(uint64_t address, uint32_t size);
  void instruction(uint64_t address, uint32_t size);
  void port_io();
  void enter_user_mode();
  void write_regs(const os::UserRegs& regs);
  void run_exact_tail();
  void memory_access(int type, uint64_t address, int size);
  void interrupt(uint32_t intno);
  bool unmapped(int type, uint64_t address, int size);
  void page_fault(uint64_t cr2, uint32_t error_code, uint64_t rip);
  void check_fault(uint64_t cr2, uint32_t error_code);
  void syscall();
  void fail(const std::string& message);
  void disagree(const std::string& message);

  // Instructions in the translation block at `address` of `size` bytes: a direct-mapped cache
  // in front of a map filled by decoding each block once with Capstone.
  uint32_t block_instructions(uint64_t address, uint32_t size) {
    const uint64_t key = address ^ (static_cast<uint64_t>(size) << 48);
    const BlockCount& hit = block_cache_[block_cache_slot(key)];
    if (hit.key == key) [[likely]]
      return hit.instructions;
    return block_instructions_slow(key, address, size);
  }
  uint32_t block_instructions_slow(uint64_t key, uint64_t address, uint32_t size);
  static size_t block_cache_slot(uint64_t key) {
    return (key ^ (key >> 12) ^ (key >> 48)) & (kBlockCacheSlots - 1);
  }
  uint32_t instructions_before(uint64_t rip);
  void retire_partial_block(uint64_t rip);
  void translate_fetch(uint64_t address, uint32_t size);
  void check_previous_access();
  std::string describe_walk(uint64_t va, mmu::Access access) const;

  uint8_t* zone(uint64_t va);
  void alias(uint64_t va, mmu::Pfn frame, uint64_t pages);
  void unalias(uint64_t va);
  void flush_cpu_tlb();
  void run_ring0(uint64_t start, uint64_t until, uint64_t rsi, uint64_t rcx);

  os::Kernel& kernel_;
  os::Process& process_;
  mmu::Mmu& mmu_;
  const KernelImage& image_;
  CpuOptions options_;
  CpuObserver* observer_;
  uc_struct* uc_ = nullptr;
  uc_context* user_context_ = nullptr;
  uc_context* ring0_context_ = nullptr;
  uc_context* scratch_ = nullptr;

  std::unordered_map<uint64_t, uint8_t*> zones_;  // zone index -> host reservation
  AliasMap aliases_;                              // vpn -> pfn behind the host page
  std::vector<uint64_t> pending_invalidations_;
  bool flush_everything_ = false;

  uint64_t retired_ = 0;
  uint64_t budget_end_ = 0;
  SliceEnd slice_end_ = SliceEnd::kAtBlock;
  bool exact_tail_ = false;   // counting the last partial block instruction by instruction
  bool tail_needed_ = false;  // an exact budget ends inside the next block
  bool budget_stop_ = false;
  Block current_;
  uint32_t insn_in_block_ = 0;  // instructions of the current block seen by the code hook
  std::unordered_map<uint64_t, uint32_t> block_sizes_;  // (address ^ size << 48) -> instructions
  struct BlockCount {
    uint64_t key = ~uint64_t{0};
    uint32_t instructions = 0;
  };
  static constexpr size_t kBlockCacheSlots = 4096;
  std::array<BlockCount, kBlockCacheSlots> block_cache_{};

  bool entering_user_ = false;  // the next run starts in ring 0 at the iretq stub
  os::UserRegs start_regs_;
  bool running_ = false;
  bool in_ring0_ = false;
  bool track_accesses_ = false;  // the replacement policy wants every access (LRU, OPT)  // running
                                 // one of the kernel image's stubs
  bool in_syscall_ = false;
  bool stop_for_kernel_ = false;
  bool stop_for_flush_ = false;
  bool unmapped_stop_ = false;  // a fault reported by the unmapped hook ended the run
  bool regs_pending_ = false;
  os::UserRegs pending_regs_;
  std::string error_;

  PredictedFault predicted_;
  struct LastAccess {
    bool valid = false;
    uint64_t address = 0;
    mmu::Access access = mmu::Access::kRead;
  } last_access_;
};

}  // namespace vmlab::emulator
