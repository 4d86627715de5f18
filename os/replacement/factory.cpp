#include <stdexcept>

#include "os/replacement/policies.h"

namespace vmlab::os {

std::vector<std::string_view> policy_names() {
  return {"fifo", "clock", "nru", "lru", "random", "two-list", "opt"};
}

std::unique_ptr<ReplacementPolicy> make_policy(std::string_view name,
                                               const PolicyOptions& options) {
  if (name == "fifo") return make_fifo();
  if (name == "clock") return make_clock();
  if (name == "nru") return make_nru();
  if (name == "lru") return make_lru();
  if (name == "random") return make_random(options.seed);
  if (name == "two-list") return make_two_list();
  if (name == "opt") {
    if (options.opt_references.empty())
      throw std::invalid_argument(
          "--policy opt needs --refs FILE, recorded by an identical run with --record-refs FILE");
    return make_opt(options.opt_references);
  }
  throw std::invalid_argument("unknown replacement policy '" + std::string(name) +
                              "' (fifo, clock, nru, lru, random, two-list, opt)");
}

}  // namespace vmlab::os
