// --strace's decoders on guest memory laid out by hand: every structure strace 6 decodes that
// vmlab decodes too, the split of a call's arguments between its entry and its exit, the
// restart codes of interrupted calls, and the siginfo of the "--- SIG... ---" lines. The expected
// texts are strace 6.1's on native runs.
#include <gtest/gtest.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>

#include "emulator/strace_format/siginfo_format.h"
#include "emulator/strace_format/syscall_flags.h"
#include "emulator/strace_format/syscall_format.h"
#include "emulator/strace_format/syscall_restart.h"
#include "emulator/strace_format/syscall_struct_format.h"
#include "os/signals.h"

namespace vmlab::emulator {
namespace {

// Guest memory of a few pages: what is not stored cannot be read, like a non-resident page.
class FakeMemory {
 public:
  template <typename T>
  void put(uint64_t va, const T& value) {
    put_bytes(va, &value, sizeof value);
  }
  void put_bytes(uint64_t va, const void* data, size_t size) {
    const auto* bytes = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < size; ++i)
      bytes_[va + i] = bytes[i];
  }
  PeekMemory peek() {
    return [this](uint64_t va, void* out, size_t size) {
      auto* o = static_cast<uint8_t*>(out);
      for (size_t i = 0; i < size; ++i) {
        const auto it = bytes_.find(va + i);
        if (it == bytes_.end()) return false;
        o[i] = it->second;
      }
      return true;
    };
  }

