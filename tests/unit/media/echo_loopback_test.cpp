// The media plane end to end over loopback UDP: EchoSessions on the gateway's media thread, and scripted
// Chromium-like clients on a second media thread that speak real ICE, DTLS and SRTP to them on 127.0.0.1.
// The client does what a browser's peer connection does on the wire (a nominating Binding request keyed
// with the gateway's ice-pwd, then the DTLS ClientHello once it is answered, then SRTP with the exported
// keys); the offer is a captured Chromium offer with the client's own credentials and fingerprint.
//
// Threads: the gateway's objects are created, used and destroyed on the gateway thread, each client's on
// the client thread; the test thread reaches them only by post() and a bounded wait for the answer. Every
// wait has a deadline of a few seconds; each test stops both threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "media/echo_session.hpp"
#include "media/shared_udp_port.hpp"
#include "net/media_thread.hpp"
#include "net/udp_batch_socket.hpp"
#include "rtp/rtcp_compound_writer.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_payload_feedback.hpp"
#include "rtp/rtcp_report.hpp"
#include "sdp/media_view.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/webrtc_offer.hpp"
#include "webrtc_test_client.hpp"

namespace callgate::media {
namespace {

using namespace test;

constexpr auto kConnectTimeout = 5s;  // ICE and the DTLS handshake on loopback take milliseconds
constexpr auto kEchoTimeout = 3s;     // a burst of packets there and back
constexpr size_t kPackets = 50;

// The payload types and SSRCs of the captured offers (tests/data/sdp): what the client sends with.
constexpr uint8_t kOpus = 111;
constexpr uint8_t kVp8 = 96;
constexpr uint32_t kAudioOfferSsrc = 2848800013;        // chromium-offer-audio.sdp
constexpr uint32_t kBundleAudioOfferSsrc = 2449203312;  // chromium-offer-audio-video.sdp, m=audio
constexpr uint32_t kBundleVideoOfferSsrc = 2999809527;  // chromium-offer-audio-video.sdp, m=video

// One m-line of the gateway's answer.
struct AnswerLine {
  std::string kind;
  uint16_t port = 0;
  std::string ufrag, pwd;
  std::string fingerprintHash, fingerprint;
  sdp::SetupRole setup = sdp::SetupRole::kActpass;
  std::vector<uint8_t> payloadTypes;
  uint32_t ssrc = 0;  // the gateway's a=ssrc: what the echo comes back under
};

struct Answer {
  std::string address;  // c=
  std::vector<AnswerLine> media;

