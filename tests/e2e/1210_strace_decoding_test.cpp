// --strace decodes structures, shows signals and interleaves processes as strace -f does: the
// same lines as a native strace of the same program (pids and addresses normalized), and
// "<unfinished ...>" / "<... NAME resumed>" pairs when processes alternate.
#include <map>
#include <set>
#include <sstream>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

using Lines = std::vector<std::string>;

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// A line's pid prefix: vmlab's "[pid     2] " (printed while several processes live) or
// `strace -o`'s "2     " (always); 0 when there is none.
int take_pid(std::string& line) {
  if (starts_with(line, "[pid ")) {
    const auto end = line.find("] ");
    const int pid = std::stoi(line.substr(5, end - 5));
    line = line.substr(end + 2);
    return pid;
  }
  size_t digits = 0;
  while (digits < line.size() && is_digit(line[digits]))
    ++digits;
  if (digits == 0 || digits >= line.size() || line[digits] != ' ') return 0;
  const int pid = std::stoi(line.substr(0, digits));
  line = line.substr(line.find_first_not_of(' ', digits));  // strace -o pads pids to 5 places
  return pid;
}

// The lines with the pid each belongs to. A line without a pid belongs to the one process
// alive (the first one, before any other printed).
std::vector<std::pair<int, std::string>> attributed(const std::string& strace_output) {
  std::vector<std::pair<int, std::string>> out;
  std::set<int> live;
  int first = 0;
  std::stringstream in(strace_output);
  for (std::string line; std::getline(in, line);) {
    if (starts_with(line, "vmlab: ")) continue;  // vmlab's own report of a fatal signal
    int pid = take_pid(line);
    if (pid == 0) pid = live.size() == 1 ? *live.begin() : (first == 0 ? 1 : first);
    if (first == 0) first = pid;
    live.insert(pid);
    if (starts_with(line, "+++ ")) live.erase(pid);
    out.emplace_back(pid, line);
  }
  return out;
}

// strace pads the result to a column: one space before " = " instead.
std::string without_padding(const std::string& line) {
  const auto eq = line.rfind(" = ");
  if (eq == std::string::npos) return line;
  return line.substr(0, line.find_last_not_of(' ', eq) + 1) + line.substr(eq);
}

std::string without_addresses(const std::string& line) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    out += line[i];
    if (line[i] != '0' || i + 1 >= line.size() || line[i + 1] != 'x') continue;
    out += "x?";
    for (i += 2; i < line.size() && std::isxdigit(static_cast<unsigned char>(line[i])); ++i) {
    }
    --i;
  }
  return out;
}

// Each process's lines in order, processes in the order they first print, with each
// "<unfinished ...>" joined to its "<... NAME resumed>".
std::vector<Lines> per_process(const std::string& strace_output) {
  std::vector<int> order;
  std::map<int, Lines> lines;
  std::map<int, std::string> unfinished;
  for (auto [pid, line] : attributed(strace_output)) {
    if (lines.count(pid) == 0) order.push_back(pid);
    Lines& mine = lines[pid];
    const std::string cut = " <unfinished ...>";
    if (line.size() > cut.size() && line.compare(line.size() - cut.size(), cut.size(), cut) == 0) {
      unfinished[pid] = line.substr(0, line.size() - cut.size());
      continue;
    }
    if (starts_with(line, "<... ")) {
      line = unfinished[pid] + line.substr(line.find(" resumed>") + 9);
      unfinished.erase(pid);
    }
    mine.push_back(without_addresses(without_padding(line)));
  }
  std::vector<Lines> out;
  for (int pid : order)
    out.push_back(lines[pid]);
  return out;
}

// Replaces `pid` where it stands for a process: si_pid=, wait4's first argument, the result.
std::string with_pid_named(std::string line, int pid, const std::string& name) {
  const std::string number = std::to_string(pid);
  for (const std::string& before : {std::string("si_pid="), std::string("wait4(")}) {
    const auto at = line.find(before + number);
    if (at != std::string::npos) line.replace(at + before.size(), number.size(), name);
  }
  const std::string result = " = " + number;
  if (line.size() >= result.size() &&
      line.compare(line.size() - result.size(), result.size(), result) == 0)
    line.replace(line.size() - number.size(), number.size(), name);
  return line;
}

// The lines of the calls named (and signal and exit lines), with `child`'s pid as CHILD.
Lines selected(const Lines& lines, const std::set<std::string>& calls, int child) {
  Lines out;
  for (const std::string& line : lines) {
    const std::string name = line.substr(0, line.find('('));
    if (calls.count(name) == 0 && !starts_with(line, "--- ") && !starts_with(line, "+++ "))
      continue;
    out.push_back(with_pid_named(line, child, "CHILD"));
  }
  return out;
}

