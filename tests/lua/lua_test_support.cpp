#include "tests/lua/lua_test_support.h"

namespace vmlab::lua::testing {

namespace {

std::string first_line(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

}  // namespace

ScriptResult run_lua(const std::string& code, bool unsafe) {
  Runtime runtime(RuntimeOptions{unsafe});
  return runtime.run_string(code, "test");
}

std::string eval(const std::string& code) {
  const ScriptResult r = run_lua(code);
  if (!r.error.empty()) return "error: " + first_line(r.error);
  return r.values.empty() ? "(nothing)" : r.values.front();
}

std::string error_of(const std::string& code) {
  const ScriptResult r = run_lua(code);
  EXPECT_EQ(r.status, kExitScriptError) << "the chunk did not fail: " << code;
  return first_line(r.error);
}

std::string quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace vmlab::lua::testing
