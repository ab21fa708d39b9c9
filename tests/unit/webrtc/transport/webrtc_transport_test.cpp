// One WebRTC transport against a scripted client on a virtual clock: the client is what Chromium does on
// the wire (Binding requests with USE-CANDIDATE every 2.5 s, a DTLS client with its own certificate, SRTP
// with the exported keys), over a link that can drop datagrams. No sockets, no sleeps.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../dtls/openssl_virtual_time.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/timer_queue.hpp"
#include "rtp/rtp_packet.hpp"
#include "webrtc/dtls/dtls_certificate.hpp"
#include "webrtc/dtls/dtls_transport.hpp"
#include "webrtc/srtp/srtp_session.hpp"
#include "webrtc/stun/stun_builder.hpp"
#include "webrtc/stun/stun_message.hpp"
#include "webrtc/transport/webrtc_transport.hpp"

namespace callgate::webrtc {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<uint8_t>;

const stun::StunAddress kClient = *stun::StunAddress::parse("192.0.2.10", 50000);
const stun::StunAddress kStranger = *stun::StunAddress::parse("192.0.2.66", 40000);
const stun::StunAddress kGateway = *stun::StunAddress::parse("192.0.2.1", 20000);

class WebRtcTransportTest : public ::testing::Test {
 protected:
  WebRtcTransportTest() : timers_(clock_), wallClock_(clock_), random_(7) {
    gatewayCert_ = *dtls::DtlsCertificate::generate("gateway");
    clientCert_ = *dtls::DtlsCertificate::generate("client");
  }

  // The gateway's transport, with the client's credentials and fingerprint; `role` is the gateway's.
  void makeGateway(dtls::DtlsRole role = dtls::DtlsRole::kServer, std::string clientFingerprint = {}) {
    WebRtcTransport::Listener l;
    l.send = [this](std::span<const uint8_t> d, const stun::StunAddress& to) {
      EXPECT_EQ(to, kClient);
      toClient_.push_back(Bytes(d.begin(), d.end()));
    };
    l.onConnected = [this] { ++gatewayConnected_; };
    l.onRtp = [this](std::span<uint8_t> p, std::span<uint8_t>) {
      gatewayRtp_.push_back(Bytes(p.begin(), p.end()));
    };
    l.onRtcp = [this](std::span<uint8_t> p, std::span<uint8_t>) {
      gatewayRtcp_.push_back(Bytes(p.begin(), p.end()));
    };
    l.onFailed = [this](TransportFailure f, const std::string& reason) {
      failures_.push_back(f);
      failureReason_ = reason;
      failedAt_ = clock_.now();
    };
    WebRtcTransportConfig config;
    config.ice.consentTimeout = 30s;
    config.ice.connectTimeout = 20s;
    gateway_ = std::make_unique<WebRtcTransport>(
        timers_, ice::IceCredentials{"gwUf", "gatewaypasswordgatewaypw"}, gatewayCert_, config, std::move(l));
    ASSERT_TRUE(gateway_
                    ->setRemote(ice::IceCredentials{"clUf", "clientpasswordclientpass"}, "sha-256",
                                clientFingerprint.empty() ? clientCert_->fingerprint() : clientFingerprint,
                                role)
                    .ok());
    // The client's DTLS, in the other role.
    dtls::DtlsTransport::Listener dl;
    dl.send = [this](std::span<const uint8_t> d) { toGateway_.push_back(Bytes(d.begin(), d.end())); };
    dl.onConnected = [this](const dtls::SrtpKeyMaterial& keys) {
      clientOut_ =
          srtp::Session::create(keys.profile, keys.localKey, keys.localSalt, srtp::Session::Direction::kSend)
              .value();
      clientIn_ = srtp::Session::create(keys.profile, keys.remoteKey, keys.remoteSalt,
                                        srtp::Session::Direction::kReceive)
                      .value();
    };
    dl.onFailed = [this](dtls::DtlsFailure, const std::string&) { ++clientDtlsFailures_; };
    clientDtls_ =
        std::make_unique<dtls::DtlsTransport>(timers_, clientCert_, dtls::DtlsConfig{}, std::move(dl));
    ASSERT_TRUE(clientDtls_->setRemoteFingerprint("sha-256", gatewayCert_->fingerprint()).ok());
    clientRole_ = role == dtls::DtlsRole::kServer ? dtls::DtlsRole::kClient : dtls::DtlsRole::kServer;
    gateway_->start();
  }

