#include "emulator/trace/disassembler.h"

#include <capstone/capstone.h>

#include <stdexcept>

namespace vmlab::emulator {

Disassembler::Disassembler(Syntax syntax) {
  csh handle = 0;
  if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK)
    throw std::runtime_error("Capstone cannot decode x86-64");
  if (syntax == Syntax::kAtt) cs_option(handle, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
  handle_ = handle;
  insn_ = cs_malloc(handle);
}

Disassembler::~Disassembler() {
  cs_free(static_cast<cs_insn*>(insn_), 1);
  csh handle = handle_;
  cs_close(&handle);
}

std::string Disassembler::disassemble(std::span<const uint8_t> bytes, uint64_t address) {
  const uint8_t* code = bytes.data();
  size_t size = bytes.size();
  auto* insn = static_cast<cs_insn*>(insn_);
  if (!cs_disasm_iter(handle_, &code, &size, &address, insn)) return "(bad)";
  std::string text = insn->mnemonic;
  if (insn->op_str[0] != '\0') text += std::string(" ") + insn->op_str;
  return text;
}

}  // namespace vmlab::emulator