// The pid of the second process to print: the native run's child.
int second_pid(const std::string& strace_o_output) {
  std::stringstream in(strace_o_output);
  int first = 0;
  for (std::string line; std::getline(in, line);) {
    const int pid = take_pid(line);
    if (first == 0) first = pid;
    if (pid != first) return pid;
  }
  return 0;
}

struct Traces {
  VmlabRun ours;
  std::string native;  // strace -f -o: every line carries its pid
  std::vector<Lines> our_processes, native_processes;

  bool have_processes(size_t n) const {
    return our_processes.size() == n && native_processes.size() == n;
  }
};

// `same_output`: the program's output must match the native run's too.
Traces both(const std::vector<std::string>& argv, bool same_output = true) {
  const std::string file = temp_dir() + "/native-strace.txt";
  std::vector<std::string> native_argv = {"strace", "-f", "-o", file};
  native_argv.insert(native_argv.end(), argv.begin(), argv.end());
  const CommandResult native = run_command(native_argv);
  EXPECT_NE(native.status, 127) << "strace must be installed (Debian package strace)";
  Traces t{run_vmlab({"--strace"}, argv), read_file(file), {}, {}};
  if (same_output) {
    EXPECT_EQ(t.ours.result.out, native.out);
  }
  t.our_processes = per_process(t.ours.result.err);
  t.native_processes = per_process(t.native);
  return t;
}

const std::set<std::string> kDecodedCalls = {
    "rt_sigaction", "rt_sigprocmask", "prlimit64", "writev",       "readv",     "pipe",
    "close",        "nanosleep",      "wait4",     "rt_sigreturn", "exit_group"};

TEST(StraceDecoding, StructuresSignalsAndExitsAsANativeStraceShowsThem) {
  const Traces t = both({guest("strace_decoding-musl"), "calls"});
  ASSERT_TRUE(t.have_processes(2)) << t.ours.result.err << "\n----\n" << t.native;
  const std::vector<Lines>& ours = t.our_processes;
  const std::vector<Lines>& native = t.native_processes;
  const int native_child = second_pid(t.native);
  for (size_t p = 0; p < 2; ++p) {
    const Lines mine = selected(ours[p], kDecodedCalls, 2);
    EXPECT_EQ(mine, selected(native[p], kDecodedCalls, native_child)) << t.ours.result.err;
    EXPECT_GT(mine.size(), 3u);
  }
  // The forms the issue asks for, as vmlab prints them (deterministic).
  const std::string& err = t.ours.result.err;
  for (const char* line : {
           "rt_sigaction(SIGCHLD, {sa_handler=0x",
           "sa_mask=[INT TERM], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x",
           "rt_sigaction(SIGUSR2, {sa_handler=SIG_IGN, sa_mask=[], sa_flags=SA_RESTORER|SA_RESTART"
           ", sa_restorer=0x",
           "}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0\n",
           "rt_sigprocmask(SIG_BLOCK, [USR1], [], 8) = 0\n",
           "getrlimit(RLIMIT_NOFILE, {rlim_cur=1024, rlim_max=1024}) = 0\n",
           "setrlimit(RLIMIT_NOFILE, {rlim_cur=64, rlim_max=1024}) = 0\n",
           "prlimit64(0, RLIMIT_STACK, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}, "
           "{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0\n",
           "writev(1, [{iov_base=\"hello \", iov_len=6}, {iov_base=\"vectors\\n\", iov_len=8}], 2) "
           "= 14\n",
           "readv(3, [{iov_base=\"hell\", iov_len=4}, {iov_base=\"o vectors\\n\", iov_len=16}], 2) "
           "= 14\n",
           "[pid     2] nanosleep({tv_sec=0, tv_nsec=1000000}, NULL) = 0\n",
           "[pid     1] wait4(2,  <unfinished ...>\n",
           "[pid     2] +++ exited with 3 +++\n"
           "<... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 2\n"
           "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2, si_uid=0, si_status=3, "
           "si_utime=0, si_stime=0} ---\n"
           "rt_sigreturn({mask=[]})                 = 2\n",
       })
    EXPECT_NE(err.find(line), std::string::npos) << line << "\n----\n" << err;
}

TEST(StraceDecoding, ADefaultActionShowsTheSignalThenTheDeath) {
  const Traces t = both({guest("strace_decoding-musl"), "segv"});
  ASSERT_TRUE(t.have_processes(1)) << t.ours.result.err << "\n----\n" << t.native;
  const std::vector<Lines>& ours = t.our_processes;
  const std::vector<Lines>& native = t.native_processes;
  constexpr int kNoChild = -1;
  Lines mine = selected(ours[0], {"prlimit64"}, kNoChild);
  // vmlab does not model RLIMIT_CORE: a core-dumping signal always reports a dump.
  ASSERT_FALSE(mine.empty());
  const std::string dumped = " (core dumped)";
  if (const auto at = mine.back().find(dumped); at != std::string::npos)
    mine.back().erase(at, dumped.size());
  EXPECT_EQ(mine, selected(native[0], {"prlimit64"}, kNoChild));
  EXPECT_EQ(mine, (Lines{"prlimit64(0, RLIMIT_CORE, {rlim_cur=0, rlim_max=0}, NULL) = 0",
                         "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---",
                         "+++ killed by SIGSEGV +++"}));
}

