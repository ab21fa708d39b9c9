// The ICE-lite responder (RFC 8445 §2.5, §7.3) of one WebRTC transport, with consent freshness seen from the
// lite side (RFC 7675). Sans-I/O: datagrams classified as STUN go in through receive(), responses go out
// through Listener::send, time comes from the TimerQueue.
//
// A lite agent never sends checks. It answers the peer's Binding requests, learns the peer's address from
// them (peer-reflexive, RFC 8445 §7.3.1.3) and takes as selected the address of the latest valid request
// carrying USE-CANDIDATE (RFC 8445 §7.3.1.5: the controlling agent decides). It is always controlled: a
// request with ICE-CONTROLLED is a role conflict it cannot resolve by switching, so it answers 487.
//
//   request ─► FINGERPRINT ok? ─no─► dropped (not STUN for us, RFC 8489 §7)
//              Binding? ─no─► 400
//              USERNAME and MESSAGE-INTEGRITY(-SHA256) present? ─no─► 400 (RFC 8489 §9.1.3: both, first)
//              USERNAME "localUfrag:remoteUfrag"? ─no─► 401
//              MESSAGE-INTEGRITY(-SHA256) with the local ice-pwd? ─no─► 401 (400 if malformed)
//              unknown comprehension-required attributes? ─► 420 with UNKNOWN-ATTRIBUTES
//              PRIORITY, ICE-CONTROLLING, ICE-CONTROLLED or USE-CANDIDATE malformed? ─► 400
//              ICE-CONTROLLED? ─► 487 Role Conflict
//              ─► 200 with XOR-MAPPED-ADDRESS, the request's kind of integrity (SHA-1 or SHA-256)
//                 and FINGERPRINT; source validated; USE-CANDIDATE: source selected (onSelected)
//
// Consent (RFC 7675 §5.1, as the receiving side): once an address is selected, each valid request from it
// renews consent; none for IceLiteConfig::consentTimeout and the transport fails (kConsentExpired: the
// call ends "Failed by ICE error"). Before any selection, IceLiteConfig::connectTimeout bounds the wait.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/random.hpp"
#include "core/timer_queue.hpp"
#include "webrtc/stun/stun_address.hpp"
#include "webrtc/stun/stun_builder.hpp"
#include "webrtc/stun/stun_message.hpp"

namespace callgate::webrtc::ice {

// a=ice-ufrag / a=ice-pwd (RFC 8839 §5.4): ice-chars only (ALPHA / DIGIT / "+" / "/").
struct IceCredentials {
  std::string ufrag;  // 4-256 ice-chars
  std::string pwd;    // 22-256 ice-chars
};

// Fresh local credentials: a 8-character ufrag (48 bits) and a 24-character pwd (144 bits; RFC 8445 §5.3
// asks for at least 24 bits and 128 bits of randomness), from `random` (SecureRandom in the gateway).
IceCredentials generateCredentials(core::RandomSource& random);

// The part of a Binding request's USERNAME before the ':' (the receiver's ufrag, RFC 8445 §7.2.2), which a
// shared media port uses to find the transport a request belongs to. nullopt when the message has no
// USERNAME, or one without ':'.
std::optional<std::string_view> localUfragOf(const stun::StunMessage& message);

struct IceLiteConfig {
  core::Duration connectTimeout = std::chrono::seconds(20);  // start() to the first selection
  core::Duration consentTimeout = std::chrono::seconds(30);  // RFC 7675 §5.1: 30 s
  // Peer-reflexive addresses kept, the least recently checked dropped first; the selected address stays
  // validated whether or not it is among them.
  size_t maxValidatedAddresses = 16;
};

enum class IceFailure : uint8_t { kConnectTimeout, kConsentExpired };
std::string_view toString(IceFailure failure);

struct IceStats {
  uint64_t requests = 0;          // Binding requests that passed FINGERPRINT
  uint64_t successResponses = 0;  // 200s sent
  uint64_t errorResponses = 0;    // 4xx sent
  uint64_t badUsername = 0;       // 400/401 for USERNAME
  uint64_t badIntegrity = 0;      // 400/401 for MESSAGE-INTEGRITY
  uint64_t roleConflicts = 0;     // 487 sent
  uint64_t dropped = 0;           // not STUN, bad FINGERPRINT, responses and indications, after failure
                                  // (and a response the builder refused, which would be a bug)
  uint64_t nominations = 0;       // valid requests with USE-CANDIDATE
};

class IceLiteAgent {
 public:
  struct Listener {
    // A STUN response to send to `to`, from the transport's socket. Called inside receive(). The callbacks
    // may be empty.
    std::function<void(std::span<const uint8_t> bytes, const stun::StunAddress& to)> send;
    // The selected address changed (the first call means connected). Called inside receive().
    std::function<void(const stun::StunAddress& selected)> onSelected;
    // Once, from a timer; the agent answers nothing afterwards. The owner may not destroy the agent inside.
    std::function<void(IceFailure failure, const std::string& reason)> onFailed;
  };

