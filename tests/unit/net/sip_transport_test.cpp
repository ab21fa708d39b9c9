// SipTransport on real loopback sockets with ephemeral ports. The io_context runs in bounded slices
// (runUntil) until the awaited event; nothing sleeps.
#include "net/sip_transport.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sip/message/header_values.hpp"
#include "sip/message/parser.hpp"
#include "sip/message/writer.hpp"
#include "sip/transport/response_route.hpp"

namespace callgate::net {
namespace {

namespace asio = boost::asio;
using sip::Endpoint;
using sip::TransportProtocol;
using namespace std::chrono_literals;

constexpr auto kWait = 5s;

bool runUntil(
    asio::io_context& io, const std::function<bool()>& done,
    std::chrono::milliseconds limit = std::chrono::duration_cast<std::chrono::milliseconds>(kWait)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_for(10ms);
  }
  return true;
}

// Lets the loop handle whatever is ready, for a bounded time (used before asserting that nothing came).
void runFor(asio::io_context& io, std::chrono::milliseconds span) {
  if (io.stopped()) io.restart();
  io.run_for(span);
}

struct Received {
  sip::Message message;
  Endpoint from;
};

class Peer {
 public:
  Peer(asio::io_context& io, SipTransportConfig config) : transport(io, std::move(config)) {
    transport.setEvents(SipTransportEvents{[this](const sip::Message& message, const Endpoint& from) {
                                             received.push_back(Received{message.clone(), from});
                                             if (autoAnswer && message.isRequest()) answer(message, from);
                                           },
                                           [this](const Endpoint& peer) { failures.push_back(peer); }});
    auto started = transport.start();
    EXPECT_TRUE(started.ok()) << (started.ok() ? "" : started.error().message);
  }

  // 200 OK per RFC 3261 §8.2.6.2, to where RFC 3261 §18.2.2 / RFC 3581 §4 say.
  void answer(const sip::Message& request, const Endpoint& from) {
    sip::Message ok = sip::Message::response(200, "OK");
    for (const auto& field : request.headers()) {
      if (field.id == sip::HeaderId::kVia || field.id == sip::HeaderId::kFrom ||
          field.id == sip::HeaderId::kCallId || field.id == sip::HeaderId::kCSeq) {
        ok.addHeader(field.id, field.value);
      } else if (field.id == sip::HeaderId::kTo) {
        ok.addHeader(field.id, std::string(field.value) + ";tag=uas");
      }
    }
    EXPECT_TRUE(transport.send(sip::responseDestination(request, from), sip::toString(ok)));
  }

  Endpoint local(TransportProtocol protocol, size_t index = 0) const {
    for (const auto& endpoint : transport.localEndpoints()) {
      if (endpoint.protocol == protocol && index-- == 0) return endpoint;
    }
    ADD_FAILURE() << "no listener";
    return {};
  }

  uint64_t drops(sip::DropReason reason) const {
    return transport.stats().drops[static_cast<size_t>(reason)];
  }

