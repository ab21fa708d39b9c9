// The relay of a WebRTC <-> SIP call end to end over loopback UDP: a RelaySession on the gateway's media
// thread, a scripted Chromium-like client (webrtc_test_client.hpp) on a second media thread speaking real
// ICE, DTLS and SRTP to it, and plain UDP sockets on the test thread playing the SIP device (its RTP and
// RTCP ports, and a NAT's address for symmetric RTP).
//
// Threads: the relay is created, used and destroyed on the gateway thread, the client on the client
// thread; the test thread reaches them by post() and a bounded wait. Every wait has a deadline; the
// RTP-activity tests wait in real time for a timer of a second, with deadlines several times that. The
// RtpActivity rule itself is tested on virtual time at the end.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "media/media_counters.hpp"
#include "media/relay_session.hpp"
#include "net/media_thread.hpp"
#include "rtp/demux.hpp"
#include "rtp/rtcp_compound_writer.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_report.hpp"
#include "rtp/rtp_packet.hpp"
#include "webrtc_test_client.hpp"

namespace callgate::media {
namespace {

using namespace test;

constexpr auto kConnectTimeout = 5s;   // ICE and the DTLS handshake on loopback take milliseconds
constexpr auto kRelayTimeout = 3s;     // a burst of packets through the relay
constexpr auto kReportTimeout = 4s;    // RTCP reports go out every 0.5-1.5 s
constexpr auto kActivityTimeout = 8s;  // a 1 s rtpTimeout judged once a second, with room for a slow machine

// G.711 µ-law under payload type 0 on both legs; telephone-event 126 on the client's, 101 on the SIP side's.
constexpr uint8_t kPcmu = 0;
constexpr uint8_t kClientEvent = 126;
constexpr uint8_t kSipEvent = 101;
const std::vector<PayloadMapping> kG711{{kPcmu, kPcmu, 8000}, {kClientEvent, kSipEvent, 8000}};

constexpr uint32_t kClientSsrcA = 0x11111111;
constexpr uint32_t kClientSsrcB = 0x22222222;
constexpr uint32_t kDeviceSsrcA = 0x33333333;
constexpr uint32_t kDeviceSsrcB = 0x44444444;
constexpr uint8_t kDeviceTag = 0xD0;  // payloadFor()'s tag for what the SIP device sends

// One UDP socket of the SIP device on 127.0.0.1: blocking calls with a poll() deadline, on the test thread
// (and a DeviceStream's thread for sends: the descriptor does not change after construction).
class UdpPeer {
 public:
  struct Datagram {
    Bytes bytes;
    uint16_t fromPort = 0;
  };

  // `port` 0: one the kernel picks.
  explicit UdpPeer(uint16_t port = 0) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~UdpPeer() {
    if (fd_ >= 0) ::close(fd_);
  }
  UdpPeer(const UdpPeer&) = delete;
  UdpPeer& operator=(const UdpPeer&) = delete;

  bool valid() const { return fd_ >= 0; }
  uint16_t port() const { return port_; }

  bool sendTo(uint16_t port, std::span<const uint8_t> data) const {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(port);
    return ::sendto(fd_, data.data(), data.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) ==
           static_cast<ssize_t>(data.size());
  }

  // The next datagram, or nullopt when none comes within `timeout`.
  std::optional<Datagram> receive(std::chrono::milliseconds timeout) const {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    Datagram d;
    d.bytes.resize(2048);
    sockaddr_in from{};
    socklen_t length = sizeof from;
    const ssize_t n =
        ::recvfrom(fd_, d.bytes.data(), d.bytes.size(), 0, reinterpret_cast<sockaddr*>(&from), &length);
    if (n < 0) return std::nullopt;
    d.bytes.resize(static_cast<size_t>(n));
    d.fromPort = ntohs(from.sin_port);
    return d;
  }

