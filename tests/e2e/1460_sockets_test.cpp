// Sockets between guest processes: a loopback TCP echo server and client, socketpair, AF_UNIX
// stream sockets named by paths and abstract names, AF_UNIX datagrams, UDP, a closed peer,
// nonblocking sockets, options, and poll/select/epoll readiness, each compared with the
// native run of the same binary (musl and glibc); and what never leaves the machine.
#include <sstream>
#include <string>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

struct SocketCase {
  const char* program;
  const char* mode;  // "" for programs without modes
  const char* libc;
  // A loopback port of its own: the native runs of cases in parallel share the host. Every
  // fixed port lies below Linux's ephemeral range (32768-60999): a client socket of another
  // native run may be given any port in that range, and the bind here then fails natively.
  int port;
};

class Sockets : public ::testing::TestWithParam<SocketCase> {};

TEST_P(Sockets, BehaveAsOnLinux) {
  const SocketCase& c = GetParam();
  std::vector<std::string> argv = {guest(std::string(c.program) + "-" + c.libc)};
  if (*c.mode != '\0') argv.emplace_back(c.mode);
  argv.push_back(std::to_string(c.port));
  expect_same_as_native(argv);
}

std::vector<SocketCase> all_cases() {
  const SocketCase per_libc[] = {
      {"tcp_echo", "", "", 0},
      {"unix_sockets", "socketpair", "", 0},
      {"unix_sockets", "path", "", 0},
      {"unix_sockets", "abstract", "", 0},
      {"unix_sockets", "missing", "", 0},
      {"unix_sockets", "dgram", "", 0},
      {"unix_sockets", "udp", "", 0},
      {"unix_sockets", "closed_peer", "", 0},
      {"unix_sockets", "nonblocking", "", 0},
      {"socket_options", "options", "", 0},
      {"socket_events", "poll", "", 0},
      {"socket_events", "select", "", 0},
      {"socket_events", "epoll", "", 0},
      {"socket_events", "epoll_server", "", 0},
  };
  std::vector<SocketCase> cases;
  int port = 29900;
  for (const char* libc : {"musl", "glibc"})
    for (SocketCase c : per_libc) {
      c.libc = libc;
      c.port = port++;
      cases.push_back(c);
    }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Programs, Sockets, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<SocketCase>& info) {
                           std::string name = std::string(info.param.program) + "_" +
                                              info.param.mode + "_" + info.param.libc;
                           for (char& ch : name)
                             if (ch == '-') ch = '_';
                           return name;
                         });

TEST(SocketsOutside, NothingLeavesTheMachine) {
  const VmlabRun run = run_vmlab({}, {guest("socket_options-musl"), "outside"});
  EXPECT_EQ(run.result.status, 0);
  EXPECT_EQ(run.result.err, "");  // no warning for families the machine lacks
  EXPECT_EQ(run.result.out,
            "connect to 192.0.2.1 = -1 ENETUNREACH\n"
            "bind to 192.0.2.1 = -1 EADDRNOTAVAIL\n"
            "sendto 192.0.2.1 = -1 ENETUNREACH\n"
            "connect to 2001:db8::1 = -1 ENETUNREACH\n"
            "connect to [::1]:80 = -1 ECONNREFUSED\n"
            "socket(AF_NETLINK) = -1 EAFNOSUPPORT\n"
            "socket(AF_PACKET) = -1 EAFNOSUPPORT\n"
            "socket(AF_INET, SOCK_RAW) = -1 EPERM\n"
            "connect with an AF_INET6 address = -1 EAFNOSUPPORT\n");
}

TEST(SocketsOutside, TheEchoPairIsDeterministic) {
  const std::vector<std::string> argv = {guest("tcp_echo-musl"), "29990"};
  const VmlabRun first = run_vmlab({}, argv);
  const VmlabRun second = run_vmlab({}, argv);
  EXPECT_EQ(first.result.out, second.result.out);
  EXPECT_EQ(first.stats["instructions"].u64(), second.stats["instructions"].u64());
}

// The lines of socket and epoll calls, without the padding before " = " and with ephemeral
// ports (which Linux picks at random) as "htons(EPHEMERAL)"; lines with addresses (which
// differ between the runs) are left out.
std::vector<std::string> socket_calls(const std::string& strace_output) {
  static const char* const kNames[] = {
      "socket", "bind",     "listen",     "accept",     "connect",  "getsockname", "getpeername",
      "sendto", "recvfrom", "setsockopt", "getsockopt", "shutdown", "epoll_"};
  std::vector<std::string> out;
  std::stringstream in(strace_output);
  for (std::string line; std::getline(in, line);) {
    bool wanted = false;
    for (const char* name : kNames)
      wanted = wanted || line.rfind(name, 0) == 0;
    const auto eq = line.find(" = ");
    if (!wanted || eq == std::string::npos || line.find("0x7") != std::string::npos) continue;
    line = line.substr(0, line.find_last_not_of(' ', eq) + 1) + line.substr(eq);
    for (auto at = line.find("htons("); at != std::string::npos; at = line.find("htons(", at + 1)) {
      const auto close = line.find(')', at);
      if (close != std::string::npos && std::stoi(line.substr(at + 6, close - at - 6)) >= 32768)
        line.replace(at + 6, close - at - 6, "EPHEMERAL");
    }
    out.push_back(line);
  }
  return out;
}

class StraceSockets : public ::testing::TestWithParam<const char*> {};

TEST_P(StraceSockets, DecodedAsStraceDoes) {
  // Modes of one process: strace's lines come in the same order.
  const std::string mode = GetParam();
  const std::string program = mode == "epoll"     ? "socket_events-musl"
                              : mode == "options" ? "socket_options-musl"
                                                  : "unix_sockets-musl";
  const std::vector<std::string> argv = {guest(program), mode, "29995"};
  std::vector<std::string> native_argv = {
      "strace", "-e",
      "trace=%network,epoll_create,epoll_create1,epoll_ctl,epoll_wait,epoll_pwait,epoll_pwait2"};
  native_argv.insert(native_argv.end(), argv.begin(), argv.end());
  const CommandResult native = run_command(native_argv);
  ASSERT_EQ(native.status, 0) << "strace must be installed (Debian package strace)";
  const VmlabRun run = run_vmlab({"--strace"}, argv);
  EXPECT_EQ(run.result.out, native.out);
  const std::vector<std::string> ours = socket_calls(run.result.err);
  EXPECT_GE(ours.size(), 4u);
  EXPECT_EQ(ours, socket_calls(native.err));
}

INSTANTIATE_TEST_SUITE_P(Modes, StraceSockets,
                         ::testing::Values("options", "udp", "missing", "epoll"));

}  // namespace
}  // namespace vmlab::testing
