// UdpBatchSocket on real loopback sockets. The io_context runs in bounded slices (runUntil, runFor) until the
// awaited event; nothing sleeps. Plain asio sockets stand in for a far end where the test needs datagrams to
// be in the kernel's queue before the loop runs.
#include "net/udp_batch_socket.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace callgate::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

bool runUntil(asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_for(10ms);
  }
  return true;
}

// Lets the loop handle whatever is ready, for a bounded time (before asserting that nothing came).
void runFor(asio::io_context& io, std::chrono::milliseconds span) {
  if (io.stopped()) io.restart();
  io.run_for(span);
}

UdpAddress loopback(uint16_t port) {
  return *UdpAddress::parse("127.0.0.1", port);
}

// A 172-byte datagram (an SRTP G.711 packet's size) numbered `n`.
std::vector<uint8_t> packet(size_t n, size_t size = 172) {
  std::vector<uint8_t> bytes(size, static_cast<uint8_t>(n * 7));
  bytes[0] = static_cast<uint8_t>(n >> 8);
  bytes[1] = static_cast<uint8_t>(n);
  return bytes;
}

struct Received {
  std::vector<uint8_t> bytes;
  UdpAddress from;
};

// Keeps copies of what a socket delivers (the spans are valid only during the call).
struct Collector {
  std::vector<Received> got;
  UdpBatchSocket::OnDatagram callback() {
    return [this](std::span<uint8_t> data, std::span<uint8_t>, const UdpAddress& from) {
      got.push_back(Received{{data.begin(), data.end()}, from});
    };
  }
};

void ignore(std::span<uint8_t>, std::span<uint8_t>, const UdpAddress&) {}

std::unique_ptr<UdpBatchSocket> openOrNull(asio::io_context& io, const UdpBatchSocket::Config& config,
                                           UdpBatchSocket::OnDatagram onDatagram) {
  auto opened = UdpBatchSocket::open(io, config, std::move(onDatagram));
  EXPECT_TRUE(opened) << opened.error().message;
  return opened ? std::move(*opened) : nullptr;
}

