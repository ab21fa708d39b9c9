// DTLS 1.2 for DTLS-SRTP (RFC 5764, RFC 5763) on OpenSSL memory BIOs, sans-I/O: datagrams in through
// receive(), datagrams out through Listener::send, retransmission timers on the TimerQueue (so a handshake
// runs on a virtual clock with loss in tests, and on the media thread's loop in the gateway).
//
//   a=setup (ours)   role      who speaks first
//   active           kClient   start() sends the ClientHello
//   passive          kServer   waits for the peer's ClientHello
//
// The peer's certificate is self-signed and is trusted only through the a=fingerprint of its SDP (RFC 5763
// §5): a certificate whose hash does not match fails the handshake with DtlsFailure::kFingerprintMismatch
// ("Failed by DTLS fingerprint error"). After the handshake the SRTP keying material is exported with the
// label "EXTRACTOR-dtls_srtp" and split per RFC 5764 §4.2 into the local and remote master keys and salts.
//
// Retransmission (RFC 6347 §4.2.4): the schedule lives here and is handed to OpenSSL through
// DTLS_set_timer_cb: DtlsConfig::initialRetransmit, doubling up to maxRetransmit, back to initialRetransmit
// for each new flight; the whole handshake is bounded by handshakeTimeout (DtlsFailure::kTimeout). OpenSSL
// keeps the deadline and reads it against gettimeofday(), on DTLSv1_handle_timeout() and on every read; a
// TimerQueue timer armed at the deadline DTLSv1_get_timeout() reports calls DTLSv1_handle_timeout(). (A
// deadline below OpenSSL's 15 ms floor counts as already expired on every read, so OpenSSL 3.0 would resend
// in a loop and fail the handshake at once: intervals are at least 20 ms, and a virtual clock in tests has to
// stand in for gettimeofday() as well: tests/unit/webrtc/dtls/openssl_virtual_time.hpp.) OpenSSL also gives
// up by itself after 12 timeouts of one flight, which is reported as kTimeout too.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/timer_queue.hpp"
#include "webrtc/dtls/dtls_certificate.hpp"
#include "webrtc/srtp/srtp_session.hpp"

namespace callgate::webrtc::dtls {

enum class DtlsRole : uint8_t { kClient, kServer };

struct DtlsConfig {
  core::Duration initialRetransmit = std::chrono::milliseconds(100);  // intervals below 20 ms count as 20 ms
  core::Duration maxRetransmit = std::chrono::seconds(2);
  core::Duration handshakeTimeout = std::chrono::seconds(15);
  size_t mtu = 1200;  // handshake flights are fragmented to this (leaves room for IP/UDP and a TURN header)
};

// The exported SRTP keys of one association, from this side's point of view.
struct SrtpKeyMaterial {
  srtp::Profile profile = srtp::Profile::kAes128CmSha1_80;
  std::vector<uint8_t> localKey, localSalt;    // protect what we send
  std::vector<uint8_t> remoteKey, remoteSalt;  // unprotect what we receive
};

// kHandshakeFailed also covers a fatal alert or error after the handshake (only the peer can cause one:
// records that do not authenticate are dropped, RFC 6347 §4.1.2.7).
enum class DtlsFailure : uint8_t { kFingerprintMismatch, kHandshakeFailed, kTimeout };
std::string_view toString(DtlsFailure failure);

struct DtlsStats {
  uint64_t datagramsIn = 0;
  uint64_t datagramsOut = 0;
  uint64_t retransmissions = 0;  // timer-driven flights resent
  uint64_t dropped = 0;          // datagrams OpenSSL refused, or arriving after failure/close
};

class DtlsTransport {
 public:
  struct Listener {
    // One DTLS datagram to send to the peer. Called inside start(), receive() or a timer.
    std::function<void(std::span<const uint8_t> datagram)> send;
    // Once, when the handshake completes and the keys are exported.
    std::function<void(const SrtpKeyMaterial& keys)> onConnected;
    // Once; nothing is sent or received afterwards. The owner may not destroy the transport inside.
    std::function<void(DtlsFailure failure, const std::string& reason)> onFailed;
    // The peer sent close_notify (after onConnected).
    std::function<void()> onClosed;
  };

  // SRTP profiles offered/accepted, in this order of preference: AEAD_AES_128_GCM, AES128_CM_SHA1_80,
  // AES128_CM_SHA1_32 (RFC 7714 §14.2, RFC 5764 §4.1.2).
  DtlsTransport(core::TimerQueue& timers, std::shared_ptr<const DtlsCertificate> certificate,
                DtlsConfig config, Listener listener);
  ~DtlsTransport();
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // The peer's a=fingerprint. Must be set before the peer's certificate arrives; hash functions as in
  // certificateFingerprint(). An unknown function or a malformed value is an error naming it.
  core::Result<void> setRemoteFingerprint(std::string_view hashFunction, std::string_view value);

  // Begins the handshake in `role` (a client sends its ClientHello now) and starts the handshake timeout.
  void start(DtlsRole role);
  // One datagram that rtp::classify() called DTLS.
  void receive(std::span<const uint8_t> datagram);
  // Sends close_notify once connected; afterwards nothing is sent or received.
  void close();

  bool connected() const;
  bool failed() const;
  const DtlsStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace callgate::webrtc::dtls
