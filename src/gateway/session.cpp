#include "gateway/session.hpp"

#include <utility>

#include <spdlog/spdlog.h>

#include "core/logging.hpp"

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
      self_(std::make_shared<Session*>(this)) {}

Session::~Session() {
  endCalls("Normal call clearing");
}

bool Session::isEchoCallee(std::string_view callee) const {
  return services_.media != nullptr && gateway::isEchoCallee(callee, services_.media->echoName);
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
  EchoCall::Listener listener;
  listener.onEvent = [this](const CallEvent& event) { emit(event); };
  listener.onEnded = [this] { callReaper_.start(core::Duration::zero(), [this] { reapCalls(); }); };
  auto echo = std::make_unique<EchoCall>(*services_.media, std::move(call), std::move(listener));
  EchoCall& ref = *echo;
  calls_[callId] = std::move(echo);
  core::logger(core::LogModule::kGateway).info("session {}: call {} to the echo", id_, callId);
  return ref.start(offerSdp);
}

bool Session::hangupCall(const std::string& callId) {
  auto it = calls_.find(callId);
  if (it == calls_.end() || it->second->ended()) return false;
  it->second->hangup();
  return true;
}

void Session::emit(const CallEvent& event) {
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
  // A token of our own in the Contact makes it unique to this session on the one shared SIP socket
  // (ARCHITECTURE.md §4); it is not the authToken, which never leaves the client API.
  contact_ = "<sip:" + a.user + "@" + services_.contactHost + transportParam +
             ";cg=" + services_.random.hex(8) + ">";

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