  std::optional<GatewayTransport> transport(size_t mline) const {
    const AnswerLine& m = media.at(mline);
    auto udp = net::UdpAddress::parse(address, m.port);
    if (!udp) return std::nullopt;
    return GatewayTransport{*udp, m.ufrag, m.pwd, m.fingerprintHash, m.fingerprint, m.setup};
  }
};

// Reads the answer as the client's browser would; a failure is reported and gives nullopt.
std::optional<Answer> readAnswer(const std::string& text) {
  auto parsed = sdp::parseSdp(text);
  if (!parsed) {
    ADD_FAILURE() << "the answer does not parse: " << parsed.error().message << "\n" << text;
    return std::nullopt;
  }
  Answer answer;
  for (const sdp::MediaDescription& m : parsed->media) {
    const sdp::MediaView view(*parsed, m);
    auto ufrag = view.iceUfrag();
    auto pwd = view.icePwd();
    auto fingerprints = view.fingerprints();
    auto setup = view.setup();
    auto ssrcs = view.ssrcs();
    const sdp::Connection* connection = view.connection();
    if (!ufrag || !*ufrag || !pwd || !*pwd || !fingerprints || fingerprints->empty() || !setup || !*setup ||
        !ssrcs || connection == nullptr) {
      ADD_FAILURE() << "answer m=" << m.media << " lacks c=, ICE, DTLS or a=ssrc attributes:\n" << text;
      return std::nullopt;
    }
    AnswerLine line;
    line.kind = m.media;
    line.port = m.port;
    line.ufrag = std::string(**ufrag);
    line.pwd = std::string(**pwd);
    line.fingerprintHash = fingerprints->front().hashFunction;
    line.fingerprint = fingerprints->front().value;
    line.setup = (*setup)->role;
    line.payloadTypes = view.payloadTypes();
    if (!ssrcs->empty()) line.ssrc = ssrcs->front().id;
    answer.address = connection->address;
    answer.media.push_back(std::move(line));
  }
  return answer;
}

// The echoed packets of one payload type, sorted by sequence number.
std::vector<ReceivedRtp> echoedOf(const ClientView& view, uint8_t payloadType) {
  std::vector<ReceivedRtp> out;
  for (const ReceivedRtp& p : view.rtp) {
    if (p.payloadType == payloadType) out.push_back(p);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.seq < b.seq; });
  return out;
}

// Packets firstSeq..firstSeq+count-1 of `tag` came back once each, unchanged but for the SSRC, which is
// the gateway's `echoSsrc`.
void expectEchoed(const ClientView& view, uint8_t payloadType, uint32_t echoSsrc, uint16_t firstSeq,
                  size_t count, uint8_t tag) {
  const std::vector<ReceivedRtp> echoed = echoedOf(view, payloadType);
  ASSERT_EQ(echoed.size(), count) << "payload type " << int{payloadType};
  for (size_t i = 0; i < count; ++i) {
    const ReceivedRtp& p = echoed[i];
    const auto seq = static_cast<uint16_t>(firstSeq + i);
    EXPECT_EQ(p.seq, seq);
    EXPECT_EQ(p.ssrc, echoSsrc) << "seq " << seq;
    EXPECT_EQ(p.timestamp, timestampFor(seq)) << "seq " << seq;
    EXPECT_EQ(p.payload, payloadFor(tag, seq)) << "seq " << seq;
  }
}

// The feedback packets (PSFB PLI) in a client's received RTCP.
std::vector<std::pair<uint32_t, uint32_t>> plisOf(const ClientView& view) {
  std::vector<std::pair<uint32_t, uint32_t>> out;  // sender SSRC, media SSRC
  for (const Bytes& compound : view.rtcp) {
    rtp::RtcpIterator it(compound);
    while (auto packet = it.next()) {
      if (packet->type() != rtp::rtcp::kPayloadFeedback || packet->count() != rtp::rtcp::kFmtPli) continue;
      if (auto pli = rtp::Pli::parse(*packet)) out.emplace_back(pli->senderSsrc(), pli->mediaSsrc());
    }
  }
  return out;
}

class EchoLoopbackTest : public ::testing::Test {
 protected:
  EchoLoopbackTest() : gatewayThread_(0), clientThread_(1) {
    gatewayCert_ = dtls::DtlsCertificate::generate("callgate").value();
    config_.bindAddress = "127.0.0.1";
    config_.portMin = 0;  // any port the kernel picks, unless a test sets a range
    config_.portMax = 0;
    gatewayThread_.start();
    clientThread_.start();
  }

  void TearDown() override {
    stopGateway();
    stopClients();
  }

  // The gateway's objects are destroyed on its thread, then it stops. Idempotent.
  void stopGateway() {
    if (gatewayStopped_) return;
    gatewayStopped_ = true;
    EXPECT_TRUE(onThread(gatewayThread_, [this] {
      sessions_.clear();
      shared_.reset();
      return true;
    }));
    gatewayThread_.stop();
  }

  // The clients are destroyed on their thread (their streams, if any, with them), then it stops.
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

  // On the gateway thread: the shared port on 127.0.0.1, at a port the kernel picks.
  uint16_t openSharedPort() {
    auto port = onThread(gatewayThread_, [this]() -> uint16_t {
      auto opened = SharedUdpPort::open(gatewayThread_, "127.0.0.1", 0);
      if (!opened) return 0;
      shared_ = std::move(*opened);
      return shared_->port();
    });
    EXPECT_TRUE(port && *port != 0) << "the shared port did not open";
    return port ? *port : 0;
  }

