// Parsing is nlohmann::json's; the tree is copied into Json, whose small interface the tests
// are written against.
#include "tests/support/json.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace vmlab::testing {

struct Json::Builder {
  static Json build(const nlohmann::json& j) {
    Json out;
    switch (j.type()) {
      case nlohmann::json::value_t::null:
      case nlohmann::json::value_t::discarded:
        break;
      case nlohmann::json::value_t::boolean:
        out.type_ = Type::kBool;
        out.bool_ = j.get<bool>();
        break;
      case nlohmann::json::value_t::number_unsigned:
        out.type_ = Type::kNumber;
        out.integer_ = j.get<uint64_t>();
        out.number_ = static_cast<double>(out.integer_);
        break;
      case nlohmann::json::value_t::number_integer:
        out.type_ = Type::kNumber;
        out.integer_ = static_cast<uint64_t>(j.get<int64_t>());
        out.number_ = static_cast<double>(j.get<int64_t>());
        break;
      case nlohmann::json::value_t::number_float:
        out.type_ = Type::kNumber;
        out.number_ = j.get<double>();
        out.integer_ = static_cast<uint64_t>(static_cast<int64_t>(out.number_));
        break;
      case nlohmann::json::value_t::string:
        out.type_ = Type::kString;
        out.string_ = j.get<std::string>();
        break;
      case nlohmann::json::value_t::array:
        out.type_ = Type::kArray;
        for (const auto& item : j)
          out.array_.push_back(build(item));
        break;
      case nlohmann::json::value_t::object:
        out.type_ = Type::kObject;
        for (const auto& [key, value] : j.items())
          out.object_.emplace(key, build(value));
        break;
      case nlohmann::json::value_t::binary:
        throw std::runtime_error("JSON: binary values are not JSON text");
    }
    return out;
  }
};

Json Json::parse(const std::string& text) {
  try {
    return Builder::build(nlohmann::json::parse(text));
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(std::string("JSON: ") + e.what());
  }
}

const Json& Json::operator[](const std::string& key) const {
  auto it = object_.find(key);
  if (it == object_.end()) throw std::out_of_range("JSON has no key '" + key + "'");
  return it->second;
}

}  // namespace vmlab::testing
