// A scripted Chromium-like WebRTC client for the media plane's loopback tests (the echo, the relay): a real
// UDP socket on a media thread of its own, speaking real ICE, DTLS and SRTP to the gateway's endpoint on
// 127.0.0.1. It does what a browser's peer connection does on the wire: a nominating Binding request keyed
// with the gateway's ice-pwd (every 50 ms until answered), then the DTLS handshake once the check is
// answered, then SRTP with the exported keys. What it receives is decrypted and copied for the test thread.
//
// Threads: a client is built on any thread; everything else, its destruction included, on its thread. The
// test thread reaches it by onThread() (a post and a bounded wait for the answer).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "core/random.hpp"
#include "core/text.hpp"
#include "core/timer_queue.hpp"
#include "media/media_address.hpp"
#include "net/media_thread.hpp"
#include "net/udp_batch_socket.hpp"
#include "rtp/demux.hpp"
#include "rtp/rtp_packet.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/sdp_writer.hpp"
#include "sdp/webrtc_offer.hpp"
#include "webrtc/dtls/dtls_certificate.hpp"
#include "webrtc/dtls/dtls_transport.hpp"
#include "webrtc/srtp/srtp_session.hpp"
#include "webrtc/stun/integrity.hpp"
#include "webrtc/stun/stun_builder.hpp"
#include "webrtc/stun/stun_message.hpp"