// A plain blocking socket: its send_to has put the datagram in the receiver's queue when it returns.
struct RawPeer {
  explicit RawPeer(asio::io_context& io)
      : socket(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}
  void sendTo(const std::vector<uint8_t>& bytes, uint16_t port) {
    socket.send_to(asio::buffer(bytes), asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  asio::ip::udp::socket socket;
};

bool portFree(uint16_t port) {
  asio::io_context io;
  asio::ip::udp::socket probe(io);
  boost::system::error_code ec;
  probe.open(asio::ip::udp::v4(), ec);
  if (!ec) probe.bind(asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  return !ec;
}

bool haveIpv6Loopback() {
  asio::io_context io;
  asio::ip::udp::socket probe(io);
  boost::system::error_code ec;
  probe.open(asio::ip::udp::v6(), ec);
  if (!ec) probe.bind(asio::ip::udp::endpoint(asio::ip::make_address("::1"), 0), ec);
  return !ec;
}

TEST(UdpAddress, ParsePrintAndCompareV4) {
  const auto a = UdpAddress::parse("127.0.0.1", 5004);
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->isV6());
  EXPECT_EQ(a->port(), 5004);
  EXPECT_EQ(a->ip(), "127.0.0.1");
  EXPECT_EQ(a->toString(), "127.0.0.1:5004");
  EXPECT_EQ(a->length, sizeof(sockaddr_in));
  EXPECT_TRUE(*a == *UdpAddress::parse("127.0.0.1", 5004));
  EXPECT_FALSE(*a == *UdpAddress::parse("127.0.0.1", 5005));
  EXPECT_FALSE(*a == *UdpAddress::parse("127.0.0.2", 5004));
  EXPECT_EQ(UdpAddress::parse("192.0.2.10", 65535)->toString(), "192.0.2.10:65535");
}

TEST(UdpAddress, ParsePrintAndCompareV6) {
  const auto a = UdpAddress::parse("::1", 5004);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->isV6());
  EXPECT_EQ(a->port(), 5004);
  EXPECT_EQ(a->ip(), "::1");
  EXPECT_EQ(a->toString(), "[::1]:5004");
  EXPECT_EQ(a->length, sizeof(sockaddr_in6));
  EXPECT_EQ(UdpAddress::parse("2001:DB8:0::7", 1)->toString(), "[2001:db8::7]:1");
  EXPECT_TRUE(*a == *UdpAddress::parse("0:0::1", 5004));
  EXPECT_FALSE(*a == *UdpAddress::parse("::1", 5005));
  EXPECT_FALSE(*a == *UdpAddress::parse("::2", 5004));
  // The same IPv4 host in IPv4-mapped form is another family: not the same transport address.
  EXPECT_FALSE(*UdpAddress::parse("::ffff:127.0.0.1", 5004) == *UdpAddress::parse("127.0.0.1", 5004));
}

TEST(UdpAddress, NamesAndMalformedAddressesAreRejected) {
  for (const char* text :
       {"localhost", "", "1.2.3", "256.1.1.1", "[::1]", "127.0.0.1:5004", " 127.0.0.1", "::g"}) {
    EXPECT_FALSE(UdpAddress::parse(text, 5004)) << text;
  }
}

TEST(UdpBatchSocket, OpensOnAKernelChosenPort) {
  asio::io_context io;
  Collector collector;
  auto socket = openOrNull(io, {}, collector.callback());
  ASSERT_NE(socket, nullptr);
  EXPECT_NE(socket->localPort(), 0);
  EXPECT_EQ(socket->localAddress().ip(), "127.0.0.1");
  RawPeer peer(io);
  peer.sendTo(packet(1), socket->localPort());
  ASSERT_TRUE(runUntil(io, [&] { return collector.got.size() == 1; }));
  EXPECT_EQ(collector.got[0].bytes, packet(1));
  EXPECT_EQ(collector.got[0].from.port(), peer.socket.local_endpoint().port());
}

TEST(UdpBatchSocket, RangeGivesEachFreePortOnceThenNamesTheRange) {
  asio::io_context io;
  // Below Linux's ephemeral range (32768-60999), so only this test binds here.
  constexpr uint16_t kMin = 29631;
  constexpr uint16_t kMax = 29640;
  std::set<uint16_t> freeBefore;
  for (uint16_t port = kMin; port <= kMax; ++port) {
    if (portFree(port)) freeBefore.insert(port);
  }
  ASSERT_FALSE(freeBefore.empty());
  UdpBatchSocket::Config config;
  config.portMin = kMin;
  config.portMax = kMax;
  std::vector<std::unique_ptr<UdpBatchSocket>> sockets;
  std::set<uint16_t> ports;
  std::string error;
  for (int i = 0; i <= kMax - kMin + 1 && error.empty(); ++i) {
    auto opened = UdpBatchSocket::open(io, config, ignore);
    if (!opened) {
      error = opened.error().message;
      break;
    }
    ports.insert((*opened)->localPort());
    sockets.push_back(std::move(*opened));
  }
  // Each free port exactly once, wherever the random start fell: the walk wraps past the top.
  EXPECT_EQ(ports, freeBefore);
  EXPECT_EQ(sockets.size(), ports.size());
  EXPECT_EQ(error, "no free UDP port in 29631-29640 on 127.0.0.1");
}

TEST(UdpBatchSocket, TakenSinglePortRangeIsAnError) {
  asio::io_context io;
  auto holder = openOrNull(io, {}, ignore);
  ASSERT_NE(holder, nullptr);
  const uint16_t port = holder->localPort();
  UdpBatchSocket::Config config;
  config.portMin = port;
  config.portMax = port;
  auto opened = UdpBatchSocket::open(io, config, ignore);
  ASSERT_FALSE(opened);
  const std::string p = std::to_string(port);
  EXPECT_EQ(opened.error().message, "no free UDP port in " + p + "-" + p + " on 127.0.0.1");
  holder.reset();
  auto reopened = UdpBatchSocket::open(io, config, ignore);
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ((*reopened)->localPort(), port);
}

TEST(UdpBatchSocket, EvenPortGivesOnlyEvenPorts) {
  asio::io_context io;
  constexpr uint16_t kMin = 29641;
  constexpr uint16_t kMax = 29650;
  std::set<uint16_t> evenFreeBefore;
  for (uint16_t port = kMin; port <= kMax; ++port) {
    if (port % 2 == 0 && portFree(port)) evenFreeBefore.insert(port);
  }
  ASSERT_FALSE(evenFreeBefore.empty());
  UdpBatchSocket::Config config;
  config.portMin = kMin;
  config.portMax = kMax;
  config.evenPort = true;
  std::vector<std::unique_ptr<UdpBatchSocket>> sockets;
  std::set<uint16_t> ports;
  std::string error;
  for (int i = 0; i <= kMax - kMin + 1 && error.empty(); ++i) {
    auto opened = UdpBatchSocket::open(io, config, ignore);
    if (!opened) {
      error = opened.error().message;
      break;
    }
    ports.insert((*opened)->localPort());
    sockets.push_back(std::move(*opened));
  }
  EXPECT_EQ(ports, evenFreeBefore);
  EXPECT_EQ(error, "no free even UDP port in 29641-29650 on 127.0.0.1");

  // Kernel-chosen ports too: eight in a row would all be even by chance once in 256 runs.
  UdpBatchSocket::Config any;
  any.evenPort = true;
  for (int i = 0; i < 8; ++i) {
    auto opened = UdpBatchSocket::open(io, any, ignore);
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ((*opened)->localPort() % 2, 0) << (*opened)->localPort();
    sockets.push_back(std::move(*opened));
  }
}

TEST(UdpBatchSocket, BadConfigurationIsNamed) {
  asio::io_context io;
  UdpBatchSocket::Config config;
  config.bindAddress = "localhost";
  auto opened = UdpBatchSocket::open(io, config, ignore);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().message, "UDP bind address 'localhost' is not a numeric IP address");

