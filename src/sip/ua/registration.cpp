#include "sip/ua/registration.hpp"

#include <vector>

#include "sip/message/header_values.hpp"
#include "sip/message/uri.hpp"

namespace callgate::sip {

std::string_view registrationStateName(Registration::State state) {
  switch (state) {
    case Registration::State::kIdle:
      return "idle";
    case Registration::State::kRegistering:
      return "registering";
    case Registration::State::kRegistered:
      return "registered";
    case Registration::State::kUnregistering:
      return "unregistering";
    case Registration::State::kUnregistered:
      return "unregistered";
    case Registration::State::kFailed:
      return "failed";
  }
  return "unknown";
}

Registration::Registration(TransactionLayer& transactions, core::TimerQueue& timers,
                           core::RandomSource& random, RegistrationConfig config, Listener listener)
    : transactions_(transactions),
      random_(random),
      config_(std::move(config)),
      listener_(std::move(listener)),
      authenticator_(config_.credentials),
      refreshTimer_(timers),
      self_(std::make_shared<Registration*>(this)),
      callId_(random.hex(16)),
      fromTag_(random.hex(8)) {}

Registration::~Registration() = default;

void Registration::start() {
  state_ = State::kRegistering;
  sendRegister(config_.expires, nullptr);
}

void Registration::unregister() {
  refreshTimer_.cancel();
  if (state_ != State::kRegistered && state_ != State::kRegistering) {
    // Nothing was bound (never started, or the registrar refused): there is nothing to remove.
    finish(State::kUnregistered, 0, "not registered");
    return;
  }
  state_ = State::kUnregistering;
  sendRegister(std::chrono::seconds(0), nullptr);
}

void Registration::sendRegister(std::chrono::seconds expires,
                                const std::vector<auth::AuthorizationHeader>* answer) {
  const auth::DigestRequest digestRequest{"REGISTER", config_.registrarUri, ""};
  std::vector<auth::AuthorizationHeader> credentials;
  if (answer != nullptr) {
    credentials = *answer;
  } else {
    // A new request (first, refresh, unREGISTER): reuse the realm's nonce where one is known (RFC 3261
    // §22.3).
    authenticator_.startRequest();
    intervalRetries_ = 0;
    if (auto reused = authenticator_.authorize(digestRequest)) credentials = std::move(*reused);
  }

  // RFC 3261 §10.2: one Call-ID for all REGISTERs of this binding, CSeq increasing by one each time.
  const uint32_t cseq = ++cseq_;
  Message request = Message::request("REGISTER", config_.registrarUri);
  request.addHeader(HeaderId::kVia, "SIP/2.0/" + std::string(transportName(config_.nextHop.protocol)) + " " +
                                        config_.sentBy + ";branch=z9hG4bK" + random_.hex(12) + ";rport");
  request.addHeader(HeaderId::kMaxForwards, "70");
  for (const std::string& route : config_.routeSet) request.addHeader(HeaderId::kRoute, route);
  request.addHeader(HeaderId::kFrom, config_.aor + ";tag=" + fromTag_);
  request.addHeader(HeaderId::kTo, config_.aor);
  request.addHeader(HeaderId::kCallId, callId_);
  request.addHeader(HeaderId::kCSeq, std::to_string(cseq) + " REGISTER");
  request.addHeader(HeaderId::kContact, config_.contact);
  request.addHeader(HeaderId::kExpires, std::to_string(expires.count()));
  for (const auto& header : credentials) request.addHeader(header.name(), header.value);
  if (!config_.userAgent.empty()) request.addHeader(HeaderId::kUserAgent, config_.userAgent);

  std::weak_ptr<Registration*> weak = self_;
  ClientTransactionEvents events;
  // Only the newest request decides: a late answer to one that an unREGISTER overtook is ignored.
  events.onResponse = [weak, cseq, expires](const Message& response) {
    auto self = weak.lock();
    if (self && (*self)->cseq_ == cseq) (*self)->onResponse(response, expires);
  };
  events.onError = [weak, cseq](TransactionError error) {
    auto self = weak.lock();
    if (self && (*self)->cseq_ == cseq) (*self)->onError(error);
  };
  transactions_.sendRequest(request, config_.nextHop, std::move(events));
}

void Registration::onResponse(const Message& response, std::chrono::seconds requested) {
  const int status = response.statusCode();
  if (status < 200) return;
  const bool removing = state_ == State::kUnregistering;

  if (status == 401 || status == 407) {
    std::vector<auth::ReceivedChallenge> challenges;
    for (const HeaderField& field : response.headers()) {
      if (field.id == HeaderId::kWwwAuthenticate) challenges.push_back({false, field.value});
      if (field.id == HeaderId::kProxyAuthenticate) challenges.push_back({true, field.value});
    }
    const auth::AuthDecision decision =
        authenticator_.onChallenge(challenges, auth::DigestRequest{"REGISTER", config_.registrarUri, ""});
    if (decision.answered()) {
      sendRegister(requested, &decision.headers);
      return;
    }
    finish(State::kFailed, status, "registration refused: " + decision.reason);
    return;
  }

  if (status == 423) {
    // RFC 3261 §10.2.8: retry with at least Min-Expires.
    auto minimum =
        parseUnsignedHeader(response.headerValue(HeaderId::kMinExpires), 0xffffffffU, "Min-Expires");
    if (minimum && std::chrono::seconds(*minimum) > requested &&
        intervalRetries_ < config_.maxIntervalRetries) {
      ++intervalRetries_;
      std::vector<auth::AuthorizationHeader> credentials;
      if (auto reused = authenticator_.authorize({"REGISTER", config_.registrarUri, ""}))
        credentials = *reused;
      sendRegister(std::chrono::seconds(*minimum), &credentials);
      return;
    }
    finish(State::kFailed, status,
           "registrar wants a longer expiry (423) but gave no usable Min-Expires above " +
               std::to_string(requested.count()) + " s");
    return;
  }

  if (status >= 300) {
    finish(State::kFailed, status,
           std::string(removing ? "unregistration" : "registration") +
               " refused by the registrar: " + std::to_string(status) + " " + std::string(response.reason()));
    return;
  }

  if (removing) {
    finish(State::kUnregistered, status, "unregistered");
    return;
  }
  const std::chrono::seconds granted = grantedExpiry(response, requested);
  if (granted.count() == 0) {
    finish(State::kFailed, status, "the registrar's 200 OK does not keep our Contact bound (expiry 0)");
    return;
  }
  // Refresh ahead of expiry: `refreshMargin` before it, or at half-life for short expiries.
  const auto margin = config_.refreshMargin;
  const std::chrono::seconds refreshIn = granted > 2 * margin ? granted - margin : granted / 2;
  refreshTimer_.start(refreshIn, [this] { sendRegister(config_.expires, nullptr); });
  finish(State::kRegistered, status, "registered for " + std::to_string(granted.count()) + " s", granted);
}

void Registration::onError(TransactionError error) {
  const std::string where = config_.nextHop.toString();
  if (error == TransactionError::kTimeout) {
    finish(State::kFailed, 408, "no answer from the registrar at " + where + " (request timed out)");
  } else {
    finish(State::kFailed, 503, "could not reach the registrar at " + where + " (transport error)");
  }
}

void Registration::finish(State state, int status, std::string reason, std::chrono::seconds expires) {
  if (state != State::kRegistered) refreshTimer_.cancel();
  state_ = state;
  if (listener_) listener_(Outcome{state, status, std::move(reason), expires});
}

std::chrono::seconds Registration::grantedExpiry(const Message& response,
                                                 std::chrono::seconds requested) const {
  // RFC 3261 §10.2.4: the 200 lists every binding; ours is the Contact equal to the one we sent, and its
  // expires parameter wins over the Expires header.
  auto ours = parseNameAddr(config_.contact);
  for (const HeaderField& field : response.headers()) {
    if (field.id != HeaderId::kContact || !ours) continue;
    ListSplitter values(field.value);
    while (auto value = values.next()) {
      auto contact = parseContact(*value);
      if (!contact || contact->star || !uriEquivalent(contact->address.uri, ours->uri)) continue;
      if (auto e = contact->address.param("expires")) {
        if (auto seconds = parseUnsignedHeader(*e, 0xffffffffU, "expires"))
          return std::chrono::seconds(*seconds);
      }
    }
  }
  if (auto header = parseUnsignedHeader(response.headerValue(HeaderId::kExpires), 0xffffffffU, "Expires")) {
    if (response.header(HeaderId::kExpires) != nullptr) return std::chrono::seconds(*header);
  }
  return requested;
}

}  // namespace callgate::sip