  // Reads until nothing has come for `quiet`; how many datagrams were read.
  size_t drain(std::chrono::milliseconds quiet = 100ms) const {
    size_t n = 0;
    while (receive(quiet)) ++n;
    return n;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// The SIP device: its RTP and RTCP sockets, which its SDP names.
struct SipDevice {
  UdpPeer rtp;
  UdpPeer rtcp;
};

Bytes rtpPacket(uint8_t payloadType, uint32_t ssrc, uint16_t seq, bool marker = false) {
  Bytes buffer(256);
  const Bytes payload = payloadFor(kDeviceTag, seq);
  auto size =
      rtp::writeRtpPacket(buffer, rtp::RtpHeader{marker, payloadType, seq, timestampFor(seq), ssrc}, payload);
  buffer.resize(size.value());
  return buffer;
}

// An RTP packet the SIP device received, copied out.
struct DeviceRtp {
  uint32_t ssrc = 0;
  uint16_t seq = 0;
  uint8_t payloadType = 0;
  uint32_t timestamp = 0;
  bool marker = false;
  Bytes payload;
  uint16_t fromPort = 0;
};

// Up to `count` RTP packets (RTCP is skipped), in arrival order, waiting at most `timeout` in all.
std::vector<DeviceRtp> receiveRtp(const UdpPeer& peer, size_t count,
                                  std::chrono::milliseconds timeout = kRelayTimeout) {
  std::vector<DeviceRtp> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) break;
    auto d = peer.receive(left);
    if (!d) break;
    if (!rtp::isRtp(d->bytes)) continue;
    auto parsed = rtp::RtpPacket::parse(d->bytes);
    if (!parsed) continue;
    out.push_back(DeviceRtp{parsed->ssrc(), parsed->sequenceNumber(), parsed->payloadType(),
                            parsed->timestamp(), parsed->marker(),
                            Bytes(parsed->payload().begin(), parsed->payload().end()), d->fromPort});
  }
  return out;
}

// The report block on `ssrc` in an SR or RR of `compound`.
std::optional<rtp::ReportBlock> blockOn(std::span<const uint8_t> compound, uint32_t ssrc) {
  rtp::RtcpIterator it(compound);
  while (auto packet = it.next()) {
    if (packet->type() == rtp::rtcp::kSenderReport) {
      auto sr = rtp::SenderReport::parse(*packet);
      if (!sr) continue;
      for (size_t i = 0; i < sr->reportCount(); ++i) {
        if (sr->reportBlock(i).ssrc == ssrc) return sr->reportBlock(i);
      }
    } else if (packet->type() == rtp::rtcp::kReceiverReport) {
      auto rr = rtp::ReceiverReport::parse(*packet);
      if (!rr) continue;
      for (size_t i = 0; i < rr->reportCount(); ++i) {
        if (rr->reportBlock(i).ssrc == ssrc) return rr->reportBlock(i);
      }
    }
  }
  return std::nullopt;
}

// The sender info of an SR from `ssrc` in `compound`.
std::optional<rtp::SenderInfo> senderReportFrom(std::span<const uint8_t> compound, uint32_t ssrc) {
  rtp::RtcpIterator it(compound);
  while (auto packet = it.next()) {
    if (packet->type() != rtp::rtcp::kSenderReport) continue;
    auto sr = rtp::SenderReport::parse(*packet);
    if (sr && sr->ssrc() == ssrc) return sr->senderInfo();
  }
  return std::nullopt;
}

// The device's SR (RFC 3550 §6.4.1) with an SDES CNAME, as a full compound.
Bytes deviceSenderReport(uint32_t ssrc, rtp::NtpTime ntp, uint32_t packets) {
  Bytes buffer(256);
  rtp::RtcpCompoundWriter writer(buffer);
  writer.senderReport(rtp::SenderInfo{ssrc, ntp, 12345, packets, packets * 40}).sdesCname(ssrc, "device");
  buffer.resize(writer.finish().value());
  return buffer;
}

// Waits (at most `timeout`) for an RTCP compound on `peer` with a report block on `ssrc` that echoes `lsr`.
std::optional<std::pair<rtp::ReportBlock, uint16_t>> awaitReportBlock(const UdpPeer& peer, uint32_t ssrc,
                                                                      uint32_t lsr) {
  const auto deadline = std::chrono::steady_clock::now() + kReportTimeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return std::nullopt;
    auto d = peer.receive(left);
    if (!d) return std::nullopt;
    if (!rtp::isRtcp(d->bytes)) continue;
    if (auto block = blockOn(d->bytes, ssrc); block && block->lastSenderReport == lsr) {
      return std::make_pair(*block, d->fromPort);
    }
  }
}

// RTP from the SIP device at 100 packets/s on a thread of its own, until stop().
class DeviceStream {
 public:
  DeviceStream(const UdpPeer& from, uint16_t toPort, uint32_t ssrc, uint16_t firstSeq)
      : thread_([this, &from, toPort, ssrc, firstSeq] {
          uint16_t seq = firstSeq;
          while (!stop_) {
            if (from.sendTo(toPort, rtpPacket(kPcmu, ssrc, seq++))) ++sent_;
            std::this_thread::sleep_for(10ms);  // pacing, not a wait for a result
          }
        }) {}
  ~DeviceStream() { stop(); }
  DeviceStream(const DeviceStream&) = delete;
  DeviceStream& operator=(const DeviceStream&) = delete;

  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  uint64_t sent() const { return sent_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> sent_{0};
  std::thread thread_;
};

class RelayLoopbackTest : public ::testing::Test {
 protected:
  RelayLoopbackTest() : gatewayThread_(0), clientThread_(1) {
    gatewayCert_ = dtls::DtlsCertificate::generate("callgate").value();
    config_.webrtc.bindAddress = "127.0.0.1";
    config_.webrtc.portMin = 0;  // ports the kernel picks, unless a test sets a range
    config_.webrtc.portMax = 0;
    config_.sipBindAddress = "127.0.0.1";
    config_.portMin = 0;
    config_.portMax = 0;
    gatewayThread_.start();
    clientThread_.start();
  }

  void TearDown() override {
    stopGateway();
    stopClients();
  }

  // The relays are destroyed on their thread, then it stops. Idempotent.
  void stopGateway() {
    if (gatewayStopped_) return;
    gatewayStopped_ = true;
    EXPECT_TRUE(onThread(gatewayThread_, [this] {
      relays_.clear();
      return true;
    }));
    gatewayThread_.stop();
  }

  void stopClients() {
    EXPECT_TRUE(onThread(clientThread_, [this] {
      clients_.clear();
      return true;
    }));
    clientThread_.stop();
  }

  // A client on the client thread, its socket open.
  ScriptedClient& addClient(uint8_t tag) {
    clients_.push_back(std::make_unique<ScriptedClient>(clientThread_, tag));
    ScriptedClient* client = clients_.back().get();
    auto opened = onThread(clientThread_, [client] { return client->open(); });
    EXPECT_TRUE(opened && *opened) << (opened && !*opened ? opened->error().message : "timeout");
    return *client;
  }

  // On the gateway thread: a relay with config_; its local addresses, or the error.
  core::Result<RelayLocal> tryCreateRelay() {
    auto alive = std::make_shared<int>(0);
    relaysAlive_.push_back(alive);
    auto local = onThread(gatewayThread_, [this, alive]() -> core::Result<RelayLocal> {
      RelaySession::Listener l;
      l.onConnected = [this, alive] { ++connected_; };
      l.onFailed = [this](const std::string& info, const std::string& reason) {
        std::lock_guard lock(mutex_);
        failures_.emplace_back(info, reason);
      };
      auto relay =
          RelaySession::create(gatewayThread_, config_, gatewayCert_, nullptr, &counters_, std::move(l));
      if (!relay) return relay.error();
      RelayLocal out = (*relay)->local();
      relays_.push_back(std::move(*relay));
      return out;
    });
    if (!local) return core::makeError("the gateway's media thread did not answer");
    return std::move(*local);
  }

  std::optional<RelayLocal> createRelay() {
    auto local = tryCreateRelay();
    if (!local) {
      ADD_FAILURE() << "RelaySession::create: " << local.error().message;
      return std::nullopt;
    }
    return *local;
  }

  // Runs fn(relay) on the gateway thread.
  template <typename Fn>
  auto onRelay(Fn fn, size_t index = 0) {
    return onThread(gatewayThread_, [this, fn, index]() mutable { return fn(*relays_.at(index)); });
  }

  // The codecs, and the SIP device's SDP addresses (none: not known yet).
  bool setup(const std::vector<PayloadMapping>& payloads, const SipDevice* device) {
    std::optional<std::pair<uint16_t, uint16_t>> remote;
    if (device != nullptr) remote.emplace(device->rtp.port(), device->rtcp.port());
    auto done = onRelay([payloads, remote](RelaySession& r) {
      r.setPayloads(payloads);
      if (remote) r.setSipRemote("127.0.0.1", remote->first, remote->second, false);
      return true;
    });
    return done.has_value();
  }

