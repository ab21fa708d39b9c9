#include "webrtc/ice/ice_lite_agent.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "webrtc/stun/attribute_type.hpp"
#include "webrtc/stun/integrity.hpp"
#include "webrtc/stun/message_type.hpp"

namespace callgate::webrtc::ice {

namespace {

using stun::Integrity;
using stun::StunAddress;
using stun::StunBuilder;
using stun::StunMessage;

// RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/". Exactly 64 of them, so the low 6 bits of a random
// byte pick one without bias.
constexpr std::string_view kIceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static_assert(kIceChars.size() == 64);

constexpr size_t kUfragChars = 8;  // 48 bits
constexpr size_t kPwdChars = 24;   // 144 bits

std::string randomIceChars(core::RandomSource& random, size_t count) {
  std::vector<uint8_t> bytes(count);
  random.fill(bytes);
  std::string out;
  out.reserve(count);
  for (const uint8_t b : bytes) out += kIceChars[b & 0x3F];
  return out;
}

// "30 s", or "2500 ms" when not whole seconds: for reasons a person reads.
std::string formatDuration(core::Duration duration) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

}  // namespace

IceCredentials generateCredentials(core::RandomSource& random) {
  IceCredentials credentials;
  credentials.ufrag = randomIceChars(random, kUfragChars);
  credentials.pwd = randomIceChars(random, kPwdChars);
  return credentials;
}

std::optional<std::string_view> localUfragOf(const StunMessage& message) {
  const auto username = message.username();
  if (!username || !username->has_value()) return std::nullopt;
  // RFC 8445 §7.2.2: USERNAME is "<receiver's ufrag>:<sender's ufrag>".
  const std::string_view text = **username;
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return text.substr(0, colon);
}

std::string_view toString(IceFailure failure) {
  switch (failure) {
    case IceFailure::kConnectTimeout:
      return "connect timeout";
    case IceFailure::kConsentExpired:
      return "consent expired";
  }
  return "unknown";
}

IceLiteAgent::IceLiteAgent(core::TimerQueue& timers, IceCredentials local, IceLiteConfig config,
                           Listener listener)
    : timers_(timers),
      local_(std::move(local)),
      config_(config),
      listener_(std::move(listener)),
      connectTimer_(timers_),
      consentTimer_(timers_) {}

// The Timer members cancel whatever is still scheduled.
IceLiteAgent::~IceLiteAgent() = default;

void IceLiteAgent::setRemoteCredentials(IceCredentials remote) {
  remote_ = std::move(remote);
}

void IceLiteAgent::start() {
  if (started_ || failed_) return;
  started_ = true;
  // A nomination that came before start() has already connected the transport.
  if (selected_) return;
  connectTimer_.start(config_.connectTimeout, [this] {
    const std::string within = " in " + formatDuration(config_.connectTimeout);
    std::string reason;
    if (stats_.requests == 0) {
      reason = "no ICE connectivity check arrived" + within;
    } else if (stats_.successResponses == 0) {
      // Every check rejected: most likely the ice-ufrag / ice-pwd of the SDP exchange do not match.
      reason = "no valid ICE connectivity check" + within + " (" + std::to_string(stats_.badUsername) +
               " with a wrong USERNAME, " + std::to_string(stats_.badIntegrity) +
               " with a wrong MESSAGE-INTEGRITY)";
    } else {
      reason = "no ICE nomination (USE-CANDIDATE)" + within + " after " +
               std::to_string(stats_.successResponses) + " valid checks";
    }
    fail(IceFailure::kConnectTimeout, reason);
  });
}

bool IceLiteAgent::validated(const StunAddress& address) const {
  if (failed_) return false;
  if (selected_ == address) return true;
  return std::find(validated_.begin(), validated_.end(), address) != validated_.end();
}

void IceLiteAgent::receive(std::span<const uint8_t> datagram, const StunAddress& from) {
  // Listener::onFailed: "the agent answers nothing afterwards".
  if (failed_) {
    ++stats_.dropped;
    return;
  }
  const auto parsed = stun::parseStun(datagram);
  if (!parsed) {
    ++stats_.dropped;  // RFC 8489 §6.3: a malformed message is discarded silently
    return;
  }
  const StunMessage& message = *parsed;
  // RFC 8445 §7: ICE checks and their responses carry FINGERPRINT; RFC 8489 §7: without a valid one the
  // datagram is not a STUN message meant for this agent (it shares the port with media), and nothing answers.
  if (!stun::checkFingerprint(message)) {
    ++stats_.dropped;
    return;
  }
  // A lite agent sends no requests (RFC 8445 §2.5), so no response can match a transaction of ours (RFC 8489
  // §6.3.3); Binding indications are keepalives that need no processing (RFC 8445 §11).
  if (message.messageClass() != stun::StunClass::kRequest) {
    ++stats_.dropped;
    return;
  }
  // ICE uses Binding only (RFC 8445 §7). Another method is a request this server cannot handle: 400, not
  // silence, so that the sender stops retransmitting.
  if (message.method() != stun::kMethodBinding) {
    sendError(message, from, 400, "Bad Request: not a Binding request", Integrity::kNone);
    return;
  }
  ++stats_.requests;
  handleBindingRequest(message, from);
}

bool IceLiteAgent::usernameMatches(std::string_view username) const {
  const std::string_view localUfrag = local_.ufrag;
  if (username.size() <= localUfrag.size() || !username.starts_with(localUfrag) ||
      username[localUfrag.size()] != ':') {
    return false;
  }
  // Before the peer's SDP: see setRemoteCredentials().
  if (!remote_) return true;
  return username.substr(localUfrag.size() + 1) == remote_->ufrag;
}

void IceLiteAgent::handleBindingRequest(const StunMessage& request, const StunAddress& from) {
  // RFC 8489 §9.1.3, short-term credentials, in its order. First: a request without USERNAME or without
  // MESSAGE-INTEGRITY(-SHA256) is rejected with 400. The error responses up to the integrity check carry no
  // integrity attribute: "If any of the checks fail, a server MUST NOT include a MESSAGE-INTEGRITY,
  // MESSAGE-INTEGRITY-SHA256, or USERNAME attribute in the error response."
  const auto username = request.username();
  if (!username) {
    ++stats_.badUsername;
    sendError(request, from, 400, "Bad Request: malformed USERNAME", Integrity::kNone);
    return;
  }
  if (!username->has_value()) {
    ++stats_.badUsername;
    sendError(request, from, 400, "Bad Request: no USERNAME", Integrity::kNone);
    return;
  }
  // RFC 8489 §9.1.3: "If the MESSAGE-INTEGRITY-SHA256 attribute is present, compute the value ... as
  // described in Section 14.6"; else MESSAGE-INTEGRITY (§14.5). The response uses the same kind.
  const bool sha256 = request.find(stun::attr::kMessageIntegritySha256) != nullptr;
  if (!sha256 && request.find(stun::attr::kMessageIntegrity) == nullptr) {
    ++stats_.badIntegrity;
    sendError(request, from, 400, "Bad Request: no MESSAGE-INTEGRITY", Integrity::kNone);
    return;
  }
  // RFC 8489 §9.1.3: a USERNAME that is not "currently valid within the server" gets 401; for ICE the valid
  // one is "<local ufrag>:<remote ufrag>" (RFC 8445 §7.2.2).
  if (!usernameMatches(**username)) {
    ++stats_.badUsername;
    sendError(request, from, 401, "Unauthenticated: unknown USERNAME", Integrity::kNone);
    return;
  }
  // RFC 8445 §7.2.2: the check is keyed with the receiver's (our) ice-pwd.
  const auto checked = sha256 ? stun::checkMessageIntegritySha256(request, local_.pwd)
                              : stun::checkMessageIntegrity(request, local_.pwd);
  if (!checked) {
    const int code = checked.error().code;
    if (code == 400) {
      ++stats_.badIntegrity;
      sendError(request, from, 400, "Bad Request: malformed MESSAGE-INTEGRITY", Integrity::kNone);
    } else if (code == 401) {
      ++stats_.badIntegrity;
      sendError(request, from, 401, "Unauthenticated: MESSAGE-INTEGRITY does not match", Integrity::kNone);
    } else {
      // The HMAC could not be computed (OpenSSL): not the peer's fault.
      sendError(request, from, 500, "Server Error", Integrity::kNone);
    }
    return;
  }
  // Authenticated: every response from here on is sealed like the request (RFC 8489 §9.1.3).
  const Integrity integrity = sha256 ? Integrity::kSha256 : Integrity::kSha1;

  // RFC 8489 §6.3: "Once the authentication checks are done, the STUN agent MUST check for unknown
  // attributes"; §6.3.1.1: a request with unknown comprehension-required ones gets 420 listing them.
  const std::vector<uint16_t> unknown = request.unknownComprehensionRequired();
  if (!unknown.empty()) {
    StunBuilder builder(stun::StunClass::kErrorResponse, request.method(), request.transactionId());
    builder.addErrorCode(420, "Unknown Attribute").addUnknownAttributes(unknown);
    seal(builder, integrity, from, stats_.errorResponses);
    return;
  }

  // The ICE attributes (RFC 8445 §7.1), read now so a malformed one gets 400 (RFC 8489 §14.8). A missing
  // PRIORITY is let pass: it ranks a peer-reflexive candidate in a full agent's checklist (RFC 8445
  // §7.3.1.3), and a lite agent keeps none.
  const auto priority = request.priority();
  const auto controlling = request.iceControlling();
  const auto controlled = request.iceControlled();
  const auto useCandidate = request.useCandidate();
  for (const core::Error* error :
       {priority ? nullptr : &priority.error(), controlling ? nullptr : &controlling.error(),
        controlled ? nullptr : &controlled.error(), useCandidate ? nullptr : &useCandidate.error()}) {
    if (error != nullptr) {
      sendError(request, from, 400, "Bad Request: " + error->message, integrity);
      return;
    }
  }

  // RFC 8445 §7.3.1.1: a controlled agent that receives ICE-CONTROLLED either switches role or answers 487.
  // A lite agent is always controlled (RFC 8445 §6.1.1): it cannot switch, so it answers 487 and the peer,
  // which must then be a full agent in the wrong role, is the one to switch.
  if (controlled->has_value()) {
    ++stats_.roleConflicts;
    sendError(request, from, 487, "Role Conflict", integrity);
    return;
  }

  // A valid check: the source is a (peer-reflexive) candidate of the peer (RFC 8445 §7.3.1.3) from which
  // traffic is now accepted.
  rememberValidated(from);
  bool changed = false;
  if (*useCandidate) {
    // RFC 8445 §7.3.1.5: the controlling agent nominates. The latest nomination wins: Chrome nominates
    // again after a network change (draft-thatcher-ice-renomination), and the new path is the live one.
    ++stats_.nominations;
    if (selected_ != from) {
      selected_ = from;
      changed = true;
      connectTimer_.cancel();
    }
  }
  // RFC 7675 §5.1, seen from the receiving side: a check from the selected address is the peer's consent.
  if (selected_ == from) renewConsent();

  // RFC 8489 §9.1.3 / RFC 8445 §7.3.1.2: the success response carries the request's source in
  // XOR-MAPPED-ADDRESS, is keyed with the password that checked the request, and ends with FINGERPRINT.
  StunBuilder builder(stun::StunClass::kSuccessResponse, request.method(), request.transactionId());
  builder.addXorMappedAddress(from);
  seal(builder, integrity, from, stats_.successResponses);

  // Last, so that the owner sees the agent in its new state and the response leaves before whatever the
  // owner sends once connected (a DTLS ClientHello).
  if (changed && listener_.onSelected) {
    const StunAddress selected = from;
    listener_.onSelected(selected);
  }
}

void IceLiteAgent::seal(StunBuilder& builder, Integrity integrity, const StunAddress& to, uint64_t& counter) {
  const auto bytes = builder.finish(integrity, local_.pwd);
  if (!bytes) {
    // Nothing the peer sent can make the builder fail (no request value is echoed but the address): a bug
    // here is counted, not asserted.
    ++stats_.dropped;
    return;
  }
  ++counter;
  if (listener_.send) listener_.send(*bytes, to);
}

void IceLiteAgent::sendError(const StunMessage& request, const StunAddress& to, int code,
                             std::string_view reason, Integrity integrity) {
  // RFC 8489 §6.3.1.1: an error response has the request's method and transaction id, and ERROR-CODE.
  StunBuilder builder(stun::StunClass::kErrorResponse, request.method(), request.transactionId());
  builder.addErrorCode(code, reason);
  seal(builder, integrity, to, stats_.errorResponses);
}

void IceLiteAgent::rememberValidated(const StunAddress& address) {
  const auto it = std::find(validated_.begin(), validated_.end(), address);
  if (it != validated_.end()) {
    // Most recently checked last: rotate it to the end.
    std::rotate(it, it + 1, validated_.end());
    return;
  }
  if (config_.maxValidatedAddresses == 0) return;  // only the selected address counts (validated())
  if (validated_.size() >= config_.maxValidatedAddresses) {
    validated_.erase(validated_.begin(),
                     validated_.begin() +
                         static_cast<std::ptrdiff_t>(validated_.size() + 1 - config_.maxValidatedAddresses));
  }
  validated_.push_back(address);
}

void IceLiteAgent::renewConsent() {
  consentTimer_.start(config_.consentTimeout, [this] {
    const std::string address = selected_ ? selected_->toString() : std::string("the selected address");
    fail(IceFailure::kConsentExpired,
         "no ICE consent from " + address + " for " + formatDuration(config_.consentTimeout));
  });
}

void IceLiteAgent::fail(IceFailure failure, const std::string& reason) {
  if (failed_) return;
  failed_ = true;
  connectTimer_.cancel();
  consentTimer_.cancel();
  // The last act: nothing of the agent is touched after onFailed returns, so the owner may post the agent's
  // destruction from inside it (STYLE.md). The callback is copied so that it outlives even a (forbidden)
  // destruction inside it.
  if (listener_.onFailed) {
    const auto onFailed = listener_.onFailed;
    onFailed(failure, reason);
  }
}

}  // namespace callgate::webrtc::ice
