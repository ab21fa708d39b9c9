#include "gateway/session.hpp"

#include <utility>

#include <spdlog/spdlog.h>

#include "core/logging.hpp"
#include "core/text.hpp"
#include "gateway/call_counters.hpp"
#include "sip/message/header_values.hpp"
#include "sip/message/identity.hpp"
#include "sip/message/uri.hpp"

namespace callgate::gateway {
namespace {

// "host" or "host:port" as a SIP hostport.
std::string hostPort(const std::string& host, uint16_t port) {
  return port == 0 ? host : host + ":" + std::to_string(port);
}

}  // namespace

std::string_view sessionStateName(Session::State state) {
  switch (state) {
    case Session::State::kReady:
      return "ready";
    case Session::State::kRegistering:
      return "registering";
    case Session::State::kRegistered:
      return "registered";
    case Session::State::kFailed:
      return "failed";
    case Session::State::kClosing:
      return "closing";
    case Session::State::kClosed:
      return "closed";
  }
  return "unknown";
}

Session::Session(Id id, std::string authToken, bool keepAlive, SessionServices& services,
                 std::optional<SipAccount> account, nlohmann::json userData)
    : id_(id),
      authToken_(std::move(authToken)),
      keepAlive_(keepAlive),
      services_(services),
      account_(std::move(account)),
      userData_(std::move(userData)),
      callReaper_(services.timers),
      self_(std::make_shared<Session*>(this)) {
  // A token of our own in the Contact makes it unique to this session on the one shared SIP socket
  // (ARCHITECTURE.md §4); it is not the authToken, which never leaves the client API.
  contactToken_ = services_.random.hex(8);
}

Session::~Session() {
  endCalls("Normal call clearing");
}

bool Session::isEchoCallee(std::string_view callee) const {
  return services_.media != nullptr && gateway::isEchoCallee(callee, services_.media->echoName);
}

Call::Listener Session::callListener() {
  Call::Listener listener;
  listener.onEvent = [this](const CallEvent& event) { emit(event); };
  listener.onEnded = [this] { callReaper_.start(core::Duration::zero(), [this] { reapCalls(); }); };
  return listener;
}

core::Result<void> Session::addCall(const std::string& callId, std::unique_ptr<Call> call) {
  if (auto it = calls_.find(callId); it != calls_.end() && !it->second->ended()) {
    return core::makeError("call.callId: '" + callId + "' is already a call of this session; use a new id");
  }
  calls_[callId] = std::move(call);
  return {};
}

core::Result<void> Session::startEchoCall(nlohmann::json call, const std::string& offerSdp) {
  const std::string callId = call.value("callId", std::string());
  // PROTOCOL.md §3: a call never stays PENDING; one that cannot start ends FAILED at once.
  auto refuse = [&](std::string why) -> core::Result<void> {
    call["status"] = "FAILED";
    call["info"] = "Failed by session creation";
    emit(CallEvent{CallEvent::Kind::kStatus, callId, call, {}});
    return core::makeError(std::move(why));
  };
  if (services_.media == nullptr) return refuse("call: this gateway runs without a media plane");
  if (state_ == State::kClosing || state_ == State::kClosed) return refuse("call: the session is closing");
  if (auto it = calls_.find(callId); it != calls_.end() && !it->second->ended()) {
    return core::makeError("call.callId: '" + callId + "' is already a call of this session; use a new id");
  }
  auto echo = std::make_unique<EchoCall>(*services_.media, std::move(call), callListener());
  EchoCall& ref = *echo;
  calls_[callId] = std::move(echo);
  core::logger(core::LogModule::kGateway).info("session {}: call {} to the echo", id_, callId);
  return ref.start(offerSdp);
}

std::string Session::callContact() const {
  if (!contact_.empty()) return contact_;
  const std::string user = account_ ? account_->user : std::string("callgate");
  return "<sip:" + user + "@" + services_.contactHost + ";cg=" + contactToken_ + ">";
}

bool Session::locallyReachable() const {
  return account_ && !account_->registerRequired && state_ != State::kClosing && state_ != State::kClosed;
}

core::Result<void> Session::startCall(nlohmann::json call, const std::string& offerSdp) {
  const std::string callee = call.value("callee", std::string());
  if (isEchoCallee(callee)) return startEchoCall(std::move(call), offerSdp);
  const std::string callId = call.value("callId", std::string());
  auto refuse = [&](std::string info, std::string why) -> core::Result<void> {
    call["status"] = "FAILED";
    call["info"] = std::move(info);
    emit(CallEvent{CallEvent::Kind::kStatus, callId, call, {}});
    return core::makeError(std::move(why));
  };
  if (auto it = calls_.find(callId); it != calls_.end() && !it->second->ended()) {
    return core::makeError("call.callId: '" + callId + "' is already a call of this session; use a new id");
  }
  if (services_.media == nullptr) {
    return refuse("Failed by session creation", "call: this gateway runs without a media plane");
  }
  if (state_ == State::kClosing || state_ == State::kClosed) {
    return refuse("Failed by session creation", "call: the session is closing");
  }

  // The Request-URI: a SIP URI as given, "user@host", or a user of the account's domain.
  const std::string trimmed(core::trimLws(callee));
  if (trimmed.empty()) return refuse("Failed by session creation", "call.callee must name whom to call");
  std::string requestUri;
  const bool hasScheme = trimmed.rfind("sip:", 0) == 0 || trimmed.rfind("sips:", 0) == 0;
  if (hasScheme) {
    requestUri = trimmed;
  } else if (trimmed.find('@') != std::string::npos) {
    requestUri = "sip:" + trimmed;
  } else {
    auto user = sip::userPartFromTyped(trimmed, "call.callee");
    if (!user) return refuse("Failed by session creation", user.error().message);
    const std::string host =
        account_ && !account_->domain.empty()
            ? (account_->outboundProxy.empty() || account_->outboundProxy == account_->domain
                   ? hostPort(account_->domain, account_->port)
                   : account_->domain)
            : services_.contactHost;
    requestUri = "sip:" + *user + "@" + host;
  }
  auto uri = sip::parseUri(std::string_view(requestUri));
  if (!uri || !uri->isSip() || !uri->hasUser) {
    return refuse("Failed by session creation", "call.callee: '" + core::printable(trimmed) +
                                                    "' is not a user or a sip: URI with a user" +
                                                    (uri ? std::string() : ": " + uri.error().message));
  }

  SipCallRoute route;
  // Flow 3 (ARCHITECTURE.md §1): another session of this gateway that registers nowhere is called directly.
  const std::string user = sip::unescape(uri->user);
  const bool ourDomain = !hasScheme && (trimmed.find('@') == std::string::npos ||
                                        (account_ && core::iequals(uri->hostAddress(), account_->domain)));
  std::string token;
  if (ourDomain && services_.localCallee && !(account_ && sip::unescape(account_->user) == user)) {
    token = services_.localCallee(user);
  }
  if (!token.empty()) {
    route.requestUri = "sip:" + std::string(uri->user) + "@" + services_.contactHost + ";cg=" + token;
    route.to = "<sip:" + std::string(uri->user) + "@" +
               (account_ && !account_->domain.empty() ? account_->domain : services_.contactHost) + ">";
    route.nextHop = services_.calls.localSip;
  } else {
    if (!account_ || account_->domain.empty()) {
      return refuse("Failed by session creation",
                    "call.callee: no session of this gateway has the login '" + core::printable(user) +
                        "', and this session has no SIP account to call through (connect with sipLogin and "
                        "sipDomain)");
    }
    route.requestUri = requestUri;
    route.to = "<" + requestUri + ">";
    const bool viaProxy = !account_->outboundProxy.empty() && account_->outboundProxy != account_->domain;
    if (viaProxy) {
      route.locate = "sip:" + hostPort(account_->outboundProxy, account_->port);
      route.routeSet.push_back("<sip:" + hostPort(account_->outboundProxy, account_->port) + ";lr>");
    } else {
      route.locate = requestUri;
    }
  }
  call["incoming"] = false;
  if (account_ && !call.contains("caller")) call["caller"] = account_->login;
  SipCall::Context context{services_, *services_.media, account_.value_or(SipAccount{}), callContact()};
  auto sipCall = std::make_unique<SipCall>(context, std::move(call), callListener());
  SipCall& ref = *sipCall;
  calls_[callId] = std::move(sipCall);
  core::logger(core::LogModule::kGateway)
      .info("session {}: call {} to {}{}", id_, callId, route.requestUri, token.empty() ? "" : " (local)");
  return ref.startOutgoing(offerSdp, std::move(route));
}

core::Result<void> Session::answerCall(const std::string& callId, const std::string& answerSdp) {
  auto it = calls_.find(callId);
  if (it == calls_.end() || it->second->ended()) {
    return core::makeError("answer.callId: '" + core::printable(callId) +
                           "' is not a live call of this session");
  }
  return it->second->answer(answerSdp);
}

std::optional<sip::UserAgent::IncomingCall> Session::acceptIncoming(sip::UserAgent::SessionId id,
                                                                    const sip::Message& invite) {
  if (services_.media == nullptr || state_ == State::kClosing || state_ == State::kClosed || !attached_) {
    return std::nullopt;
  }
  nlohmann::json call;
  call["callId"] = services_.random.hex(16);
  call["incoming"] = true;
  call["status"] = "PENDING";
  call["mediaProvider"] = "WebRTC";
  call["hasAudio"] = true;
  call["hasVideo"] = false;
  call["sessionId"] = std::to_string(id_);
  std::string caller;
  std::string visibleName;
  if (const sip::HeaderField* from = invite.header(sip::HeaderId::kFrom)) {
    if (auto na = sip::parseNameAddr(from->value)) {
      caller = sip::unescape(na->uri.user);
      std::string_view display = na->displayName;
      if (display.size() >= 2 && display.front() == '"' && display.back() == '"') {
        display = display.substr(1, display.size() - 2);
      }
      visibleName = std::string(display);
    }
  }
  std::string callee = account_ ? account_->login : std::string();
  call["caller"] = caller;
  call["callee"] = callee;
  call["visibleName"] = visibleName.empty() ? caller : visibleName;
  const std::string callId = call["callId"].get<std::string>();
  SipCall::Context context{services_, *services_.media, account_.value_or(SipAccount{}), callContact()};
  auto sipCall = std::make_unique<SipCall>(context, std::move(call), callListener());
  auto setup = sipCall->acceptIncoming(id, invite);
  calls_[callId] = std::move(sipCall);
  core::logger(core::LogModule::kGateway).info("session {}: incoming call {} from {}", id_, callId, caller);
  return setup;
}

bool Session::hangupCall(const std::string& callId) {
  auto it = calls_.find(callId);
  if (it == calls_.end() || it->second->ended()) return false;
  it->second->hangup();
  return true;
}

void Session::countCalls(std::map<std::string, size_t>& counts) const {
  for (const auto& [id, call] : calls_) {
    if (!call->ended()) ++counts[call->status()];
  }
}

void Session::emit(const CallEvent& event) {
  if (event.kind == CallEvent::Kind::kStatus && services_.callCounters != nullptr) {
    const std::string status = event.call.value("status", std::string());
    if (status == "FINISH" || status == "FAILED" || status == "BUSY") {
      services_.callCounters->ended(status, event.call.value("info", std::string()),
                                    event.call.value("sipStatus", 0));
    }
  }
  if (attached_ && listener_.onCallEvent) listener_.onCallEvent(event);
}

void Session::endCalls(const std::string& info) {
  for (auto& [id, call] : calls_) call->terminate(info);
}

void Session::reapCalls() {
  for (auto it = calls_.begin(); it != calls_.end();) {
    it = it->second->ended() ? calls_.erase(it) : std::next(it);
  }
}

void Session::attach(Listener listener) {
  if (attached_) {
    Listener old = std::move(listener_);
    listener_ = {};
    if (old.onTakenOver) old.onTakenOver();
  }
  listener_ = std::move(listener);
  attached_ = true;
}

void Session::detach() {
  listener_ = {};
  attached_ = false;
}

void Session::start() {
  if (state_ != State::kReady || !account_ || !account_->registerRequired) return;
  state_ = State::kRegistering;
  const SipAccount& a = *account_;
  const bool viaProxy = !a.outboundProxy.empty() && a.outboundProxy != a.domain;
  const std::string target = "sip:" + hostPort(viaProxy ? a.outboundProxy : a.domain, a.port);
  std::weak_ptr<Session*> weak = self_;
  // RFC 3263: the registrar (or the outbound proxy) by DNS unless numeric; the answer may come at once.
  services_.locator.locate(target, [weak](core::Result<std::vector<sip::Endpoint>> targets) {
    if (auto self = weak.lock()) (*self)->onRegistrarLocated(std::move(targets));
  });
}

void Session::onRegistrarLocated(core::Result<std::vector<sip::Endpoint>> targets) {
  if (state_ != State::kRegistering) return;
  const SipAccount& a = *account_;
  if (!targets || targets->empty()) {
    // RFC 3263 §4.3: no server could be found; reported as the 503 a SIP server would have sent.
    fail(503, "cannot find the SIP server for " + (a.outboundProxy.empty() ? a.domain : a.outboundProxy) +
                  ": " + (targets ? std::string("no address") : targets.error().message));
    return;
  }
  const sip::Endpoint& next = targets->front();
  const bool viaProxy = !a.outboundProxy.empty() && a.outboundProxy != a.domain;
  const std::string transportParam = next.protocol == sip::TransportProtocol::kUdp
                                         ? ""
                                         : ";transport=" + std::string(sip::transportName(next.protocol));
  contact_ = "<sip:" + a.user + "@" + services_.contactHost + transportParam + ";cg=" + contactToken_ + ">";

  sip::RegistrationConfig config;
  config.registrarUri = "sip:" + (viaProxy ? a.domain : hostPort(a.domain, a.port));
  config.aor = "<sip:" + a.user + "@" + a.domain + ">";
  config.contact = contact_;
  config.credentials = {a.authName, a.password};
  config.expires = services_.registerExpires;
  config.nextHop = next;
  if (viaProxy) config.routeSet.push_back("<sip:" + hostPort(a.outboundProxy, a.port) + ";lr>");
  config.sentBy = services_.sentBy;
  config.userAgent = services_.userAgent;
  registration_ = std::make_unique<sip::Registration>(
      services_.transactions, services_.timers, services_.random, std::move(config),
      [this](const sip::Registration::Outcome& outcome) { onRegistration(outcome); });
  registration_->start();
}

void Session::onRegistration(const sip::Registration::Outcome& outcome) {
  using RegState = sip::Registration::State;
  switch (outcome.state) {
    case RegState::kRegistered: {
      lastSipStatus_ = outcome.sipStatus;
      lastInfo_ = "registered as " + account_->user + "@" + account_->domain + " for " +
                  std::to_string(outcome.expires.count()) + " s";
      if (state_ == State::kRegistering) {
        state_ = State::kRegistered;
        core::logger(core::LogModule::kGateway).info("session {}: {}", id_, lastInfo_);
        if (attached_ && listener_.onRegistered) listener_.onRegistered(outcome.sipStatus, lastInfo_);
      }
      return;
    }
    case RegState::kFailed:
      if (state_ == State::kClosing) {
        state_ = State::kClosed;  // the unREGISTER failed: nothing more to do
        return;
      }
      fail(outcome.sipStatus, outcome.reason);
      return;
    case RegState::kUnregistered:
      if (state_ == State::kClosing) state_ = State::kClosed;
      return;
    default:
      return;
  }
}

void Session::fail(int sipStatus, std::string info) {
  if (state_ == State::kClosing || state_ == State::kClosed || state_ == State::kFailed) return;
  state_ = State::kFailed;
  lastSipStatus_ = sipStatus;
  lastInfo_ = std::move(info);
  core::logger(core::LogModule::kGateway)
      .warn("session {}: registration failed: {} {}", id_, sipStatus, lastInfo_);
  if (attached_ && listener_.onRegistrationFailed) listener_.onRegistrationFailed(sipStatus, lastInfo_);
}

void Session::close(std::string why) {
  if (state_ == State::kClosing || state_ == State::kClosed) return;
  core::logger(core::LogModule::kGateway).info("session {}: closing ({})", id_, why);
  detach();
  // PROTOCOL.md §2: the session's calls end with it (hung up, their media released).
  endCalls("Normal call clearing");
  const bool bound = state_ == State::kRegistered || state_ == State::kRegistering;
  state_ = State::kClosing;
  if (registration_ && bound && registration_->state() != sip::Registration::State::kFailed) {
    // RFC 3261 §10.2.2: remove our binding; the outcome (or its timeout) closes the session.
    registration_->unregister();
    return;
  }
  state_ = State::kClosed;
}

}  // namespace callgate::gateway