  // On the gateway thread: an EchoSession for `offer`; its answer SDP, or the error.
  core::Result<std::string> createEcho(const sdp::WebRtcOffer& offer, bool onSharedPort) {
    auto alive = std::make_shared<int>(0);
    sessionsAlive_.push_back(alive);
    auto answer = onThread(gatewayThread_, [this, offer, onSharedPort, alive]() -> core::Result<std::string> {
      EchoSession::Listener l;
      l.onConnected = [this, alive] {
        ++*alive;
        ++gatewayConnected_;
      };
      l.onFailed = [this](const std::string&, const std::string&) { ++gatewayFailed_; };
      auto session = EchoSession::create(gatewayThread_, config_, gatewayCert_,
                                         onSharedPort ? shared_.get() : nullptr, offer, std::move(l));
      if (!session) return session.error();
      std::string text = (*session)->answerSdp();
      sessions_.push_back(std::move(*session));
      return text;
    });
    if (!answer) return core::makeError("the gateway's media thread did not answer");
    return std::move(*answer);
  }

  // The whole setup of one call: the client's offer from `file`, the echo's answer, ICE and DTLS.
  std::optional<Answer> call(ScriptedClient& client, const std::string& file, bool onSharedPort = false) {
    auto offer = client.offer(file);
    if (!offer) return std::nullopt;
    const int connectedBefore = gatewayConnected_;
    auto answerSdp = createEcho(*offer, onSharedPort);
    if (!answerSdp) {
      ADD_FAILURE() << "EchoSession::create: " << answerSdp.error().message;
      return std::nullopt;
    }
    auto answer = readAnswer(*answerSdp);
    if (!answer || answer->media.empty()) return std::nullopt;
    auto gateway = answer->transport(0);
    if (!gateway) {
      ADD_FAILURE() << "answer c= " << answer->address << " is not an address";
      return std::nullopt;
    }
    EXPECT_EQ(gateway->setup, sdp::SetupRole::kPassive) << "ADR 7: passive to an actpass offer";
    ScriptedClient* c = &client;
    if (!onThread(clientThread_, [c, transport = *gateway] {
          c->connect(transport);
          return true;
        })) {
      ADD_FAILURE() << "the client's media thread did not answer";
      return std::nullopt;
    }
    const bool connected = eventually(
        [&] { return view(client).connected && gatewayConnected_ > connectedBefore; }, kConnectTimeout);
    if (!connected) {
      const ClientView v = view(client);
      ADD_FAILURE() << "not connected: ICE answered " << v.iceAnswered << ", client DTLS '" << v.dtlsFailure
                    << "', gateway connected " << gatewayConnected_ << ", failed " << gatewayFailed_;
      return std::nullopt;
    }
    return answer;
  }

  ClientView view(ScriptedClient& client) {
    ScriptedClient* c = &client;
    auto v = onThread(clientThread_, [c] { return c->view(); });
    EXPECT_TRUE(v) << "the client's media thread did not answer";
    return v ? std::move(*v) : ClientView{};
  }

  // Sends packets firstSeq..firstSeq+count-1 on each of `streams` (payload type, SSRC), interleaved.
  void send(ScriptedClient& client, const std::vector<std::pair<uint8_t, uint32_t>>& streams,
            uint16_t firstSeq, size_t count = kPackets) {
    ScriptedClient* c = &client;
    auto sent = onThread(clientThread_, [c, streams, firstSeq, count] {
      size_t n = 0;
      for (size_t i = 0; i < count; ++i) {
        for (auto [pt, ssrc] : streams)
          n += c->sendRtp(pt, ssrc, static_cast<uint16_t>(firstSeq + i)) ? 1 : 0;
      }
      return n;
    });
    ASSERT_TRUE(sent);
    ASSERT_EQ(*sent, count * streams.size()) << "the client could not send";
  }

