#include "tests/support/vmlab_test.h"

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace vmlab::testing {

std::string vmlab_binary() {
  return VMLAB_BINARY;
}
std::string guest(const std::string& name) {
  return std::string(VMLAB_GUESTS_DIR) + "/" + name;
}

std::string temp_dir() {
  static const std::string dir = [] {
    std::string pattern = "/tmp/vmlab-test-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    return pattern;
  }();
  return dir;
}

VmlabRun run_vmlab(const std::vector<std::string>& options, const std::vector<std::string>& argv,
                   const std::string& input, Check check) {
  static int counter = 0;
  const std::string stats_file =
      temp_dir() + "/stats-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + ".json";
  const std::string host_file = stats_file + ".host";
  std::vector<std::string> cmd = {vmlab_binary(), "run",          "--stats-json",
                                  stats_file,     "--host-stats", host_file};
  if (check == Check::kOn) cmd.push_back("--check");
  cmd.insert(cmd.end(), options.begin(), options.end());
  cmd.push_back("--");
  cmd.insert(cmd.end(), argv.begin(), argv.end());
  VmlabRun run;
  run.result = run_command(cmd, input);
  const std::string text = read_file(stats_file);
  if (!text.empty()) run.stats = Json::parse(text);
  const std::string host = read_file(host_file);
  if (!host.empty()) run.host = Json::parse(host);
  unlink(stats_file.c_str());
  unlink(host_file.c_str());
  return run;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

void expect_no_frame_leak(const Json& stats) {
  EXPECT_EQ(stats["frames"]["free_at_exit"].u64(), stats["frames"]["free_at_start"].u64())
      << "frames leaked";
}

namespace {
// vmlab's default guest environment (vmlab run --help: PATH and HOME only).
const std::vector<std::string> kGuestEnvironment = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/"};
}  // namespace

VmlabRun expect_same_as_native(const std::vector<std::string>& argv,
                               const std::vector<std::string>& options, const std::string& input,
                               const std::vector<std::string>& extra_env) {
  std::vector<std::string> native_command = {"/usr/bin/env", "-i"};
  native_command.insert(native_command.end(), kGuestEnvironment.begin(), kGuestEnvironment.end());
  native_command.insert(native_command.end(), extra_env.begin(), extra_env.end());
  native_command.insert(native_command.end(), argv.begin(), argv.end());
  const CommandResult native = run_command(native_command, input);
  std::vector<std::string> vmlab_options = options;
  for (const std::string& setting : extra_env)
    vmlab_options.insert(vmlab_options.end(), {"--env", setting});
  VmlabRun run = run_vmlab(vmlab_options, argv, input);
  EXPECT_EQ(run.result.status, native.status) << run.result.err;
  EXPECT_EQ(run.result.out, native.out);
  EXPECT_EQ(run.result.err, native.err);
  expect_no_frame_leak(run.stats);
  return run;
}

}  // namespace vmlab::testing