TEST(StraceDecoding, ACallRestartedAfterAHandlerShowsErestartsys) {
  const Traces t = both({guest("strace_decoding-musl"), "restart"});
  ASSERT_TRUE(t.have_processes(2)) << t.ours.result.err << "\n----\n" << t.native;
  const std::vector<Lines>& ours = t.our_processes;
  const std::vector<Lines>& native = t.native_processes;
  // The parent's reads and the signal between them. (SIGCHLD, ignored, reaches the parent at a
  // point that depends on scheduling: left out.)
  auto reads = [](const Lines& lines, int child) {
    Lines out;
    for (const std::string& line : selected(lines, {"read", "rt_sigreturn"}, child))
      if (!starts_with(line, "--- SIGCHLD")) out.push_back(line);
    return out;
  };
  const Lines mine = reads(ours[0], 2);
  EXPECT_EQ(mine, reads(native[0], second_pid(t.native)));
  EXPECT_EQ(
      mine,
      (Lines{"read(3, 0x?, 1) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)",
             "--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=CHILD, si_uid=0} ---",
             "rt_sigreturn({mask=[]}) = 0", "read(3, \"x\", 1) = 1", "+++ exited with 0 +++"}));
}

TEST(StraceDecoding, TimerSignalsCarryTheSiginfoANativeStraceShows) {
  // alarm and itimers: SI_KERNEL; a POSIX timer: SI_TIMER with its id, overrun and value.
  // A loaded host may let a native timer overrun (which the program prints): compared without
  // the count.
  const Traces t = both({guest("timers-musl")}, /*same_output=*/false);
  auto signals = [](const std::vector<Lines>& processes, bool any_overrun) {
    std::multiset<std::string> out;
    for (const Lines& lines : processes)
      for (std::string line : lines) {
        if (!starts_with(line, "--- ")) continue;
        const auto overrun = line.find("si_overrun=");
        if (any_overrun && overrun != std::string::npos)
          line.replace(overrun, line.find(',', overrun) - overrun, "si_overrun=?");
        out.insert(line);
      }
    return out;
  };
  EXPECT_EQ(signals(t.our_processes, true), signals(t.native_processes, true));
  const std::multiset<std::string> mine = signals(t.our_processes, false);
  EXPECT_EQ(mine.count("--- SIGALRM {si_signo=SIGALRM, si_code=SI_KERNEL} ---"), 6u);
  EXPECT_EQ(mine.count("--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_TIMER, si_timerid=0, "
                       "si_overrun=0, si_int=4242, si_ptr=0x?} ---"),
            4u);
}

TEST(StraceDecoding, AProcessKilledInACallShowsTheCallInterruptedThenTheSignal) {
  const Traces t = both({"/bin/busybox", "sh", "-c", "sleep 1 & sleep 0.1; kill $!; wait"});
  // The background sleep's last lines; its remainder, which Linux writes and vmlab's kernel
  // does not when the process dies, is left out.
  auto last_three = [](const std::vector<Lines>& processes) {
    Lines lines;
    for (const Lines& p : processes)
      if (p.size() >= 3 && p.back() == "+++ killed by SIGTERM +++") lines = p;
    if (lines.empty()) return lines;
    Lines out(lines.end() - 3, lines.end());
    out[0] = out[0].substr(0, out[0].find('(')) + out[0].substr(out[0].rfind(" = "));
    out[1] = out[1].substr(0, out[1].find("si_pid="));
    return out;
  };
  const Lines expected = {"clock_nanosleep = ? ERESTART_RESTARTBLOCK (Interrupted by signal)",
                          "--- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, ",
                          "+++ killed by SIGTERM +++"};
  EXPECT_EQ(last_three(t.our_processes), expected) << t.ours.result.err;
  EXPECT_EQ(last_three(t.native_processes), expected) << t.native;
  EXPECT_NE(
      t.ours.result.err.find("[pid     2] --- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, "
                             "si_pid=1, si_uid=0} ---\n[pid     2] +++ killed by SIGTERM +++\n"),
      std::string::npos);
}

// Every number and string of a --stats-json tree, by path.
void flatten(const Json& j, const std::string& path, std::map<std::string, std::string>& out) {
  if (j.type() == Json::Type::kObject) {
    for (const auto& [key, value] : j.object())
      flatten(value, path + "." + key, out);
  } else if (j.type() == Json::Type::kArray) {
    for (size_t i = 0; i < j.size(); ++i)
      flatten(j[i], path + "[" + std::to_string(i) + "]", out);
  } else {
    out[path] = j.type() == Json::Type::kString ? j.str() : std::to_string(j.number());
  }
}