  config = {};
  config.portMin = 20010;
  config.portMax = 20000;
  opened = UdpBatchSocket::open(io, config, ignore);
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("UDP port range 20010-20000 on 127.0.0.1 is not valid"),
            std::string::npos)
      << opened.error().message;

  config = {};
  config.batch = 0;
  opened = UdpBatchSocket::open(io, config, ignore);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().message, "UDP socket batch 0 is out of range (1-1024)");

  // 192.0.2.1 (TEST-NET-1) is not this machine's: bind fails for another reason than a taken port.
  config = {};
  config.bindAddress = "192.0.2.1";
  config.portMin = 20000;
  config.portMax = 20009;
  opened = UdpBatchSocket::open(io, config, ignore);
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("(range 20000-20009) on 192.0.2.1"), std::string::npos)
      << opened.error().message;
}

TEST(UdpBatchSocket, BurstArrivesCompleteInBatches) {
  asio::io_context io;
  Collector collector;
  auto receiver = openOrNull(io, {}, collector.callback());
  auto sender = openOrNull(io, {}, ignore);
  ASSERT_TRUE(receiver && sender);
  constexpr size_t kCount = 100;
  for (size_t i = 0; i < kCount; ++i) EXPECT_TRUE(sender->send(packet(i), receiver->localAddress()));
  EXPECT_EQ(sender->stats().sendCalls, 0u);  // queued until the posted flush runs
  ASSERT_TRUE(runUntil(io, [&] { return collector.got.size() == kCount; })) << collector.got.size();
  for (size_t i = 0; i < kCount; ++i) {
    EXPECT_EQ(collector.got[i].bytes, packet(i)) << i;
    EXPECT_TRUE(collector.got[i].from == sender->localAddress()) << collector.got[i].from.toString();
  }
  EXPECT_EQ(sender->stats().datagramsOut, kCount);
  EXPECT_EQ(sender->stats().sendCalls, 4u);  // 32 + 32 + 32 + 4
  EXPECT_EQ(receiver->stats().datagramsIn, kCount);
  EXPECT_LT(receiver->stats().receiveCalls, kCount);
  EXPECT_GE(receiver->stats().receiveCalls, 4u);  // no more than Config::batch per call
}

