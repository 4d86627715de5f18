// Dynamically linked programs: the loader PT_INTERP names, shared libraries mapped from the
// page cache, and the everyday programs of a Debian system, each compared with its native run
// byte for byte (stdout, stderr, exit status) in the same environment vmlab gives its guests.
#include <sys/stat.h>
#include <sys/time.h>

#include <fstream>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// Files written now lie in the future of the guest's default clock (--epoch): the tests give
// them a time in the past of both.
constexpr time_t kLongAgo = 1'600'000'000;  // September 2020
void set_time_long_ago(const std::string& path) {
  const struct timeval times[2] = {{kLongAgo, 0}, {kLongAgo, 0}};
  ::utimes(path.c_str(), times);
}

// A directory whose listing does not change: fixed contents and times.
std::string fixed_directory() {
  const std::string dir = temp_dir() + "/listing";
  ::mkdir(dir.c_str(), 0755);
  write_file(dir + "/alpha.txt", "alpha\n");
  write_file(dir + "/beta.c", "int main(void) { return 0; }\n");
  ::mkdir((dir + "/gamma").c_str(), 0700);
  for (const char* name : {"/alpha.txt", "/beta.c", "/gamma"})
    set_time_long_ago(dir + name);
  return dir;
}

std::string fixed_input() {
  const std::string path = temp_dir() + "/fruit.txt";
  write_file(path,
             "banana 3 yellow\napple 1 red\ncherry 2 red\napple 1 green\nbanana 3 "
             "green\ndate 9 brown\nelderberry 12 black\n");
  return path;
}

TEST(Dynamic, GccHelloAsAStudentBuildsIt) {
  // gcc's default: a PIE, dynamically linked against glibc; the loader is ld-linux-x86-64.so.2.
  const VmlabRun run = expect_same_as_native({guest("hello-dynamic"), "loader"});
  EXPECT_GT(run.stats["faults"]["file"].u64(), 0u);  // libc's pages come from the page cache
}

TEST(Dynamic, NonPieExecutable) {
  expect_same_as_native({guest("hello-nopie")});
}

TEST(Dynamic, MuslDynamicLoader) {
  expect_same_as_native({guest("hello-muslshared"), "musl"});
}

TEST(Dynamic, ForkOfADynamicProgram) {
  expect_same_as_native({guest("fork_demo-dynamic"), "300", "30", "20"});
}

TEST(Dynamic, LsLongListing) {
  expect_same_as_native({"/bin/ls", "-l", fixed_directory()});
}

TEST(Dynamic, ShellPipelineOfDynamicPrograms) {
  const std::string input = fixed_input();
  expect_same_as_native(
      {"/bin/sh", "-c",
       "cat " + input + " | sort | uniq -c | sort -rn | head -n 3 | tr a-z A-Z | wc -c"});
}

TEST(Dynamic, TextTools) {
  const std::string in = fixed_input();
  expect_same_as_native({"/usr/bin/sort", "-k2,2n", "-k1,1", in});
  expect_same_as_native({"/bin/sh", "-c", "cut -d' ' -f1 " + in + " | sort | uniq -c"});
  expect_same_as_native({"/bin/sed", "-e", "s/\\([a-z]*\\) \\([0-9]*\\)/\\2:\\1/", in});
  expect_same_as_native(
      {"/usr/bin/awk", "{ n[$3] += $2 } END { for (c in n) print c, n[c] | \"sort\" }", in});
  expect_same_as_native({"/bin/grep", "-E", "^(apple|cherry) [0-9]+ red$", in});
  expect_same_as_native({"/usr/bin/tr", "-s", "a-z", "A-Z"}, {}, "aabbcc hello\n");
  expect_same_as_native({"/usr/bin/wc", in});
  expect_same_as_native({"/usr/bin/head", "-n", "2", in});
  expect_same_as_native({"/usr/bin/tail", "-n", "2", in});
  expect_same_as_native({"/bin/grep", "-c", "nothing", in});  // exit status 1
}

TEST(Dynamic, Python) {
  expect_same_as_native({"/usr/bin/python3", "-c",
                         "import json\n"
                         "squares = {f'k{i}': [j * j for j in range(i)] for i in range(5)}\n"
                         "print(json.dumps(squares, sort_keys=True))\n"
                         "print(sum(len(v) for v in squares.values()))\n"});
}