TEST(StraceDecoding, TracingChangesNothingInTheRun) {
  // Decoding reads guest memory and registers without touching them: same output, same
  // statistics (instructions, faults, TLBs, A/D bits set, time) as without --strace.
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{guest("strace_decoding-musl"), "calls"},
        std::vector<std::string>{"/bin/busybox", "sh", "-c", "echo hi | cat; sleep 0 & wait"}}) {
    const VmlabRun plain = run_vmlab({}, argv);
    const VmlabRun traced = run_vmlab({"--strace"}, argv);
    EXPECT_EQ(traced.result.out, plain.result.out);
    std::map<std::string, std::string> with, without;
    flatten(traced.stats, "", with);
    flatten(plain.stats, "", without);
    EXPECT_GT(with.size(), 20u);
    EXPECT_EQ(with, without) << argv.back();
  }
}

// Every "<unfinished ...>" of a process is followed, before any other line of that process,
// by its "<... NAME resumed>", and every resumed line by nothing else of the process first.
void expect_pairs(const std::string& strace_output) {
  std::map<int, std::string> open;  // pid -> name of the call cut
  int pairs = 0;
  for (const auto& [pid, line] : attributed(strace_output)) {
    if (starts_with(line, "<... ")) {
      const std::string name = line.substr(5, line.find(" resumed>") - 5);
      ASSERT_EQ(open.count(pid), 1u) << line;
      EXPECT_EQ(open[pid], name) << line;
      open.erase(pid);
      ++pairs;
      continue;
    }
    EXPECT_EQ(open.count(pid), 0u) << "pid " << pid << " printed before its call resumed: " << line;
    if (line.find(" <unfinished ...>") != std::string::npos)
      open[pid] = line.substr(0, line.find('('));
  }
  EXPECT_GT(pairs, 0);
}

TEST(StraceDecoding, APipelineShowsUnfinishedAndResumedCalls) {
  const VmlabRun run = run_vmlab({"--strace"}, {"/bin/busybox", "sh", "-c", "echo hi | cat"});
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  EXPECT_EQ(run.result.out, "hi\n");
  expect_pairs(run.result.err);
  // The shell waits while both children run; the first to end completes its wait4.
  for (const char* line :
       {"clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
        "child_tidptr=0x",
        "[pid     1] wait4(-1,  <unfinished ...>\n",
        "[pid     1] <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], "
        "0, NULL) = 2\n",
        "[pid     1] --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2, "
        "si_uid=0, si_status=0, si_utime=0, si_stime=0} ---\n"})
    EXPECT_NE(run.result.err.find(line), std::string::npos) << line << "\n----\n" << run.result.err;
}

TEST(StraceDecoding, ABackgroundJobAndWaitAsANativeStraceShowsThem) {
  // `wait` suspends in rt_sigsuspend until SIGCHLD; strace shows the call cut by the child.
  const std::vector<std::string> argv = {"/bin/busybox", "sh", "-c", "sleep 0 & wait"};
  const Traces t = both(argv);
  expect_pairs(t.ours.result.err);
  ASSERT_TRUE(t.have_processes(2)) << t.ours.result.err << "\n----\n" << t.native;
  const std::vector<Lines>& ours = t.our_processes;
  const std::vector<Lines>& native = t.native_processes;
  // The shell's last lines: woken by SIGCHLD out of rt_sigsuspend (ERESTARTNOHAND, and EINTR
  // once the handler returns), it reaps the child.
  const std::set<std::string> calls = {"rt_sigsuspend", "rt_sigreturn", "rt_sigprocmask", "wait4",
                                       "exit_group"};
  const Lines mine = selected(ours[0], calls, 2);
  const Lines theirs = selected(native[0], calls, second_pid(t.native));
  constexpr size_t kLast = 8;
  ASSERT_GE(mine.size(), kLast);
  ASSERT_GE(theirs.size(), kLast) << t.native;
  EXPECT_EQ(Lines(mine.end() - kLast, mine.end()), Lines(theirs.end() - kLast, theirs.end()));
  EXPECT_EQ(mine.end()[-kLast],
            "rt_sigsuspend([], 8) = ? ERESTARTNOHAND (To be restarted if no handler)");
  const std::string& err = t.ours.result.err;
  EXPECT_NE(err.find("[pid     1] rt_sigsuspend([], 8 <unfinished ...>\n"), std::string::npos)
      << err;
  EXPECT_NE(err.find("<... rt_sigsuspend resumed>)            = ? ERESTARTNOHAND"),
            std::string::npos);
}

}  // namespace
}  // namespace vmlab::testing