TEST(UdpBatchSocket, EchoFromTheCallbackLeavesInOneBatchAtTheEndOfTheRead) {
  asio::io_context io;
  std::unique_ptr<UdpBatchSocket> echo;
  echo = openOrNull(io, {}, [&](std::span<uint8_t> data, std::span<uint8_t>, const UdpAddress& from) {
    EXPECT_TRUE(echo->send(data, from));
  });
  Collector client;
  auto peer = openOrNull(io, {}, client.callback());
  ASSERT_TRUE(echo && peer);
  constexpr size_t kCount = 10;
  for (size_t i = 0; i < kCount; ++i) peer->send(packet(i), echo->localAddress());
  // One handler at a time: the echo must be sent by the same handler that read the batch, not a later one.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (echo->stats().datagramsIn < kCount && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(10ms);
  }
  ASSERT_EQ(echo->stats().datagramsIn, kCount);
  EXPECT_EQ(echo->stats().datagramsOut, kCount);
  EXPECT_LT(echo->stats().sendCalls, echo->stats().datagramsOut);
  EXPECT_EQ(echo->stats().sendCalls, 1u);
  ASSERT_TRUE(runUntil(io, [&] { return client.got.size() == kCount; }));
  for (size_t i = 0; i < kCount; ++i) {
    EXPECT_EQ(client.got[i].bytes, packet(i));
    EXPECT_TRUE(client.got[i].from == echo->localAddress());
  }
}

TEST(UdpBatchSocket, SendsOutsideAReadGoOutInOnePostedFlushPerBurst) {
  asio::io_context io;
  Collector collector;
  auto receiver = openOrNull(io, {}, collector.callback());
  auto sender = openOrNull(io, {}, ignore);
  ASSERT_TRUE(receiver && sender);
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(sender->send(packet(i), receiver->localAddress()));
  EXPECT_EQ(sender->stats().sendCalls, 0u);
  ASSERT_TRUE(runUntil(io, [&] { return collector.got.size() == 3; }));
  EXPECT_EQ(sender->stats().sendCalls, 1u);
  EXPECT_EQ(sender->stats().datagramsOut, 3u);

  for (size_t i = 3; i < 5; ++i) EXPECT_TRUE(sender->send(packet(i), receiver->localAddress()));
  ASSERT_TRUE(runUntil(io, [&] { return collector.got.size() == 5; }));
  EXPECT_EQ(sender->stats().sendCalls, 2u);
  EXPECT_EQ(collector.got[4].bytes, packet(4));
}

TEST(UdpBatchSocket, FlushSendsAtOnceAndThePostedFlushFindsNothing) {
  asio::io_context io;
  Collector collector;
  auto receiver = openOrNull(io, {}, collector.callback());
  auto sender = openOrNull(io, {}, ignore);
  ASSERT_TRUE(receiver && sender);
  EXPECT_TRUE(sender->send(packet(1), receiver->localAddress()));
  sender->flush();
  EXPECT_EQ(sender->stats().sendCalls, 1u);
  EXPECT_EQ(sender->stats().datagramsOut, 1u);
  ASSERT_TRUE(runUntil(io, [&] { return collector.got.size() == 1; }));
  runFor(io, 20ms);
  EXPECT_EQ(sender->stats().sendCalls, 1u);
}

TEST(UdpBatchSocket, FullSendQueueRefusesAndCounts) {
  asio::io_context io;
  Collector collector;
  auto receiver = openOrNull(io, {}, collector.callback());
  UdpBatchSocket::Config config;
  config.maxQueuedSends = 4;
  auto sender = openOrNull(io, config, ignore);
  ASSERT_TRUE(receiver && sender);
  for (size_t i = 0; i < 4; ++i) EXPECT_TRUE(sender->send(packet(i), receiver->localAddress()));
  EXPECT_FALSE(sender->send(packet(4), receiver->localAddress()));
  EXPECT_EQ(sender->stats().sendDropped, 1u);
  ASSERT_TRUE(runUntil(io, [&] { return collector.got.size() == 4; }));
  runFor(io, 20ms);
  EXPECT_EQ(collector.got.size(), 4u);
  EXPECT_EQ(collector.got[3].bytes, packet(3));
}

