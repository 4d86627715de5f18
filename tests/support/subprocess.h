// Test support: run a command, feed it stdin, collect stdout, stderr and the exit status.
#pragma once

#include <string>
#include <vector>

namespace vmlab::testing {

struct CommandResult {
  int status = -1;  // exit code, or 128+signal
  std::string out;
  std::string err;
};

CommandResult run_command(const std::vector<std::string>& argv, const std::string& input = "");

}  // namespace vmlab::testing