  // Waits until `client` has received `count` RTP packets.
  ClientView awaitRtp(ScriptedClient& client, size_t count) {
    ClientView v;
    eventually(
        [&] {
          v = view(client);
          return v.rtp.size() >= count;
        },
        kEchoTimeout);
    return v;
  }

  std::optional<EchoStats> echoStats(size_t session) {
    return onThread(gatewayThread_, [this, session] { return sessions_.at(session)->stats(); });
  }

  // Declared first, destroyed last: TearDown has already emptied, on their threads, what lives there.
  net::MediaThread gatewayThread_;
  net::MediaThread clientThread_;
  std::shared_ptr<const dtls::DtlsCertificate> gatewayCert_;
  WebRtcEndpointConfig config_;
  std::atomic<int> gatewayConnected_{0};
  std::atomic<int> gatewayFailed_{0};
  bool gatewayStopped_ = false;
  std::vector<std::weak_ptr<int>> sessionsAlive_;  // expired once a session and its listener are gone
  // Only on the gateway thread:
  std::unique_ptr<SharedUdpPort> shared_;
  std::vector<std::unique_ptr<EchoSession>> sessions_;
  // Built on the test thread, used and destroyed on the client thread:
  std::vector<std::unique_ptr<ScriptedClient>> clients_;
};

TEST_F(EchoLoopbackTest, EchoesAudioFromAPortOfTheRange) {
  config_.portMin = 42000;
  config_.portMax = 42999;
  ScriptedClient& client = addClient(1);
  auto answer = call(client, "chromium-offer-audio.sdp");
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->media.size(), 1u);
  const AnswerLine& audio = answer->media[0];
  EXPECT_EQ(answer->address, "127.0.0.1");
  EXPECT_GE(audio.port, 42000);
  EXPECT_LE(audio.port, 42999);
  EXPECT_EQ(audio.payloadTypes.front(), kOpus);
  ASSERT_NE(audio.ssrc, 0u);
  EXPECT_NE(audio.ssrc, kAudioOfferSsrc);

  const ClientView connected = view(client);
  ASSERT_TRUE(connected.mappedAddress);
  EXPECT_EQ(*connected.mappedAddress, connected.localAddress) << "XOR-MAPPED-ADDRESS is the client's socket";

  send(client, {{kOpus, kAudioOfferSsrc}}, 1000);
  const ClientView v = awaitRtp(client, kPackets);
  expectEchoed(v, kOpus, audio.ssrc, 1000, kPackets, client.tag());
  EXPECT_EQ(v.srtpFailures, 0u);
  EXPECT_EQ(v.stunErrors, 0u);
  EXPECT_EQ(v.fromStrangers, 0u);
  auto stats = echoStats(0);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->rtpEchoed, kPackets);
  EXPECT_EQ(stats->transport.rtpIn, kPackets);
  EXPECT_EQ(stats->transport.droppedTotal(), 0u);
  EXPECT_EQ(gatewayFailed_, 0);
}

