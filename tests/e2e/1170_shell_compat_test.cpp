// What shells and scripts rely on, compared with native runs byte for byte: "#!" scripts
// (binfmt_script's rules), /dev/stdout, /dev/stderr, /dev/stdin and /dev/fd/N (bash's process
// substitution), which open the file a descriptor refers to; changing metadata (chmod, chown,
// touch) and copying files.
#include <sys/stat.h>
#include <unistd.h>

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

TEST(FileMetadata, ChmodTouchAndStatOfANewFile) {
  const std::string file = temp_dir() + "/meta";
  expect_same_as_native({"/bin/sh", "-c",
                         "rm -f " + file + "; touch " + file + "; chmod 640 " + file +
                             "; stat -c '%a %F' " + file + "; chmod u+x,g-r " + file + "; ls -l " +
                             file + " | cut -c1-10; touch -d '2020-02-03 04:05:06' " + file +
                             "; stat -c %y " + file + "; rm " + file});
}

TEST(FileMetadata, ChmodOfAHostDirectoryAndFile) {
  const std::string dir = temp_dir() + "/hostdir";
  ::mkdir(dir.c_str(), 0755);
  std::ofstream(dir + "/f") << "data\n";
  ::chmod((dir + "/f").c_str(), 0644);
  // Natively the host changes; under vmlab only the overlay: both print the same, and the
  // native run puts the modes back.
  const std::string cmd = "chmod 700 " + dir + "; chmod 600 " + dir + "/f; stat -c '%a %n' " + dir +
                          " " + dir + "/f; cat " + dir + "/f; chmod 755 " + dir + "; chmod 644 " +
                          dir + "/f";
  expect_same_as_native({"/bin/sh", "-c", cmd});
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
}

TEST(FileMetadata, ChownAsRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "the native run needs root to chown";
  const std::string file = temp_dir() + "/owned";
  expect_same_as_native({"/bin/sh", "-c",
                         "rm -f " + file + "; touch " + file + "; chown 12:34 " + file +
                             "; stat -c '%u %g' " + file + "; chown :56 " + file +
                             "; stat -c '%u %g' " + file + "; rm " + file});
}

TEST(FileMetadata, CopyKeepsContentAndTimes) {
  const std::string from = temp_dir() + "/source", to = temp_dir() + "/copy";
  std::ofstream(from) << std::string(10000, 'z') << "end\n";
  expect_same_as_native({"/bin/sh", "-c",
                         "rm -f " + to + "; touch -d '2021-05-06 07:08:09' " + from + "; cp -p " +
                             from + " " + to + "; cmp " + from + " " + to + " && stat -c '%s %y' " +
                             to + "; rm " + to});
}

TEST(FileMetadata, HardLinksShareOneFile) {
  const std::string a = temp_dir() + "/link-a", b = temp_dir() + "/link-b";
  expect_same_as_native({"/bin/sh", "-c",
                         "rm -f " + a + " " + b + "; echo hi > " + a + "; ln " + a + " " + b +
                             "; stat -c '%h %s' " + a + "; echo more >> " + b + "; cat " + a +
                             "; rm " + a + "; stat -c %h " + b + "; cat " + b + "; rm " + b});
}

TEST(FileMetadata, FallocateGrowsAFileAndSyncSucceeds) {
  const std::string f = temp_dir() + "/allocated";
  expect_same_as_native(
      {"/bin/sh", "-c",
       "rm -f " + f + "; fallocate -l 10000 " + f + " && sync && stat -c %s " + f + "; rm " + f});
}

TEST(FileMetadata, FlockExcludesAndWaits) {
  // A holds an exclusive lock for 0.3 s; B's non-blocking try fails, C waits for it.
  const std::string f = temp_dir() + "/lockfile";
  expect_same_as_native(
      {"/bin/bash", "-c",
       "f=" + f +
           "; rm -f $f; touch $f\n"
           "( flock -x 9; echo 'A got it'; sleep 0.3; echo 'A releases' ) 9>$f &\n"
           "sleep 0.1\n"
           "flock -n $f -c 'echo B got it' || echo 'B busy'\n"
           "flock -s $f -c 'echo C waited for a shared lock'\n"
           "wait; rm -f $f"});
}

}  // namespace
}  // namespace vmlab::testing
