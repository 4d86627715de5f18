// Named pipes (mkfifo, mknod, fifo(7) opens) and fcntl record locks between processes,
// compared with native runs of the same binaries and with the shells' and coreutils' mkfifo.
#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

const char kBusybox[] = "/bin/busybox";

class GuestProgram : public ::testing::TestWithParam<std::string> {};

TEST_P(GuestProgram, BehavesAsOnLinux) {
  expect_same_as_native({guest(GetParam())});
}

INSTANTIATE_TEST_SUITE_P(FifoAndLocks, GuestProgram,
                         ::testing::Values("fifo-musl", "fifo-glibc", "record_locks-musl",
                                           "record_locks-glibc"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

TEST(Fifo, BusyboxMkfifoWriterAndReader) {
  expect_same_as_native({kBusybox, "sh", "-c",
                         "d=$(mktemp -d); mkfifo $d/f; stat -c '%F %a' $d/f; "
                         "(echo one; echo two) > $d/f & cat $d/f; wait; "
                         "cat $d/f & echo three > $d/f; wait; rm -r $d"});
}

TEST(Fifo, CoreutilsMkfifoWithMode) {
  expect_same_as_native({"/bin/sh", "-c",
                         "d=$(mktemp -d); mkfifo -m 600 \"$d/f\"; stat -c '%F %a %s' \"$d/f\"; "
                         "test -p \"$d/f\" && echo is a fifo; "
                         "{ seq 1 5000 > \"$d/f\" & }; wc -l < \"$d/f\"; wait; rm -r \"$d\""});
}

TEST(Fifo, DeviceNodesNeedCapMknod) {
  // As root in a container without CAP_MKNOD: FIFOs and files yes, devices no.
  const VmlabRun run = run_vmlab({}, {kBusybox, "sh", "-c",
                                      "cd $(mktemp -d); mknod null c 1 3; echo $?; mknod p p; "
                                      "ls -l p | cut -c1"});
  EXPECT_EQ(run.result.out, "1\np\n");
  EXPECT_EQ(run.result.err, "mknod: null: Operation not permitted\n");
  expect_no_frame_leak(run.stats);
}

TEST(Fifo, AReaderThatNobodyWritesToEndsTheRunAsBlocked) {
  // Natively this open never returns; vmlab sees that no process can ever run again.
  const VmlabRun run =
      run_vmlab({}, {kBusybox, "sh", "-c", "d=$(mktemp -d); mkfifo $d/f; cat $d/f"});
  EXPECT_EQ(run.result.status, 123);
  EXPECT_EQ(run.result.err,
            "vmlab: deadlock: every thread waits and nothing can wake one (pid 1 (busybox) in "
            "openat)\n");
}

}  // namespace
}  // namespace vmlab::testing
