// The statistics tree as a flat list of named numbers: a StatsWriter that keeps the numbers of
// objects under their dotted path ("reclaim.swap_outs") and drops text and whole arrays (lists of
// processes or samples are not counters).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/stats_writer.h"

namespace vmlab::emulator {

struct StatValue {
  std::string name;
  bool integer = true;
  uint64_t count = 0;    // when integer
  double number = 0;     // otherwise
  bool missing = false;  // no value (a rate over nothing, a TLB statistic of --model fast)
  double as_double() const { return integer ? static_cast<double>(count) : number; }

  static StatValue of(std::string name, uint64_t v) { return {std::move(name), true, v, 0}; }
  static StatValue of(std::string name, double v) { return {std::move(name), false, 0, v}; }
  static StatValue none(std::string name) { return {std::move(name), false, 0, 0, true}; }
};

class StatFlattener final : public StatsWriter {
 public:
  void begin_object(std::string_view key) override;
  void end_object() override;
  void begin_array(std::string_view) override { ++arrays_; }
  void end_array() override { --arrays_; }
  void count(const mmu::StatInfo& stat, uint64_t value) override;
  void number(const mmu::StatInfo& stat, double value) override;
  void text(const mmu::StatInfo&, std::string_view) override {}

  std::vector<StatValue> take() { return std::move(values_); }

 private:
  std::string path(std::string_view key) const;
  bool keeping() const { return arrays_ == 0; }

  std::vector<std::string> objects_;  // names of the open objects below the root
  int depth_ = 0;                     // open objects, the root included
  int arrays_ = 0;                    // open arrays and objects inside them
  std::vector<StatValue> values_;
};

}  // namespace vmlab::emulator