 private:
  std::map<uint64_t, uint8_t> bytes_;
};

struct KernelSigaction {
  uint64_t handler, flags, restorer, mask;
};

constexpr uint64_t kAt = 0x10000;

TEST(StraceStructs, SigactionWithHandlerMaskFlagsAndRestorer) {
  FakeMemory m;
  m.put(kAt, KernelSigaction{0x401310, os::kSaRestorer | os::kSaRestart, 0x401ee9,
                             os::sig_bit(os::sig::kInt) | os::sig_bit(os::sig::kTerm)});
  EXPECT_EQ(sigaction_at(m.peek(), kAt),
            "{sa_handler=0x401310, sa_mask=[INT TERM], sa_flags=SA_RESTORER|SA_RESTART, "
            "sa_restorer=0x401ee9}");
}

TEST(StraceStructs, SigactionDefaultAndIgnoredHandlersWithoutRestorer) {
  FakeMemory m;
  m.put(kAt, KernelSigaction{os::kSigDfl, 0, 0, 0});
  m.put(kAt + 32, KernelSigaction{os::kSigIgn, os::kSaSiginfo | 0x100000000, 0, 0});
  EXPECT_EQ(sigaction_at(m.peek(), kAt), "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}");
  EXPECT_EQ(sigaction_at(m.peek(), kAt + 32),
            "{sa_handler=SIG_IGN, sa_mask=[], sa_flags=SA_SIGINFO|0x100000000}");
  EXPECT_EQ(sigaction_at(m.peek(), 0), "NULL");
  EXPECT_EQ(sigaction_at(m.peek(), 0x999000), "0x999000");  // unreadable: the pointer
}

TEST(StraceStructs, SignalSetsNameRealTimeSignalsAndComplementLargeSets) {
  EXPECT_EQ(signal_set(os::sig_bit(os::sig::kChld)), "[CHLD]");
  EXPECT_EQ(signal_set(os::sig_bit(33) | os::sig_bit(34)), "[RT_1 RT_2]");
  EXPECT_EQ(signal_set(~(os::sig_bit(32) | os::sig_bit(33))), "~[RTMIN RT_1]");
  EXPECT_EQ(signal_set(~uint64_t{0}), "~[]");
  EXPECT_EQ(signal_name_or_number(37), "SIGRT_5");
}

TEST(StraceStructs, RlimitsInKibibytesAndInfinity) {
  FakeMemory m;
  m.put(kAt, std::pair<uint64_t, uint64_t>{8192 * 1024, ~uint64_t{0}});
  m.put(kAt + 16, std::pair<uint64_t, uint64_t>{1024, 1000});
  m.put(kAt + 32, std::pair<uint64_t, uint64_t>{4096, 3 << 20});
  EXPECT_EQ(rlimit_at(m.peek(), kAt), "{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}");
  EXPECT_EQ(rlimit_at(m.peek(), kAt + 16), "{rlim_cur=1024, rlim_max=1000}");
  EXPECT_EQ(rlimit_at(m.peek(), kAt + 32), "{rlim_cur=4*1024, rlim_max=3072*1024}");
}

class Iovecs : public ::testing::Test {
 protected:
  void SetUp() override {
    m.put_bytes(0x20000, "hello ", 6);
    m.put_bytes(0x21000, "vectors\n", 8);
    const uint64_t iov[] = {0x20000, 6, 0x21000, 8, 0, 0};
    m.put_bytes(kAt, iov, sizeof iov);
  }
  FakeMemory m;
};

TEST_F(Iovecs, AWriteShowsAllTheData) {
  EXPECT_EQ(iovec_array(m.peek(), kAt, 3, std::nullopt),
            "[{iov_base=\"hello \", iov_len=6}, {iov_base=\"vectors\\n\", iov_len=8}, "
            "{iov_base=NULL, iov_len=0}]");
}

TEST_F(Iovecs, AReadShowsOnlyTheBytesItFilled) {
  EXPECT_EQ(iovec_array(m.peek(), kAt, 2, 9),
            "[{iov_base=\"hello \", iov_len=6}, {iov_base=\"vec\", iov_len=8}]");
  EXPECT_EQ(iovec_array(m.peek(), kAt, 2, 0),
            "[{iov_base=\"\", iov_len=6}, {iov_base=\"\", iov_len=8}]");
}

TEST(StraceStructs, LongIovecDataAndLongArraysAreCut) {
  FakeMemory m;
  const std::string text(40, 'x');
  m.put_bytes(0x20000, text.data(), text.size());
  for (uint64_t i = 0; i < 40; ++i) {
    const uint64_t iov[] = {0x20000, 40};
    m.put_bytes(kAt + i * 16, iov, sizeof iov);
  }
  const std::string entry = "{iov_base=\"" + std::string(32, 'x') + "\"..., iov_len=40}";
  const std::string all = iovec_array(m.peek(), kAt, 40, std::nullopt);
  EXPECT_EQ(all.substr(0, entry.size() + 1), "[" + entry);
  EXPECT_EQ(all.substr(all.size() - 7), "}, ...]");
}

TEST(StraceStructs, WaitStatusesAsStraceSpellsThem) {
  EXPECT_EQ(wait_status(0), "{WIFEXITED(s) && WEXITSTATUS(s) == 0}");
  EXPECT_EQ(wait_status(3 << 8), "{WIFEXITED(s) && WEXITSTATUS(s) == 3}");
  EXPECT_EQ(wait_status(SIGTERM), "{WIFSIGNALED(s) && WTERMSIG(s) == SIGTERM}");
  EXPECT_EQ(wait_status(SIGSEGV | 0x80),
            "{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}");
  EXPECT_EQ(wait_status((SIGSTOP << 8) | 0x7f), "{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}");
  EXPECT_EQ(wait_status(0xffff), "{WIFCONTINUED(s)}");
  FakeMemory m;
  m.put<int32_t>(kAt, 0);
  EXPECT_EQ(wait_status_at(m.peek(), kAt), "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]");
}

TEST(StraceStructs, SigreturnShowsTheMaskOfTheFrame) {
  FakeMemory m;
  const uint64_t rsp = 0x7fff0000;
  m.put<uint64_t>(rsp + 8 + 8 + 24 + 256, os::sig_bit(os::sig::kUsr1));
  EXPECT_EQ(sigreturn_frame(m.peek(), rsp), "{mask=[USR1]}");
}

class Calls : public ::testing::Test {
 protected:
  FakeMemory m;
  SyscallFormatter f{m.peek()};
};

TEST_F(Calls, Wait4PrintsItsPidAtEntryAndTheStatusAtExit) {
  m.put<int32_t>(kAt, 0);
  const uint64_t args[6] = {static_cast<uint64_t>(-1), kAt, 0, 0};
  EXPECT_EQ(f.entry_arguments(SYS_wait4, args), "-1, ");
  EXPECT_EQ(f.exit_arguments(SYS_wait4, args, 13),
            "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL");
  EXPECT_EQ(f.arguments(SYS_wait4, args, 13),
            "-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL");
  // WNOHANG and no child changed state: nothing was stored.
  const uint64_t nohang[6] = {static_cast<uint64_t>(-1), kAt, WNOHANG, 0};
  EXPECT_EQ(f.exit_arguments(SYS_wait4, nohang, 0), "0x10000, WNOHANG, NULL");
}

TEST_F(Calls, ACallWithoutOutputsIsWhollyPrintedAtEntry) {
  const uint64_t args[6] = {4};
  EXPECT_EQ(f.entry_arguments(SYS_close, args), "4");
  EXPECT_EQ(f.exit_arguments(SYS_close, args, 0), "");
}

TEST_F(Calls, SigactionAndSigprocmaskShowTheOldValuesAtExit) {
  m.put(kAt, KernelSigaction{os::kSigIgn, os::kSaRestorer, 0x401000, 0});
  m.put(kAt + 32, KernelSigaction{os::kSigDfl, 0, 0, 0});
  const uint64_t sigaction_args[6] = {SIGUSR2, kAt, kAt + 32, 8};
  EXPECT_EQ(f.entry_arguments(SYS_rt_sigaction, sigaction_args),
            "SIGUSR2, {sa_handler=SIG_IGN, sa_mask=[], sa_flags=SA_RESTORER, "
            "sa_restorer=0x401000}, ");
  EXPECT_EQ(f.exit_arguments(SYS_rt_sigaction, sigaction_args, 0),
            "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8");
  m.put<uint64_t>(kAt + 64, os::sig_bit(os::sig::kUsr1));
  m.put<uint64_t>(kAt + 72, 0);
  const uint64_t mask_args[6] = {SIG_BLOCK, kAt + 64, kAt + 72, 8};
  EXPECT_EQ(f.arguments(SYS_rt_sigprocmask, mask_args, 0), "SIG_BLOCK, [USR1], [], 8");
  EXPECT_EQ(f.arguments(SYS_rt_sigprocmask, mask_args, -EINVAL), "SIG_BLOCK, [USR1], 0x10048, 8");
}

TEST_F(Calls, LimitsReadAndFilled) {
  m.put(kAt, std::pair<uint64_t, uint64_t>{8192 * 1024, ~uint64_t{0}});
  const uint64_t prlimit_args[6] = {0, RLIMIT_STACK, 0, kAt};
  EXPECT_EQ(f.entry_arguments(SYS_prlimit64, prlimit_args), "0, RLIMIT_STACK, NULL, ");
  EXPECT_EQ(f.exit_arguments(SYS_prlimit64, prlimit_args, 0),
            "{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}");
  const uint64_t setrlimit_args[6] = {RLIMIT_NOFILE, kAt};
  EXPECT_EQ(f.arguments(SYS_setrlimit, setrlimit_args, 0),
            "RLIMIT_NOFILE, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}");
}

TEST_F(Calls, ReadvShowsTheDataItRead) {
  m.put_bytes(0x20000, "hello vectors\n", 14);
  m.put_bytes(0x21000, "o vectors\n", 10);
  const uint64_t iov[] = {0x20000, 4, 0x21000, 16};
  m.put_bytes(kAt, iov, sizeof iov);
  const uint64_t args[6] = {3, kAt, 2};
  EXPECT_EQ(f.entry_arguments(SYS_readv, args), "3, ");
  EXPECT_EQ(f.exit_arguments(SYS_readv, args, 14),
            "[{iov_base=\"hell\", iov_len=4}, {iov_base=\"o vectors\\n\", iov_len=16}], 2");
  EXPECT_EQ(f.exit_arguments(SYS_readv, args, -EBADF), "0x10000, 2");
}

TEST_F(Calls, TimespecsReadFilledAndLeftAfterAnInterruptedSleep) {
  m.put(kAt, std::pair<int64_t, int64_t>{1, 0});
  m.put(kAt + 16, std::pair<int64_t, int64_t>{0, 988237649});
  const uint64_t sleep_args[6] = {kAt, kAt + 16};
  EXPECT_EQ(f.entry_arguments(SYS_nanosleep, sleep_args), "{tv_sec=1, tv_nsec=0}, ");
  EXPECT_EQ(f.exit_arguments(SYS_nanosleep, sleep_args, 0), "0x10010");
  EXPECT_EQ(f.exit_arguments(SYS_nanosleep, sleep_args, -EINTR), "{tv_sec=0, tv_nsec=988237649}");
  const uint64_t clock_args[6] = {CLOCK_MONOTONIC, kAt};
  EXPECT_EQ(f.arguments(SYS_clock_gettime, clock_args, 0),
            "CLOCK_MONOTONIC, {tv_sec=1, tv_nsec=0}");
}

TEST_F(Calls, CloneNamesItsArgumentsInStracesOrder) {
  const uint64_t flags = CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | SIGCHLD;
  const uint64_t args[6] = {flags, 0, 0, 0x1c214690, 0};
  // Cut, strace prints "clone(child_stack=NULL, flags=... <unfinished ...>": no separator.
  EXPECT_EQ(f.entry_arguments(SYS_clone, args),
            "child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
  EXPECT_EQ(f.exit_arguments(SYS_clone, args, 2), ", child_tidptr=0x1c214690");
  m.put<int32_t>(kAt, 7);
  const uint64_t settid[6] = {CLONE_PARENT_SETTID | CLONE_SETTLS, 0x7f0000, kAt, 0, 0x5000};
  EXPECT_EQ(f.arguments(SYS_clone, settid, 7),
            "child_stack=0x7f0000, flags=CLONE_SETTLS|CLONE_PARENT_SETTID, parent_tid=[7], "
            "tls=0x5000");
  // musl's pthread_create; strace 6 has no name for CLONE_DETACHED (0x400000).
  const uint64_t thread[6] = {CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                                  CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
                                  CLONE_CHILD_CLEARTID | 0x400000,
                              0x7ffff7ffeee8};
  EXPECT_EQ(f.entry_arguments(SYS_clone, thread),
            "child_stack=0x7ffff7ffeee8, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|"
            "CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID|"
            "0x400000");
  const uint64_t plain[6] = {SIGCHLD};
  EXPECT_EQ(f.arguments(SYS_clone, plain, 3), "child_stack=NULL, flags=SIGCHLD");
}

TEST(StraceRestart, InterruptedCallsShowLinuxsRestartCode) {
  const uint64_t none[6] = {};
  EXPECT_EQ(interrupted_result(SYS_read, none),
            "? ERESTARTSYS (To be restarted if SA_RESTART is set)");
  EXPECT_EQ(interrupted_result(SYS_rt_sigsuspend, none),
            "? ERESTARTNOHAND (To be restarted if no handler)");
  EXPECT_EQ(interrupted_result(SYS_nanosleep, none),
            "? ERESTART_RESTARTBLOCK (Interrupted by signal)");
  const uint64_t poll_forever[6] = {0, 1, static_cast<uint64_t>(-1)};
  const uint64_t poll_a_second[6] = {0, 1, 1000};
  EXPECT_EQ(interrupted_result(SYS_poll, poll_forever),
            "? ERESTARTNOHAND (To be restarted if no handler)");
  EXPECT_EQ(interrupted_result(SYS_poll, poll_a_second),
            "? ERESTART_RESTARTBLOCK (Interrupted by signal)");
  const uint64_t futex_timed[6] = {0x1000, FUTEX_WAIT_PRIVATE, 0, 0x2000};
  const uint64_t futex_untimed[6] = {0x1000, FUTEX_WAIT_PRIVATE, 0, 0};
  EXPECT_EQ(interrupted_result(SYS_futex, futex_timed),
            "? ERESTART_RESTARTBLOCK (Interrupted by signal)");
  EXPECT_EQ(interrupted_result(SYS_futex, futex_untimed),
            "? ERESTARTSYS (To be restarted if SA_RESTART is set)");
  EXPECT_EQ(interrupted_result(SYS_rt_sigtimedwait, none), std::nullopt);  // EINTR itself
}

os::SigInfo info_of(int signo, int code) {
  os::SigInfo info;
  info.signo = signo;
  info.code = code;
  return info;
}

TEST(StraceSiginfo, ChildExitedAndKilled) {
  os::SigInfo exited = info_of(SIGCHLD, os::si_code::kChldExited);
  exited.pid = 13;
  exited.status = 0;
  EXPECT_EQ(siginfo_text(exited),
            "{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=13, si_uid=0, si_status=0, "
            "si_utime=0, si_stime=0}");
  os::SigInfo killed = info_of(SIGCHLD, os::si_code::kChldKilled);
  killed.pid = 14;
  killed.status = SIGTERM;
  EXPECT_EQ(siginfo_text(killed),
            "{si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=14, si_uid=0, si_status=SIGTERM, "
            "si_utime=0, si_stime=0}");
}

TEST(StraceSiginfo, FaultsShowTheAddress) {
  EXPECT_EQ(siginfo_text(info_of(SIGSEGV, os::si_code::kSegvMapErr)),
            "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL}");
  os::SigInfo bus = info_of(SIGBUS, os::si_code::kBusAdrErr);
  bus.address = 0x7f0000001000;
  EXPECT_EQ(siginfo_text(bus), "{si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7f0000001000}");
  EXPECT_EQ(siginfo_text(info_of(SIGSEGV, os::si_code::kKernel)),
            "{si_signo=SIGSEGV, si_code=SI_KERNEL, si_addr=NULL}");
}

TEST(StraceSiginfo, SendersTimersAndTheKernel) {
  os::SigInfo user = info_of(SIGUSR2, os::si_code::kUser);
  user.pid = 7;
  EXPECT_EQ(siginfo_text(user), "{si_signo=SIGUSR2, si_code=SI_USER, si_pid=7, si_uid=0}");
  user.code = os::si_code::kTkill;
  EXPECT_EQ(siginfo_text(user), "{si_signo=SIGUSR2, si_code=SI_TKILL, si_pid=7, si_uid=0}");
  EXPECT_EQ(siginfo_text(info_of(SIGALRM, os::si_code::kKernel)),
            "{si_signo=SIGALRM, si_code=SI_KERNEL}");
  os::SigInfo timer = info_of(SIGALRM, os::si_code::kTimer);
  timer.value = 7;
  EXPECT_EQ(siginfo_text(timer),
            "{si_signo=SIGALRM, si_code=SI_TIMER, si_timerid=0, si_overrun=0, si_int=7, "
            "si_ptr=0x7}");
  EXPECT_EQ(si_code_name(SIGSEGV, 42), "42");
}

}  // namespace
}  // namespace vmlab::emulator
