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
  uint32_t count(std::span<const uint8_t> code, uint64_t address, uint64_t stop) {
    const uint8_t* bytes = code.data();
    size_t size = code.size();
    uint64_t pc = address;
    uint32_t n = 0;
    while (pc < stop && cs_disasm_iter(handle_, &bytes, &size, &pc, insn_))
      ++n;
    return n;
  }

 private:
  csh handle_ = 0;
  cs_insn* insn_ = nullptr;
};

}  // namespace

uint32_t count_instructions(std::span<const uint8_t> code, uint64_t address, uint64_t stop) {
  thread_local Decoder decoder;
  return decoder.count(code, address, stop);
}

}  // namespace vmlab::emulator
