// The guest's file system is a sandbox: paths resolve inside --root whatever `..` and symlinks
// say, writes land in an in-memory overlay, and host descriptors are out of reach.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

namespace fs = std::filesystem;

class Sandbox : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // DIR/outside/secret.txt is on the host next to the guest root DIR/root.
    const fs::path base = fs::path(temp_dir()) / "sandbox";
    fs::create_directories(base / "root" / "bin");
    fs::create_directories(base / "outside");
    fs::copy_file("/bin/busybox", base / "root" / "bin" / "busybox",
                  fs::copy_options::overwrite_existing);
    std::ofstream(base / "outside" / "secret.txt") << "host secret\n";
    std::ofstream(base / "root" / "data.txt") << "original\n";
    fs::create_symlink(base / "outside" / "secret.txt", base / "root" / "escape");  // absolute
    fs::create_symlink("../outside/secret.txt", base / "root" / "rel");
    fs::create_symlink("loop2", base / "root" / "loop1");
    fs::create_symlink("loop1", base / "root" / "loop2");
  }
  static std::string root() { return temp_dir() + "/sandbox/root"; }

  VmlabRun sh(const std::string& script) {
    return run_vmlab({"--root", root()}, {"/bin/busybox", "sh", "-c", script});
  }
};

TEST_F(Sandbox, DotDotCannotLeaveTheRoot) {
  const VmlabRun run = sh("cat ../../outside/secret.txt; cat /../outside/secret.txt; cd /..; pwd");
  EXPECT_EQ(run.result.out, "/\n");
  EXPECT_EQ(run.result.err,
            "cat: can't open '../../outside/secret.txt': No such file or directory\n"
            "cat: can't open '/../outside/secret.txt': No such file or directory\n");
  expect_no_frame_leak(run.stats);
}

TEST_F(Sandbox, SymlinksResolveInsideTheRoot) {
  // An absolute host symlink is re-rooted; a relative one climbs no higher than the root.
  const VmlabRun run = sh("cat /escape; cat /rel; ln -s /../outside/secret.txt /made; cat /made");
  EXPECT_EQ(run.result.out, "");
  EXPECT_EQ(run.result.err,
            "cat: can't open '/escape': No such file or directory\n"
            "cat: can't open '/rel': No such file or directory\n"
            "cat: can't open '/made': No such file or directory\n");
}

TEST_F(Sandbox, SymlinkLoopsEndInEloop) {
  const VmlabRun run = sh("cat /loop1");
  EXPECT_EQ(run.result.err, "cat: can't open '/loop1': Too many levels of symbolic links\n");
}

TEST_F(Sandbox, WritesGoToTheOverlayNeverToTheHost) {
  const VmlabRun run =
      sh("echo changed > /data.txt; cat /data.txt; echo new > /created.txt; rm /bin/busybox; "
         "ls /");
  EXPECT_EQ(run.result.status, 0) << run.result.err;
  EXPECT_EQ(run.result.out,
            "changed\nbin\ncreated.txt\ndata.txt\ndev\nescape\nloop1\nloop2\nproc\nrel\nsys\n");
  std::ifstream data(root() + "/data.txt");
  std::string line;
  std::getline(data, line);
  EXPECT_EQ(line, "original");
  EXPECT_FALSE(fs::exists(root() + "/created.txt"));
  EXPECT_TRUE(fs::exists(root() + "/bin/busybox"));
}

TEST_F(Sandbox, HostDescriptorsAreOutOfReach) {
  // vmlab's own descriptors (its RAM, swap, files) are not the guest's: only 0, 1 and 2 exist,
  // and no /proc (the guest's is synthesized, tests/e2e/1520_procfs_test.cpp) reaches them.
  const VmlabRun run =
      sh("echo hi >&3; echo hi >&4; cat <&5; cat /proc/self/fd/3; cat /proc/self/mem");
  EXPECT_EQ(run.result.err,
            "sh: 3: Bad file descriptor\nsh: 4: Bad file descriptor\nsh: 5: Bad file descriptor\n"
            "cat: can't open '/proc/self/fd/3': No such file or directory\n"
            "cat: can't open '/proc/self/mem': No such file or directory\n");
}

}  // namespace
}  // namespace vmlab::testing
