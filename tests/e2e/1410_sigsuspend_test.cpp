// rt_sigsuspend: a signal that is pending when the temporary mask unblocks it runs its handler
// before sigsuspend returns EINTR, as does one that arrives while it waits; the old mask comes
// back after the handler; SA_RESTART never restarts it; a signal nobody handles is discarded
// and the wait goes on. Each case is compared with the native run of the same binary.
#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

struct SigsuspendCase {
  const char* libc;
  const char* mode;
};

class Sigsuspend : public ::testing::TestWithParam<SigsuspendCase> {};

TEST_P(Sigsuspend, BehavesAsOnLinux) {
  const SigsuspendCase& c = GetParam();
  expect_same_as_native({guest(std::string("sigsuspend-") + c.libc), c.mode});
}

INSTANTIATE_TEST_SUITE_P(
    Modes, Sigsuspend,
    ::testing::Values(SigsuspendCase{"musl", "pending"}, SigsuspendCase{"musl", "chld"},
                      SigsuspendCase{"musl", "restart"}, SigsuspendCase{"musl", "ignored"},
                      SigsuspendCase{"glibc", "pending"}, SigsuspendCase{"glibc", "chld"},
                      SigsuspendCase{"glibc", "restart"}, SigsuspendCase{"glibc", "ignored"}),
    [](const ::testing::TestParamInfo<SigsuspendCase>& info) {
      return std::string(info.param.libc) + "_" + info.param.mode;
    });

}  // namespace
}  // namespace vmlab::testing
