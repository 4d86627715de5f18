// "#!" scripts as Linux's fs/binfmt_script.c reads them: the first line (at most 256 bytes)
// names an interpreter and at most one argument (everything after the interpreter's name, with
// the surrounding blanks removed), and the kernel runs the interpreter with the script's path.
#pragma once

#include <optional>
#include <string>

#include "os/result.h"

namespace vmlab::os {

namespace vfs {
class Inode;
}

struct Shebang {
  std::string interpreter;
  std::optional<std::string> argument;
};

// Linux's BINPRM_BUF_SIZE: how much of the file the "#!" line is read from.
inline constexpr size_t kShebangBytes = 256;
// Linux's limit on interpreters of interpreters (a script run by a script ...).
inline constexpr int kMaxInterpreterDepth = 4;

// The interpreter line of `file`: nullopt when the file does not start with "#!" (it is then
// an ELF file or nothing runnable); ENOEXEC when it starts with "#!" but names no
// interpreter, or the name does not fit in the line.
Result<std::optional<Shebang>> read_shebang(vfs::Inode& file);

}  // namespace vmlab::os
