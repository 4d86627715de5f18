// Constructors of the built-in policies (see policy.h for the interface).
#pragma once

#include <memory>
#include <string>

#include "os/replacement/policy.h"

namespace vmlab::os {

std::unique_ptr<ReplacementPolicy> make_fifo();
std::unique_ptr<ReplacementPolicy> make_clock();
std::unique_ptr<ReplacementPolicy> make_nru();
std::unique_ptr<ReplacementPolicy> make_random(uint64_t seed);
std::unique_ptr<ReplacementPolicy> make_lru();
std::unique_ptr<ReplacementPolicy> make_two_list();
std::unique_ptr<ReplacementPolicy> make_opt(const std::string& reference_file);

}  // namespace vmlab::os
