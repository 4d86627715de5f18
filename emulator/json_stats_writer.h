// The statistics tree as JSON (nlohmann::ordered_json: members stay in the order written), for
// --stats-json and the timeline's JSONL totals.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "emulator/stats_writer.h"

namespace vmlab::emulator {

using Json = nlohmann::ordered_json;

// A measured value as vmlab's JSON has always printed it (printf's %.6g): rounded to six
// significant digits, and an integer when that is whole ("0", not "0.0").
Json json_number(double value);

// JSON text (indent -1: one line without spaces); bytes that are not UTF-8 become U+FFFD
// instead of failing.
template <typename AnyJson>
std::string json_dump(const AnyJson& json, int indent = -1) {
  return json.dump(indent, ' ', false, AnyJson::error_handler_t::replace);
}

class JsonStatsWriter final : public StatsWriter {
 public:
  JsonStatsWriter();
  void begin_object(std::string_view key) override;
  void end_object() override { open_.pop_back(); }
  void begin_array(std::string_view key) override;
  void end_array() override { open_.pop_back(); }
  void count(const mmu::StatInfo& stat, uint64_t value) override { add(stat.key, value); }
  void number(const mmu::StatInfo& stat, double value) override {
    add(stat.key, json_number(value));
  }
  void text(const mmu::StatInfo& stat, std::string_view value) override {
    add(stat.key, std::string(value));
  }

  // The document: one member per line, indented by two (--stats-json).
  std::string dump_pretty() const { return json_dump(root_, 2); }
  const Json& json() const { return root_; }

 private:
  Json& add(std::string_view key, Json value);

  Json root_;
  std::vector<Json*> open_;  // the containers being written, innermost last
};

}  // namespace vmlab::emulator
