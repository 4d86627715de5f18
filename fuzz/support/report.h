// How a fuzz target reports a broken invariant: a readable dump, then abort(), so that
// libFuzzer saves the input as a crash file.
//
// With -close_fd_mask=2 libFuzzer silences the guest kernel's own messages (unsupported system
// calls, fatal signals) by pointing descriptor 2 at /dev/null; the dump goes to a duplicate of
// stderr taken before that happens.
#pragma once

#include <string>

namespace vmlab::fuzz {

// Call from LLVMFuzzerInitialize, which runs before libFuzzer closes descriptor 2.
void keep_report_stream();

[[noreturn]] void fail(const std::string& what);

}  // namespace vmlab::fuzz