  // The client's credentials to the relay, start(), and the client's checks and handshake; whether both
  // ends are connected in time.
  bool connect(ScriptedClient& client, const RelayLocal& local) {
    const int before = connected_;
    auto set = onRelay([ufrag = client.ufrag(), pwd = client.pwd(),
                        fingerprint = client.fingerprint()](RelaySession& r) -> core::Result<void> {
      auto result =
          r.setWebRtcRemote(webrtc::ice::IceCredentials{ufrag, pwd}, dtls::DtlsCertificate::kHashFunction,
                            fingerprint, dtls::DtlsRole::kServer);
      r.start();
      return result;
    });
    if (!set || !*set) {
      ADD_FAILURE() << "setWebRtcRemote: " << (set ? set->error().message : "timeout");
      return false;
    }
    auto address = net::UdpAddress::parse(local.webrtcAddress, local.webrtcPort);
    if (!address) {
      ADD_FAILURE() << "local().webrtcAddress " << local.webrtcAddress << " is not an address";
      return false;
    }
    // Our role is the DTLS server: the client sees a=setup:passive and starts the handshake.
    GatewayTransport gateway{*address,
                             local.ice.ufrag,
                             local.ice.pwd,
                             std::string(dtls::DtlsCertificate::kHashFunction),
                             gatewayCert_->fingerprint(),
                             sdp::SetupRole::kPassive};
    ScriptedClient* c = &client;
    if (!onThread(clientThread_, [c, gateway] {
          c->connect(gateway);
          return true;
        })) {
      ADD_FAILURE() << "the client's media thread did not answer";
      return false;
    }
    const bool ok =
        eventually([&] { return view(client).connected && connected_ > before; }, kConnectTimeout);
    if (!ok) {
      const ClientView v = view(client);
      ADD_FAILURE() << "not connected: ICE answered " << v.iceAnswered << ", client DTLS '" << v.dtlsFailure
                    << "', relay connected " << connected_;
    }
    return ok;
  }

  ClientView view(ScriptedClient& client) {
    ScriptedClient* c = &client;
    auto v = onThread(clientThread_, [c] { return c->view(); });
    EXPECT_TRUE(v) << "the client's media thread did not answer";
    return v ? std::move(*v) : ClientView{};
  }

  // Sends (payload type, SSRC, sequence number, marker) packets from the client, in order.
  void clientSends(ScriptedClient& client,
                   const std::vector<std::tuple<uint8_t, uint32_t, uint16_t, bool>>& packets) {
    ScriptedClient* c = &client;
    auto sent = onThread(clientThread_, [c, packets] {
      size_t n = 0;
      for (auto [pt, ssrc, seq, marker] : packets) n += c->sendRtp(pt, ssrc, seq, marker) ? 1 : 0;
      return n;
    });
    ASSERT_TRUE(sent);
    ASSERT_EQ(*sent, packets.size()) << "the client could not send";
  }

  ClientView awaitRtp(ScriptedClient& client, size_t count) {
    ClientView v;
    eventually(
        [&] {
          v = view(client);
          return v.rtp.size() >= count;
        },
        kRelayTimeout);
    return v;
  }

  RelayStats stats(size_t index = 0) {
    auto s = onRelay([](RelaySession& r) { return r.stats(); }, index);
    EXPECT_TRUE(s) << "the gateway's media thread did not answer";
    return s ? *s : RelayStats{};
  }

  std::vector<std::pair<std::string, std::string>> failures() {
    std::lock_guard lock(mutex_);
    return failures_;
  }

