#include "emulator/instruction_length.h"

#include <capstone/capstone.h>

#include <stdexcept>

namespace vmlab::emulator {

namespace {

class Decoder {
 public:
  Decoder() {
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle_) != CS_ERR_OK)
      throw std::runtime_error("Capstone cannot decode x86-64");
    insn_ = cs_malloc(handle_);
  }
  ~Decoder() {
    cs_free(insn_, 1);
    cs_close(&handle_);
  }
  std::vector<uint32_t> offsets(std::span<const uint8_t> code, uint64_t address) {
    const uint8_t* bytes = code.data();
    size_t size = code.size();
    uint64_t pc = address;
    std::vector<uint32_t> starts;
    uint64_t at = pc;
    while (cs_disasm_iter(handle_, &bytes, &size, &pc, insn_)) {
      starts.push_back(static_cast<uint32_t>(at - address));
      at = pc;
    }
    return starts;
  }

 private:
  csh handle_ = 0;
  cs_insn* insn_ = nullptr;
};

Decoder& decoder() {
  thread_local Decoder decoder;
  return decoder;
}

}  // namespace

std::vector<uint32_t> instruction_offsets(std::span<const uint8_t> code, uint64_t address) {
  return decoder().offsets(code, address);
}

}  // namespace vmlab::emulator
