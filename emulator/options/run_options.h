// Options of `vmlab run`, declared once in a table that also generates --help,
// so the documentation cannot drift from the parser. The table lives below both cli/ and lua/
// because Lua machine tables are validated by the same parser as a command line.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "emulator/machine.h"
#include "emulator/timeline/timeline.h"
#include "emulator/trace/trace_options.h"

namespace vmlab::emulator {

// A bad command line: the message is printed after "vmlab: " and vmlab exits with 125.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunOptions {
  MachineConfig machine;
  bool stats = false;
  std::string stats_json;
  std::string host_stats;      // --host-stats FILE
  TimelineOptions timeline;    // --interval, --vmstat, --timeline
  bool progress = true;        // --progress: a status line on a terminal's stderr
  double timeout_seconds = 0;  // --timeout: wall-clock limit, 0 for none
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string script;      // --script FILE.lua
  std::string lua_policy;  // --policy lua:FILE: a replacement policy written in Lua
  bool unsafe_lua = false;
  TraceOptions trace;
};

RunOptions parse_run_options(const std::vector<std::string>& args);
std::string run_help();

// "64M" -> 67108864. Accepts K, M, G (powers of 1024) and plain bytes.
uint64_t parse_size(const std::string& option, const std::string& text);
uint64_t parse_count(const std::string& option, const std::string& text);

// The spelling of every option, in --help order: its name ("--ram") and its argument ("SIZE",
// "on|off", or empty for a flag). Lua machine tables map their keys onto these and go through
// parse_run_options, so a script is validated exactly like a command line.
struct OptionSyntax {
  std::string name;
  std::string argument;
};
std::vector<OptionSyntax> run_option_syntax();

}  // namespace vmlab::emulator
