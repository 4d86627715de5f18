// Sockets and epoll below the system calls: receive queues (stream reads across messages,
// datagram truncation), connections and what closing one end does (Unix and TCP), the accept
// queue's bound, datagram queues, the names of the machine's sockets, option values, and an
// epoll set's reports.
#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>

#include "os/vfs/datagram_socket.h"
#include "os/vfs/epoll.h"
#include "os/vfs/pipe.h"
#include "os/vfs/socket_namespace.h"
#include "os/vfs/stream_socket.h"
#include "tests/os/vfs_test_support.h"

namespace vmlab::os::vfs {
namespace {

using testing::bytes;

std::string text(const std::vector<uint8_t>& out, int64_t n) {
  return std::string(out.begin(), out.begin() + n);
}

std::shared_ptr<StreamSocket> stream(int domain, int flags = 0) {
  return std::make_shared<StreamSocket>(domain, SOCK_STREAM, 1, Timespec{}, flags);
}

struct Pair {
  std::shared_ptr<StreamSocket> a, b;
};

Pair unix_pair() {
  Pair p{stream(AF_UNIX), stream(AF_UNIX)};
  StreamSocket::connect_pair(*p.a, *p.b);
  return p;
}

// A TCP listener on 127.0.0.1:`port` and a client connected to it; the server side accepted.
struct TcpConnection {
  std::shared_ptr<StreamSocket> listener, client, server;
};

TcpConnection tcp_connection(uint16_t port) {
  TcpConnection t{stream(AF_INET), stream(AF_INET), nullptr};
  t.listener->set_local_address(loopback_address(AF_INET, port));
  EXPECT_EQ(t.listener->listen(1), 0);
  EXPECT_EQ(t.client->connect(t.listener, loopback_address(AF_INET, port)), 0);
  std::shared_ptr<Socket> accepted;
  EXPECT_EQ(t.listener->accept(accepted), 0);
  t.server = std::static_pointer_cast<StreamSocket>(accepted);
  return t;
}

TEST(SocketQueue, StreamReadsCrossMessagesAndPeekLeavesThem) {
  SocketQueue q;
  q.push(bytes("abc"), {});
  q.push(bytes("defg"), {});
  std::vector<uint8_t> out(5);
  EXPECT_EQ(q.take_stream(out, /*peek=*/true).copied, 5u);
  EXPECT_EQ(q.bytes(), 7u);
  EXPECT_EQ(q.take_stream(out, false).copied, 5u);
  EXPECT_EQ(text(out, 5), "abcde");
  EXPECT_EQ(q.bytes(), 2u);
  EXPECT_EQ(q.take_stream(out, false).copied, 2u);
  EXPECT_EQ(text(out, 2), "fg");
  EXPECT_TRUE(q.empty());
}

TEST(SocketQueue, ADatagramReadCutsTheMessageAndLosesTheRest) {
  SocketQueue q;
  q.push(bytes("datagram"), {});
  q.push(bytes("next"), {});
  std::vector<uint8_t> out(4);
  const SocketQueue::Taken taken = q.take_message(out, false);
  EXPECT_EQ(taken.copied, 4u);
  EXPECT_EQ(taken.message_length, 8u);
  EXPECT_EQ(q.messages(), 1u);
  EXPECT_EQ(q.bytes(), 4u);
}

TEST(SocketQueue, EmptyDatagramsAndEmptyBuffersCopyNothing) {
  SocketQueue q;
  q.push({}, {});
  q.push(bytes("x"), {});
  EXPECT_EQ(q.take_message({}, false).message_length, 0u);
  EXPECT_EQ(q.take_stream({}, false).copied, 0u);
  EXPECT_EQ(q.take_message({}, false).message_length, 1u);
}

TEST(StreamSocket, UnixPeerClosedGivesDataThenEndOfStreamAndEpipe) {
  Pair p = unix_pair();
  EXPECT_EQ(p.a->write(bytes("bye")), 3);
  p.a.reset();
  std::vector<uint8_t> out(8);
  EXPECT_EQ(p.b->read(out), 3);
  EXPECT_EQ(p.b->read(out), 0);
  EXPECT_EQ(p.b->write(bytes("x")), -EPIPE);
  EXPECT_EQ(p.b->poll() & (poll_bits::kHup | poll_bits::kIn), poll_bits::kHup | poll_bits::kIn);
}

TEST(StreamSocket, UnixPeerClosedWithDataUnreadResetsTheConnection) {
  Pair p = unix_pair();
  EXPECT_EQ(p.b->write(bytes("unread")), 6);
  p.a.reset();
  std::vector<uint8_t> out(8);
  EXPECT_NE(p.b->poll() & poll_bits::kErr, 0u);
  EXPECT_EQ(p.b->read(out), -ECONNRESET);
  EXPECT_EQ(p.b->read(out), 0);
}

TEST(StreamSocket, AFullReceiveBufferMakesWritersWait) {
  Pair p = unix_pair();
  p.b->options().set_receive_buffer(0);  // the minimum: 2304 bytes
  const std::vector<uint8_t> block(1000, 'x');
  int64_t total = 0;
  for (int i = 0; i < 3; ++i)
    total += p.a->write(block);
  EXPECT_EQ(total, kMinReceiveBuffer);
  EXPECT_EQ(p.a->write(block), kWouldBlock);
  EXPECT_EQ(p.a->poll() & poll_bits::kOut, 0u);
  p.a->set_flags(O_NONBLOCK);
  EXPECT_EQ(p.a->write(block), -EAGAIN);
  std::vector<uint8_t> out(100);
  EXPECT_EQ(p.b->read(out), 100);
  EXPECT_EQ(p.a->write(block), 100);
}

TEST(StreamSocket, ShutdownOfWritingIsAnEndOfStreamForThePeerOnly) {
  Pair p = unix_pair();
  EXPECT_EQ(p.a->shutdown(SHUT_WR), 0);
  std::vector<uint8_t> out(4);
  EXPECT_EQ(p.b->read(out), 0);
  EXPECT_EQ(p.a->write(bytes("x")), -EPIPE);
  EXPECT_EQ(p.b->write(bytes("ok")), 2);
  EXPECT_EQ(p.a->read(out), 2);
}

TEST(StreamSocket, TcpWriteAfterTheFinIsAnsweredByAReset) {
  TcpConnection t = tcp_connection(7000);
  t.server.reset();
  std::vector<uint8_t> out(4);
  EXPECT_EQ(t.client->read(out), 0);
  EXPECT_EQ(t.client->write(bytes("x")), 1);  // the data is lost; the peer resets
  EXPECT_EQ(t.client->write(bytes("x")), -EPIPE);
  EXPECT_EQ(t.client->write(bytes("x")), -EPIPE);
  EXPECT_NE(t.client->poll() & poll_bits::kHup, 0u);
}

TEST(StreamSocket, TcpPeerClosingWithDataUnreadIsAReset) {
  TcpConnection t = tcp_connection(7001);
  EXPECT_EQ(t.client->write(bytes("unread")), 6);
  t.server.reset();
  std::vector<uint8_t> out(4);
  EXPECT_EQ(t.client->read(out), -ECONNRESET);
  EXPECT_EQ(t.client->read(out), 0);
}

TEST(StreamSocket, TheAcceptQueueHoldsBacklogPlusOneConnections) {
  auto listener = stream(AF_UNIX);
  SocketAddress name;
  name.family = AF_UNIX;
  name.unix_name = std::string(1, '\0') + "q";
  listener->set_local_address(name);
  EXPECT_EQ(listener->listen(1), 0);
  auto first = stream(AF_UNIX), second = stream(AF_UNIX), third = stream(AF_UNIX);
  EXPECT_EQ(first->connect(listener, name), 0);
  EXPECT_EQ(second->connect(listener, name), 0);
  EXPECT_EQ(third->connect(listener, name), kWouldBlock);
  EXPECT_EQ(listener->poll() & poll_bits::kIn, poll_bits::kIn);
  std::shared_ptr<Socket> accepted;
  EXPECT_EQ(listener->accept(accepted), 0);
  EXPECT_EQ(third->connect(listener, name), 0);
  EXPECT_EQ(first->connect(listener, name), -EISCONN);
  listener.reset();  // the two connections nobody accepted are reset
  std::vector<uint8_t> out(4);
  EXPECT_EQ(third->read(out), -ECONNRESET);
}

TEST(StreamSocket, ShuttingDownATcpListenersReadingClosesIt) {
  TcpConnection t = tcp_connection(7002);
  auto waiting = stream(AF_INET);
  EXPECT_EQ(waiting->connect(t.listener, loopback_address(AF_INET, 7002)), 0);
  EXPECT_EQ(t.listener->shutdown(SHUT_WR), 0);
  EXPECT_TRUE(t.listener->listening());
  EXPECT_EQ(t.listener->shutdown(SHUT_RD), 0);
  EXPECT_FALSE(t.listener->listening());
  std::shared_ptr<Socket> accepted;
  EXPECT_EQ(t.listener->accept(accepted), -EINVAL);
  std::vector<uint8_t> out(4);
  EXPECT_EQ(waiting->read(out), -ECONNRESET);
  EXPECT_EQ(stream(AF_INET)->shutdown(SHUT_RDWR), -ENOTCONN);
}

TEST(StreamSocket, ConnectingToWhatDoesNotListen) {
  auto client = stream(AF_INET);
  auto other = stream(AF_INET);
  EXPECT_EQ(client->connect(nullptr, loopback_address(AF_INET, 1)), -ECONNREFUSED);
  EXPECT_EQ(client->connect(other, loopback_address(AF_INET, 1)), -ECONNREFUSED);
  auto unix_client = stream(AF_UNIX);
  auto datagrams = std::make_shared<DatagramSocket>(AF_UNIX, 2, Timespec{}, 0);
  EXPECT_EQ(unix_client->connect(datagrams, {}), -EPROTOTYPE);
}

TEST(DatagramSocket, AUnixQueueTakesElevenDatagramsThenSendersWait) {
  auto receiver = std::make_shared<DatagramSocket>(AF_UNIX, 1, Timespec{}, 0);
  auto sender = std::make_shared<DatagramSocket>(AF_UNIX, 2, Timespec{}, 0);
  SocketAddress to;
  to.family = AF_UNIX;
  for (size_t i = 0; i <= kUnixDatagramQueueLength; ++i)
    EXPECT_EQ(sender->send(bytes("x"), 0, receiver, &to), 1);
  EXPECT_EQ(sender->send(bytes("x"), 0, receiver, &to), kWouldBlock);
  EXPECT_EQ(sender->send(bytes("x"), MSG_DONTWAIT, receiver, &to), -EAGAIN);
  std::vector<uint8_t> out(4);
  Received received;
  EXPECT_EQ(receiver->receive(out, 0, &received), 1);
  EXPECT_EQ(received.sender.family, 0);  // an unbound sender has no name
}

TEST(DatagramSocket, UdpToAPortNobodyBoundIsLostAndAConnectedSenderHearsOfIt) {
  auto sender = std::make_shared<DatagramSocket>(AF_INET, 1, Timespec{}, 0);
  EXPECT_EQ(sender->send(bytes("x"), 0, nullptr, nullptr), -EDESTADDRREQ);
  EXPECT_EQ(sender->connect(nullptr, loopback_address(AF_INET, 9)), 0);
  EXPECT_EQ(sender->send(bytes("x"), 0, nullptr, nullptr), 1);
  EXPECT_NE(sender->poll() & poll_bits::kErr, 0u);
  EXPECT_EQ(sender->send(bytes("x"), 0, nullptr, nullptr), -ECONNREFUSED);
  EXPECT_EQ(sender->send(std::vector<uint8_t>(70000), 0, nullptr, nullptr), -EMSGSIZE);
}

TEST(SocketNamespace, PortsAreFreeAgainOnceTheirSocketIsGone) {
  SocketNamespace names;
  auto a = stream(AF_INET);
  EXPECT_EQ(names.bind_port(SOCK_STREAM, loopback_address(AF_INET, 80), a), 80);
  EXPECT_EQ(names.bind_port(SOCK_STREAM, loopback_address(AF_INET, 80), stream(AF_INET)),
            -EADDRINUSE);
  EXPECT_EQ(names.bind_port(SOCK_DGRAM, loopback_address(AF_INET, 80), a), 80);  // UDP's own
  EXPECT_EQ(names.bind_port(SOCK_STREAM, loopback_address(AF_INET, 0), stream(AF_INET)),
            SocketNamespace::kFirstEphemeralPort);
  a->set_local_address(loopback_address(AF_INET, 80));
  EXPECT_EQ(names.find_port(SOCK_STREAM, loopback_address(AF_INET, 80)), a);
  EXPECT_EQ(names.find_port(SOCK_STREAM, loopback_address(AF_INET6, 80)), nullptr);
  a.reset();
  EXPECT_EQ(names.bind_port(SOCK_STREAM, loopback_address(AF_INET, 80), stream(AF_INET)), 80);
}

TEST(SocketNamespace, AbstractNamesAndAutomaticNames) {
  SocketNamespace names;
  auto a = stream(AF_UNIX);
  const std::string name = std::string(1, '\0') + "x";
  EXPECT_EQ(names.bind_abstract(name, a), 0);
  EXPECT_EQ(names.bind_abstract(name, stream(AF_UNIX)), -EADDRINUSE);
  EXPECT_EQ(names.find_abstract(name), a);
  EXPECT_EQ(names.autobind_name(), std::string(1, '\0') + "00000");
  EXPECT_EQ(names.autobind_name(), std::string(1, '\0') + "00001");
}

TEST(SocketOptions, BufferSizesAreDoubledWithinLinuxsLimits) {
  SocketOptions options(kDefaultSocketBuffer, kDefaultSocketBuffer);
  options.set_receive_buffer(4096);
  EXPECT_EQ(options.receive_buffer(), 8192);
  options.set_send_buffer(1);
  EXPECT_EQ(options.send_buffer(), kMinSendBuffer);
  options.set_receive_buffer(1 << 30);
  EXPECT_EQ(options.receive_buffer(), 2 * kMaxSocketBuffer);
}

TEST(Epoll, LevelTriggeredOneShotAndEntriesThatOutliveNoFile) {
  Epoll epoll(1, {});
  Pair p = unix_pair();
  EXPECT_EQ(epoll.add(3, p.a, poll_bits::kIn, 30), 0);
  EXPECT_EQ(epoll.add(3, p.a, poll_bits::kIn, 30), -EEXIST);
  EXPECT_TRUE(epoll.collect(8).empty());
  EXPECT_EQ(p.b->write(bytes("x")), 1);
  ASSERT_EQ(epoll.collect(8).size(), 1u);
  EXPECT_EQ(epoll.collect(8).size(), 1u);  // still ready: reported again
  EXPECT_EQ(epoll.modify(3, *p.a, poll_bits::kIn | Epoll::kOneShot, 31), 0);
  const auto once = epoll.collect(8);
  ASSERT_EQ(once.size(), 1u);
  EXPECT_EQ(once[0].data, 31u);
  EXPECT_TRUE(epoll.collect(8).empty());
  EXPECT_EQ(epoll.poll(), 0u);
  p.a.reset();  // the last reference: the entry goes
  EXPECT_TRUE(epoll.collect(8).empty());
  EXPECT_EQ(epoll.remove(3, *p.b), -ENOENT);
}

TEST(Epoll, ReadyEntriesTakeTurns) {
  Epoll epoll(1, {});
  PipeEnds first = make_pipe(1), second = make_pipe(2);
  EXPECT_EQ(epoll.add(3, first.read, poll_bits::kIn, 1), 0);
  EXPECT_EQ(epoll.add(5, second.read, poll_bits::kIn, 2), 0);
  EXPECT_EQ(first.write->write(bytes("x")), 1);
  EXPECT_EQ(second.write->write(bytes("x")), 1);
  EXPECT_EQ(epoll.collect(1)[0].data, 1u);
  EXPECT_EQ(epoll.collect(1)[0].data, 2u);
  EXPECT_EQ(epoll.collect(1)[0].data, 1u);
}

TEST(Epoll, LoopsOfInstancesAreRefused) {
  auto outer = std::make_shared<Epoll>(1, Timespec{});
  auto inner = std::make_shared<Epoll>(2, Timespec{});
  EXPECT_EQ(outer->add(4, inner, poll_bits::kIn, 0), 0);
  EXPECT_EQ(inner->add(3, outer, poll_bits::kIn, 0), -ELOOP);
  EXPECT_EQ(inner->add(5, inner, poll_bits::kIn, 0), -EINVAL);
  // Entries do not keep their files open: the chain is held here, as descriptors would.
  std::vector<std::shared_ptr<Epoll>> chain = {outer};
  for (int i = 0; i < Epoll::kMaxNesting - 1; ++i) {
    chain.push_back(std::make_shared<Epoll>(10 + i, Timespec{}));
    EXPECT_EQ(chain.back()->add(3, chain[chain.size() - 2], poll_bits::kIn, 0), 0);
  }
  auto too_deep = std::make_shared<Epoll>(20, Timespec{});
  EXPECT_EQ(too_deep->add(3, chain.back(), poll_bits::kIn, 0), -ELOOP);
}

}  // namespace
}  // namespace vmlab::os::vfs