  SipTransport transport;
  std::vector<Received> received;
  std::vector<Endpoint> failures;
  bool autoAnswer = true;
};

std::string options(const Endpoint& via, std::string_view branch, std::string_view callId = "call-1",
                    std::string_view cseqMethod = "OPTIONS", std::string_view method = "OPTIONS") {
  const bool v6 = via.address.find(':') != std::string::npos;
  const std::string host = v6 ? "[" + via.address + "]" : via.address;
  std::string text = std::string(method) + " sip:bob@" + host + " SIP/2.0\r\n";
  text += "Via: SIP/2.0/" + std::string(sip::transportName(via.protocol)) + " " + host + ":" +
          std::to_string(via.port) + ";rport;branch=" + std::string(branch) + "\r\n";
  text += "Max-Forwards: 70\r\nTo: <sip:bob@example.com>\r\nFrom: <sip:alice@example.com>;tag=a1\r\n";
  text += "Call-ID: " + std::string(callId) + "\r\nCSeq: 1 " + std::string(cseqMethod) + "\r\n";
  text += "Content-Length: 0\r\n\r\n";
  return text;
}

SipTransportConfig loopbackConfig(const std::string& address = "127.0.0.1") {
  SipTransportConfig config;
  config.udp.push_back({address, 0});
  config.tcp.push_back({address, 0});
  return config;
}

bool haveIpv6Loopback() {
  asio::io_context io;
  asio::ip::udp::socket socket(io);
  boost::system::error_code ec;
  socket.open(asio::ip::udp::v6(), ec);
  if (!ec) socket.bind(asio::ip::udp::endpoint(asio::ip::make_address("::1"), 0), ec);
  return !ec;
}

void exchangeOptions(asio::io_context& io, Peer& a, Peer& b, TransportProtocol protocol, int count) {
  const Endpoint bAddress = b.local(protocol);
  const Endpoint aVia = a.local(protocol);
  const size_t bBefore = b.received.size();
  for (int i = 0; i < count; ++i) {
    const size_t before = a.received.size();
    ASSERT_TRUE(a.transport.send(bAddress,
                                 options(aVia, "z9hG4bK" + std::to_string(i), "call-" + std::to_string(i))));
    ASSERT_TRUE(runUntil(io, [&] { return a.received.size() == before + 1; }))
        << "no 200 over " << sip::transportName(protocol);
    const Received& response = a.received.back();
    EXPECT_EQ(response.message.statusCode(), 200);
    EXPECT_EQ(response.message.headerValue(sip::HeaderId::kCallId), "call-" + std::to_string(i));
    EXPECT_EQ(response.from.protocol, protocol);
  }
  EXPECT_EQ(b.received.size(), bBefore + static_cast<size_t>(count));
  EXPECT_TRUE(a.failures.empty());
  EXPECT_TRUE(b.failures.empty());
}

TEST(NetSipTransport, UdpOptionsAnd200WithRportAndSymmetricPorts) {
  asio::io_context io;
  Peer a(io, loopbackConfig());
  Peer b(io, loopbackConfig());
  exchangeOptions(io, a, b, TransportProtocol::kUdp, 1);
  ASSERT_EQ(b.received.size(), 1u);
  // Sent from A's listening socket: the source port is A's SIP port.
  const Endpoint aUdp = a.local(TransportProtocol::kUdp);
  EXPECT_EQ(b.received[0].from, aUdp);
  auto via = sip::parseVia(b.received[0].message.headerValue(sip::HeaderId::kVia));
  ASSERT_TRUE(via.ok());
  // RFC 3581 §4: rport filled, received added although it equals the sent-by host.
  EXPECT_EQ(via->rport, std::to_string(aUdp.port));
  EXPECT_EQ(via->received, "127.0.0.1");
  EXPECT_EQ(a.received[0].from, b.local(TransportProtocol::kUdp));
  EXPECT_EQ(a.transport.connectionCount(), 0u);
}

TEST(NetSipTransport, ReceivedAddedWhenTheSentByIsAName) {
  asio::io_context io;
  Peer b(io, loopbackConfig());
  b.autoAnswer = false;
  asio::ip::udp::socket raw(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::string text = options(Endpoint{TransportProtocol::kUdp, "127.0.0.1", 5999}, "z9hG4bKname");
  text.replace(text.find("127.0.0.1:5999;rport"), 20, "client.example.com:5999");
  const auto to = b.local(TransportProtocol::kUdp);
  raw.send_to(asio::buffer(text), asio::ip::udp::endpoint(asio::ip::make_address(to.address), to.port));
  ASSERT_TRUE(runUntil(io, [&] { return b.received.size() == 1; }));
  EXPECT_EQ(b.received[0].message.headerValue(sip::HeaderId::kVia),
            "SIP/2.0/UDP client.example.com:5999;branch=z9hG4bKname;received=127.0.0.1");
  EXPECT_EQ(b.received[0].from.port, raw.local_endpoint().port());
  raw.close();
}

TEST(NetSipTransport, TcpOptionsAnd200ReuseTheConnection) {
  asio::io_context io;
  Peer a(io, loopbackConfig());
  Peer b(io, loopbackConfig());
  exchangeOptions(io, a, b, TransportProtocol::kTcp, 2);
  EXPECT_EQ(a.transport.connectionCount(), 1u);
  EXPECT_EQ(b.transport.connectionCount(), 1u);
  EXPECT_EQ(a.transport.stats().connectionsOpened, 1u);
  EXPECT_EQ(b.transport.stats().connectionsAccepted, 1u);
  // B answered over the connection A opened: its source is A's ephemeral port, not A's listener.
  EXPECT_NE(b.received[0].from.port, a.local(TransportProtocol::kTcp).port);
  EXPECT_EQ(b.received[0].from, b.received[1].from);
  // B's own request to A goes over the same connection too (it is keyed by the remote endpoint).
  ASSERT_TRUE(
      b.transport.send(b.received[0].from, options(b.local(TransportProtocol::kTcp), "z9hG4bKback", "back")));
  ASSERT_TRUE(runUntil(io, [&] { return b.received.size() == 3; }));
  EXPECT_EQ(b.received[2].message.statusCode(), 200);
  EXPECT_EQ(a.transport.connectionCount(), 1u);
  EXPECT_EQ(b.transport.stats().connectionsOpened, 0u);
}

TEST(NetSipTransport, Ipv6UdpAndTcp) {
  if (!haveIpv6Loopback()) GTEST_SKIP() << "no ::1 on this machine";
  asio::io_context io;
  Peer a(io, loopbackConfig("::1"));
  Peer b(io, loopbackConfig("::1"));
  exchangeOptions(io, a, b, TransportProtocol::kUdp, 1);
  EXPECT_EQ(b.received[0].from.address, "::1");
  exchangeOptions(io, a, b, TransportProtocol::kTcp, 1);
  EXPECT_EQ(a.transport.connectionCount(), 1u);
}

// A raw client socket: bytes in, bytes out, read in the loop.
class RawTcp {
 public:
  RawTcp(asio::io_context& io, const Endpoint& to) : io_(io), socket_(io) {
    socket_.connect(asio::ip::tcp::endpoint(asio::ip::make_address(to.address), to.port));
    read();
  }
  ~RawTcp() {
    boost::system::error_code ec;
    socket_.close(ec);
    // Let the aborted read finish while `this` is alive.
    runUntil(
        io_, [this] { return !reading_; }, 1000ms);
  }
  void write(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes.data(), bytes.size())); }
  bool waitFor(std::string_view needle) {
    return runUntil(io_, [&] { return data.find(needle) != std::string::npos || eof; });
  }
  bool waitForEof() {
    return runUntil(io_, [&] { return eof; });
  }
  std::string data;
  bool eof = false;