TEST_F(EchoLoopbackTest, TwoCallsOnTheSharedPortEachGetOnlyTheirOwnEcho) {
  const uint16_t port = openSharedPort();
  ASSERT_NE(port, 0);
  ScriptedClient& alice = addClient(1);
  ScriptedClient& bob = addClient(2);
  // Both offers are the same capture: the same SSRC, so only the transport tells the calls apart.
  auto aliceAnswer = call(alice, "chromium-offer-audio.sdp", true);
  ASSERT_TRUE(aliceAnswer);
  auto bobAnswer = call(bob, "chromium-offer-audio.sdp", true);
  ASSERT_TRUE(bobAnswer);
  EXPECT_EQ(aliceAnswer->media[0].port, port);
  EXPECT_EQ(bobAnswer->media[0].port, port);
  EXPECT_NE(aliceAnswer->media[0].ufrag, bobAnswer->media[0].ufrag);
  ASSERT_NE(aliceAnswer->media[0].ssrc, bobAnswer->media[0].ssrc);

  // Interleaved on the client thread: both bursts are in flight on the port at once.
  ScriptedClient* a = &alice;
  ScriptedClient* b = &bob;
  auto sent = onThread(clientThread_, [a, b] {
    size_t n = 0;
    for (uint16_t i = 0; i < kPackets; ++i) {
      n += a->sendRtp(kOpus, kAudioOfferSsrc, static_cast<uint16_t>(1000 + i)) ? 1 : 0;
      n += b->sendRtp(kOpus, kAudioOfferSsrc, static_cast<uint16_t>(5000 + i)) ? 1 : 0;
    }
    return n;
  });
  ASSERT_TRUE(sent);
  ASSERT_EQ(*sent, 2 * kPackets);
  const ClientView aliceView = awaitRtp(alice, kPackets);
  const ClientView bobView = awaitRtp(bob, kPackets);
  expectEchoed(aliceView, kOpus, aliceAnswer->media[0].ssrc, 1000, kPackets, alice.tag());
  expectEchoed(bobView, kOpus, bobAnswer->media[0].ssrc, 5000, kPackets, bob.tag());
  EXPECT_EQ(aliceView.srtpFailures, 0u) << "another call's packets reached alice";
  EXPECT_EQ(bobView.srtpFailures, 0u) << "another call's packets reached bob";

  auto shared = onThread(gatewayThread_, [this] { return shared_->stats(); });
  ASSERT_TRUE(shared);
  EXPECT_GE(shared->routedByUfrag, 2u);
  EXPECT_GE(shared->routedByAddress, 2 * kPackets);
  EXPECT_EQ(shared->unknownSource, 0u);
}

TEST_F(EchoLoopbackTest, BundledAudioAndVideoComeBackOnOneTransportUnderTheirAnswerSsrcs) {
  ScriptedClient& client = addClient(3);
  auto answer = call(client, "chromium-offer-audio-video.sdp");
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->media.size(), 2u);
  const AnswerLine& audio = answer->media[0];
  const AnswerLine& video = answer->media[1];
  EXPECT_EQ(audio.kind, "audio");
  EXPECT_EQ(video.kind, "video");
  EXPECT_EQ(audio.port, video.port) << "BUNDLE: one transport";
  EXPECT_EQ(audio.ufrag, video.ufrag);
  EXPECT_EQ(video.payloadTypes.front(), kVp8);
  ASSERT_NE(audio.ssrc, 0u);
  ASSERT_NE(video.ssrc, 0u);
  EXPECT_NE(audio.ssrc, video.ssrc);

  send(client, {{kOpus, kBundleAudioOfferSsrc}, {kVp8, kBundleVideoOfferSsrc}}, 2000);
  const ClientView v = awaitRtp(client, 2 * kPackets);
  expectEchoed(v, kOpus, audio.ssrc, 2000, kPackets, client.tag());
  expectEchoed(v, kVp8, video.ssrc, 2000, kPackets, client.tag());
  EXPECT_EQ(v.srtpFailures, 0u);
  auto stats = echoStats(0);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->rtpEchoed, 2 * kPackets);
  EXPECT_EQ(stats->rtpUnrouted, 0u);
}

