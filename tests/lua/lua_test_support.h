// Test support for the Lua API: run a chunk in a fresh sandboxed runtime, in this process.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "emulator/lua/runtime.h"

namespace vmlab::lua::testing {

// Runs `code` as a chunk named "test" (errors read "test:LINE: ...").
ScriptResult run_lua(const std::string& code, bool unsafe = false);

// What `code` returns first (as tostring shows it), or "error: " and the message's first
// line when it fails.
std::string eval(const std::string& code);

// The error message (first line) of a chunk that must fail; fails the test if it does not.
std::string error_of(const std::string& code);

// Lua source of a string literal holding `text` (paths in generated code).
std::string quote(const std::string& text);

}  // namespace vmlab::lua::testing
