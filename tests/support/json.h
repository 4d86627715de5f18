// Test support: --stats-json files and JSONL traces read with nlohmann::json, as a small tree.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vmlab::testing {

class Json {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  static Json parse(const std::string& text);  // throws std::runtime_error on bad input

  Type type() const { return type_; }
  bool has(const std::string& key) const { return object_.count(key) != 0; }
  const Json& operator[](const std::string& key) const;
  const Json& operator[](size_t index) const { return array_.at(index); }
  size_t size() const { return type_ == Type::kArray ? array_.size() : object_.size(); }
  // Integers exactly (every 64-bit counter), others truncated.
  uint64_t u64() const { return integer_; }
  int64_t i64() const { return static_cast<int64_t>(integer_); }
  double number() const { return number_; }
  const std::string& str() const { return string_; }
  bool boolean() const { return bool_; }
  const std::map<std::string, Json>& object() const { return object_; }
  const std::vector<Json>& array() const { return array_; }

 private:
  struct Builder;
  Type type_ = Type::kNull;
  bool bool_ = false;
  double number_ = 0;
  uint64_t integer_ = 0;
  std::string string_;
  std::vector<Json> array_;
  std::map<std::string, Json> object_;
};

}  // namespace vmlab::testing
