// Debian's busybox-static, a binary nobody here wrote, gives byte-identical output.
#include <fstream>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

const char kBusybox[] = "/bin/busybox";

class Busybox : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A text file of shuffled lines and a 1 MiB binary file, the same on every run.
    std::ofstream lines(lines_path());
    uint32_t x = 1;
    for (int i = 0; i < 3000; ++i) {
      x = x * 1664525u + 1013904223u;
      lines << "line " << (x >> 12) % 100000 << " of the test file\n";
    }
    std::ofstream blob(blob_path(), std::ios::binary);
    for (int i = 0; i < (1 << 20) / 4; ++i) {
      x = x * 1664525u + 1013904223u;
      blob.write(reinterpret_cast<const char*>(&x), sizeof x);
    }
  }
  static std::string lines_path() { return temp_dir() + "/lines.txt"; }
  static std::string blob_path() { return temp_dir() + "/blob.bin"; }

  void expect_same(const std::vector<std::string>& applet) {
    std::vector<std::string> argv = {kBusybox};
    argv.insert(argv.end(), applet.begin(), applet.end());
    const CommandResult native = run_command(argv);
    const VmlabRun run = run_vmlab({}, argv);
    EXPECT_EQ(run.result.status, native.status) << run.result.err;
    EXPECT_EQ(run.result.out, native.out);
    EXPECT_EQ(run.result.err, native.err);
    expect_no_frame_leak(run.stats);
  }
};

TEST_F(Busybox, Echo) {
  expect_same({"echo", "hello", "world"});
}
TEST_F(Busybox, Cat) {
  expect_same({"cat", lines_path()});
}
TEST_F(Busybox, WcLines) {
  expect_same({"wc", "-l", lines_path()});
}
TEST_F(Busybox, Sha256sumOfOneMebibyte) {
  expect_same({"sha256sum", blob_path()});
}
TEST_F(Busybox, Sort) {
  expect_same({"sort", lines_path()});
}
TEST_F(Busybox, GzipToStdout) {
  expect_same({"gzip", "-c", lines_path()});
}
TEST_F(Busybox, LsRoot) {
  expect_same({"ls", "/"});
}
TEST_F(Busybox, UnameMachine) {
  expect_same({"uname", "-m"});
}

TEST_F(Busybox, GunzipReadsStdin) {
  const CommandResult zipped = run_command({kBusybox, "gzip", "-c", lines_path()});
  ASSERT_EQ(zipped.status, 0);
  const VmlabRun run = run_vmlab({}, {kBusybox, "gunzip", "-c"}, zipped.out);
  EXPECT_EQ(run.result.status, 0) << run.result.err;
  std::ifstream in(lines_path());
  const std::string original((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  EXPECT_EQ(run.result.out, original);
}

}  // namespace
}  // namespace vmlab::testing
