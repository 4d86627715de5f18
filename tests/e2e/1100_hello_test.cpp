// Real programs print exactly what they print natively: freestanding, musl and glibc.
#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

TEST(Hello, Freestanding) {
  expect_same_as_native({guest("hello_rt-rt")});
}
TEST(Hello, Musl) {
  expect_same_as_native({guest("hello-musl"), "vmlab"});
}
TEST(Hello, Glibc) {
  expect_same_as_native({guest("hello-glibc"), "vmlab", "two"});
}
TEST(Hello, MatmulMusl) {
  expect_same_as_native({guest("matmul-musl"), "40"});
}
TEST(Hello, MatmulGlibc) {
  expect_same_as_native({guest("matmul-glibc"), "40"});
}
TEST(Hello, RandomAccess) {
  expect_same_as_native({guest("random_access-musl"), "4", "20000"});
}

TEST(Hello, StaticPieGlibc) {
  // gcc -static-pie: ET_DYN at base 0, relocated by its own start-up code.
  const std::string pie = temp_dir() + "/hello-pie";
  const std::string source = std::string(VMLAB_SOURCE_DIR) + "/guests/src/hello.c";
  ASSERT_EQ(run_command({"gcc", "-O2", "-static-pie", source, "-o", pie}).status, 0);
  expect_same_as_native({pie, "pie"});
}

}  // namespace
}  // namespace vmlab::testing
