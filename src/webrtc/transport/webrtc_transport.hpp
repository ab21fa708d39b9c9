// One WebRTC transport (RFC 8829 §3.4.1: the ICE component a BUNDLE group or an unbundled m-line uses), the
// gateway's end of it, sans-I/O: ICE-lite, DTLS-SRTP and SRTP/SRTCP over one UDP 5-tuple with rtcp-mux.
//
//   receive(datagram, from)
//     ─► rtp::classify (RFC 7983 §7)
//        STUN      ─► ice::IceLiteAgent (answers checks, learns and selects the peer's address)
//        DTLS      ─► dtls::DtlsTransport, from an ICE-validated address only
//        RTP/RTCP  ─► from a validated address, once keys exist ─► srtp unprotect ─► onRtp / onRtcp
//        other     ─► dropped and counted
//
//   sendRtp / sendRtcp ─► srtp protect in place ─► Listener::send to the selected address
//
// DTLS starts when ICE first selects an address (an active, client-side gateway then sends its ClientHello
// there), or, on the passive side, when the peer's ClientHello arrives from a validated address. The SRTP
// sessions are created from the exported keys, and onConnected fires. Any failure (ICE connect timeout or
// consent expiry, a DTLS fingerprint mismatch, a DTLS handshake error or timeout) fires onFailed once, with
// the WCS wording
// ("Failed by ICE error", "Failed by DTLS fingerprint error", "Failed by DTLS error") and the details.
//
// Bad packets are dropped and counted by reason (TransportStats), never fatal.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/timer_queue.hpp"
#include "webrtc/dtls/dtls_transport.hpp"
#include "webrtc/ice/ice_lite_agent.hpp"
#include "webrtc/srtp/srtp_session.hpp"
#include "webrtc/stun/stun_address.hpp"

namespace callgate::webrtc {

struct WebRtcTransportConfig {
  ice::IceLiteConfig ice;
  dtls::DtlsConfig dtls;
};

enum class TransportFailure : uint8_t { kIce, kDtlsFingerprint, kDtls };
// The WCS call info for a failure (PROTOCOL.md §3): "Failed by ICE error", ...
std::string_view callInfoOf(TransportFailure failure);

// Why a datagram was not delivered.
enum class TransportDrop : uint8_t {
  kUnknownClass,  // first byte outside RFC 7983's ranges (or ZRTP, TURN channel data)
  kNotValidated,  // DTLS or SRTP from an address without a valid ICE check
  kNoKeys,        // SRTP before the DTLS handshake completed
  kMalformed,     // too short for RTP / RTCP, or an SRTP packet SRTP refuses as malformed
  kAuthFailed,    // SRTP/SRTCP tag does not verify
  kReplayed,      // SRTP/SRTCP replay or too old
  kFailed,        // after the transport failed or closed
  kCount
};
std::string_view toString(TransportDrop drop);

struct TransportStats {
  uint64_t rtpIn = 0, rtpOut = 0, rtcpIn = 0, rtcpOut = 0;
  uint64_t rtpBytesIn = 0, rtpBytesOut = 0;  // SRTP datagram sizes
  uint64_t stunIn = 0, dtlsIn = 0;
  uint64_t sendFailures = 0;  // sendRtp/sendRtcp refused: not connected, no room, protect failed
  std::array<uint64_t, static_cast<size_t>(TransportDrop::kCount)> drops{};
  uint64_t dropped(TransportDrop d) const { return drops[static_cast<size_t>(d)]; }
  uint64_t droppedTotal() const;
};

class WebRtcTransport {
 public:
  struct Listener {
    // One datagram for the socket. Called inside receive(), send*() or a timer.
    std::function<void(std::span<const uint8_t> datagram, const stun::StunAddress& to)> send;
    // Once: ICE selected an address and the DTLS handshake gave SRTP keys.
    std::function<void()> onConnected;
    // A decrypted RTP packet (RFC 3550 §5.1) or RTCP compound, in the receive buffer: `packet` is the first
    // bytes of `room`, which the callee may use to rewrite and re-protect in place.
    std::function<void(std::span<uint8_t> packet, std::span<uint8_t> room)> onRtp;
    std::function<void(std::span<uint8_t> packet, std::span<uint8_t> room)> onRtcp;
    // Once, from receive() or a timer. The owner may not destroy the transport inside; nothing is delivered
    // afterwards, and nothing is sent to the peer any more (RFC 7675 §5.1), DTLS retransmissions included.
    std::function<void(TransportFailure failure, const std::string& reason)> onFailed;
  };

