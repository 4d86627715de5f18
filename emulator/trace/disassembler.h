// One x86-64 instruction to text, with Capstone (Intel or AT&T syntax).
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace vmlab::emulator {

class Disassembler {
 public:
  enum class Syntax { kIntel, kAtt };
  explicit Disassembler(Syntax syntax);
  ~Disassembler();
  Disassembler(const Disassembler&) = delete;
  Disassembler& operator=(const Disassembler&) = delete;

  // "mov rax, qword ptr [rdi]"; "(bad)" when the bytes do not decode.
  std::string disassemble(std::span<const uint8_t> bytes, uint64_t address);

 private:
  size_t handle_ = 0;
  void* insn_ = nullptr;
};

}  // namespace vmlab::emulator
