// The statistics tree is written once (emulator/stats_tree.cpp) to a StatsWriter: JSON for
// --stats-json, a flat list for the timeline, Lua tables for m:stats(), the key list of
// docs/stats.md. Every number comes with its registry description (mmu/stat_registry.h).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "mmu/stat_registry.h"

namespace vmlab::emulator {

class StatsWriter {
 public:
  virtual ~StatsWriter() = default;
  // `key` is empty for an element of an array.
  virtual void begin_object(std::string_view key) = 0;
  virtual void end_object() = 0;
  virtual void begin_array(std::string_view key) = 0;
  virtual void end_array() = 0;
  // `stat.key` is the member name (empty inside an array).
  virtual void count(const mmu::StatInfo& stat, uint64_t value) = 0;
  virtual void number(const mmu::StatInfo& stat, double value) = 0;
  virtual void text(const mmu::StatInfo& stat, std::string_view value) = 0;
  // True while the keys are listed for the documentation: each array is described by one
  // element and every optional section is written, whatever the machine holds.
  virtual bool describing() const { return false; }

  // Every counter of a registry table, in its order.
  template <typename Counters>
  void counters(std::span<const mmu::CounterField<Counters>> fields, const Counters& values) {
    for (const auto& f : fields)
      count(f.info, values.*f.field);
  }

  // An array of objects, one per item; `each` writes an item's members.
  template <typename Item, typename Each>
  void objects(std::string_view key, const std::vector<Item>& items, Each each) {
    begin_array(key);
    auto one = [&](const Item& item) {
      begin_object({});
      each(item);
      end_object();
    };
    if (describing())
      one(Item{});
    else
      for (const Item& item : items)
        one(item);
    end_array();
  }
};

}  // namespace vmlab::emulator
