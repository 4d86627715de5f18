// What shells and scripts rely on, compared with native runs byte for byte: "#!" scripts
// (binfmt_script's rules), /dev/stdout, /dev/stderr, /dev/stdin and /dev/fd/N (bash's process
// substitution), which open the file a descriptor refers to.
#include <sys/stat.h>

#include <fstream>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

std::string script(const std::string& name, const std::string& text) {
  const std::string path = temp_dir() + "/" + name;
  std::ofstream(path) << text;
  ::chmod(path.c_str(), 0755);
  return path;
}

TEST(Scripts, InterpreterLineWithOneArgument) {
  // "-e" is the one argument; the script's path and the arguments follow.
  const std::string s = script("args.sh", "#!/bin/sh -e\necho \"$0: $# [$*]\"\nfalse\necho no\n");
  expect_same_as_native({s, "one", "two words"});
}

TEST(Scripts, ArgumentKeepsItsInnerBlanksAndLosesTrailingOnes) {
  const std::string s = script("blanks.sh", "#!/usr/bin/env   printf %s|   \nignored\n");
  expect_same_as_native({s});
}

TEST(Scripts, AScriptAsAnotherScriptsInterpreter) {
  const std::string inner = script("inner.sh", "#!/bin/sh\necho \"inner got: $*\"\nexit 4\n");
  const std::string outer = script("outer.sh", "#!" + inner + "\n");
  expect_same_as_native({outer, "x"});
}

TEST(Scripts, RunFromInsideTheGuest) {
  const std::string py =
      script("hello.py", "#!/usr/bin/python3\nimport sys\nprint(sys.argv[1:])\n");
  expect_same_as_native({"/bin/sh", "-c", py + " a b; echo status $?"});
}

TEST(Scripts, AMissingInterpreterIsNotFound) {
  const std::string s = script("missing.sh", "#!/nonexistent/interpreter\n");
  expect_same_as_native({"/bin/sh", "-c", s + "; echo status $?"});
  const VmlabRun run = run_vmlab({}, {s});
  EXPECT_EQ(run.result.status, 127);
  EXPECT_EQ(run.result.err, "vmlab: " + s +
                                ": cannot run its interpreter /nonexistent/interpreter: No such "
                                "file or directory\n");
}

TEST(Scripts, TheProcessIsNamedAfterTheScript) {
  const std::string s = script("named.sh", "#!/bin/sh\ncat /proc/$$/comm\n");
  expect_same_as_native({s});
}

TEST(DescriptorLinks, StandardStreamsByName) {
  expect_same_as_native(
      {"/bin/sh", "-c", "echo to stdout > /dev/stdout; echo to stderr > /dev/stderr"});
  expect_same_as_native({"/bin/sh", "-c", "cat /dev/stdin | tr a-z A-Z"}, {}, "piped input\n");
  expect_same_as_native({"/bin/sh", "-c", "exec 3<<EOF\nheredoc on 3\nEOF\ncat /dev/fd/3"});
}

TEST(DescriptorLinks, BashProcessSubstitution) {
  expect_same_as_native(
      {"/bin/bash", "-c", "diff <(printf 'a\\nb\\n') <(printf 'a\\nc\\n'); echo diff $?"});
}

}  // namespace
}  // namespace vmlab::testing
