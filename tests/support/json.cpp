#include "tests/support/json.h"

#include <cstdlib>
#include <stdexcept>

namespace vmlab::testing {

struct Json::Parser {
  const std::string& s;
  size_t i = 0;

  [[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("JSON: ") + what + " at offset " + std::to_string(i));
  }
  void skip() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r'))
      ++i;
  }
  bool eat(char c) {
    skip();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  std::string string() {
    if (!eat('"')) fail("expected a string");
    std::string out;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\') {
        ++i;
        const char c = s[i++];
        switch (c) {
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case 'r':
            out += '\r';
            break;
          case 'u':
            out += static_cast<char>(std::strtol(s.substr(i, 4).c_str(), nullptr, 16));
            i += 4;
            break;
          default:
            out += c;
        }
      } else {
        out += s[i++];
      }
    }
    if (!eat('"')) fail("unterminated string");
    return out;
  }
  Json value() {
    skip();
    Json j;
    if (i >= s.size()) fail("unexpected end");
    const char c = s[i];
    if (c == '{') {
      ++i;
      j.type_ = Type::kObject;
      if (eat('}')) return j;
      do {
        skip();
        const std::string key = string();
        if (!eat(':')) fail("expected ':'");
        j.object_.emplace(key, value());
      } while (eat(','));
      if (!eat('}')) fail("expected '}'");
    } else if (c == '[') {
      ++i;
      j.type_ = Type::kArray;
      if (eat(']')) return j;
      do
        j.array_.push_back(value());
      while (eat(','));
      if (!eat(']')) fail("expected ']'");
    } else if (c == '"') {
      j.type_ = Type::kString;
      j.string_ = string();
    } else if (s.compare(i, 4, "true") == 0 || s.compare(i, 5, "false") == 0) {
      j.type_ = Type::kBool;
      j.bool_ = s[i] == 't';
      i += j.bool_ ? 4 : 5;
    } else if (s.compare(i, 4, "null") == 0) {
      i += 4;
    } else {
      char* end = nullptr;
      j.type_ = Type::kNumber;
      j.number_ = std::strtod(s.c_str() + i, &end);
      if (end == s.c_str() + i) fail("bad value");
      i = static_cast<size_t>(end - s.c_str());
    }
    return j;
  }
};

Json Json::parse(const std::string& text) {
  Parser p{text};
  Json j = p.value();
  p.skip();
  if (p.i != text.size()) p.fail("trailing characters");
  return j;
}

const Json& Json::operator[](const std::string& key) const {
  auto it = object_.find(key);
  if (it == object_.end()) throw std::out_of_range("JSON has no key '" + key + "'");
  return it->second;
}

}  // namespace vmlab::testing