namespace callgate::media::test {

using namespace std::chrono_literals;
using Bytes = std::vector<uint8_t>;
namespace dtls = webrtc::dtls;
namespace srtp = webrtc::srtp;
namespace stun = webrtc::stun;

inline constexpr auto kPostTimeout = 5s;  // one post to a media thread and its answer

// Runs `fn` on `thread` and returns its result; nullopt when the thread does not answer in time. `fn` may
// still run after a timeout, so it captures only values and what lives until the threads stop.
template <typename Fn>
std::optional<std::invoke_result_t<Fn&>> onThread(net::MediaThread& thread, Fn fn) {
  using T = std::invoke_result_t<Fn&>;
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> future = promise->get_future();
  thread.post([promise, fn]() mutable { promise->set_value(fn()); });
  if (future.wait_for(kPostTimeout) != std::future_status::ready) return std::nullopt;
  return future.get();
}

// Polls `done` until it holds or `timeout` has passed; whether it held.
template <typename Done>
bool eventually(Done done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
}

// The payload a client sends in packet `seq`: its tag, the sequence number and a pattern, so that an echo
// can be traced to its client and packet.
inline Bytes payloadFor(uint8_t tag, uint16_t seq) {
  Bytes payload(40);
  payload[0] = tag;
  payload[1] = static_cast<uint8_t>(seq >> 8);
  payload[2] = static_cast<uint8_t>(seq);
  for (size_t i = 3; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(tag * 31 + seq + i);
  return payload;
}

inline uint32_t timestampFor(uint16_t seq) {
  return uint32_t{seq} * 960;
}

// What the client needs of one answered transport.
struct GatewayTransport {
  net::UdpAddress address;
  std::string ufrag, pwd;
  std::string fingerprintHash, fingerprint;
  sdp::SetupRole setup = sdp::SetupRole::kActpass;
};

inline std::string readDataFile(const std::string& name) {
  std::ifstream in(std::filesystem::path(CALLGATE_TEST_DATA_DIR) / "sdp" / name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A received, decrypted RTP packet, copied out of the receive buffer.
struct ReceivedRtp {
  uint32_t ssrc = 0;
  uint16_t seq = 0;
  uint8_t payloadType = 0;
  uint32_t timestamp = 0;
  Bytes payload;
  bool marker = false;
};

// What a client has seen so far, copied on its thread for the test thread.
struct ClientView {
  bool iceAnswered = false;  // a success response to our check, with integrity
  bool connected = false;    // DTLS done, SRTP keys in place
  bool peerClosed = false;   // the gateway's close_notify
  std::string dtlsFailure;
  std::optional<stun::StunAddress> mappedAddress;  // XOR-MAPPED-ADDRESS of the response
  stun::StunAddress localAddress;
  std::vector<ReceivedRtp> rtp;
  std::vector<Bytes> rtcp;  // decrypted compounds
  uint64_t rtpSent = 0;
  uint64_t stunErrors = 0;     // error responses, or responses without valid integrity
  uint64_t srtpFailures = 0;   // SRTP/SRTCP that did not unprotect or parse (another call's, say)
  uint64_t fromStrangers = 0;  // datagrams from anywhere but the gateway's transport address
};

// A Chromium-like peer over a real UDP socket on `thread`. Built on any thread; everything else, its
// destruction included, on `thread`.
class ScriptedClient {
 public:
  ScriptedClient(net::MediaThread& thread, uint8_t tag)
      : thread_(thread),
        tag_(tag),
        cert_(dtls::DtlsCertificate::generate("client").value()),
        checkTimer_(thread.timers()),
        streamTimer_(thread.timers()) {
    core::SecureRandom random;
    ufrag_ = "cl" + random.hex(3);
    pwd_ = random.hex(12);
    tieBreaker_ = random.next64();
  }

  uint8_t tag() const { return tag_; }
  // What the gateway learns from this client's SDP: its ICE credentials and its certificate's fingerprint.
  const std::string& ufrag() const { return ufrag_; }
  const std::string& pwd() const { return pwd_; }
  std::string fingerprint() const { return cert_->fingerprint(); }

  // A captured Chromium offer with this client's ICE credentials and DTLS fingerprint in place of the
  // capture's, written and read again as the gateway gets it.
  std::optional<sdp::WebRtcOffer> offer(const std::string& file) const {
    auto parsed = sdp::parseSdp(readDataFile(file));
    if (!parsed) {
      ADD_FAILURE() << file << ": " << parsed.error().message;
      return std::nullopt;
    }
    const auto replace = [this](std::vector<sdp::Attribute>& attributes) {
      for (sdp::Attribute& a : attributes) {
        if (core::iequals(a.name, "ice-ufrag")) a.value = ufrag_;
        if (core::iequals(a.name, "ice-pwd")) a.value = pwd_;
        if (core::iequals(a.name, "fingerprint")) {
          a.value = std::string(dtls::DtlsCertificate::kHashFunction) + " " + cert_->fingerprint();
        }
      }
    };
    replace(parsed->attributes);
    for (sdp::MediaDescription& m : parsed->media) replace(m.attributes);
    auto reparsed = sdp::parseSdp(sdp::writeSdp(*parsed));
    if (!reparsed) {
      ADD_FAILURE() << file << " rewritten: " << reparsed.error().message;
      return std::nullopt;
    }
    auto read = sdp::readWebRtcOffer(*reparsed);
    if (!read) {
      ADD_FAILURE() << file << " as an offer: " << read.error().message;
      return std::nullopt;
    }
    return std::move(*read);
  }

  // On the thread: binds a socket on 127.0.0.1, a port the kernel picks.
  core::Result<void> open() {
    auto socket =
        net::UdpBatchSocket::open(thread_.io(), net::UdpBatchSocket::Config{},
                                  [this](std::span<uint8_t> data, std::span<uint8_t> room,
                                         const net::UdpAddress& from) { onDatagram(data, room, from); });
    if (!socket) return socket.error();
    socket_ = std::move(*socket);
    return {};
  }

  // On the thread: checks `gateway` (every 50 ms until answered, as Chromium does before it has a pair),
  // then shakes hands as the DTLS client once the check is answered.
  void connect(const GatewayTransport& gateway) {
    gateway_ = gateway;
    dtls::DtlsTransport::Listener l;
    l.send = [this](std::span<const uint8_t> datagram) { socket_->send(datagram, gateway_.address); };
    l.onConnected = [this](const dtls::SrtpKeyMaterial& keys) {
      auto out =
          srtp::Session::create(keys.profile, keys.localKey, keys.localSalt, srtp::Session::Direction::kSend);
      auto in = srtp::Session::create(keys.profile, keys.remoteKey, keys.remoteSalt,
                                      srtp::Session::Direction::kReceive);
      if (!out || !in) {
        dtlsFailure_ = "SRTP keys refused";
        return;
      }
      srtpOut_ = std::move(*out);
      srtpIn_ = std::move(*in);
    };
    l.onFailed = [this](dtls::DtlsFailure, const std::string& reason) { dtlsFailure_ = reason; };
    l.onClosed = [this] { peerClosed_ = true; };
    dtls_ = std::make_unique<dtls::DtlsTransport>(thread_.timers(), cert_, dtls::DtlsConfig{}, std::move(l));
    if (auto set = dtls_->setRemoteFingerprint(gateway.fingerprintHash, gateway.fingerprint); !set) {
      dtlsFailure_ = set.error().message;
      return;
    }
    sendCheck();
  }

  // On the thread: one RTP packet, protected and sent. False before the keys exist.
  bool sendRtp(uint8_t payloadType, uint32_t ssrc, uint16_t seq, bool marker = false) {
    if (!srtpOut_) return false;
    const Bytes payload = payloadFor(tag_, seq);
    std::array<uint8_t, 256> buffer{};
    auto size = rtp::writeRtpPacket(buffer, rtp::RtpHeader{marker, payloadType, seq, timestampFor(seq), ssrc},
                                    payload);
    if (!size) return false;
    auto protectedSize = srtpOut_->protectRtp(buffer, *size);
    if (!protectedSize) return false;
    ++rtpSent_;
    return socket_->send(std::span<const uint8_t>(buffer).first(*protectedSize), gateway_.address);
  }

  // On the thread: one RTCP compound, protected and sent.
  bool sendRtcp(const Bytes& compound) {
    if (!srtpOut_) return false;
    Bytes buffer(compound.size() + 64);
    std::copy(compound.begin(), compound.end(), buffer.begin());
    auto protectedSize = srtpOut_->protectRtcp(buffer, compound.size());
    if (!protectedSize) return false;
    return socket_->send(std::span<const uint8_t>(buffer).first(*protectedSize), gateway_.address);
  }

  // On the thread: 4 packets every 5 ms (800 packets/s) from `firstSeq` on, until stopStream().
  void startStream(uint8_t payloadType, uint32_t ssrc, uint16_t firstSeq) {
    streamSeq_ = firstSeq;
    streamTick(payloadType, ssrc);
  }
  void stopStream() { streamTimer_.cancel(); }

  ClientView view() const {
    ClientView v;
    v.iceAnswered = iceAnswered_;
    v.connected = srtpIn_ != nullptr && srtpOut_ != nullptr;
    v.peerClosed = peerClosed_;
    v.dtlsFailure = dtlsFailure_;
    v.mappedAddress = mappedAddress_;
    if (socket_) v.localAddress = toStunAddress(socket_->localAddress());
    v.rtp = rtp_;
    v.rtcp = rtcp_;
    v.rtpSent = rtpSent_;
    v.stunErrors = stunErrors_;
    v.srtpFailures = srtpFailures_;
    v.fromStrangers = fromStrangers_;
    return v;
  }

 private:
  void sendCheck() {
    if (iceAnswered_ || checksSent_ >= 40) return;
    // RFC 8445 §7.2.2: USERNAME "<receiver's ufrag>:<sender's ufrag>", keyed with the receiver's password;
    // §7.1: the controlling agent's PRIORITY, ICE-CONTROLLING and (aggressive nomination) USE-CANDIDATE.
    const stun::TransactionId id = stun::newTransactionId(thread_.random());
    stun::StunBuilder b(stun::StunClass::kRequest, stun::kMethodBinding, id);
    b.addUsername(gateway_.ufrag + ":" + ufrag_).addIceControlling(tieBreaker_).addPriority(1853817087);
    b.addUseCandidate();
    auto request = b.finish(stun::Integrity::kSha1, gateway_.pwd);
    if (!request) {
      ++stunErrors_;
      return;
    }
    transactions_.push_back(id);
    ++checksSent_;
    socket_->send(*request, gateway_.address);
    checkTimer_.start(50ms, [this] { sendCheck(); });
  }

  void streamTick(uint8_t payloadType, uint32_t ssrc) {
    for (int i = 0; i < 4; ++i) sendRtp(payloadType, ssrc, streamSeq_++);
    streamTimer_.start(5ms, [this, payloadType, ssrc] { streamTick(payloadType, ssrc); });
  }

  void onDatagram(std::span<uint8_t> data, std::span<uint8_t> room, const net::UdpAddress& from) {
    if (!(from == gateway_.address)) {
      ++fromStrangers_;
      return;
    }
    switch (rtp::classify(data)) {
      case rtp::PacketClass::kStun:
        onStun(data);
        break;
      case rtp::PacketClass::kDtls:
        if (dtls_) dtls_->receive(data);
        break;
      case rtp::PacketClass::kRtpOrRtcp:
        onSrtp(data, room);
        break;
      default:
        ++fromStrangers_;
        break;
    }
  }

  void onStun(std::span<const uint8_t> data) {
    auto message = stun::parseStun(data);
    if (!message || message->method() != stun::kMethodBinding ||
        std::find(transactions_.begin(), transactions_.end(), message->transactionId()) ==
            transactions_.end()) {
      ++stunErrors_;
      return;
    }
    // RFC 8489 §9.1.3: the response is keyed with the password the request was.
    if (message->messageClass() != stun::StunClass::kSuccessResponse ||
        !stun::checkMessageIntegrity(*message, gateway_.pwd) || !stun::checkFingerprint(*message)) {
      ++stunErrors_;
      return;
    }
    if (auto mapped = message->xorMappedAddress(); mapped && *mapped) mappedAddress_ = **mapped;
    if (iceAnswered_) return;
    iceAnswered_ = true;
    checkTimer_.cancel();
    // ADR 7: the answer to an actpass offer is passive, and the client starts the handshake.
    dtls_->start(gateway_.setup == sdp::SetupRole::kActive ? dtls::DtlsRole::kServer
                                                           : dtls::DtlsRole::kClient);
  }

  void onSrtp(std::span<uint8_t> data, std::span<uint8_t> room) {
    if (!srtpIn_) {
      ++srtpFailures_;
      return;
    }
    const bool rtcp = rtp::isRtcp(data);
    auto plain = rtcp ? srtpIn_->unprotectRtcp(room, data.size()) : srtpIn_->unprotectRtp(room, data.size());
    if (!plain) {
      ++srtpFailures_;
      return;
    }
    const std::span<const uint8_t> packet = std::span<const uint8_t>(room).first(*plain);
    if (rtcp) {
      rtcp_.emplace_back(packet.begin(), packet.end());
      return;
    }
    auto parsed = rtp::RtpPacket::parse(packet);
    if (!parsed) {
      ++srtpFailures_;
      return;
    }
    rtp_.push_back(ReceivedRtp{parsed->ssrc(), parsed->sequenceNumber(), parsed->payloadType(),
                               parsed->timestamp(), Bytes(parsed->payload().begin(), parsed->payload().end()),
                               parsed->marker()});
  }

  net::MediaThread& thread_;
  const uint8_t tag_;
  std::shared_ptr<const dtls::DtlsCertificate> cert_;
  std::string ufrag_, pwd_;
  uint64_t tieBreaker_ = 0;
  GatewayTransport gateway_;
  // Destroyed in reverse: the timers first, the socket last (DTLS sends through it).
  std::unique_ptr<net::UdpBatchSocket> socket_;
  std::unique_ptr<dtls::DtlsTransport> dtls_;
  std::unique_ptr<srtp::Session> srtpOut_, srtpIn_;
  core::Timer checkTimer_;
  core::Timer streamTimer_;
  std::vector<stun::TransactionId> transactions_;
  int checksSent_ = 0;
  uint16_t streamSeq_ = 0;
  bool iceAnswered_ = false;
  bool peerClosed_ = false;
  std::string dtlsFailure_;
  std::optional<stun::StunAddress> mappedAddress_;
  std::vector<ReceivedRtp> rtp_;
  std::vector<Bytes> rtcp_;
  uint64_t rtpSent_ = 0;
  uint64_t stunErrors_ = 0;
  uint64_t srtpFailures_ = 0;
  uint64_t fromStrangers_ = 0;
};

}  // namespace callgate::media::test
