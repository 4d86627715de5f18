// Test support for end-to-end tests: run the vmlab binary on a guest and read its statistics.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/json.h"
#include "tests/support/subprocess.h"

namespace vmlab::testing {

// Paths baked in by CMake.
std::string vmlab_binary();
std::string guest(const std::string& name);  // build/guests/NAME
std::string temp_dir();                      // a fresh directory for this test process
// The whole content of a file; empty when it cannot be read.
std::string read_file(const std::string& path);
// The lines of `text`, without their newlines.
std::vector<std::string> lines_of(const std::string& text);

struct VmlabRun {
  CommandResult result;
  Json stats;  // the --stats-json output
  Json host;   // the --host-stats output
};

// Whether a run is cross-checked with --check. Only tests of vmlab's own cost (time, host
// memory) run unchecked: --check keeps a second view of the machine.
enum class Check : uint8_t { kOn, kOff };

// Runs `vmlab run --check --stats-json FILE OPTIONS -- ARGV...`. Every end-to-end run is
// cross-checked: a model/CPU disagreement fails the run.
VmlabRun run_vmlab(const std::vector<std::string>& options, const std::vector<std::string>& argv,
                   const std::string& input = "", Check check = Check::kOn);

// The stats of a finished run must show every frame back in the allocator.
void expect_no_frame_leak(const Json& stats);

// Runs `argv` natively in the environment vmlab gives its guests by default (PATH and HOME
// only, plus `extra_env` NAME=VALUE settings), then under vmlab (`options`, and --env for each
// extra setting), and expects the same stdout, stderr and exit status, and no frame leak.
VmlabRun expect_same_as_native(const std::vector<std::string>& argv,
                               const std::vector<std::string>& options = {},
                               const std::string& input = "",
                               const std::vector<std::string>& extra_env = {});

}  // namespace vmlab::testing
