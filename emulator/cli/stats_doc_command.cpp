// vmlab stats-doc: docs/stats.md, listed from the statistics tree of a default machine.
#include <cstdio>

#include "emulator/cli/commands.h"
#include "emulator/stats_doc.h"

namespace vmlab::cli {

int stats_doc_command(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::fputs(stats_doc_help().c_str(), stdout);
    return 0;
  }
  if (!args.empty()) {
    std::fprintf(stderr, "vmlab stats-doc: takes no arguments\n%s", stats_doc_help().c_str());
    return kExitVmlabError;
  }
  emulator::Machine machine{emulator::MachineConfig{}};
  std::fputs(emulator::stats_markdown(machine).c_str(), stdout);
  return 0;
}

std::string stats_doc_help() {
  return "usage: vmlab stats-doc\n\n"
         "Prints docs/stats.md: every key of --stats-json with its unit, scope and description,\n"
         "from the statistics registry (a default machine: the mmu.* keys follow the default\n"
         "--tlb).\n";
}

}  // namespace vmlab::cli
