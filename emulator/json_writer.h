// A minimal streaming JSON writer with deterministic output (keys in the order written).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vmlab::emulator {

class JsonWriter {
 public:
  // Pretty: a member per line, indented (--stats-json); one line: no spaces (JSONL).
  enum class Layout : uint8_t { kPretty, kOneLine };
  explicit JsonWriter(Layout layout = Layout::kPretty) : layout_(layout) {}

  JsonWriter& begin_object(std::string_view key = {});
  JsonWriter& end_object();
  JsonWriter& begin_array(std::string_view key = {});
  JsonWriter& end_array();
  JsonWriter& value(std::string_view key, uint64_t v);
  JsonWriter& value(std::string_view key, int64_t v);
  JsonWriter& value(std::string_view key, int v) { return value(key, static_cast<int64_t>(v)); }
  JsonWriter& value(std::string_view key, double v);
  JsonWriter& value(std::string_view key, bool v);
  JsonWriter& value(std::string_view key, std::string_view v);
  JsonWriter& value(std::string_view key, const char* v) { return value(key, std::string_view(v)); }
  JsonWriter& null(std::string_view key);
  const std::string& str() const { return out_; }

  static std::string quote(std::string_view s);

 private:
  void key(std::string_view k);
  void newline();
  Layout layout_;
  std::string out_;
  std::vector<bool> first_{true};
  int depth_ = 0;
};

}  // namespace vmlab::emulator