TEST_F(EchoLoopbackTest, PliOnTheEchoedVideoGoesBackToTheClientsOwnSender) {
  ScriptedClient& client = addClient(4);
  auto answer = call(client, "chromium-offer-audio-video.sdp");
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->media.size(), 2u);
  const uint32_t echoVideo = answer->media[1].ssrc;
  // The echo learns which SSRC the client sends video on from the video itself.
  send(client, {{kVp8, kBundleVideoOfferSsrc}}, 300, 10);
  ASSERT_EQ(awaitRtp(client, 10).rtp.size(), 10u);

  // RFC 4585 §6.3.1, reduced size (RFC 5506) as Chromium sends it: first a PLI for an SSRC the echo does
  // not send, which has no sender to go to, then one for the echoed video.
  constexpr uint32_t kClientReceiverSsrc = 1;
  const auto pli = [](uint32_t mediaSsrc) {
    Bytes buffer(64);
    rtp::RtcpCompoundWriter writer(buffer);
    writer.pli(kClientReceiverSsrc, mediaSsrc);
    buffer.resize(writer.finish().value());
    return buffer;
  };
  ScriptedClient* c = &client;
  auto sent = onThread(clientThread_, [c, stranger = pli(0x5EE5EE5E), echoed = pli(echoVideo)] {
    return c->sendRtcp(stranger) && c->sendRtcp(echoed);
  });
  ASSERT_TRUE(sent && *sent);

  ClientView v;
  ASSERT_TRUE(eventually(
      [&] {
        v = view(client);
        return !plisOf(v).empty();
      },
      kEchoTimeout))
      << "no PLI came back";
  const auto plis = plisOf(v);
  ASSERT_EQ(plis.size(), 1u) << "only the PLI for the echoed stream has a sender to go to";
  EXPECT_EQ(plis[0].first, echoVideo) << "sent by the echoed stream";
  EXPECT_EQ(plis[0].second, kBundleVideoOfferSsrc) << "for the client's own video sender";
  auto stats = echoStats(0);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->rtcp.pliIn, 2u);
  EXPECT_EQ(stats->feedbackForwarded, 1u);
}

TEST_F(EchoLoopbackTest, SenderReportNamesTheEchoSsrcWithinSeconds) {
  ScriptedClient& client = addClient(5);
  auto answer = call(client, "chromium-offer-audio.sdp");
  ASSERT_TRUE(answer);
  const uint32_t echoSsrc = answer->media[0].ssrc;
  const auto start = std::chrono::steady_clock::now();
  send(client, {{kOpus, kAudioOfferSsrc}}, 7000);
  ASSERT_EQ(awaitRtp(client, kPackets).rtp.size(), kPackets);

  // Reports go out every 0.5-1.5 s (RtcpReporter): one after the burst counts all of it.
  std::optional<rtp::SenderInfo> info;
  std::optional<rtp::ReportBlock> block;
  const bool reported = eventually(
      [&] {
        const ClientView v = view(client);
        for (const Bytes& compound : v.rtcp) {
          rtp::RtcpIterator it(compound);
          while (auto packet = it.next()) {
            if (packet->type() != rtp::rtcp::kSenderReport) continue;
            auto sr = rtp::SenderReport::parse(*packet);
            if (!sr || sr->ssrc() != echoSsrc || sr->senderInfo().packetCount != kPackets) continue;
            info = sr->senderInfo();
            for (size_t i = 0; i < sr->reportCount(); ++i) {
              if (sr->reportBlock(i).ssrc == kAudioOfferSsrc) block = sr->reportBlock(i);
            }
          }
        }
        return info.has_value();
      },
      3s);
  ASSERT_TRUE(reported) << "no SR from the echo SSRC counting the burst within 3 s";
  EXPECT_LE(std::chrono::steady_clock::now() - start, 3500ms);
  EXPECT_EQ(info->octetCount, kPackets * payloadFor(0, 0).size());
  ASSERT_TRUE(block) << "the SR reports on the client's stream";
  EXPECT_EQ(block->extendedHighestSequence, 7000u + kPackets - 1);
  EXPECT_EQ(block->cumulativeLost, 0);
  EXPECT_EQ(view(client).srtpFailures, 0u);
}

