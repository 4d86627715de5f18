// JSON text to Lua tables. m:stats() reads the same JSON that --stats-json writes, so a
// script sees exactly the statistics of the command line, including any added later.
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <string>

#include "emulator/lua/tables.h"

namespace vmlab::lua {

namespace {

constexpr int kHexDigits = 4;  // \uXXXX
constexpr int kHexBase = 16;

class JsonToLua {
 public:
  JsonToLua(lua_State* L, std::string_view text) : L_(L), text_(text) {}

  void push_document() {
    push_value();
    skip_space();
    if (pos_ != text_.size()) fail("trailing characters");
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw std::runtime_error("malformed JSON at offset " + std::to_string(pos_) + ": " + why);
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])))
      ++pos_;
  }
  bool consume(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!consume(c)) fail(std::string("expected '") + c + "'");
  }
  bool consume_word(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  void push_value() {
    luaL_checkstack(L_, 3, "JSON nested too deeply");
    skip_space();
    if (pos_ >= text_.size()) fail("unexpected end");
    const char c = text_[pos_];
    if (c == '{') return push_object();
    if (c == '[') return push_array();
    if (c == '"') return push_string();
    if (consume_word("true")) return lua_pushboolean(L_, 1);
    if (consume_word("false")) return lua_pushboolean(L_, 0);
    if (consume_word("null")) return lua_pushnil(L_);
    push_number();
  }

  void push_object() {
    expect('{');
    lua_newtable(L_);
    if (consume('}')) return;
    do {
      skip_space();
      push_string();
      expect(':');
      push_value();
      lua_settable(L_, -3);
    } while (consume(','));
    expect('}');
  }

  void push_array() {
    expect('[');
    lua_newtable(L_);
    if (consume(']')) return;
    lua_Integer n = 0;
    do {
      push_value();
      lua_rawseti(L_, -2, ++n);
    } while (consume(','));
    expect(']');
  }

  void push_string() {
    if (pos_ >= text_.size() || text_[pos_] != '"') fail("expected a string");
    ++pos_;
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c == '\\') {
        if (pos_ >= text_.size()) fail("unfinished escape");
        c = text_[pos_++];
        switch (c) {
          case 'n':
            c = '\n';
            break;
          case 't':
            c = '\t';
            break;
          case 'r':
            c = '\r';
            break;
          case 'u': {  // the writer escapes only control characters this way
            unsigned code = 0;
            if (text_.size() - pos_ < kHexDigits) fail("bad \\u escape");
            const auto [end, ec] = std::from_chars(
                text_.data() + pos_, text_.data() + pos_ + kHexDigits, code, kHexBase);
            if (ec != std::errc() || end != text_.data() + pos_ + kHexDigits)
              fail("bad \\u escape");
            pos_ += kHexDigits;
            c = static_cast<char>(code);
            break;
          }
          default:
            break;  // \" \\ \/ stand for themselves
        }
      }
      out += c;
    }
    expect('"');
    lua_pushlstring(L_, out.data(), out.size());
  }

  void push_number() {
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           std::string_view("+-0123456789.eE").find(text_[pos_]) != std::string_view::npos)
      ++pos_;
    const std::string_view number = text_.substr(start, pos_ - start);
    if (number.empty()) fail("unexpected character");
    const char* begin = number.data();
    const char* end = begin + number.size();
    if (number.find_first_of(".eE") == std::string_view::npos) {
      int64_t i = 0;
      uint64_t u = 0;
      if (std::from_chars(begin, end, i).ptr == end) return lua_pushinteger(L_, i);
      // Counters are unsigned; above 2^63 they wrap to negative Lua integers.
      if (std::from_chars(begin, end, u).ptr == end)
        return lua_pushinteger(L_, static_cast<lua_Integer>(u));
    }
    double d = 0;
    if (std::from_chars(begin, end, d).ptr != end) fail("bad number");
    lua_pushnumber(L_, d);
  }

  lua_State* L_;
  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

void push_json(lua_State* L, std::string_view json) {
  const int top = lua_gettop(L);
  try {
    JsonToLua(L, json).push_document();
  } catch (...) {
    lua_settop(L, top);
    throw;
  }
}

void push_string_array(lua_State* L, const std::vector<std::string>& items) {
  lua_createtable(L, static_cast<int>(items.size()), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
}

}  // namespace vmlab::lua