TEST(UdpBatchSocket, AFailedDatagramIsSkippedAndTheRestOfTheBatchSent) {
  asio::io_context io;
  Collector collector;
  auto receiver = openOrNull(io, {}, collector.callback());
  auto sender = openOrNull(io, {}, ignore);
  ASSERT_TRUE(receiver && sender);
  // An IPv6 destination on an IPv4 socket fails in the kernel (EAFNOSUPPORT) for that datagram alone.
  EXPECT_TRUE(sender->send(packet(1), receiver->localAddress()));
  EXPECT_TRUE(sender->send(packet(2), *UdpAddress::parse("::1", receiver->localPort())));
  EXPECT_TRUE(sender->send(packet(3), receiver->localAddress()));
  ASSERT_TRUE(runUntil(io, [&] { return collector.got.size() == 2; }));
  EXPECT_EQ(collector.got[0].bytes, packet(1));
  EXPECT_EQ(collector.got[1].bytes, packet(3));
  EXPECT_EQ(sender->stats().datagramsOut, 2u);
  EXPECT_EQ(sender->stats().sendErrors, 1u);
  EXPECT_EQ(sender->stats().sendDropped, 1u);
}

TEST(UdpBatchSocket, OversizedDatagramIsCountedAndNotDelivered) {
  asio::io_context io;
  Collector collector;
  UdpBatchSocket::Config config;
  config.maxDatagram = 100;
  auto receiver = openOrNull(io, config, collector.callback());
  ASSERT_NE(receiver, nullptr);
  RawPeer peer(io);
  peer.sendTo(packet(1, 101), receiver->localPort());
  peer.sendTo(packet(2, 100), receiver->localPort());
  peer.sendTo(packet(3, 10), receiver->localPort());
  ASSERT_TRUE(runUntil(io, [&] { return collector.got.size() == 2; }));
  runFor(io, 20ms);
  ASSERT_EQ(collector.got.size(), 2u);
  EXPECT_EQ(collector.got[0].bytes, packet(2, 100));
  EXPECT_EQ(collector.got[1].bytes, packet(3, 10));
  EXPECT_EQ(receiver->stats().truncated, 1u);
  EXPECT_EQ(receiver->stats().datagramsIn, 2u);
}

TEST(UdpBatchSocket, CallbackMayRewriteAndGrowThePacketInPlace) {
  asio::io_context io;
  UdpBatchSocket::Config config;
  config.maxDatagram = 1500;
  std::unique_ptr<UdpBatchSocket> relay;
  relay =
      openOrNull(io, config, [&](std::span<uint8_t> data, std::span<uint8_t> room, const UdpAddress& from) {
        EXPECT_EQ(room.size(), 1500u + 64u);
        EXPECT_EQ(data.data(), room.data());
        // As SRTP protect does: rewrite the bytes, then append a tag in the room behind them.
        for (auto& b : data) b = static_cast<uint8_t>(~b);
        const size_t grown = room.size();
        for (size_t i = data.size(); i < grown; ++i) room[i] = 0xAB;
        relay->send(room.first(grown), from);
      });
  Collector collector;
  UdpBatchSocket::Config big;
  big.maxDatagram = 2000;
  auto peer = openOrNull(io, big, collector.callback());
  ASSERT_TRUE(relay && peer);
  const auto original = packet(9, 1500);
  peer->send(original, relay->localAddress());
  ASSERT_TRUE(runUntil(io, [&] { return collector.got.size() == 1; }));
  const auto& back = collector.got[0].bytes;
  ASSERT_EQ(back.size(), 1564u);
  for (size_t i = 0; i < original.size(); ++i) ASSERT_EQ(back[i], static_cast<uint8_t>(~original[i])) << i;
  for (size_t i = original.size(); i < back.size(); ++i) ASSERT_EQ(back[i], 0xAB) << i;
}