// Closes and destroys the first session on the gateway thread while `client` streams to it, then stops the
// gateway thread; what is left must be nothing.
class EchoCloseTest : public EchoLoopbackTest {
 protected:
  void closeWhileStreaming(ScriptedClient& client) {
    ScriptedClient* c = &client;
    ASSERT_TRUE(onThread(clientThread_, [c] {
      c->startStream(kOpus, kAudioOfferSsrc, 100);
      return true;
    }));
    ASSERT_TRUE(eventually([&] { return view(client).rtp.size() >= 40; }, kEchoTimeout)) << "no echo";

    ASSERT_TRUE(onThread(gatewayThread_, [this] {
      sessions_.at(0)->close();
      return true;
    }));
    // Packets keep arriving at the closed session before it is destroyed.
    const uint64_t sentAtClose = view(client).rtpSent;
    ASSERT_TRUE(eventually([&] { return view(client).rtpSent >= sentAtClose + 20; }, kEchoTimeout));
    auto timersAfterClose = onThread(gatewayThread_, [this] {
      sessions_.clear();
      return gatewayThread_.timers().pending();
    });
    ASSERT_TRUE(timersAfterClose);
    EXPECT_EQ(*timersAfterClose, 0u) << "a destroyed session left timers behind";
    EXPECT_TRUE(sessionsAlive_.at(0).expired()) << "the session (or its listener) is still alive";
    EXPECT_TRUE(eventually([&] { return view(client).peerClosed; }, kEchoTimeout))
        << "close() sends DTLS close_notify";

    // Nothing is echoed after the close: the count stays put while the client sends on.
    const ClientView before = view(client);
    ASSERT_TRUE(eventually([&] { return view(client).rtpSent >= before.rtpSent + 40; }, kEchoTimeout));
    const ClientView after = view(client);
    EXPECT_EQ(after.rtp.size(), before.rtp.size()) << "echoes after close()";
    EXPECT_EQ(after.srtpFailures, 0u);
    EXPECT_EQ(after.fromStrangers, 0u);
  }

  // Stops the gateway while the client still streams at it, then the stream.
  void stopGatewayThenStream(ScriptedClient& client) {
    stopGateway();
    ScriptedClient* c = &client;
    EXPECT_TRUE(onThread(clientThread_, [c] {
      c->stopStream();
      return true;
    }));
  }
};

TEST_F(EchoCloseTest, CloseAndDestroyWhileStreamingFromThePortRange) {
  config_.portMin = 43000;
  config_.portMax = 43999;
  ScriptedClient& client = addClient(6);
  auto answer = call(client, "chromium-offer-audio.sdp");
  ASSERT_TRUE(answer);
  closeWhileStreaming(client);
  // The call's socket is closed: its port can be bound again.
  const uint16_t port = answer->media[0].port;
  auto rebound = onThread(gatewayThread_, [this, port] {
    net::UdpBatchSocket::Config config;
    config.portMin = port;
    config.portMax = port;
    auto socket = net::UdpBatchSocket::open(gatewayThread_.io(), config, nullptr);
    return socket.ok();
  });
  ASSERT_TRUE(rebound);
  EXPECT_TRUE(*rebound) << "port " << port << " still bound after the session was destroyed";
  stopGatewayThenStream(client);
}

TEST_F(EchoCloseTest, CloseAndDestroyWhileStreamingOnTheSharedPort) {
  ASSERT_NE(openSharedPort(), 0);
  ScriptedClient& client = addClient(7);
  auto answer = call(client, "chromium-offer-audio.sdp", true);
  ASSERT_TRUE(answer);
  closeWhileStreaming(client);
  // The port forgot the call, and what the client still sends is dropped there as from an unknown source.
  auto stats =
      onThread(gatewayThread_, [this] { return std::make_pair(shared_->transports(), shared_->stats()); });
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->first, 0u);
  const ClientView v = view(client);
  ASSERT_TRUE(eventually([&] { return view(client).rtpSent >= v.rtpSent + 40; }, kEchoTimeout));
  auto later = onThread(gatewayThread_, [this] { return shared_->stats(); });
  ASSERT_TRUE(later);
  EXPECT_GT(later->unknownSource, stats->second.unknownSource) << "the stream still reaches the port";
  stopGatewayThenStream(client);
}

}  // namespace
}  // namespace callgate::media
