// `vmlab run`'s options, one entry each: name, argument, help, how its default is shown and
// how its value is applied to RunOptions. The table also generates `--help`, and Lua machine
// tables are checked against it (run_options.h).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "emulator/options/run_options.h"

namespace vmlab::emulator {

struct Option {
  std::string name;      // "--ram"
  std::string argument;  // "SIZE", or empty for a flag
  std::string help;
  std::function<std::string(const RunOptions&)> default_text;
  std::function<void(RunOptions&, const std::string&)> apply;
};

const std::vector<Option>& run_option_table();

}  // namespace vmlab::emulator
