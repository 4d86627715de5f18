#include "os/replacement/reference_string.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "mmu/address.h"

namespace vmlab::os {

namespace {
// A text header, then one line per reference: "pid vpn" in decimal and hexadecimal.
constexpr char kHeader[] = "vmlab page references v1\n";
}  // namespace

ReferenceString::ReferenceString(const std::string& path) : out_(std::fopen(path.c_str(), "w")) {
  if (out_ == nullptr)
    throw std::runtime_error("cannot write the reference file '" + path +
                             "': " + std::strerror(errno));
  std::fputs(kHeader, out_);
}

ReferenceString::~ReferenceString() {
  std::fclose(out_);
}

void ReferenceString::record(int pid, uint64_t va) {
  const PageRef ref{pid, va >> mmu::kPageShift};
  if (ref == last_) return;
  last_ = ref;
  ++count_;
  std::fprintf(out_, "%d %llx\n", pid, static_cast<unsigned long long>(ref.vpn));
}

std::vector<PageRef> ReferenceString::load(const std::string& path) {
  std::FILE* in = std::fopen(path.c_str(), "r");
  if (in == nullptr)
    throw std::runtime_error("cannot read the reference file '" + path +
                             "': " + std::strerror(errno));
  char header[sizeof kHeader] = {};
  if (std::fgets(header, sizeof header, in) == nullptr || std::strcmp(header, kHeader) != 0) {
    std::fclose(in);
    throw std::runtime_error("'" + path + "' is not a vmlab page-reference file");
  }
  std::vector<PageRef> refs;
  int pid = 0;
  unsigned long long vpn = 0;
  int n = 0;
  while ((n = std::fscanf(in, "%d %llx", &pid, &vpn)) == 2)
    refs.push_back(PageRef{pid, vpn});
  const bool clean_end = n == EOF;
  std::fclose(in);
  if (!clean_end)
    throw std::runtime_error("'" + path + "' is malformed after reference " +
                             std::to_string(refs.size()));
  return refs;
}

}  // namespace vmlab::os
