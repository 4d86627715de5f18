// The same command gives the same output and statistics, byte for byte.

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

TEST(Determinism, TwoRunsAreIdentical) {
  for (const auto& argv :
       std::vector<std::vector<std::string>>{{guest("random_access-musl"), "8", "50000", "7"},
                                             {"/bin/busybox", "sha256sum", "/bin/busybox"},
                                             {guest("hello-glibc")},
                                             {guest("threads-glibc"), "sync"},
                                             {guest("go_workers")}}) {
    std::string outputs[2], stats[2];
    for (int i = 0; i < 2; ++i) {
      const std::string file = temp_dir() + "/det-" + std::to_string(i) + ".json";
      std::vector<std::string> cmd = {vmlab_binary(), "run", "--stats-json", file, "--"};
      cmd.insert(cmd.end(), argv.begin(), argv.end());
      const CommandResult full = run_command(cmd);
      ASSERT_EQ(full.status, 0) << full.err;
      outputs[i] = full.out;
      stats[i] = read_file(file);
    }
    EXPECT_EQ(outputs[0], outputs[1]) << argv[0];
    EXPECT_EQ(stats[0], stats[1]) << argv[0];
    EXPECT_FALSE(stats[0].empty());
  }
}

}  // namespace
}  // namespace vmlab::testing
