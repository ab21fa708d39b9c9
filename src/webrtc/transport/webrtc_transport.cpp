#include "webrtc/transport/webrtc_transport.hpp"

#include <numeric>
#include <utility>

#include "rtp/demux.hpp"

namespace callgate::webrtc {

std::string_view callInfoOf(TransportFailure failure) {
  switch (failure) {
    case TransportFailure::kIce:
      return "Failed by ICE error";
    case TransportFailure::kDtlsFingerprint:
      return "Failed by DTLS fingerprint error";
    case TransportFailure::kDtls:
      return "Failed by DTLS error";
  }
  return "Failed by error";
}

std::string_view toString(TransportDrop drop) {
  switch (drop) {
    case TransportDrop::kUnknownClass:
      return "unknown_class";
    case TransportDrop::kNotValidated:
      return "not_validated";
    case TransportDrop::kNoKeys:
      return "no_keys";
    case TransportDrop::kMalformed:
      return "malformed";
    case TransportDrop::kAuthFailed:
      return "auth_failed";
    case TransportDrop::kReplayed:
      return "replayed";
    case TransportDrop::kFailed:
      return "failed";
    case TransportDrop::kCount:
      break;
  }
  return "unknown";
}

uint64_t TransportStats::droppedTotal() const {
  return std::accumulate(drops.begin(), drops.end(), uint64_t{0});
}

WebRtcTransport::WebRtcTransport(core::TimerQueue& timers, ice::IceCredentials local,
                                 std::shared_ptr<const dtls::DtlsCertificate> certificate,
                                 WebRtcTransportConfig config, Listener listener)
    : listener_(std::move(listener)),
      ice_(timers, std::move(local), config.ice,
           ice::IceLiteAgent::Listener{
               [this](std::span<const uint8_t> bytes, const stun::StunAddress& to) {
                 if (listener_.send) listener_.send(bytes, to);
               },
               [this](const stun::StunAddress& selected) { onSelected(selected); },
               [this](ice::IceFailure, const std::string& reason) { fail(TransportFailure::kIce, reason); }}),
      dtls_(timers, std::move(certificate), config.dtls,
            dtls::DtlsTransport::Listener{[this](std::span<const uint8_t> datagram) {
                                            // After a failure nothing goes to the peer (see fail()).
                                            if (failed_) return;
                                            if (auto to = dtlsPeer(); to && listener_.send)
                                              listener_.send(datagram, *to);
                                          },
                                          [this](const dtls::SrtpKeyMaterial& keys) { onKeys(keys); },
                                          [this](dtls::DtlsFailure failure, const std::string& reason) {
                                            fail(failure == dtls::DtlsFailure::kFingerprintMismatch
                                                     ? TransportFailure::kDtlsFingerprint
                                                     : TransportFailure::kDtls,
                                                 reason);
                                          },
                                          [this] {
                                            // The peer closed DTLS (close_notify: a browser tab closing its
                                            // RTCPeerConnection). It sends nothing more, checks included, so
                                            // ICE consent ends the call ("Failed by ICE error") as for any
                                            // client that went silent; until then our SRTP toward it stops.
                                            peerClosed_ = true;
                                            connected_ = false;
                                          }}) {}

WebRtcTransport::~WebRtcTransport() = default;

core::Result<void> WebRtcTransport::setRemote(ice::IceCredentials remote, std::string_view fingerprintHash,
                                              std::string_view fingerprintValue, dtls::DtlsRole role) {
  if (auto set = dtls_.setRemoteFingerprint(fingerprintHash, fingerprintValue); !set) return set;
  ice_.setRemoteCredentials(std::move(remote));
  role_ = role;
  remoteSet_ = true;
  return {};
}

void WebRtcTransport::start() {
  ice_.start();
}

void WebRtcTransport::startDtls() {
  if (dtlsStarted_ || !remoteSet_ || failed_ || closed_) return;
  // DTLS begins once ICE has a validated peer, so that until then a silent client fails as an ICE failure
  // (the ICE connect timeout), not as a DTLS handshake timeout.
  dtlsStarted_ = true;
  dtls_.start(role_);
}

std::optional<stun::StunAddress> WebRtcTransport::dtlsPeer() const {
  if (auto selected = ice_.selected()) return selected;
  return lastDtlsSource_;
}

void WebRtcTransport::onSelected(const stun::StunAddress&) {
  startDtls();
}

void WebRtcTransport::onKeys(const dtls::SrtpKeyMaterial& keys) {
  if (failed_ || closed_) return;
  auto in = srtp::Session::create(keys.profile, keys.remoteKey, keys.remoteSalt,
                                  srtp::Session::Direction::kReceive);
  auto out =
      srtp::Session::create(keys.profile, keys.localKey, keys.localSalt, srtp::Session::Direction::kSend);
  if (!in || !out) {
    fail(TransportFailure::kDtls, "SRTP keys from DTLS refused: " + (!in ? in.error() : out.error()).message);
    return;
  }
  srtpIn_ = std::move(*in);
  srtpOut_ = std::move(*out);
  connected_ = true;
  if (listener_.onConnected) listener_.onConnected();
}

void WebRtcTransport::fail(TransportFailure failure, const std::string& reason) {
  if (failed_ || closed_) return;
  failed_ = true;
  connected_ = false;
  // RFC 7675 §5.1: without consent "the endpoint MUST cease transmission on that 5-tuple". An ICE failure
  // (connect timeout, consent expiry) would otherwise leave DTLS retransmitting its flight to the peer until
  // its own handshake timeout; stopping it cancels its timers, and the close_notify it writes when connected
  // is dropped by the send callback. After a DTLS failure DTLS has stopped already and this does nothing.
  dtls_.close();
  if (listener_.onFailed) listener_.onFailed(failure, reason);
}

void WebRtcTransport::receive(std::span<uint8_t> datagram, std::span<uint8_t> room,
                              const stun::StunAddress& from) {
  if (failed_ || closed_) {
    drop(TransportDrop::kFailed);
    return;
  }
  switch (rtp::classify(datagram)) {
    case rtp::PacketClass::kStun:
      ++stats_.stunIn;
      ice_.receive(datagram, from);
      return;
    case rtp::PacketClass::kDtls:
      // RFC 8445 §7.3.1.3 / RFC 7675: nothing but checks from an address without a successful check.
      if (!ice_.validated(from)) {
        drop(TransportDrop::kNotValidated);
        return;
      }
      ++stats_.dtlsIn;
      lastDtlsSource_ = from;
      // A ClientHello may come from a validated address before the client nominates it.
      if (role_ == dtls::DtlsRole::kServer) startDtls();
      dtls_.receive(datagram);
      return;
    case rtp::PacketClass::kRtpOrRtcp:
      if (!ice_.validated(from)) {
        drop(TransportDrop::kNotValidated);
        return;
      }
      receiveSrtp(datagram, room);
      return;
    default:
      drop(TransportDrop::kUnknownClass);
      return;
  }
}

void WebRtcTransport::receiveSrtp(std::span<uint8_t> datagram, std::span<uint8_t> room) {
  if (!srtpIn_) {
    drop(TransportDrop::kNoKeys);
    return;
  }
  const bool rtcp = rtp::isRtcp(datagram);
  if (!rtcp && !rtp::isRtp(datagram)) {
    drop(TransportDrop::kMalformed);
    return;
  }
  const size_t size = datagram.size();
  auto plain = rtcp ? srtpIn_->unprotectRtcp(room, size) : srtpIn_->unprotectRtp(room, size);
  if (!plain) {
    switch (static_cast<srtp::Drop>(plain.error().code)) {
      case srtp::Drop::kAuthFailed:
        drop(TransportDrop::kAuthFailed);
        break;
      case srtp::Drop::kReplayed:
      case srtp::Drop::kTooOld:
        drop(TransportDrop::kReplayed);
        break;
      default:
        drop(TransportDrop::kMalformed);
        break;
    }
    return;
  }
  std::span<uint8_t> packet = room.first(*plain);
  if (rtcp) {
    ++stats_.rtcpIn;
    if (listener_.onRtcp) listener_.onRtcp(packet, room);
  } else {
    ++stats_.rtpIn;
    stats_.rtpBytesIn += size;
    if (listener_.onRtp) listener_.onRtp(packet, room);
  }
}

bool WebRtcTransport::sendRtp(std::span<uint8_t> buffer, size_t length) {
  return sendProtected(buffer, length, false);
}

bool WebRtcTransport::sendRtcp(std::span<uint8_t> buffer, size_t length) {
  return sendProtected(buffer, length, true);
}

bool WebRtcTransport::sendProtected(std::span<uint8_t> buffer, size_t length, bool rtcp) {
  auto to = ice_.selected();
  if (!connected_ || !srtpOut_ || !to) {
    ++stats_.sendFailures;
    return false;
  }
  auto size = rtcp ? srtpOut_->protectRtcp(buffer, length) : srtpOut_->protectRtp(buffer, length);
  if (!size) {
    ++stats_.sendFailures;
    return false;
  }
  if (rtcp) {
    ++stats_.rtcpOut;
  } else {
    ++stats_.rtpOut;
    stats_.rtpBytesOut += *size;
  }
  if (listener_.send) listener_.send(buffer.first(*size), *to);
  return true;
}

void WebRtcTransport::close() {
  if (closed_) return;
  closed_ = true;
  connected_ = false;
  dtls_.close();
}

std::optional<srtp::Profile> WebRtcTransport::srtpProfile() const {
  if (!srtpOut_) return std::nullopt;
  return srtpOut_->profile();
}

}  // namespace callgate::webrtc
