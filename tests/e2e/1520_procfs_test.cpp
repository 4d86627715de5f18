// The guest's /proc: generated from the guest kernel's own state (its RAM, swap, processes and
// VMAs), never the host's, which would show vmlab's memory and descriptors.
#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

VmlabRun sh(const std::string& script, std::vector<std::string> options = {}) {
  return run_vmlab(options, {"/bin/busybox", "sh", "-c", script});
}

TEST(Procfs, TheHostsProcIsHidden) {
  // On the host, /proc/self/mem would be vmlab's own memory and /proc/self/fd its descriptors.
  const VmlabRun run = sh("ls /proc; cat /proc/self/mem; cat /proc/self/fd/9; ls /proc/self/");
  // 1 is sh, 2 the ls it forked.
  EXPECT_EQ(run.result.out,
            "1\n2\nbuddyinfo\ncpuinfo\nmeminfo\nmounts\npressure\nself\nstat\nuptime\nvmstat\n"
            "cmdline\ncomm\nexe\nfd\nmaps\nmountinfo\nmounts\npagemap\nsmaps\nsmaps_rollup\nstat\n"
            "statm\nstatus\ntask\n");
  EXPECT_EQ(run.result.err,
            "cat: can't open '/proc/self/mem': No such file or directory\n"
            "cat: can't open '/proc/self/fd/9': No such file or directory\n");
  expect_no_frame_leak(run.stats);
}

TEST(Procfs, MeminfoIsTheGuestsRamAndSwap) {
  const VmlabRun run = sh("grep -E '^(MemTotal|SwapTotal|SwapFree|Buffers):' /proc/meminfo; free",
                          {"--ram", "32M", "--swap", "8M"});
  EXPECT_EQ(run.result.status, 0) << run.result.err;
  const std::string& out = run.result.out;
  EXPECT_EQ(out.substr(0, out.find("   total")),
            "MemTotal:          32768 kB\nBuffers:               0 kB\n"
            "SwapTotal:          8192 kB\nSwapFree:           8192 kB\n           ");
  // free(1) reads sysinfo(2): the same machine.
  EXPECT_NE(out.find("\nMem:          32768 "), std::string::npos) << out;
  EXPECT_NE(out.find("\nSwap:          8192           0        8192\n"), std::string::npos) << out;
}

TEST(Procfs, MapsListsTheVmasLikeLinux) {
  const VmlabRun run = sh("grep -E '\\[(heap|stack)\\]|r-xp' /proc/self/maps");
  EXPECT_EQ(run.result.status, 0) << run.result.err;
  const std::string& out = run.result.out;
  // busybox's text segment, a file mapping at its file offset; names start in column 73.
  EXPECT_EQ(out.find("00401000-"), 0u) << out;
  EXPECT_EQ(out.substr(17, 20), " r-xp 00001000 fe:00") << out;
  EXPECT_EQ(out.find('/'), 73u) << out;
  EXPECT_NE(out.find(" rw-p 00000000 00:00 0                                  [heap]\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("7ffffffdf000-7ffffffff000 rw-p 00000000 00:00 0                          "
                     "[stack]\n"),
            std::string::npos)
      << out;
}

TEST(Procfs, ProcessesComeAndGo) {
  // ps sees the guest's processes only; a forked child shares its parent's command line (as
  // on Linux, until it execs); a reaped child's directory is gone (sh expands the glob before
  // it forks ls); cat runs inside sh (a busybox "nofork" applet).
  const VmlabRun run =
      sh("ps; true & wait; ls -d /proc/[0-9]*; cat /proc/self/comm; "
         "tr '\\0' ' ' < /proc/1/cmdline; echo; readlink /proc/1/exe");
  EXPECT_EQ(run.result.status, 0) << run.result.err;
  const std::string command =
      "/bin/busybox sh -c ps; true & wait; ls -d /proc/[0-9]*; cat /proc/self/comm; tr '\\0' "
      "' ' < /proc/1/cmdline; echo; readlink /proc/1/exe";
  const std::string exe =
      run.result.out.substr(run.result.out.rfind('\n', run.result.out.size() - 2) + 1);
  EXPECT_EQ(run.result.out,
            "PID   USER     COMMAND\n"
            "    1 root     " +
                command +
                "\n"
                "    2 root     {ps} " +
                command +
                "\n"
                "/proc/1\n"
                "busybox\n" +
                command + " \n" + exe);
  EXPECT_EQ(exe.rfind("/", 0), 0u);
  EXPECT_NE(exe.find("busybox"), std::string::npos);
}

TEST(Procfs, FdLinksNameTheGuestsOwnDescriptors) {
  const VmlabRun run =
      sh("exec 5</etc/hostname; readlink /proc/$$/fd/5; ls /proc/$$/fd; exec 5<&-; ls /proc/$$/fd");
  EXPECT_EQ(run.result.status, 0) << run.result.err;
  // After `exec 5<&-` busybox sh holds descriptor 3 (natively too).
  EXPECT_EQ(run.result.out, "/etc/hostname\n0\n1\n2\n5\n0\n1\n2\n3\n");
}

TEST(Procfs, StatusCountsThePagesOfTheProcess) {
  const VmlabRun run = sh("grep -E '^(Name|State|Pid|PPid|VmSwap|Threads):' /proc/self/status");
  EXPECT_EQ(run.result.out,
            "Name:\tbusybox\nState:\tR (running)\nPid:\t1\nPPid:\t0\nVmSwap:\t       0 kB\n"
            "Threads:\t1\n");
}

TEST(Procfs, ProcFilesAreReadOnly) {
  const VmlabRun run =
      sh("echo 1 > /proc/meminfo; echo $?; head -1 /proc/meminfo", {"--ram", "16M"});
  EXPECT_EQ(run.result.out, "1\nMemTotal:          16384 kB\n");
  EXPECT_EQ(run.result.err, "sh: can't create /proc/meminfo: Permission denied\n");
}

}  // namespace
}  // namespace vmlab::testing