  IceLiteAgent(core::TimerQueue& timers, IceCredentials local, IceLiteConfig config, Listener listener);
  ~IceLiteAgent();
  IceLiteAgent(const IceLiteAgent&) = delete;
  IceLiteAgent& operator=(const IceLiteAgent&) = delete;

  // The peer's a=ice-ufrag / a=ice-pwd (from its SDP). Once the remote ufrag is known, a request's USERNAME
  // must be exactly "<local ufrag>:<remote ufrag>". Before, only the part before the ':' is checked, so a
  // check that overtakes the peer's SDP is answered (RFC 8445 §7.3: it may arrive first); MESSAGE-INTEGRITY
  // with the local ice-pwd, which only the peer that got our SDP knows, still authenticates it.
  void setRemoteCredentials(IceCredentials remote);
  // Starts the connect timeout.
  void start();

  // One datagram that rtp::classify() called STUN, received from `from`.
  void receive(std::span<const uint8_t> datagram, const stun::StunAddress& from);

  const IceCredentials& localCredentials() const { return local_; }
  std::optional<stun::StunAddress> selected() const { return selected_; }
  // Whether a valid check came from `address`: media and DTLS are accepted only from such addresses
  // (RFC 8445 §7.3.1.3, §11 and RFC 7675: no traffic toward or from an address without consent). False for
  // every address once failed.
  bool validated(const stun::StunAddress& address) const;
  bool failed() const { return failed_; }
  const IceStats& stats() const { return stats_; }

 private:
  // A Binding request that passed FINGERPRINT: the checks of the diagram above from USERNAME on.
  void handleBindingRequest(const stun::StunMessage& request, const stun::StunAddress& from);
  bool usernameMatches(std::string_view username) const;
  // Seals (integrity, FINGERPRINT), counts in `counter` and sends.
  void seal(stun::StunBuilder& builder, stun::Integrity integrity, const stun::StunAddress& to,
            uint64_t& counter);
  void sendError(const stun::StunMessage& request, const stun::StunAddress& to, int code,
                 std::string_view reason, stun::Integrity integrity);
  // Marks `address` as the most recently validated, dropping the least recent beyond the bound.
  void rememberValidated(const stun::StunAddress& address);
  void renewConsent();
  // Once: marks failed, cancels the timers, then calls onFailed as its last act.
  void fail(IceFailure failure, const std::string& reason);

  core::TimerQueue& timers_;
  IceCredentials local_;
  std::optional<IceCredentials> remote_;
  IceLiteConfig config_;
  Listener listener_;
  std::optional<stun::StunAddress> selected_;
  std::vector<stun::StunAddress> validated_;  // least recently checked first
  bool failed_ = false;
  bool started_ = false;
  IceStats stats_;
  core::Timer connectTimer_;
  core::Timer consentTimer_;
};

}  // namespace callgate::webrtc::ice