  Bytes check(bool useCandidate = true, std::string_view pwd = "gatewaypasswordgatewaypw") {
    stun::StunBuilder b(stun::StunClass::kRequest, stun::kMethodBinding, stun::newTransactionId(random_));
    b.addUsername("gwUf:clUf").addIceControlling(42).addPriority(1845501695);
    if (useCandidate) b.addUseCandidate();
    return *b.finish(stun::Integrity::kSha1, pwd);
  }

  void deliverToGateway(Bytes datagram, const stun::StunAddress& from = kClient) {
    datagram.resize(datagram.size() + 64);  // room, as the socket gives
    const size_t size = datagram.size() - 64;
    gateway_->receive(std::span<uint8_t>(datagram).first(size), datagram, from);
  }

  // Moves datagrams both ways until both queues are empty; `dropToGateway` decides per DTLS datagram.
  void pump(std::function<bool(size_t)> dropToGateway = nullptr) {
    for (int guard = 0; guard < 1000 && (!toGateway_.empty() || !toClient_.empty()); ++guard) {
      while (!toGateway_.empty()) {
        Bytes d = std::move(toGateway_.front());
        toGateway_.pop_front();
        const size_t n = dtlsSent_++;
        if (dropToGateway && dropToGateway(n)) continue;
        deliverToGateway(std::move(d));
      }
      while (!toClient_.empty()) {
        Bytes d = std::move(toClient_.front());
        toClient_.pop_front();
        if (!d.empty() && d[0] >= 20 && d[0] <= 63) {
          clientDtls_->receive(d);
        } else if (!d.empty() && d[0] >= 128) {
          clientSrtp_.push_back(std::move(d));
        } else {
          stunResponses_.push_back(std::move(d));
        }
      }
    }
  }

  // Chromium: a nominating check, then the ClientHello when it is the DTLS client.
  void connect(std::function<bool(size_t)> dropToGateway = nullptr) {
    deliverToGateway(check());
    if (clientRole_ == dtls::DtlsRole::kClient) {
      clientDtls_->start(dtls::DtlsRole::kClient);
    } else {
      clientDtls_->start(dtls::DtlsRole::kServer);
    }
    pump(dropToGateway);
    for (int i = 0; i < 100 && gatewayConnected_ == 0 && failures_.empty(); ++i) {
      timers_.advanceTo(clock_, clock_.now() + 100ms);
      pump(dropToGateway);
    }
  }

  Bytes clientRtp(uint16_t seq, uint8_t pt = 111) {
    Bytes packet(12 + 20 + 64, 0);
    const uint8_t payload[20] = {1, 2, 3, 4, 5};
    auto size = rtp::writeRtpPacket(packet, rtp::RtpHeader{false, pt, seq, seq * 960u, 0x11223344}, payload);
    auto protectedSize = clientOut_->protectRtp(packet, *size);
    packet.resize(*protectedSize);
    return packet;
  }

  core::ManualClock clock_;
  core::TimerQueue timers_;
  dtls::test::VirtualWallClock wallClock_;  // OpenSSL's DTLS timer follows clock_
  core::SeededRandom random_;
  std::shared_ptr<const dtls::DtlsCertificate> gatewayCert_, clientCert_;
  std::unique_ptr<WebRtcTransport> gateway_;
  std::unique_ptr<dtls::DtlsTransport> clientDtls_;
  dtls::DtlsRole clientRole_ = dtls::DtlsRole::kClient;
  std::unique_ptr<srtp::Session> clientOut_, clientIn_;
  std::deque<Bytes> toGateway_, toClient_;
  std::vector<Bytes> stunResponses_, clientSrtp_, gatewayRtp_, gatewayRtcp_;
  std::vector<TransportFailure> failures_;
  std::string failureReason_;
  core::TimePoint failedAt_{};
  size_t dtlsSent_ = 0;
  int gatewayConnected_ = 0;
  int clientDtlsFailures_ = 0;
};

TEST_F(WebRtcTransportTest, ConnectsAndCarriesSrtpBothWays) {
  makeGateway();
  connect();
  ASSERT_EQ(gatewayConnected_, 1) << failureReason_;
  ASSERT_TRUE(clientIn_ && clientOut_);
  EXPECT_EQ(gateway_->selectedAddress(), kClient);
  ASSERT_EQ(stunResponses_.size(), 1u);
  auto response = stun::parseStun(stunResponses_[0]);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->messageClass(), stun::StunClass::kSuccessResponse);