TEST(Dynamic, Perl) {
  expect_same_as_native({"/usr/bin/perl", "-e",
                         "my $s = 'page 4096 frame 17 pte 0x8000000000000067';"
                         "my @n = $s =~ /(\\d+)/g; print join(',', @n), \"\\n\";"
                         "(my $t = $s) =~ s/(\\w+) (\\d+)/$2=$1/g; print \"$t\\n\";"});
}

TEST(Dynamic, MakeRunsRecipesThroughTheShell) {
  const std::string dir = temp_dir() + "/make";
  ::mkdir(dir.c_str(), 0755);
  write_file(dir + "/Makefile",
             "all: one two\n"
             "one:\n\t@echo making $@; echo $$((6 * 7))\n"
             "two:\n\t@printf '%s\\n' b a c | sort | tr a-z A-Z\n");
  set_time_long_ago(dir + "/Makefile");
  expect_same_as_native({"/usr/bin/make", "--no-print-directory", "-s", "-f", dir + "/Makefile"});
}

TEST(Dynamic, PipelineUnderMemoryPressure) {
  // 1 MiB of RAM cannot hold libc and the shell's memory: clean library pages are dropped
  // (and read again from the page cache's file), dirty anonymous ones go to swap.
  const std::string input = fixed_input();
  const VmlabRun run = expect_same_as_native(
      {"/bin/sh", "-c", "sort " + input + " | uniq -c | sort -rn | head -n 4"},
      {"--ram", "1M", "--swap", "16M"});
  const Json& reclaim = run.stats["reclaim"];
  EXPECT_GT(reclaim["file_drops"].u64(), 0u);
  EXPECT_GT(reclaim["swap_outs"].u64(), 0u);
  EXPECT_EQ(reclaim["evictions"].u64(), reclaim["evict_clean"].u64() + reclaim["swap_outs"].u64() +
                                            reclaim["file_writebacks"].u64());
}

TEST(Dynamic, LibraryPagesAreSharedAcrossProcesses) {
  // The shell and the cat it starts map the same libc.so.6: its page-cache frames are mapped
  // by both, so each counts them in its RSS but only half of each in its PSS.
  const VmlabRun run = run_vmlab({}, {"/bin/sh", "-c", "cat /proc/self/smaps_rollup; true"});
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  auto field = [&](const std::string& name) {
    const auto at = run.result.out.find("\n" + name + ":");
    EXPECT_NE(at, std::string::npos) << name;
    return std::stoull(run.result.out.substr(run.result.out.find(':', at) + 1));
  };
  EXPECT_GT(field("Shared_Clean"), 100u);  // kB: libc's and the loader's text
  EXPECT_LT(field("Pss"), field("Rss"));
  EXPECT_EQ(field("Rss"), field("Shared_Clean") + field("Shared_Dirty") + field("Private_Clean") +
                              field("Private_Dirty"));
}

TEST(Dynamic, ABrokenLibraryGetsTheLoadersOwnMessage) {
  // LD_LIBRARY_PATH finds a libc.so.6 that is not an ELF file, then one for another machine:
  // the loader reports each (exit 127) exactly as natively.
  const std::string dir = temp_dir() + "/badlib";
  ::mkdir(dir.c_str(), 0755);
  const std::vector<std::string> env = {"LD_LIBRARY_PATH=" + dir};
  write_file(dir + "/libc.so.6", std::string(4096, 'x'));
  expect_same_as_native({guest("hello-dynamic")}, {}, "", env);
  std::string elf = read_file("/lib/x86_64-linux-gnu/libc.so.6");
  ASSERT_GT(elf.size(), 64u);
  constexpr size_t kMachineOffset = 18;          // e_machine
  elf[kMachineOffset] = static_cast<char>(183);  // EM_AARCH64
  elf[kMachineOffset + 1] = 0;
  write_file(dir + "/libc.so.6", elf);
  expect_same_as_native({guest("hello-dynamic")}, {}, "", env);
}

TEST(Dynamic, ShellReportsAMissingInterpreterAsNotFound) {
  expect_same_as_native({"/bin/sh", "-c", guest("hello-nointerp") + "; echo status $?"});
}

}  // namespace
}  // namespace vmlab::testing
