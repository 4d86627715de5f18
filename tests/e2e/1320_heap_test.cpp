// The brk heap as the C libraries use it: thousands of small allocations made, freed and made
// again, with qsort, print what they print natively. musl's malloc maps a PROT_NONE guard page
// with MAP_FIXED over the first page of the heap; the pages brk adds afterwards must still be
// read-write, as Linux's do_brk_flags makes them.
#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

class HeapChurn : public ::testing::TestWithParam<const char*> {};

TEST_P(HeapChurn, SmallAllocationsFreedAndReusedAsNatively) {
  expect_same_as_native({guest(std::string("malloc_churn-") + GetParam()), "3000"});
}

INSTANTIATE_TEST_SUITE_P(Libc, HeapChurn, ::testing::Values("musl", "glibc"));

}  // namespace
}  // namespace vmlab::testing