  // Client to gateway: decrypted, bytes as sent.
  deliverToGateway(clientRtp(1));
  ASSERT_EQ(gatewayRtp_.size(), 1u);
  auto plain = rtp::RtpPacket::parse(gatewayRtp_[0]);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->sequenceNumber(), 1);
  EXPECT_EQ(plain->ssrc(), 0x11223344u);
  EXPECT_EQ(plain->payload()[0], 1);

  // Gateway to client: protected in place, decryptable with the client's keys.
  Bytes out(12 + 8 + 64, 0);
  const uint8_t payload[8] = {9, 9, 9};
  auto size = rtp::writeRtpPacket(out, rtp::RtpHeader{true, 0, 500, 1000, 0xCAFE}, payload);
  ASSERT_TRUE(gateway_->sendRtp(out, *size));
  pump();
  ASSERT_EQ(clientSrtp_.size(), 1u);
  Bytes received = clientSrtp_[0];
  auto unprotected = clientIn_->unprotectRtp(received, received.size());
  ASSERT_TRUE(unprotected.ok()) << unprotected.error().message;
  auto back = rtp::RtpPacket::parse(std::span<const uint8_t>(received).first(*unprotected));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->ssrc(), 0xCAFEu);
  EXPECT_EQ(back->payload()[0], 9);
  EXPECT_EQ(gateway_->stats().rtpIn, 1u);
  EXPECT_EQ(gateway_->stats().rtpOut, 1u);
  EXPECT_TRUE(gateway_->srtpProfile().has_value());
}

TEST_F(WebRtcTransportTest, GatewayAsDtlsClientStartsOnTheFirstSelection) {
  makeGateway(dtls::DtlsRole::kClient);
  clientDtls_->start(dtls::DtlsRole::kServer);
  pump();
  EXPECT_TRUE(toClient_.empty());
  EXPECT_EQ(gateway_->dtlsStats().datagramsOut, 0u) << "no ClientHello before ICE selected an address";
  connect();
  EXPECT_EQ(gatewayConnected_, 1) << failureReason_;
  EXPECT_TRUE(failures_.empty());
}

TEST_F(WebRtcTransportTest, HandshakeSurvivesLostFlights) {
  makeGateway();
  // Drop the first ClientHello and one later flight from the client.
  connect([](size_t n) { return n == 0 || n == 2; });
  EXPECT_EQ(gatewayConnected_, 1) << failureReason_;
  EXPECT_GE(clientDtls_->stats().retransmissions, 2u) << "the lost flights came back by retransmission";
}

TEST_F(WebRtcTransportTest, DtlsAndSrtpFromAnAddressWithoutACheckAreDropped) {
  makeGateway();
  clientDtls_->start(dtls::DtlsRole::kClient);
  ASSERT_FALSE(toGateway_.empty());
  deliverToGateway(toGateway_.front(), kStranger);
  EXPECT_EQ(gateway_->stats().dropped(TransportDrop::kNotValidated), 1u);
  Bytes rtpLike(40, 0x80);
  deliverToGateway(rtpLike, kStranger);
  EXPECT_EQ(gateway_->stats().dropped(TransportDrop::kNotValidated), 2u);
  EXPECT_EQ(gateway_->dtlsStats().datagramsIn, 0u);
}

TEST_F(WebRtcTransportTest, SrtpBeforeKeysTamperedAndReplayedAreCountedNotFatal) {
  makeGateway();
  deliverToGateway(check());
  Bytes early(40, 0);
  early[0] = 0x80;
  early[1] = 111;
  deliverToGateway(early);
  EXPECT_EQ(gateway_->stats().dropped(TransportDrop::kNoKeys), 1u);
  toGateway_.clear();
  clientDtls_->start(dtls::DtlsRole::kClient);
  pump();
  for (int i = 0; i < 20 && gatewayConnected_ == 0; ++i) {
    timers_.advanceTo(clock_, clock_.now() + 100ms);
    pump();
  }
  ASSERT_EQ(gatewayConnected_, 1);
  Bytes good = clientRtp(7);
  Bytes tampered = good;
  tampered[20] ^= 0x01;
  deliverToGateway(tampered);
  EXPECT_EQ(gateway_->stats().dropped(TransportDrop::kAuthFailed), 1u);
  deliverToGateway(good);
  deliverToGateway(good);
  EXPECT_EQ(gateway_->stats().dropped(TransportDrop::kReplayed), 1u);
  EXPECT_EQ(gatewayRtp_.size(), 1u);
  Bytes unknown = {0x40, 1, 2, 3};  // first byte 64: TURN channel range, not ours
  deliverToGateway(unknown);
  EXPECT_EQ(gateway_->stats().dropped(TransportDrop::kUnknownClass), 1u);
  EXPECT_TRUE(failures_.empty());
  EXPECT_TRUE(gateway_->connected());
}

