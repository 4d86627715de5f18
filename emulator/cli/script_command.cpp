// vmlab script [--unsafe-lua] FILE.lua [ARGS...]: runs a Lua script (scripts/README.md).
#include <cstdio>

#include "emulator/cli/commands.h"
#include "emulator/lua/script.h"

namespace vmlab::cli {

namespace {

constexpr const char* kScriptHelp =
    "usage: vmlab script [--unsafe-lua] FILE.lua [ARGS...]\n\n"
    "Runs a Lua script that builds machines, runs guest programs on them, watches their\n"
    "events and queries their state (the API is in scripts/README.md). The script sees ARGS\n"
    "as arg[1..] and as the chunk's `...`. vmlab exits with 0, the status given to os.exit,\n"
    "or 125 when the script fails (the error is printed with file:line and a traceback).\n\n"
    "options:\n"
    "  --unsafe-lua    give the script os.execute, io.popen, C modules and the debug library\n";

}  // namespace

std::string script_help() {
  return kScriptHelp;
}

int script_command(const std::vector<std::string>& args) {
  size_t i = 0;
  bool unsafe = false;
  for (; i < args.size() && args[i].rfind("--", 0) == 0; ++i) {
    if (args[i] == "--help") return help("script");
    if (args[i] == "--") {
      ++i;
      break;
    }
    if (args[i] != "--unsafe-lua") {
      std::fprintf(stderr, "vmlab: unknown option %s (see vmlab script --help)\n", args[i].c_str());
      return kExitVmlabError;
    }
    unsafe = true;
  }
  if (i >= args.size()) {
    std::fputs("vmlab: no script to run (vmlab script [--unsafe-lua] FILE.lua [ARGS...])\n",
               stderr);
    return kExitVmlabError;
  }
  try {
    return lua::run_script_file(args[i], {args.begin() + static_cast<long>(i) + 1, args.end()},
                                unsafe);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vmlab: %s\n", e.what());
    return kExitVmlabError;
  }
}

}  // namespace vmlab::cli