  // Declared first, destroyed last: TearDown has already emptied, on their threads, what lives there.
  net::MediaThread gatewayThread_;
  net::MediaThread clientThread_;
  std::shared_ptr<const dtls::DtlsCertificate> gatewayCert_;
  RelayConfig config_;
  MediaCounters counters_;
  std::atomic<int> connected_{0};
  std::mutex mutex_;
  std::vector<std::pair<std::string, std::string>> failures_;  // under mutex_
  bool gatewayStopped_ = false;
  std::vector<std::weak_ptr<int>> relaysAlive_;  // expired once a relay and its listener are gone
  // Only on the gateway thread:
  std::vector<std::unique_ptr<RelaySession>> relays_;
  // Built on the test thread, used and destroyed on the client thread:
  std::vector<std::unique_ptr<ScriptedClient>> clients_;
};

TEST_F(RelayLoopbackTest, RelaysG711BothWaysMappingPayloadTypesAndKeepingOneContinuousStreamPerLeg) {
  SipDevice device;
  auto local = createRelay();
  ASSERT_TRUE(local);
  EXPECT_EQ(local->sipAddress, "127.0.0.1");
  EXPECT_EQ(local->sipRtpPort % 2, 0) << "RFC 3550 §11: RTP on an even port";
  EXPECT_NE(local->webrtcSsrc, 0u);
  EXPECT_NE(local->sipSsrc, 0u);
  EXPECT_NE(local->webrtcSsrc, local->sipSsrc);
  ASSERT_TRUE(setup(kG711, &device));
  ScriptedClient& client = addClient(1);
  ASSERT_TRUE(connect(client, *local));

  // Client -> SIP: G.711 and telephone-event on one SSRC, then G.711 from a new SSRC (a restarted sender).
  std::vector<std::tuple<uint8_t, uint32_t, uint16_t, bool>> packets;
  std::vector<uint16_t> sourceSeq;
  for (uint16_t i = 0; i < 20; ++i) packets.emplace_back(kPcmu, kClientSsrcA, 1000 + i, i == 0);
  for (uint16_t i = 0; i < 5; ++i) packets.emplace_back(kClientEvent, kClientSsrcA, 1020 + i, i == 0);
  for (uint16_t i = 0; i < 20; ++i) packets.emplace_back(kPcmu, kClientSsrcB, 30000 + i, i == 0);
  clientSends(client, packets);
  const std::vector<DeviceRtp> atSip = receiveRtp(device.rtp, packets.size());
  ASSERT_EQ(atSip.size(), packets.size());
  for (size_t i = 0; i < atSip.size(); ++i) {
    const auto [pt, ssrc, seq, marker] = packets[i];
    const DeviceRtp& p = atSip[i];
    EXPECT_EQ(p.ssrc, local->sipSsrc) << i;
    EXPECT_EQ(p.payloadType, pt == kClientEvent ? kSipEvent : kPcmu) << i;
    EXPECT_EQ(p.seq, static_cast<uint16_t>(atSip[0].seq + i)) << i << ": one sequence across both sources";
    EXPECT_EQ(p.marker, marker) << i;
    EXPECT_EQ(p.payload, payloadFor(client.tag(), seq)) << i;
    EXPECT_EQ(p.fromPort, local->sipRtpPort) << "symmetric RTP: sent from the port we receive on";
    if (i == 0) continue;
    const uint32_t step = p.timestamp - atSip[i - 1].timestamp;
    if (i == 25) {
      // The new source continues from the last timestamp plus the time that passed (at least 1 tick; the
      // whole burst takes far less than 5 s at 8 kHz).
      EXPECT_GE(step, 1u);
      EXPECT_LE(step, 5u * 8000u);
    } else {
      EXPECT_EQ(step, 960u) << i << ": the source's own spacing";
    }
  }

  // SIP -> client: the mirror.
  std::vector<std::tuple<uint8_t, uint32_t, uint16_t, bool>> fromDevice;
  for (uint16_t i = 0; i < 20; ++i) fromDevice.emplace_back(kPcmu, kDeviceSsrcA, 500 + i, i == 0);
  for (uint16_t i = 0; i < 5; ++i) fromDevice.emplace_back(kSipEvent, kDeviceSsrcA, 520 + i, i == 0);
  for (uint16_t i = 0; i < 20; ++i) fromDevice.emplace_back(kPcmu, kDeviceSsrcB, 9000 + i, i == 0);
  for (auto [pt, ssrc, seq, marker] : fromDevice)
    ASSERT_TRUE(device.rtp.sendTo(local->sipRtpPort, rtpPacket(pt, ssrc, seq, marker)));
  const ClientView v = awaitRtp(client, fromDevice.size());
  ASSERT_EQ(v.rtp.size(), fromDevice.size());
  for (size_t i = 0; i < v.rtp.size(); ++i) {
    const auto [pt, ssrc, seq, marker] = fromDevice[i];
    const ReceivedRtp& p = v.rtp[i];
    EXPECT_EQ(p.ssrc, local->webrtcSsrc) << i;
    EXPECT_EQ(p.payloadType, pt == kSipEvent ? kClientEvent : kPcmu) << i;
    EXPECT_EQ(p.seq, static_cast<uint16_t>(v.rtp[0].seq + i)) << i;
    EXPECT_EQ(p.marker, marker) << i;
    EXPECT_EQ(p.payload, payloadFor(kDeviceTag, seq)) << i;
    if (i == 0) continue;
    const uint32_t step = p.timestamp - v.rtp[i - 1].timestamp;
    if (i == 25) {
      EXPECT_GE(step, 1u);
      EXPECT_LE(step, 5u * 8000u);
    } else {
      EXPECT_EQ(step, 960u) << i;
    }
  }
  EXPECT_EQ(v.srtpFailures, 0u);

  const RelayStats s = stats();
  EXPECT_EQ(s.toSip, packets.size());
  EXPECT_EQ(s.toWebRtc, fromDevice.size());
  EXPECT_EQ(s.sipRtpIn, fromDevice.size());
  EXPECT_EQ(s.sipRtpOut, packets.size());
  EXPECT_EQ(s.droppedUnknownPt + s.droppedNoRemote + s.droppedMalformed + s.droppedSendFailed + s.droppedLate,
            0u);
  EXPECT_EQ(counters_.rtpToSip.load(), packets.size());
  EXPECT_EQ(counters_.rtpToWebRtc.load(), fromDevice.size());
  EXPECT_TRUE(failures().empty());
}

TEST_F(RelayLoopbackTest, SymmetricRtpLatchesToWhereTheDeviceSendsFromAndANewSdpAddressForgetsIt) {
  SipDevice device;  // what its SDP says
  UdpPeer nat;       // where its RTP comes from: a NAT's public address
  ASSERT_TRUE(nat.valid());
  auto local = createRelay();
  ASSERT_TRUE(local);
  ASSERT_TRUE(setup(kG711, &device));
  ScriptedClient& client = addClient(2);
  ASSERT_TRUE(connect(client, *local));

  // Before the device has sent anything: to the SDP's address.
  clientSends(client, {{kPcmu, kClientSsrcA, 100, false}, {kPcmu, kClientSsrcA, 101, false}});
  EXPECT_EQ(receiveRtp(device.rtp, 2).size(), 2u);

  for (uint16_t seq = 700; seq < 705; ++seq)
    ASSERT_TRUE(nat.sendTo(local->sipRtpPort, rtpPacket(kPcmu, kDeviceSsrcA, seq)));
  EXPECT_EQ(awaitRtp(client, 5).rtp.size(), 5u);

  clientSends(client, {{kPcmu, kClientSsrcA, 102, false},
                       {kPcmu, kClientSsrcA, 103, false},
                       {kPcmu, kClientSsrcA, 104, false}});
  const auto latched = receiveRtp(nat, 3);
  ASSERT_EQ(latched.size(), 3u) << "replies go to the latched source";
  EXPECT_EQ(latched[0].fromPort, local->sipRtpPort);
  // Loopback delivers during the send: had any gone to the SDP's address, it would be there already.
  EXPECT_FALSE(device.rtp.receive(20ms)) << "a packet still went to the SDP's address";
  EXPECT_EQ(stats().sip.rtpLatches, 1u);

  // A re-INVITE moves the call to another address: the latch was the old one's.
  SipDevice moved;
  ASSERT_TRUE(onRelay([port = moved.rtp.port(), rtcp = moved.rtcp.port()](RelaySession& r) {
    r.setSipRemote("127.0.0.1", port, rtcp, false);
    return true;
  }));
  clientSends(client, {{kPcmu, kClientSsrcA, 105, false}, {kPcmu, kClientSsrcA, 106, false}});
  const auto atMoved = receiveRtp(moved.rtp, 2);
  ASSERT_EQ(atMoved.size(), 2u);
  EXPECT_EQ(atMoved[0].seq, static_cast<uint16_t>(latched[2].seq + 1));
  EXPECT_FALSE(nat.receive(20ms)) << "the old latch is still used";
}

TEST_F(RelayLoopbackTest, TheLatchIsStrictAStraySourceIsDroppedWhileTheLatchedOneIsLive) {
  // The default, 1 s: long enough that a slow machine's pauses between the steps below never reach it.
  config_.sipRelatchAfterSilence = 1s;
  SipDevice device;  // what its SDP says
  UdpPeer nat;       // where its RTP comes from
  UdpPeer stray;     // someone spraying RTP at the port range
  ASSERT_TRUE(nat.valid());
  ASSERT_TRUE(stray.valid());
  auto local = createRelay();
  ASSERT_TRUE(local);
  ASSERT_TRUE(setup(kG711, &device));
  ScriptedClient& client = addClient(7);
  ASSERT_TRUE(connect(client, *local));

  for (uint16_t seq = 700; seq < 703; ++seq)
    ASSERT_TRUE(nat.sendTo(local->sipRtpPort, rtpPacket(kPcmu, kDeviceSsrcA, seq)));
  ASSERT_EQ(awaitRtp(client, 3).rtp.size(), 3u);

  // While the latched source is live, another one is neither relayed nor answered.
  for (uint16_t seq = 900; seq < 903; ++seq)
    ASSERT_TRUE(stray.sendTo(local->sipRtpPort, rtpPacket(kPcmu, kDeviceSsrcB, seq)));
  RelayStats s;
  ASSERT_TRUE(eventually(
      [&] {
        s = stats();
        return s.droppedStraySource >= 3;
      },
      kRelayTimeout));
  for (uint16_t seq = 703; seq < 705; ++seq)
    ASSERT_TRUE(nat.sendTo(local->sipRtpPort, rtpPacket(kPcmu, kDeviceSsrcA, seq)));
  // Loopback delivers in order: had the stray packets been relayed, they would be before these two.
  EXPECT_EQ(awaitRtp(client, 5).rtp.size(), 5u) << "stray packets reached the client";
  clientSends(client, {{kPcmu, kClientSsrcA, 100, false}, {kPcmu, kClientSsrcA, 101, false}});
  EXPECT_EQ(receiveRtp(nat, 2).size(), 2u);
  EXPECT_FALSE(stray.receive(20ms)) << "the call's audio went to the stray source";
  s = stats();
  EXPECT_EQ(s.droppedStraySource, 3u);
  EXPECT_EQ(s.sip.rtpStray, 3u);
  EXPECT_EQ(counters_.dropped(MediaDrop::kStraySource), 3u);
  EXPECT_EQ(s.sip.rtpLatches, 1u);

  // The device at its SDP address is never stray: it takes the latch back at once.
  const auto deviceSent = std::chrono::steady_clock::now();
  ASSERT_TRUE(device.rtp.sendTo(local->sipRtpPort, rtpPacket(kPcmu, kDeviceSsrcA, 705)));
  EXPECT_EQ(awaitRtp(client, 6).rtp.size(), 6u);
  EXPECT_EQ(stats().sip.rtpLatches, 2u);
  clientSends(client, {{kPcmu, kClientSsrcA, 102, false}});
  EXPECT_EQ(receiveRtp(device.rtp, 1).size(), 1u);
  EXPECT_FALSE(nat.receive(20ms));

  // Once the latched source has sent nothing for sipRelatchAfterSilence, a new one may take over (a NAT
  // that rebinds).
  bool tookOver = false;
  for (uint16_t seq = 710; seq < 750 && !tookOver; ++seq) {
    ASSERT_TRUE(nat.sendTo(local->sipRtpPort, rtpPacket(kPcmu, kDeviceSsrcA, seq)));
    tookOver = stats().sip.rtpLatches == 3;
    if (!tookOver) tookOver = eventually([&] { return stats().sip.rtpLatches == 3; }, 100ms);
  }
  ASSERT_TRUE(tookOver) << "the silent latch was never given up";
  EXPECT_GE(std::chrono::steady_clock::now() - deviceSent, 1s) << "given up before its silence";
  clientSends(client, {{kPcmu, kClientSsrcA, 103, false}});
  EXPECT_EQ(receiveRtp(nat, 1).size(), 1u);
  EXPECT_TRUE(failures().empty());
}

TEST_F(RelayLoopbackTest, UnknownPayloadTypesAndMalformedPacketsAreDroppedAndCountedNeverFatal) {
  SipDevice device;
  auto local = createRelay();
  ASSERT_TRUE(local);
  ASSERT_TRUE(setup({{kPcmu, kPcmu, 8000}}, &device));
  ScriptedClient& client = addClient(3);
  ASSERT_TRUE(connect(client, *local));

  // PCMA (8) was not negotiated.
  std::vector<std::tuple<uint8_t, uint32_t, uint16_t, bool>> packets;
  for (uint16_t i = 0; i < 5; ++i) {
    packets.emplace_back(8, kClientSsrcA, 200 + 2 * i, false);
    packets.emplace_back(kPcmu, kClientSsrcA, 201 + 2 * i, false);
  }
  clientSends(client, packets);
  const auto atSip = receiveRtp(device.rtp, 5);
  ASSERT_EQ(atSip.size(), 5u);
  for (const DeviceRtp& p : atSip) EXPECT_EQ(p.payloadType, kPcmu);

  // From the SIP side: datagrams that are not RTP, RTP that does not parse, payload types 18 (G.729) and
  // 101 (not negotiated here), then good packets.
  const Bytes notRtp{0x00, 0x01, 0x00, 0x00};
  Bytes version1 = rtpPacket(kPcmu, kDeviceSsrcA, 1);
  version1[0] = 0x40;
  Bytes csrcPastTheEnd = rtpPacket(kPcmu, kDeviceSsrcA, 2);
  csrcPastTheEnd.resize(16);
  csrcPastTheEnd[0] = 0x8F;  // 15 CSRCs in 4 bytes
  ASSERT_TRUE(device.rtp.sendTo(local->sipRtpPort, notRtp));
  ASSERT_TRUE(device.rtp.sendTo(local->sipRtpPort, version1));
  ASSERT_TRUE(device.rtp.sendTo(local->sipRtpPort, csrcPastTheEnd));
  // On the RTCP port: an SR whose length runs past the datagram, and RTP.
  const Bytes longSr{0x80, 0xC8, 0x00, 0x20, 0, 0, 0, 1};
  ASSERT_TRUE(device.rtcp.sendTo(local->sipRtpPort + 1, longSr));
  ASSERT_TRUE(device.rtcp.sendTo(local->sipRtpPort + 1, rtpPacket(kPcmu, kDeviceSsrcA, 3)));
  for (uint16_t seq = 10; seq < 13; ++seq)
    ASSERT_TRUE(device.rtp.sendTo(local->sipRtpPort, rtpPacket(18, kDeviceSsrcA, seq)));
  ASSERT_TRUE(device.rtp.sendTo(local->sipRtpPort, rtpPacket(kSipEvent, kDeviceSsrcA, 13)));
  for (uint16_t seq = 14; seq < 17; ++seq)
    ASSERT_TRUE(device.rtp.sendTo(local->sipRtpPort, rtpPacket(kPcmu, kDeviceSsrcA, seq)));
  const ClientView v = awaitRtp(client, 3);
  ASSERT_EQ(v.rtp.size(), 3u);
  for (const ReceivedRtp& p : v.rtp) EXPECT_EQ(p.payloadType, kPcmu);

  RelayStats s;
  EXPECT_TRUE(eventually(
      [&] {
        s = stats();
        return s.droppedMalformed >= 5;
      },
      kRelayTimeout));
  EXPECT_EQ(s.droppedUnknownPt, 5u + 4u);
  EXPECT_EQ(s.droppedMalformed, 5u);
  EXPECT_EQ(s.toSip, 5u);
  EXPECT_EQ(s.toWebRtc, 3u);
  EXPECT_EQ(counters_.dropped(MediaDrop::kUnknownPayloadType), 9u);
  EXPECT_EQ(counters_.dropped(MediaDrop::kMalformed), 5u);
  EXPECT_TRUE(failures().empty());
  EXPECT_EQ(stats().sip.rtpLatches, 0u) << "the device sent from its SDP address: nothing to latch";
}

TEST_F(RelayLoopbackTest, PacketsBeforeTheOtherLegIsKnownAreDroppedAsNoRemote) {
  SipDevice device;
  auto local = createRelay();
  ASSERT_TRUE(local);
  ASSERT_TRUE(setup(kG711, nullptr));
  // The client is not connected yet: the SIP side's early RTP has nowhere to go.
  for (uint16_t seq = 1; seq <= 3; ++seq)
    ASSERT_TRUE(device.rtp.sendTo(local->sipRtpPort, rtpPacket(kPcmu, kDeviceSsrcA, seq)));
  EXPECT_TRUE(eventually([&] { return stats().droppedNoRemote == 3; }, kRelayTimeout));

  // Connected, but the SIP side's SDP is not known yet.
  ScriptedClient& client = addClient(4);
  ASSERT_TRUE(connect(client, *local));
  clientSends(client, {{kPcmu, kClientSsrcA, 1, false}, {kPcmu, kClientSsrcA, 2, false}});
  EXPECT_TRUE(eventually([&] { return stats().droppedNoRemote == 5; }, kRelayTimeout));
  EXPECT_EQ(counters_.dropped(MediaDrop::kNoRemote), 5u);

  ASSERT_TRUE(onRelay([port = device.rtp.port(), rtcp = device.rtcp.port()](RelaySession& r) {
    r.setSipRemote("127.0.0.1", port, rtcp, false);
    return true;
  }));
  clientSends(client, {{kPcmu, kClientSsrcA, 3, false}, {kPcmu, kClientSsrcA, 4, false}});
  EXPECT_EQ(receiveRtp(device.rtp, 2).size(), 2u);
  EXPECT_EQ(stats().toSip, 2u);
}

TEST_F(RelayLoopbackTest, RtcpIsTerminatedOnEachLegWithReportsOnTheSipRtcpPort) {
  SipDevice device;
  auto local = createRelay();
  ASSERT_TRUE(local);
  ASSERT_TRUE(setup(kG711, &device));
  ScriptedClient& client = addClient(5);
  ASSERT_TRUE(connect(client, *local));

  for (uint16_t seq = 400; seq < 420; ++seq)
    ASSERT_TRUE(device.rtp.sendTo(local->sipRtpPort, rtpPacket(kPcmu, kDeviceSsrcA, seq)));
  ASSERT_EQ(awaitRtp(client, 20).rtp.size(), 20u);
  const rtp::NtpTime ntp{0xE1234567, 0x89ABCDEF};
  ASSERT_TRUE(device.rtcp.sendTo(local->sipRtpPort + 1, deviceSenderReport(kDeviceSsrcA, ntp, 20)));

  // The relay's report on the SIP leg: from its RTCP port to the device's, on the device's stream, echoing
  // the SR (RFC 3550 §6.4.1 LSR).
  const auto report = awaitReportBlock(device.rtcp, kDeviceSsrcA, ntp.compact());
  ASSERT_TRUE(report) << "no report block on the device's stream echoing its SR";
  EXPECT_EQ(report->second, local->sipRtpPort + 1);
  EXPECT_EQ(report->first.extendedHighestSequence, 419u);
  EXPECT_EQ(report->first.cumulativeLost, 0);
  EXPECT_EQ(stats().sipRtcp.senderReportsIn, 1u);

  // The client leg has its own report: an SR from the SSRC the relay sends to the client under, counting
  // what it relayed; the device's SR is not passed on.
  ClientView v;
  std::optional<rtp::SenderInfo> info;
  ASSERT_TRUE(eventually(
      [&] {
        v = view(client);
        for (const Bytes& compound : v.rtcp) {
          if (auto i = senderReportFrom(compound, local->webrtcSsrc); i && i->packetCount == 20) info = i;
        }
        return info.has_value();
      },
      kReportTimeout))
      << "no SR to the client counting the relayed packets";
  EXPECT_EQ(info->octetCount, 20 * payloadFor(0, 0).size());
  for (const Bytes& compound : v.rtcp) {
    EXPECT_FALSE(senderReportFrom(compound, kDeviceSsrcA)) << "the device's SR reached the client";
  }
}

TEST_F(RelayLoopbackTest, MuxedRtcpUsesTheRtpPortBothWays) {
  SipDevice device;
  auto local = createRelay();
  ASSERT_TRUE(local);
  ASSERT_TRUE(onRelay([port = device.rtp.port()](RelaySession& r) {
    r.setPayloads(kG711);
    r.setSipRemote("127.0.0.1", port, std::nullopt, true);
    r.start();
    return true;
  }));
  for (uint16_t seq = 50; seq < 60; ++seq)
    ASSERT_TRUE(device.rtp.sendTo(local->sipRtpPort, rtpPacket(kPcmu, kDeviceSsrcA, seq)));
  const rtp::NtpTime ntp{0xE0000001, 0x40000000};
  ASSERT_TRUE(device.rtp.sendTo(local->sipRtpPort, deviceSenderReport(kDeviceSsrcA, ntp, 10)));
  const auto report = awaitReportBlock(device.rtp, kDeviceSsrcA, ntp.compact());
  ASSERT_TRUE(report) << "no muxed report on the device's RTP port";
  EXPECT_EQ(report->second, local->sipRtpPort) << "RFC 5761: muxed RTCP from the RTP port";
  EXPECT_EQ(report->first.extendedHighestSequence, 59u);
  EXPECT_EQ(stats().sipRtcp.senderReportsIn, 1u);
  EXPECT_FALSE(device.rtcp.receive(0ms)) << "RTCP went to the RTCP port despite rtcp-mux";
}

TEST_F(RelayLoopbackTest, RtpActivityTimeoutFailsTheCallWhenTheSipSideIsSilent) {
  config_.rtpTimeout = 1s;
  SipDevice device;
  auto local = createRelay();
  ASSERT_TRUE(local);
  ASSERT_TRUE(setup(kG711, &device));
  ScriptedClient& client = addClient(6);
  const auto before = std::chrono::steady_clock::now();
  ASSERT_TRUE(connect(client, *local));
  ScriptedClient* c = &client;
  ASSERT_TRUE(onThread(clientThread_, [c] {
    c->startStream(kPcmu, kClientSsrcA, 100);
    return true;
  }));
  EXPECT_GE(receiveRtp(device.rtp, 10).size(), 10u) << "the client leg is alive";

  ASSERT_TRUE(eventually([&] { return !failures().empty(); }, kActivityTimeout)) << "no RTP-activity failure";
  EXPECT_GE(std::chrono::steady_clock::now() - before, 1s) << "judged before the timeout";
  const auto f = failures();
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].first, "Failed by RTP activity");
  EXPECT_EQ(f[0].second, "no RTP from the SIP side for 1 s");
  ASSERT_TRUE(onThread(clientThread_, [c] {
    c->stopStream();
    return true;
  }));
}