TEST_F(WebRtcTransportTest, WrongFingerprintFailsWithTheDtlsFingerprintInfo) {
  makeGateway(dtls::DtlsRole::kServer, gatewayCert_->fingerprint());  // not the client's certificate
  connect();
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0], TransportFailure::kDtlsFingerprint);
  EXPECT_EQ(callInfoOf(failures_[0]), "Failed by DTLS fingerprint error");
  EXPECT_EQ(gatewayConnected_, 0);
  EXPECT_FALSE(gateway_->sendRtp(std::span<uint8_t>(), 0));
}

TEST_F(WebRtcTransportTest, SilentClientFailsWithIceErrorAtTheConsentTimeout) {
  makeGateway();
  connect();
  ASSERT_EQ(gatewayConnected_, 1);
  // Consent checks every 2.5 s for a minute keep the call up.
  for (int i = 0; i < 24; ++i) {
    timers_.advanceTo(clock_, clock_.now() + 2500ms);
    deliverToGateway(check(false));
  }
  EXPECT_TRUE(failures_.empty());
  const core::TimePoint lastCheck = clock_.now();
  toClient_.clear();  // the check responses
  timers_.advanceTo(clock_, clock_.now() + 60s);
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0], TransportFailure::kIce);
  EXPECT_EQ(callInfoOf(failures_[0]), "Failed by ICE error");
  EXPECT_EQ(failedAt_ - lastCheck, 30s);
  EXPECT_TRUE(toClient_.empty()) << "RFC 7675 §5.1: no close_notify (nor anything) once consent expired";
  deliverToGateway(clientRtp(2));
  EXPECT_EQ(gateway_->stats().dropped(TransportDrop::kFailed), 1u);
}

TEST_F(WebRtcTransportTest, PeerCloseNotifyStopsSendingAndConsentEndsTheTransport) {
  makeGateway();
  connect();
  ASSERT_EQ(gatewayConnected_, 1);
  clientDtls_->close();  // a tab closing its RTCPeerConnection: close_notify, then silence
  pump();
  EXPECT_TRUE(gateway_->peerClosed());
  EXPECT_TRUE(failures_.empty()) << "close_notify alone is not the failure: consent decides";
  Bytes out(12 + 8 + 64, 0);
  const uint8_t payload[8] = {};
  auto size = rtp::writeRtpPacket(out, rtp::RtpHeader{false, 0, 1, 1, 0xCAFE}, payload);
  EXPECT_FALSE(gateway_->sendRtp(out, *size));
  timers_.advanceTo(clock_, clock_.now() + 31s);
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(callInfoOf(failures_[0]), "Failed by ICE error");
}

TEST_F(WebRtcTransportTest, NoCheckAtAllFailsAtTheConnectTimeout) {
  makeGateway();
  timers_.advanceTo(clock_, clock_.now() + 21s);
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0], TransportFailure::kIce);
}

// Found by fuzz_webrtc_transport: the ICE connect timeout during a stalled DTLS handshake failed the
// transport, but DTLS kept retransmitting its flight to the peer until its own handshake timeout.
TEST_F(WebRtcTransportTest, IceFailureStopsDtlsRetransmission) {
  makeGateway();
  deliverToGateway(check(false));  // validated, never nominated: the connect timeout runs on
  timers_.advanceTo(clock_, clock_.now() + 10s);
  clientDtls_->start(dtls::DtlsRole::kClient);
  while (!toGateway_.empty()) {  // the ClientHello; the gateway's flight never reaches the client
    deliverToGateway(std::move(toGateway_.front()));
    toGateway_.pop_front();
  }
  ASSERT_FALSE(toClient_.empty()) << "the gateway's ServerHello flight";
  timers_.advanceTo(clock_, clock_.now() + 9500ms);
  EXPECT_GT(gateway_->dtlsStats().retransmissions, 0u);
  EXPECT_TRUE(failures_.empty());
  toClient_.clear();
  timers_.advanceTo(clock_, clock_.now() + 30s);  // connect timeout at 20 s, DTLS's own at 25 s
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0], TransportFailure::kIce);
  EXPECT_TRUE(toClient_.empty()) << toClient_.size() << " datagrams sent after the failure";
}

TEST_F(WebRtcTransportTest, CloseSendsCloseNotifyAndStopsDelivery) {
  makeGateway();
  connect();
  ASSERT_EQ(gatewayConnected_, 1);
  gateway_->close();
  EXPECT_FALSE(toClient_.empty()) << "close_notify";
  deliverToGateway(clientRtp(3));
  EXPECT_TRUE(gatewayRtp_.empty());
  timers_.advanceTo(clock_, clock_.now() + 120s);
  EXPECT_TRUE(failures_.empty()) << "no failure after a local close: " << failureReason_;
}

}  // namespace
}  // namespace callgate::webrtc
