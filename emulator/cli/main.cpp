// vmlab: the command-line entry point.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <capstone/capstone.h>
#include <lua.h>
#include <unicorn/unicorn.h>

#include "emulator/cli/commands.h"

namespace {

constexpr const char* kUsage =
    "usage: vmlab COMMAND [ARGS...]\n\n"
    "commands:\n"
    "  run [options] [--] PROGRAM [ARGS...]   run an x86-64 Linux program\n"
    "  script [--unsafe-lua] FILE.lua [ARGS]  run a Lua experiment script (scripts/README.md)\n"
    "  plot TIMELINE.csv [OUTPUT.png]         draw a timeline of vmlab run --timeline\n"
    "  stats-doc                              list every statistic (docs/stats.md)\n"
    "  help [COMMAND]                         show help (also: vmlab COMMAND --help)\n"
    "  --version                              vmlab's version and the libraries it runs on\n\n"
    "vmlab run --help lists every option with its default.\n";

// vmlab's version, then the versions of the libraries linked in (they shape what runs).
int print_version() {
  unsigned uc_major = 0, uc_minor = 0;
  const unsigned uc_full = uc_version(&uc_major, &uc_minor);  // major.minor.patch.extra bytes
  const unsigned uc_patch = (uc_full >> 8) & 0xff;
  int cs_major = 0, cs_minor = 0;
  cs_version(&cs_major, &cs_minor);
  std::printf("vmlab %s\nUnicorn %u.%u.%u, Capstone %d.%d, %s\n", VMLAB_VERSION, uc_major, uc_minor,
              uc_patch, cs_major, cs_minor, LUA_RELEASE);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    if (args.size() >= 2 && args[0] == "help") return vmlab::cli::help(args[1]);
    std::fputs(kUsage, stdout);
    return args.empty() ? 125 : 0;
  }
  if (args[0] == "--version") return print_version();
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "run") return vmlab::cli::run_command(args);
  if (command == "script") return vmlab::cli::script_command(args);
  if (command == "plot") return vmlab::cli::plot_command(args);
  if (command == "stats-doc") return vmlab::cli::stats_doc_command(args);
  std::fprintf(stderr, "vmlab: unknown command '%s'\n%s", command.c_str(), kUsage);
  return 125;
}