 private:
  void read() {
    reading_ = true;
    socket_.async_read_some(asio::buffer(chunk_), [this](const boost::system::error_code& ec, size_t n) {
      reading_ = false;
      if (ec) {
        eof = true;
        return;
      }
      data.append(chunk_.data(), n);
      read();
    });
  }
  asio::io_context& io_;
  asio::ip::tcp::socket socket_;
  std::array<char, 4096> chunk_{};
  bool reading_ = false;
};

TEST(NetSipTransport, BadRequestOverUdpGets400NamingTheProblem) {
  asio::io_context io;
  Peer b(io, loopbackConfig());
  asio::ip::udp::socket raw(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const Endpoint rawEndpoint{TransportProtocol::kUdp, "127.0.0.1", raw.local_endpoint().port()};
  const auto to = b.local(TransportProtocol::kUdp);
  const asio::ip::udp::endpoint target(asio::ip::make_address(to.address), to.port);
  // First a bad ACK (never answered), then a bad OPTIONS: on loopback the order is kept, so the first
  // datagram back shows that the ACK got nothing.
  raw.send_to(asio::buffer(options(rawEndpoint, "z9hG4bKack", "ack-call", "INVITE", "ACK")), target);
  raw.send_to(asio::buffer(options(rawEndpoint, "z9hG4bKbad", "bad-call", "INVITE")), target);
  std::array<char, 4096> buffer{};
  asio::ip::udp::endpoint sender;
  size_t got = 0;
  bool done = false;
  raw.async_receive_from(asio::buffer(buffer), sender, [&](const boost::system::error_code& ec, size_t n) {
    done = true;
    if (!ec) got = n;
  });
  ASSERT_TRUE(runUntil(io, [&] { return done; }));
  const std::string answer(buffer.data(), got);
  EXPECT_EQ(answer.substr(0, answer.find("\r\n")),
            "SIP/2.0 400 CSeq method INVITE does not match request method OPTIONS");
  EXPECT_NE(answer.find("Call-ID: bad-call\r\n"), std::string::npos) << answer;
  EXPECT_EQ(sender.port(), to.port);
  EXPECT_TRUE(b.received.empty());
  EXPECT_EQ(b.drops(sip::DropReason::kInvalidAck), 1u);
  EXPECT_EQ(b.drops(sip::DropReason::kInvalidRequest), 1u);
  EXPECT_EQ(b.transport.stats().errorResponsesSent, 1u);

  // Garbage: dropped and counted, the transport goes on.
  raw.send_to(asio::buffer(std::string("\x16\x03\x01 not sip")), target);
  ASSERT_TRUE(runUntil(io, [&] { return b.drops(sip::DropReason::kParseError) == 1; }));
  raw.close();
}

TEST(NetSipTransport, BadRequestOverTcpGets400OnTheConnection) {
  asio::io_context io;
  Peer b(io, loopbackConfig());
  RawTcp raw(io, b.local(TransportProtocol::kTcp));
  raw.write(options(Endpoint{TransportProtocol::kTcp, "127.0.0.1", 5060}, "z9hG4bKbad", "bad", "BYE"));
  ASSERT_TRUE(raw.waitFor("\r\n\r\n"));
  EXPECT_EQ(raw.data.substr(0, raw.data.find("\r\n")),
            "SIP/2.0 400 CSeq method BYE does not match request method OPTIONS");
  EXPECT_FALSE(raw.eof);
  // The connection stays usable.
  raw.write(options(Endpoint{TransportProtocol::kTcp, "127.0.0.1", 5060}, "z9hG4bKgood", "good"));
  ASSERT_TRUE(raw.waitFor("SIP/2.0 200 OK"));
  ASSERT_EQ(b.received.size(), 1u);
}

TEST(NetSipTransport, KeepAlivePingGetsPong) {
  asio::io_context io;
  Peer b(io, loopbackConfig());
  RawTcp raw(io, b.local(TransportProtocol::kTcp));
  raw.write("\r\n\r\n");
  ASSERT_TRUE(runUntil(io, [&] { return raw.data.size() >= 2 || raw.eof; }));
  EXPECT_EQ(raw.data, "\r\n");
  // A ping split across writes is still one ping.
  raw.write("\r\n");
  runFor(io, 20ms);
  EXPECT_EQ(raw.data, "\r\n");
  raw.write("\r\n");
  ASSERT_TRUE(runUntil(io, [&] { return raw.data.size() >= 4 || raw.eof; }));
  EXPECT_EQ(raw.data, "\r\n\r\n");
  EXPECT_EQ(b.transport.stats().keepAlivePings, 2u);
  EXPECT_TRUE(b.received.empty());
}

TEST(NetSipTransport, PipelinedAndSplitMessagesOnOneStream) {
  asio::io_context io;
  Peer b(io, loopbackConfig());
  b.autoAnswer = false;
  RawTcp raw(io, b.local(TransportProtocol::kTcp));
  const Endpoint via{TransportProtocol::kTcp, "127.0.0.1", 5060};
  raw.write(options(via, "z9hG4bK1", "one") + options(via, "z9hG4bK2", "two") + "\r\n" +
            options(via, "z9hG4bK3", "three"));
  ASSERT_TRUE(runUntil(io, [&] { return b.received.size() == 3; }));
  EXPECT_EQ(b.received[0].message.headerValue(sip::HeaderId::kCallId), "one");
  EXPECT_EQ(b.received[1].message.headerValue(sip::HeaderId::kCallId), "two");
  EXPECT_EQ(b.received[2].message.headerValue(sip::HeaderId::kCallId), "three");

  std::string withBody = options(via, "z9hG4bK4", "four");
  withBody.replace(withBody.find("Content-Length: 0"), 17, "Content-Length: 10");
  withBody += "0123456789";
  const size_t cut = withBody.size() - 25;  // the end of the header block and the body come later
  raw.write(std::string_view(withBody).substr(0, cut));
  runFor(io, 20ms);
  EXPECT_EQ(b.received.size(), 3u);
  raw.write(std::string_view(withBody).substr(cut));
  ASSERT_TRUE(runUntil(io, [&] { return b.received.size() == 4; }));
  EXPECT_EQ(b.received[3].message.body(), "0123456789");
  EXPECT_EQ(b.transport.stats().connectionsAccepted, 1u);
}

TEST(NetSipTransport, ConnectFailureIsReported) {
  asio::io_context io;
  Peer a(io, loopbackConfig());
  uint16_t closedPort = 0;
  {
    asio::ip::tcp::acceptor probe(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    closedPort = probe.local_endpoint().port();
  }
  const Endpoint nobody{TransportProtocol::kTcp, "127.0.0.1", closedPort};
  ASSERT_TRUE(a.transport.send(nobody, options(a.local(TransportProtocol::kTcp), "z9hG4bKx")));
  ASSERT_TRUE(runUntil(io, [&] { return !a.failures.empty(); }));
  EXPECT_EQ(a.failures[0], nobody);
  ASSERT_TRUE(runUntil(io, [&] { return a.transport.connectionCount() == 0; }));
  // A later send tries a new connection, and fails again.
  ASSERT_TRUE(a.transport.send(nobody, options(a.local(TransportProtocol::kTcp), "z9hG4bKy")));
  ASSERT_TRUE(runUntil(io, [&] { return a.failures.size() == 2; }));
  EXPECT_EQ(a.transport.stats().connectionsOpened, 2u);
}

TEST(NetSipTransport, LostConnectionIsReported) {
  asio::io_context io;
  Peer a(io, loopbackConfig());
  auto b = std::make_unique<Peer>(io, loopbackConfig());
  exchangeOptions(io, a, *b, TransportProtocol::kTcp, 1);
  const Endpoint bTcp = b->local(TransportProtocol::kTcp);
  b.reset();
  ASSERT_TRUE(runUntil(io, [&] { return !a.failures.empty(); }));
  EXPECT_EQ(a.failures[0], bTcp);
  ASSERT_TRUE(runUntil(io, [&] { return a.transport.connectionCount() == 0; }));
}

TEST(NetSipTransport, OversizeStreamIsCutOff) {
  asio::io_context io;
  SipTransportConfig config = loopbackConfig();
  config.maxConnectionBufferBytes = 2048;
  Peer b(io, config);
  RawTcp raw(io, b.local(TransportProtocol::kTcp));
  std::string big = options(Endpoint{TransportProtocol::kTcp, "127.0.0.1", 5060}, "z9hG4bKbig");
  big.replace(big.find("Content-Length: 0"), 17, "Content-Length: 100000");
  big += std::string(4000, 'x');
  raw.write(big);
  ASSERT_TRUE(raw.waitForEof());
  EXPECT_EQ(b.drops(sip::DropReason::kOversize), 1u);
  EXPECT_TRUE(b.received.empty());
}

TEST(NetSipTransport, UnframeableStreamGets400ThenClose) {
  asio::io_context io;
  Peer b(io, loopbackConfig());
  RawTcp raw(io, b.local(TransportProtocol::kTcp));
  std::string bad = options(Endpoint{TransportProtocol::kTcp, "127.0.0.1", 5060}, "z9hG4bKcl", "cl-call");
  bad.replace(bad.find("Content-Length: 0"), 17, "Content-Length: 99999999999");
  raw.write(bad);
  ASSERT_TRUE(raw.waitForEof());
  EXPECT_EQ(raw.data.substr(0, raw.data.find("\r\n")),
            "SIP/2.0 400 Content-Length is not a number within the body size limit");
  EXPECT_NE(raw.data.find("Call-ID: cl-call\r\n"), std::string::npos);
  EXPECT_EQ(b.drops(sip::DropReason::kFraming), 1u);
}

TEST(NetSipTransport, IdleConnectionsAreClosed) {
  asio::io_context io;
  SipTransportConfig config = loopbackConfig();
  config.idleTimeout = 100ms;
  Peer b(io, config);
  RawTcp raw(io, b.local(TransportProtocol::kTcp));
  ASSERT_TRUE(runUntil(io, [&] { return b.transport.connectionCount() == 1; }));
  ASSERT_TRUE(raw.waitForEof());
  EXPECT_EQ(b.transport.connectionCount(), 0u);
  EXPECT_TRUE(b.failures.empty());  // an idle close is no failure
}

TEST(NetSipTransport, ConnectionLimit) {
  asio::io_context io;
  SipTransportConfig config = loopbackConfig();
  config.maxConnections = 1;
  Peer b(io, config);
  RawTcp first(io, b.local(TransportProtocol::kTcp));
  ASSERT_TRUE(runUntil(io, [&] { return b.transport.connectionCount() == 1; }));
  RawTcp second(io, b.local(TransportProtocol::kTcp));
  ASSERT_TRUE(second.waitForEof());
  EXPECT_EQ(b.drops(sip::DropReason::kConnectionLimit), 1u);
  EXPECT_FALSE(first.eof);
  // B cannot open a connection of its own either.
  EXPECT_FALSE(b.transport.send(Endpoint{TransportProtocol::kTcp, "127.0.0.1", 9}, "x"));
}

TEST(NetSipTransport, StartErrorsNameTheProblem) {
  asio::io_context io;
  SipTransportConfig badAddress;
  badAddress.udp.push_back({"localhost", 0});
  SipTransport t1(io, badAddress);
  auto r1 = t1.start();
  ASSERT_FALSE(r1.ok());
  EXPECT_NE(r1.error().message.find("'localhost' is not a numeric IP address"), std::string::npos);

  SipTransportConfig noCert;
  noCert.tls.push_back({"127.0.0.1", 0});
  SipTransport t2(io, noCert);
  auto r2 = t2.start();
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message.find("certificate"), std::string::npos);

  SipTransportConfig missingFile = noCert;
  missingFile.tlsCertificateFile = "/nonexistent/cert.pem";
  missingFile.tlsPrivateKeyFile = "/nonexistent/key.pem";
  SipTransport t3(io, missingFile);
  auto r3 = t3.start();
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.error().message.find("/nonexistent/cert.pem"), std::string::npos) << r3.error().message;
  EXPECT_TRUE(t3.localEndpoints().empty());
  EXPECT_FALSE(t3.send(Endpoint{TransportProtocol::kUdp, "127.0.0.1", 9}, "x"));
}

