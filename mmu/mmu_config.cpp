#include "mmu/mmu_config.h"

#include <charconv>
#include <optional>
#include <set>
#include <stdexcept>

namespace vmlab::mmu {

namespace {

constexpr uint8_t bit(PageSize s) {
  return static_cast<uint8_t>(1u << static_cast<unsigned>(s));
}

TlbArrayConfig array(std::string name, uint32_t entries, uint32_t ways, uint8_t sizes) {
  TlbArrayConfig c;
  c.name = std::move(name);
  c.entries = entries;
  c.ways = ways;
  c.page_sizes = sizes;
  return c;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const auto pos = s.find(sep);
    out.push_back(s.substr(0, pos));
    if (pos == std::string_view::npos) break;
    s.remove_prefix(pos + 1);
  }
  return out;
}

std::optional<uint32_t> number(std::string_view s) {
  uint32_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

[[noreturn]] void bad(std::string_view item, const std::string& why) {
  throw std::invalid_argument("--tlb item '" + std::string(item) + "': " + why);
}

std::optional<TlbLevel> parse_level(std::string_view name) {
  for (auto l : {TlbLevel::kL1i, TlbLevel::kL1d, TlbLevel::kL2})
    if (tlb_level_name(l) == name) return l;
  return std::nullopt;
}

uint8_t parse_sizes(std::string_view item, std::string_view sizes) {
  uint8_t mask = 0;
  for (auto s : split(sizes, '+')) {
    if (s == "4k")
      mask |= bit(PageSize::k4K);
    else if (s == "2m")
      mask |= bit(PageSize::k2M);
    else if (s == "1g")
      mask |= bit(PageSize::k1G);
    else
      bad(item, "unknown page size '" + std::string(s) + "' (use 4k, 2m, 1g joined by +)");
  }
  return mask;
}

// "ENTRIESxWAYS[/POLICY]"
TlbArrayConfig parse_geometry(std::string_view item, std::string name, uint8_t sizes,
                              std::string_view value) {
  std::string_view policy = "lru";
  if (const auto slash = value.find('/'); slash != std::string_view::npos) {
    policy = value.substr(slash + 1);
    value = value.substr(0, slash);
  }
  const auto x = value.find('x');
  if (x == std::string_view::npos) bad(item, "expected ENTRIESxWAYS, e.g. 64x4");
  const auto entries = number(value.substr(0, x));
  const auto ways = number(value.substr(x + 1));
  if (!entries || !ways || *entries == 0 || *ways == 0)
    bad(item, "entries and ways must be positive integers");
  if (*entries % *ways != 0) bad(item, "entries must be a multiple of ways");
  const auto replacement = parse_replacement(policy);
  if (!replacement)
    bad(item, "unknown policy '" + std::string(policy) + "' (lru, plru, fifo, random)");
  TlbArrayConfig c = array(std::move(name), *entries, *ways, sizes);
  c.replacement = *replacement;
  return c;
}

}  // namespace

MmuConfig MmuConfig::defaults() {
  MmuConfig c;
  const uint8_t k4 = bit(PageSize::k4K), k2 = bit(PageSize::k2M), k1 = bit(PageSize::k1G);
  c.level(TlbLevel::kL1i) = {array("l1i.4k", 128, 8, k4), array("l1i.2m", 8, 8, k2)};
  c.level(TlbLevel::kL1d) = {array("l1d.4k", 64, 4, k4), array("l1d.2m", 32, 4, k2),
                             array("l1d.1g", 4, 4, k1)};
  c.level(TlbLevel::kL2) = {array("l2.4k+2m", 1536, 12, k4 | k2), array("l2.1g", 16, 4, k1)};
  return c;
}

void MmuConfig::apply_spec(std::string_view spec) {
  std::set<int> redefined;
  for (auto item : split(spec, ',')) {
    if (item.empty()) continue;
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) bad(item, "expected NAME=VALUE");
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = item.substr(eq + 1);

    if (key == "psc") {
      if (value == "off")
        psc = PscConfig{0, 0, 0};
      else if (value == "on")
        psc = PscConfig{};
      else
        bad(item, "psc takes on or off");
      continue;
    }
    const auto dot = key.find('.');
    const std::string_view head = key.substr(0, dot);
    const std::string_view tail = dot == std::string_view::npos ? "" : key.substr(dot + 1);
    if (head == "psc" || head == "cycles") {
      const auto n = number(value);
      if (!n) bad(item, "expected a non-negative integer");
      uint32_t* field = nullptr;
      if (head == "psc" && tail == "pml4e") field = &psc.pml4e_entries;
      if (head == "psc" && tail == "pdpte") field = &psc.pdpte_entries;
      if (head == "psc" && tail == "pde") field = &psc.pde_entries;
      if (head == "cycles" && tail == "l1_hit") field = &cycles.l1_hit;
      if (head == "cycles" && tail == "l2_hit") field = &cycles.l2_hit;
      if (head == "cycles" && tail == "memory_ref") field = &cycles.memory_ref;
      if (field == nullptr)
        bad(item, "unknown field (psc.pml4e/pdpte/pde, cycles.l1_hit/l2_hit/memory_ref)");
      *field = *n;
      continue;
    }
    const auto level = parse_level(head);
    if (!level) bad(item, "unknown level '" + std::string(head) + "' (l1i, l1d, l2, psc, cycles)");
    auto& arrays_of_level = this->level(*level);
    if (redefined.insert(static_cast<int>(*level)).second) arrays_of_level.clear();
    if (tail.empty()) {
      if (value != "none") bad(item, "a level alone takes 'none'; name arrays as LEVEL.SIZES");
      continue;
    }
    arrays_of_level.push_back(
        parse_geometry(item, std::string(key), parse_sizes(item, tail), value));
  }
}

std::string MmuConfig::describe() const {
  std::string out;
  for (auto l : {TlbLevel::kL1i, TlbLevel::kL1d, TlbLevel::kL2}) {
    if (level(l).empty()) out += std::string(tlb_level_name(l)) + "  none\n";
    for (const auto& a : level(l)) {
      out += a.name + "  " + std::to_string(a.entries) + " entries, " + std::to_string(a.ways) +
             "-way, " + std::string(replacement_name(a.replacement)) + "\n";
    }
  }
  out += "psc  pml4e " + std::to_string(psc.pml4e_entries) + ", pdpte " +
         std::to_string(psc.pdpte_entries) + ", pde " + std::to_string(psc.pde_entries) + "\n";
  out += "cycles  l1_hit " + std::to_string(cycles.l1_hit) + ", l2_hit " +
         std::to_string(cycles.l2_hit) + ", memory_ref " + std::to_string(cycles.memory_ref) + "\n";
  return out;
}

}  // namespace vmlab::mmu
