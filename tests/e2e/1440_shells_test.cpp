// Other shells than busybox and dash, statically linked (Debian's zsh-static and mksh-static,
// klibc): pipelines, command substitution and while-read loops, which need sigsuspend,
// SIGCHLD and pipe readiness exactly as Linux provides them. Compared with native runs.
#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

class Shell : public ::testing::TestWithParam<const char*> {};

const char* const kScripts[] = {
    "echo a b c | tr a-z A-Z | wc -w",
    "x=$(echo hello | tr l L); echo \"$x\"; y=$(x=$(echo in); echo \"<$x>\"); echo \"$y\"",
    "for i in 1 2 3; do echo $i; done | sort -r | head -2",
    "printf '1\\n2\\n3\\n' | while read n; do echo \"n=$n\"; done; echo after",
    "false | true; echo status $?; (exit 3); echo sub $?",
};

TEST_P(Shell, MatchesNative) {
  for (const char* script : kScripts) {
    SCOPED_TRACE(script);
    expect_same_as_native({GetParam(), "-c", script});
  }
}

INSTANTIATE_TEST_SUITE_P(Static, Shell, ::testing::Values("/bin/zsh-static", "/bin/mksh-static"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           const std::string path = info.param;  // "/bin/zsh-static" -> "zsh"
                           return path.substr(5, path.find('-') - 5);
                         });

}  // namespace
}  // namespace vmlab::testing