// A self-signed certificate for 127.0.0.1 and ::1, made for this run by the openssl command.
class TlsFiles {
 public:
  TlsFiles() {
    dir_ = std::filesystem::temp_directory_path() /
           ("callgate-net-tls-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(dir_);
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "
        "/CN=callgate-test "
        "-addext subjectAltName=IP:127.0.0.1,IP:::1 -keyout '" +
        key() + "' -out '" + cert() + "' >/dev/null 2>&1";
    ok = std::system(command.c_str()) == 0;
  }
  ~TlsFiles() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string cert() const { return (dir_ / "cert.pem").string(); }
  std::string key() const { return (dir_ / "key.pem").string(); }
  bool ok = false;

 private:
  static inline int counter_ = 0;
  std::filesystem::path dir_;
};

SipTransportConfig tlsConfig(const TlsFiles& files) {
  SipTransportConfig config;
  config.tls.push_back({"127.0.0.1", 0});
  config.tlsCertificateFile = files.cert();
  config.tlsPrivateKeyFile = files.key();
  config.tlsCaFile = files.cert();
  return config;
}

TEST(NetSipTransport, TlsOptionsAnd200WithVerifiedCertificate) {
  TlsFiles files;
  ASSERT_TRUE(files.ok) << "openssl could not make a test certificate";
  asio::io_context io;
  Peer a(io, tlsConfig(files));
  Peer b(io, tlsConfig(files));
  exchangeOptions(io, a, b, TransportProtocol::kTls, 2);
  EXPECT_EQ(a.transport.connectionCount(), 1u);
  EXPECT_EQ(b.transport.connectionCount(), 1u);
  EXPECT_EQ(b.received[0].from.protocol, TransportProtocol::kTls);
}

TEST(NetSipTransport, TlsUntrustedCertificateIsAFailureUnlessVerificationIsOff) {
  TlsFiles files;
  ASSERT_TRUE(files.ok);
  TlsFiles other;  // a different self-signed certificate as the only trust anchor
  ASSERT_TRUE(other.ok);
  asio::io_context io;
  Peer b(io, tlsConfig(files));
  SipTransportConfig strict = tlsConfig(files);
  strict.tlsCaFile = other.cert();
  Peer a(io, strict);
  const Endpoint bTls = b.local(TransportProtocol::kTls);
  ASSERT_TRUE(a.transport.send(bTls, options(a.local(TransportProtocol::kTls), "z9hG4bKv")));
  ASSERT_TRUE(runUntil(io, [&] { return !a.failures.empty(); }));
  EXPECT_EQ(a.failures[0], bTls);
  EXPECT_TRUE(b.received.empty());

  SipTransportConfig lax = strict;
  lax.tlsVerifyPeer = false;
  Peer c(io, lax);
  exchangeOptions(io, c, b, TransportProtocol::kTls, 1);
}

TEST(NetSipTransport, TlsCertificateMustNameTheAddress) {
  TlsFiles files;
  ASSERT_TRUE(files.ok);
  asio::io_context io;
  // The certificate names 127.0.0.1 and ::1; 127.0.0.2 is loopback too but not named.
  SipTransportConfig server = tlsConfig(files);
  server.tls[0].address = "127.0.0.2";
  Peer b(io, server);
  Peer a(io, tlsConfig(files));
  const Endpoint bTls = b.local(TransportProtocol::kTls);
  ASSERT_TRUE(a.transport.send(bTls, options(a.local(TransportProtocol::kTls), "z9hG4bKn")));
  ASSERT_TRUE(runUntil(io, [&] { return !a.failures.empty(); }));
  EXPECT_TRUE(b.received.empty());
}

}  // namespace
}  // namespace callgate::net
