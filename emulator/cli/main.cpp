// vmlab: the command-line entry point.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "emulator/cli/commands.h"

namespace {

constexpr const char* kUsage =
    "usage: vmlab COMMAND [ARGS...]\n\n"
    "commands:\n"
    "  run [options] [--] PROGRAM [ARGS...]   run a static x86-64 Linux program\n"
    "  script [--unsafe-lua] FILE.lua [ARGS]  run a Lua experiment script (scripts/README.md)\n"
    "  help [COMMAND]                         show help (also: vmlab COMMAND --help)\n\n"
    "vmlab run --help lists every option with its default.\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    if (args.size() >= 2 && args[0] == "help") return vmlab::cli::help(args[1]);
    std::fputs(kUsage, stdout);
    return args.empty() ? 125 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "run") return vmlab::cli::run_command(args);
  if (command == "script") return vmlab::cli::script_command(args);
  std::fprintf(stderr, "vmlab: unknown command '%s'\n%s", command.c_str(), kUsage);
  return 125;
}