TEST_F(RelayLoopbackTest, RtpActivityTimeoutFailsTheCallWhenTheClientIsSilent) {
  config_.rtpTimeout = 1s;
  SipDevice device;
  auto local = createRelay();
  ASSERT_TRUE(local);
  ASSERT_TRUE(setup(kG711, &device));
  ScriptedClient& client = addClient(7);
  ASSERT_TRUE(connect(client, *local));
  DeviceStream stream(device.rtp, local->sipRtpPort, kDeviceSsrcA, 1);
  EXPECT_GE(awaitRtp(client, 10).rtp.size(), 10u) << "the SIP leg is alive";
  ASSERT_TRUE(eventually([&] { return !failures().empty(); }, kActivityTimeout)) << "no RTP-activity failure";
  stream.stop();
  const auto f = failures();
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].first, "Failed by RTP activity");
  EXPECT_EQ(f[0].second, "no RTP from the client for 1 s");
}

TEST_F(RelayLoopbackTest, HoldStopsSendingToTheSipSideAndItsSilenceIsNotJudged) {
  config_.rtpTimeout = 1s;
  SipDevice device;
  auto local = createRelay();
  ASSERT_TRUE(local);
  ASSERT_TRUE(setup(kG711, &device));
  auto stream = std::make_unique<DeviceStream>(device.rtp, local->sipRtpPort, kDeviceSsrcA, 1);
  ScriptedClient& client = addClient(8);
  ASSERT_TRUE(connect(client, *local));
  ScriptedClient* c = &client;
  ASSERT_TRUE(onThread(clientThread_, [c] {
    c->startStream(kPcmu, kClientSsrcA, 100);
    return true;
  }));
  std::vector<DeviceRtp> beforeHold = receiveRtp(device.rtp, 20);
  ASSERT_EQ(beforeHold.size(), 20u);

  // RFC 3264 §8.4 (and RFC 2543's c=0.0.0.0): the SIP side holds, and goes silent.
  auto atHold = onRelay([](RelaySession& r) {
    r.setSipRemote("0.0.0.0", 4000, std::nullopt, false);
    return std::make_pair(r.stats(), r.sipHeld());
  });
  ASSERT_TRUE(atHold);
  EXPECT_TRUE(atHold->second);
  stream->stop();
  // Three checks after the hold: more than the 1 s timeout of silence, judged at least twice.
  const uint64_t checksAtHold = atHold->first.activityChecks;
  ASSERT_TRUE(eventually([&] { return stats().activityChecks >= checksAtHold + 3; }, kActivityTimeout));
  const RelayStats held = stats();
  EXPECT_TRUE(failures().empty()) << "a held SIP side's silence was judged: " << failures()[0].second;
  EXPECT_EQ(held.toSip, atHold->first.toSip) << "RTP went to a held SIP side";
  EXPECT_GT(held.droppedNoRemote, atHold->first.droppedNoRemote) << "the client kept sending meanwhile";
  for (DeviceRtp& p : receiveRtp(device.rtp, 100000, 300ms)) beforeHold.push_back(std::move(p));
  // What was received in all is what was sent before the hold: the first 20 and the rest.
  EXPECT_EQ(beforeHold.size(), atHold->first.toSip);

  // Off hold: sending resumes where the stream left off, and the SIP side is judged again.
  stream = std::make_unique<DeviceStream>(device.rtp, local->sipRtpPort, kDeviceSsrcA, 1000);
  ASSERT_TRUE(onRelay([port = device.rtp.port(), rtcp = device.rtcp.port()](RelaySession& r) {
                r.setSipRemote("127.0.0.1", port, rtcp, false);
                return !r.sipHeld();
              }).value_or(false));
  const auto resumed = receiveRtp(device.rtp, 5);
  ASSERT_EQ(resumed.size(), 5u);
  // One source, one offset: the numbering the SIP side saw before the hold goes on (the client's packets
  // dropped during the hold leave a gap, as the rewriter keeps every gap of a source).
  const auto sourceSeq = [](const DeviceRtp& p) {
    return static_cast<uint16_t>((p.payload[1] << 8) | p.payload[2]);
  };
  EXPECT_EQ(resumed[0].ssrc, beforeHold.back().ssrc);
  EXPECT_EQ(static_cast<uint16_t>(resumed[0].seq - sourceSeq(resumed[0])),
            static_cast<uint16_t>(beforeHold.back().seq - sourceSeq(beforeHold.back())));
  stream->stop();
  ASSERT_TRUE(onThread(clientThread_, [c] {
    c->stopStream();
    return true;
  }));
  EXPECT_TRUE(failures().empty());
}

