#include "os/replacement/reference_string.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "mmu/address.h"

namespace vmlab::os {

namespace {

constexpr char kHeader[] = "vmlab page references v2\n";
constexpr unsigned kVarintBits = 7;
constexpr int kVarintMore = 0x80;
constexpr uint32_t kMaxReferences = UINT32_MAX - 1;  // positions fit in 32 bits

// Reads one LEB128 varint; false at the end of the file or on a truncated one.
bool get(std::FILE* in, uint64_t& value, bool& clean_end) {
  value = 0;
  clean_end = false;
  for (unsigned shift = 0; shift < 64; shift += kVarintBits) {
    const int c = std::fgetc(in);
    if (c == EOF) {
      clean_end = shift == 0;
      return false;
    }
    value |= static_cast<uint64_t>(c & ~kVarintMore) << shift;
    if ((c & kVarintMore) == 0) return true;
  }
  return false;
}

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

void ReferenceString::put(uint64_t value) {
  do {
    const auto low = static_cast<int>(value & ((1u << kVarintBits) - 1));
    value >>= kVarintBits;
    std::fputc(value != 0 ? low | kVarintMore : low, out_);
  } while (value != 0);
}

void ReferenceString::record(int pid, uint64_t va) {
  const PageRef ref{pid, va >> mmu::kPageShift};
  if (ref == last_) return;
  last_ = ref;
  ++count_;
  const auto [it, fresh] = numbers_.try_emplace(ref, static_cast<uint32_t>(numbers_.size()));
  if (fresh) {
    put(0);
    put(static_cast<uint64_t>(pid));
    put(ref.vpn);
  } else {
    put(uint64_t{it->second} + 1);
  }
}

References ReferenceString::load(const std::string& path) {
  std::FILE* in = std::fopen(path.c_str(), "rb");
  if (in == nullptr)
    throw std::runtime_error("cannot read the reference file '" + path +
                             "': " + std::strerror(errno));
  char header[sizeof kHeader] = {};
  if (std::fgets(header, sizeof header, in) == nullptr || std::strcmp(header, kHeader) != 0) {
    std::fclose(in);
    throw std::runtime_error("'" + path + "' is not a vmlab page-reference file (v2)");
  }
  References refs;
  uint64_t value = 0;
  bool clean_end = false;
  bool ok = true;
  while (get(in, value, clean_end)) {
    if (refs.sequence.size() >= kMaxReferences) {
      ok = false;
      break;
    }
    if (value == 0) {
      uint64_t pid = 0, vpn = 0;
      bool unused = false;
      if (!get(in, pid, unused) || !get(in, vpn, unused)) {
        ok = false;
        break;
      }
      refs.sequence.push_back(static_cast<uint32_t>(refs.pages.size()));
      refs.pages.push_back(PageRef{static_cast<int>(pid), vpn});
    } else if (value - 1 < refs.pages.size()) {
      refs.sequence.push_back(static_cast<uint32_t>(value - 1));
    } else {
      ok = false;
      break;
    }
  }
  std::fclose(in);
  if (!ok || !clean_end)
    throw std::runtime_error("'" + path + "' is malformed after reference " +
                             std::to_string(refs.sequence.size()));
  return refs;
}

}  // namespace vmlab::os