TEST(UdpBatchSocket, CloseInTheCallbackStopsTheRestOfTheBatch) {
  asio::io_context io;
  int calls = 0;
  std::unique_ptr<UdpBatchSocket> socket;
  socket = openOrNull(io, {}, [&](std::span<uint8_t> data, std::span<uint8_t>, const UdpAddress& from) {
    ++calls;
    socket->close();
    socket->close();  // idempotent
    EXPECT_FALSE(socket->send(data, from));
  });
  ASSERT_NE(socket, nullptr);
  RawPeer peer(io);
  for (size_t i = 0; i < 5; ++i) peer.sendTo(packet(i), socket->localPort());
  ASSERT_TRUE(runUntil(io, [&] { return calls > 0; }));
  runFor(io, 20ms);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(socket->stats().datagramsIn, 1u);
  EXPECT_FALSE(socket->send(packet(1), loopback(peer.socket.local_endpoint().port())));
  EXPECT_EQ(socket->stats().datagramsOut, 0u);
}

TEST(UdpBatchSocket, CloseStopsDeliveryOfWhatIsAlreadyQueued) {
  asio::io_context io;
  Collector collector;
  auto socket = openOrNull(io, {}, collector.callback());
  ASSERT_NE(socket, nullptr);
  RawPeer peer(io);
  for (size_t i = 0; i < 3; ++i) peer.sendTo(packet(i), socket->localPort());
  EXPECT_TRUE(socket->send(packet(7), loopback(peer.socket.local_endpoint().port())));
  socket->close();
  runFor(io, 20ms);
  EXPECT_TRUE(collector.got.empty());
  EXPECT_FALSE(socket->send(packet(1), loopback(9)));
  EXPECT_EQ(socket->stats().sendCalls, 0u);  // the queued send was dropped, not sent after close
  EXPECT_EQ(peer.socket.available(), 0u);
}

TEST(UdpBatchSocket, DestroyedWithAPendingWaitAndFlushIsClean) {
  asio::io_context io;
  int calls = 0;
  RawPeer peer(io);
  {
    auto socket =
        openOrNull(io, {}, [&](std::span<uint8_t>, std::span<uint8_t>, const UdpAddress&) { ++calls; });
    ASSERT_NE(socket, nullptr);
    peer.sendTo(packet(1), socket->localPort());  // the wait is ready when the loop next looks
    EXPECT_TRUE(socket->send(packet(2), loopback(peer.socket.local_endpoint().port())));  // a flush is posted
  }
  // The cancelled wait and the posted flush run now, after the socket's memory is gone (ASan watches).
  runFor(io, 20ms);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(peer.socket.available(), 0u);
}

TEST(UdpBatchSocket, Ipv6LoopbackRoundTrip) {
  if (!haveIpv6Loopback()) GTEST_SKIP() << "no ::1 on this machine";
  asio::io_context io;
  UdpBatchSocket::Config config;
  config.bindAddress = "::1";
  Collector collector;
  auto a = openOrNull(io, config, collector.callback());
  std::unique_ptr<UdpBatchSocket> b;
  Collector bGot;
  b = openOrNull(io, config, [&](std::span<uint8_t> data, std::span<uint8_t>, const UdpAddress& from) {
    bGot.got.push_back(Received{{data.begin(), data.end()}, from});
    b->send(data, from);
  });
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->localAddress().toString(), "[::1]:" + std::to_string(a->localPort()));
  EXPECT_TRUE(a->localAddress().isV6());
  a->send(packet(6), b->localAddress());
  ASSERT_TRUE(runUntil(io, [&] { return collector.got.size() == 1; }));
  ASSERT_EQ(bGot.got.size(), 1u);
  EXPECT_TRUE(bGot.got[0].from == a->localAddress()) << bGot.got[0].from.toString();
  EXPECT_EQ(bGot.got[0].from.toString(), "[::1]:" + std::to_string(a->localPort()));
  EXPECT_EQ(collector.got[0].bytes, packet(6));
  EXPECT_TRUE(collector.got[0].from == b->localAddress());
}

}  // namespace
}  // namespace callgate::net