TEST_F(RelayLoopbackTest, CloseAndDestroyWithPacketsInFlightBothWays) {
  SipDevice device;
  auto local = createRelay();
  ASSERT_TRUE(local);
  ASSERT_TRUE(setup(kG711, &device));
  ScriptedClient& client = addClient(9);
  ASSERT_TRUE(connect(client, *local));
  ScriptedClient* c = &client;
  ASSERT_TRUE(onThread(clientThread_, [c] {
    c->startStream(kPcmu, kClientSsrcA, 100);
    return true;
  }));
  DeviceStream stream(device.rtp, local->sipRtpPort, kDeviceSsrcA, 1);
  ASSERT_GE(receiveRtp(device.rtp, 40).size(), 40u);
  ASSERT_GE(awaitRtp(client, 10).rtp.size(), 10u);
  // The /metrics gauge: the WebRTC leg's port and the SIP leg's pair, held until close().
  EXPECT_EQ(counters_.relayPortsOpen.load(), 3);

  ASSERT_TRUE(onRelay([](RelaySession& r) {
    r.close();
    r.close();  // idempotent
    return true;
  }));
  EXPECT_EQ(counters_.relayPortsOpen.load(), 0) << "close() gives the ports back, once";
  // Packets keep arriving at the closed relay before it is destroyed.
  const uint64_t sentAtClose = view(client).rtpSent;
  const uint64_t deviceSentAtClose = stream.sent();
  ASSERT_TRUE(eventually(
      [&] { return view(client).rtpSent >= sentAtClose + 20 && stream.sent() >= deviceSentAtClose + 5; },
      kRelayTimeout));
  auto timersAfter = onThread(gatewayThread_, [this] {
    relays_.clear();
    return gatewayThread_.timers().pending();
  });
  ASSERT_TRUE(timersAfter);
  EXPECT_EQ(*timersAfter, 0u) << "a destroyed relay left timers behind";
  EXPECT_TRUE(relaysAlive_.at(0).expired()) << "the relay (or its listener) is still alive";
  EXPECT_TRUE(eventually([&] { return view(client).peerClosed; }, kRelayTimeout))
      << "close() sends DTLS close_notify";

  // Nothing is relayed after the close, either way.
  device.rtp.drain();
  const ClientView before = view(client);
  ASSERT_TRUE(eventually([&] { return view(client).rtpSent >= before.rtpSent + 40; }, kRelayTimeout));
  EXPECT_FALSE(device.rtp.receive(50ms)) << "RTP reached the SIP side after close()";
  EXPECT_EQ(view(client).rtp.size(), before.rtp.size()) << "RTP reached the client after close()";

  // Every socket of the relay is closed: its ports can be bound again.
  for (uint16_t port : {local->webrtcPort, local->sipRtpPort, static_cast<uint16_t>(local->sipRtpPort + 1)}) {
    EXPECT_TRUE(UdpPeer(port).valid()) << "port " << port << " still bound after the relay was destroyed";
  }
  stopGateway();
  stream.stop();
  EXPECT_TRUE(onThread(clientThread_, [c] {
    c->stopStream();
    return true;
  }));
}