  WebRtcTransport(core::TimerQueue& timers, ice::IceCredentials local,
                  std::shared_ptr<const dtls::DtlsCertificate> certificate, WebRtcTransportConfig config,
                  Listener listener);
  ~WebRtcTransport();
  WebRtcTransport(const WebRtcTransport&) = delete;
  WebRtcTransport& operator=(const WebRtcTransport&) = delete;

  // The peer's ICE credentials and a=fingerprint from its SDP, and the DTLS role this side takes (from the
  // a=setup negotiation: our "active" is kClient). Errors name the bad fingerprint. Call once, then start().
  core::Result<void> setRemote(ice::IceCredentials remote, std::string_view fingerprintHash,
                               std::string_view fingerprintValue, dtls::DtlsRole role);
  // Starts ICE's connect timeout; DTLS starts on the first ICE selection.
  void start();

  // One datagram from the socket. `datagram` is the first bytes of `room` (room for SRTP in place).
  void receive(std::span<uint8_t> datagram, std::span<uint8_t> room, const stun::StunAddress& from);

  // Protects `length` bytes of RTP (RTCP) at the start of `buffer` in place and sends them to the selected
  // address. `buffer` needs srtp::rtpOverhead (rtcpOverhead) bytes of room after the packet. False (and
  // counted) when not connected or the packet is refused.
  bool sendRtp(std::span<uint8_t> buffer, size_t length);
  bool sendRtcp(std::span<uint8_t> buffer, size_t length);

  // Stops everything: DTLS close_notify when connected, timers cancelled, later datagrams dropped.
  void close();

  bool connected() const { return connected_; }
  bool failed() const { return failed_; }
  // The peer sent close_notify: nothing is sent to it any more; ICE consent ends the transport.
  bool peerClosed() const { return peerClosed_; }
  const ice::IceCredentials& localCredentials() const { return ice_.localCredentials(); }
  std::optional<stun::StunAddress> selectedAddress() const { return ice_.selected(); }
  const TransportStats& stats() const { return stats_; }
  const ice::IceStats& iceStats() const { return ice_.stats(); }
  const dtls::DtlsStats& dtlsStats() const { return dtls_.stats(); }
  std::optional<srtp::Profile> srtpProfile() const;

 private:
  void onSelected(const stun::StunAddress& address);
  void startDtls();
  void onKeys(const dtls::SrtpKeyMaterial& keys);
  void fail(TransportFailure failure, const std::string& reason);
  void drop(TransportDrop d) { ++stats_.drops[static_cast<size_t>(d)]; }
  void receiveSrtp(std::span<uint8_t> datagram, std::span<uint8_t> room);
  bool sendProtected(std::span<uint8_t> buffer, size_t length, bool rtcp);
  // Where DTLS goes before ICE has selected: the last validated address a DTLS datagram came from.
  std::optional<stun::StunAddress> dtlsPeer() const;

  Listener listener_;
  ice::IceLiteAgent ice_;
  dtls::DtlsTransport dtls_;
  std::unique_ptr<srtp::Session> srtpIn_;
  std::unique_ptr<srtp::Session> srtpOut_;
  dtls::DtlsRole role_ = dtls::DtlsRole::kServer;
  std::optional<stun::StunAddress> lastDtlsSource_;
  bool remoteSet_ = false;
  bool dtlsStarted_ = false;
  bool connected_ = false;
  bool failed_ = false;
  bool closed_ = false;
  bool peerClosed_ = false;  // close_notify received
  TransportStats stats_;
};

}  // namespace callgate::webrtc
