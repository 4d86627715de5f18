// Buggy programs end the way Linux ends them: the right signal, exit status 128+N, and one
// report line naming the signal, the faulting address and the instruction.
#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

struct Case {
  const char* mode;
  int status;
  const char* report;  // start of the stderr line
  friend void PrintTo(const Case& c, std::ostream* os) { *os << c.mode; }
};

class Faults : public ::testing::TestWithParam<Case> {};

TEST_P(Faults, EndLikeLinux) {
  const Case& c = GetParam();
  const CommandResult native = run_command({guest("faults-rt"), c.mode});
  const VmlabRun run = run_vmlab({}, {guest("faults-rt"), c.mode});
  EXPECT_EQ(native.status, c.status) << "the native run disagrees with the expectation";
  EXPECT_EQ(run.result.status, c.status) << run.result.err;
  EXPECT_EQ(run.result.err.rfind(c.report, 0), 0u) << run.result.err;
  EXPECT_EQ(std::count(run.result.err.begin(), run.result.err.end(), '\n'), 1) << run.result.err;
  expect_no_frame_leak(run.stats);
}

INSTANTIATE_TEST_SUITE_P(
    Linux, Faults,
    ::testing::Values(
        Case{"null-read", 139,
             "vmlab: pid 1 (faults-rt) killed by SIGSEGV (Segmentation fault) at address 0x0,"},
        Case{"null-write", 139,
             "vmlab: pid 1 (faults-rt) killed by SIGSEGV (Segmentation fault) at address 0x0,"},
        Case{"ro-write", 139,
             "vmlab: pid 1 (faults-rt) killed by SIGSEGV (Segmentation fault) at address 0x40"},
        Case{"wild", 139,
             "vmlab: pid 1 (faults-rt) killed by SIGSEGV (Segmentation fault) at address "
             "0x123456789000,"},
        Case{"nx-exec", 139,
             "vmlab: pid 1 (faults-rt) killed by SIGSEGV (Segmentation fault) at address "
             "0x7ffff7ffe000, rip 0x7ffff7ffe000"},
        Case{"priv", 139, "vmlab: pid 1 (faults-rt) killed by SIGSEGV"},
        Case{"port", 139, "vmlab: pid 1 (faults-rt) killed by SIGSEGV"},
        Case{"ud2", 132, "vmlab: pid 1 (faults-rt) killed by SIGILL (Illegal instruction)"},
        Case{"div0", 136, "vmlab: pid 1 (faults-rt) killed by SIGFPE (Floating point exception)"},
        Case{"int3", 133, "vmlab: pid 1 (faults-rt) killed by SIGTRAP"},
        Case{"stack-overflow", 139,
             "vmlab: pid 1 (faults-rt) killed by SIGSEGV (Segmentation fault) at address "
             "0x7fffff7f"}),
    [](const ::testing::TestParamInfo<Case>& info) {
      std::string name = info.param.mode;
      std::replace(name.begin(), name.end(), '-', '_');
      return name;
    });

}  // namespace
}  // namespace vmlab::testing