// Four free ports from 31000 on (below Linux's ephemeral ports, where the kernel-chosen ports of the other
// sockets come from, and outside the gateway's default media range), starting at an even one; 0 if none.
uint16_t freeRangeOfFour() {
  for (uint16_t base = 31000; base < 32000; base = static_cast<uint16_t>(base + 4)) {
    UdpPeer a(base), b(base + 1), c(base + 2), d(base + 3);
    if (a.valid() && b.valid() && c.valid() && d.valid()) return base;
  }
  return 0;
}

TEST_F(RelayLoopbackTest, PortPairsComeFromTheRangeAndExhaustionNamesIt) {
  const uint16_t base = freeRangeOfFour();
  ASSERT_NE(base, 0) << "no four free ports in 31000-31999";
  config_.portMin = base;
  config_.portMax = static_cast<uint16_t>(base + 3);
  const std::string range = std::to_string(base) + "-" + std::to_string(base + 3);
  // Someone else holds base+1: base is free, but without its RTCP port it is no use.
  UdpPeer taken(static_cast<uint16_t>(base + 1));
  ASSERT_TRUE(taken.valid());

  auto first = tryCreateRelay();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->sipRtpPort, base + 2);

  auto second = tryCreateRelay();
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find(range), std::string::npos) << second.error().message;
  EXPECT_NE(second.error().message.find("127.0.0.1"), std::string::npos) << second.error().message;
  EXPECT_TRUE(UdpPeer(base).valid()) << "the failed search kept port " << base;

  config_.portMin = base;
  config_.portMax = base;
  auto odd = tryCreateRelay();
  ASSERT_FALSE(odd);
  EXPECT_NE(odd.error().message.find(std::to_string(base) + "-" + std::to_string(base)), std::string::npos)
      << odd.error().message;
}

// ---- The RTP-activity rule on virtual time ----

using Leg = RtpActivity::Leg;
const core::TimePoint kT0 = core::TimePoint{} + std::chrono::hours(1);

TEST(RtpActivityTest, ASilentLegIsReportedAtTheFirstCheckPastTheTimeout) {
  RtpActivity activity(3s);
  activity.start(kT0);
  EXPECT_FALSE(activity.check(kT0 + 1s));
  activity.onRtp(Leg::kClient);
  activity.onRtp(Leg::kSip);
  EXPECT_FALSE(activity.check(kT0 + 2s));  // both seen here
  activity.onRtp(Leg::kSip);
  EXPECT_FALSE(activity.check(kT0 + 4s));
  const auto silence = activity.check(kT0 + 5s);
  ASSERT_TRUE(silence);
  EXPECT_EQ(silence->leg, Leg::kClient);
  EXPECT_EQ(silence->silentFor, 3s);
  // The SIP leg, last seen at 4 s, is silent for 3 s at 7 s.
  activity.onRtp(Leg::kClient);
  EXPECT_FALSE(activity.check(kT0 + 6s));
  activity.onRtp(Leg::kClient);
  const auto sip = activity.check(kT0 + 7s);
  ASSERT_TRUE(sip);
  EXPECT_EQ(sip->leg, Leg::kSip);
}

TEST(RtpActivityTest, ALegNeverHeardFromIsMeasuredFromStart) {
  RtpActivity activity(2s);
  activity.onRtp(Leg::kClient);  // before start: not counted as activity after it
  activity.start(kT0);
  activity.onRtp(Leg::kSip);
  EXPECT_FALSE(activity.check(kT0 + 1s));
  activity.onRtp(Leg::kSip);
  const auto silence = activity.check(kT0 + 2s);
  ASSERT_TRUE(silence);
  EXPECT_EQ(silence->leg, Leg::kClient);
  EXPECT_EQ(silence->silentFor, 2s);
}

TEST(RtpActivityTest, AnUnjudgedLegIsNeverReportedAndIsMeasuredAgainFromWhenItIsJudged) {
  RtpActivity activity(2s);
  activity.setJudged(Leg::kSip, false, kT0);  // no SDP address yet, or on hold
  activity.start(kT0);
  for (int s = 1; s <= 10; ++s) {
    activity.onRtp(Leg::kClient);
    EXPECT_FALSE(activity.check(kT0 + std::chrono::seconds(s))) << s;
  }
  activity.setJudged(Leg::kSip, true, kT0 + 10s);
  activity.onRtp(Leg::kClient);
  EXPECT_FALSE(activity.check(kT0 + 11s));
  activity.onRtp(Leg::kClient);
  const auto silence = activity.check(kT0 + 12s);
  ASSERT_TRUE(silence);
  EXPECT_EQ(silence->leg, Leg::kSip);
  EXPECT_EQ(silence->silentFor, 2s);
}

TEST(RtpActivityTest, ZeroTimeoutOrNotStartedNeverReports) {
  RtpActivity never(core::Duration::zero());
  never.start(kT0);
  EXPECT_FALSE(never.check(kT0 + std::chrono::hours(5)));
  RtpActivity notStarted(1s);
  EXPECT_FALSE(notStarted.check(kT0 + 10s));
}

}  // namespace
}  // namespace callgate::media
