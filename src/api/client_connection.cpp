#include "api/client_connection.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include <spdlog/spdlog.h>
#include "api/connection_options.hpp"
#include "api/wcs_message.hpp"

#include "core/logging.hpp"
#include "core/text.hpp"

namespace callgate::api {
namespace {

// Close codes (ADR 5).
constexpr uint16_t kCloseInvalidConnection = 4400;
constexpr uint16_t kCloseRegistrationFailed = 4403;
constexpr uint16_t kCloseUnknownToken = 4404;
constexpr uint16_t kClosePongsMissed = 4408;
constexpr uint16_t kCloseTakenOver = 4409;
constexpr uint16_t kCloseTooManySessions = 4503;

// Mid-call requests of PROTOCOL.md §5 that later issues serve: answered "not implemented yet".
constexpr std::array kCallMessages = {std::string_view("hold"), std::string_view("unhold"),
                                      std::string_view("transfer"), std::string_view("sendDtmf"),
                                      std::string_view("sendMessage")};
// WCS streaming and diagnostics requests the WebSDK can send; callgate is a SIP gateway only.
constexpr std::array kStreamMessages = {
    std::string_view("publishStream"),   std::string_view("unPublishStream"),
    std::string_view("playStream"),      std::string_view("stopStream"),
    std::string_view("sendStreamEvent"), std::string_view("availableStream"),
    std::string_view("snapshot"),        std::string_view("sendData"),
    std::string_view("sessionDebug"),    std::string_view("submitBugReport")};

template <size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

ClientConnection::ClientConnection(uint64_t id, std::string peer, Io io, core::TimerQueue& timers,
                                   gateway::SessionRegistry& sessions, ClientLimits limits)
    : id_(id),
      peer_(std::move(peer)),
      io_(std::move(io)),
      timers_(timers),
      sessions_(sessions),
      limits_(limits),
      tokens_(2.0 * limits.maxMessagesPerSecond),
      lastRefill_(timers.now()),
      pingTimer_(timers) {
  pingTimer_.start(limits_.pingInterval, [this] { ping(); });
}

ClientConnection::~ClientConnection() {
  if (sessionId_ != 0 && !closed_) {
    if (gateway::Session* session = sessions_.find(sessionId_)) session->detach();
  }
}

void ClientConnection::ping() {
  if (closing_ || closed_) return;
  if (missedPongs_ >= limits_.maxMissedPongs) {
    closeSocket(kClosePongsMissed,
                "no answer to " + std::to_string(missedPongs_) + " pings (ws.max_missed_pongs)");
    return;
  }
  ++missedPongs_;
  send("ping", nullptr);
  pingTimer_.start(limits_.pingInterval, [this] { ping(); });
}

bool ClientConnection::takeToken() {
  // A token bucket: maxMessagesPerSecond per second, bursts of twice that.
  const core::TimePoint now = timers_.now();
  const double rate = limits_.maxMessagesPerSecond;
  const double elapsed = std::chrono::duration<double>(now - lastRefill_).count();
  lastRefill_ = now;
  tokens_ = std::min(2.0 * rate, tokens_ + elapsed * rate);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

void ClientConnection::onMessage(std::string_view text, bool binary) {
  if (closing_ || closed_) return;
  if (!takeToken()) {
    ++dropped_;
    // One fail a second at most: answering every dropped frame would amplify the flood.
    const core::TimePoint now = timers_.now();
    if (!rateFailSent_ || now - lastRateFail_ >= std::chrono::seconds(1)) {
      rateFailSent_ = true;
      lastRateFail_ = now;
      fail("", "too many messages: at most " + std::to_string(limits_.maxMessagesPerSecond) +
                   " per second (ws.max_messages_per_second); " + std::to_string(dropped_) +
                   " dropped so far");
    }
    return;
  }
  missedPongs_ = 0;  // any frame shows the client is alive
  if (binary) {
    fail("", "binary frames are not part of the protocol: send JSON text frames");
    return;
  }
  auto envelope = parseEnvelope(text);
  if (!envelope) {
    fail("", envelope.error().message);
    return;
  }
  dispatch(envelope->name, envelope->arg);
}

void ClientConnection::dispatch(const std::string& name, const nlohmann::json& arg) {
  if (name == "pong") return;
  if (name == "ping") {
    send("pong", nullptr);
    return;
  }
  if (name == "connection") {
    if (sessionId_ != 0) {
      fail(name,
           "this socket already has a session (" + std::to_string(sessionId_) + "): connection is sent once");
      return;
    }
    onConnection(arg);
    return;
  }
  if (sessionId_ == 0) {
    fail(name, "send 'connection' first: '" + core::printable(name) + "' needs a session");
    return;
  }
  if (name == "call") {
    onCall(arg);
    return;
  }
  if (name == "answer") {
    onAnswer(arg);
    return;
  }
  if (name == "hangup") {
    onHangup(arg);
    return;
  }
  if (contains(kCallMessages, name)) {
    fail(name, "'" + name + "' is not implemented yet in this callgate version");
    return;
  }
  if (contains(kStreamMessages, name)) {
    fail(name,
         "'" + name + "' is a WCS streaming request; callgate is a SIP call gateway and does not stream");
    return;
  }
  fail(name, "unknown message '" + core::printable(name) + "'");
}

void ClientConnection::onCall(const nlohmann::json& arg) {
  if (!arg.is_object()) {
    fail("call", "call must be a call object");
    return;
  }
  gateway::Session* session = sessions_.find(sessionId_);
  if (session == nullptr) {
    fail("call", "the session is gone");
    return;
  }
  auto callId = arg.find("callId");
  if (callId == arg.end() || !callId->is_string() || callId->get<std::string>().empty() ||
      callId->get<std::string>().size() > 128) {
    fail("call", "call.callId must be a non-empty string of at most 128 characters");
    return;
  }
  nlohmann::json call = arg;
  call.erase("sdp");
  call.erase("localMediaInfo");
  // PROTOCOL.md §3: a call never stays PENDING; one refused here ends FAILED at once.
  auto refuse = [&](const std::string& info) {
    fail("call", info);
    call["status"] = "FAILED";
    call["info"] = "Failed by session creation";
    send("finish", call);
  };
  auto callee = arg.find("callee");
  if (callee == arg.end() || !callee->is_string() || callee->get<std::string>().empty()) {
    refuse("call.callee must be a non-empty string (a user, user@domain or a sip: URI)");
    return;
  }
  auto sdp = arg.find("sdp");
  if (sdp == arg.end() || !sdp->is_string() || sdp->get<std::string>().empty()) {
    refuse("call.sdp must be the WebRTC offer (a non-empty string)");
    return;
  }
  call["incoming"] = false;
  auto started = session->startCall(std::move(call), sdp->get<std::string>());
  if (!started) fail("call", started.error().message);
}

void ClientConnection::onAnswer(const nlohmann::json& arg) {
  gateway::Session* session = sessions_.find(sessionId_);
  if (!arg.is_object() || session == nullptr) {
    fail("answer", "answer must be a call object with callId and sdp");
    return;
  }
  auto callId = arg.find("callId");
  auto sdp = arg.find("sdp");
  if (callId == arg.end() || !callId->is_string()) {
    fail("answer", "answer.callId must be the id of an incoming call (a string)");
    return;
  }
  if (sdp == arg.end() || !sdp->is_string() || sdp->get<std::string>().empty()) {
    fail("answer", "answer.sdp must be the WebRTC answer (a non-empty string)");
    return;
  }
  auto answered = session->answerCall(callId->get<std::string>(), sdp->get<std::string>());
  if (!answered) fail("answer", answered.error().message);
}

void ClientConnection::onHangup(const nlohmann::json& arg) {
  gateway::Session* session = sessions_.find(sessionId_);
  auto callId = arg.is_object() ? arg.find("callId") : arg.end();
  if (session == nullptr || !arg.is_object() || callId == arg.end() || !callId->is_string()) {
    fail("hangup", "hangup.callId must be the id of a call (a string)");
    return;
  }
  if (!session->hangupCall(callId->get<std::string>())) {
    // The call may have just ended on its own (its finish crossed this hangup): nothing to do.
    fail("hangup", "hangup.callId: '" + core::printable(callId->get<std::string>()) +
                       "' is not a live call of this session");
  }
}

void ClientConnection::onCallEvent(const gateway::CallEvent& event) {
  if (event.kind == gateway::CallEvent::Kind::kRemoteSdp) {
    // PROTOCOL.md §1: setRemoteSDP is positional, [callId, sdp].
    if (closed_ || !io_.send) return;
    io_.send(makeFrame("setRemoteSDP", nlohmann::json(event.callId), nlohmann::json(event.sdp)));
    return;
  }
  if (event.kind == gateway::CallEvent::Kind::kIncoming) {
    send("notifyIncomingCall", event.call);
    return;
  }
  const std::string status = event.call.value("status", std::string());
  std::string_view message = "finish";
  if (status == "TRYING") message = "notifyTryingResponse";
  if (status == "RING" || status == "RING_MEDIA" || status == "SESSION_PROGRESS") message = "ring";
  if (status == "ESTABLISHED") message = "talk";
  if (status == "HOLD") message = "hold";
  send(message, event.call);
}

void ClientConnection::onConnection(const nlohmann::json& arg) {
  auto options = parseConnectionOptions(arg);
  if (!options) {
    fail("connection", options.error().message);
    closeSocket(kCloseInvalidConnection, options.error().message);
    return;
  }
  if (!options->authToken.empty()) {
    if (gateway::Session* session = sessions_.findByToken(options->authToken)) {
      // PROTOCOL.md §2: the client resumes its session with the token alone.
      core::logger(core::LogModule::kApi)
          .info("connection {} ({}): resumes session {}", id_, peer_, session->id());
      sessions_.resumed(session->id());
      attach(*session);
      send("getUserData", userDataOf(*session));
      if (session->state() == gateway::Session::State::kRegistered) {
        send("registered", {{"sessionId", std::to_string(session->id())},
                            {"status", "REGISTERED"},
                            {"sipStatus", session->lastSipStatus()},
                            {"info", session->lastInfo()}});
      }
      return;
    }
    if (!options->account) {
      const std::string info =
          "authToken is unknown or expired, and there are no SIP credentials to start afresh";
      fail("connection", info);
      closeSocket(kCloseUnknownToken, info);
      return;
    }
  }
  auto created =
      sessions_.create(options->keepAlive, std::move(options->account), std::move(options->userData));
  if (!created) {
    fail("connection", created.error().message);
    closeSocket(kCloseTooManySessions, created.error().message);
    return;
  }
  gateway::Session& session = **created;
  core::logger(core::LogModule::kApi)
      .info("connection {} ({}): session {} for '{}'", id_, peer_, session.id(),
            session.account() ? session.account()->login : std::string("-"));
  attach(session);
  send("getUserData", userDataOf(session));
  session.start();
}

void ClientConnection::attach(gateway::Session& session) {
  sessionId_ = session.id();
  gateway::Session::Listener listener;
  listener.onRegistered = [this](int sipStatus, const std::string& info) {
    send("registered", {{"sessionId", std::to_string(sessionId_)},
                        {"status", "REGISTERED"},
                        {"sipStatus", sipStatus},
                        {"info", info}});
  };
  listener.onRegistrationFailed = [this](int sipStatus, const std::string& info) {
    // PROTOCOL.md §2 (our choice): the app sees WARN with the reason, then DISCONNECTED; never a wait.
    send("fail", {{"apiMethod", "RegistrationStatusEvent"},
                  {"status", "FAILED"},
                  {"sipStatus", sipStatus},
                  {"info", info}});
    closeSocket(kCloseRegistrationFailed, info);
  };
  listener.onCallEvent = [this](const gateway::CallEvent& event) { onCallEvent(event); };
  listener.onTakenOver = [this] {
    sessionId_ = 0;
    closeSocket(kCloseTakenOver, "the session was resumed from another connection");
  };
  session.attach(std::move(listener));
}

nlohmann::json ClientConnection::userDataOf(const gateway::Session& session) const {
  nlohmann::json data = session.userData();
  data["authToken"] = session.authToken();
  data["sessionId"] = std::to_string(session.id());
  data["status"] = "ESTABLISHED";
  if (session.account()) data["sipLogin"] = session.account()->login;
  return data;
}

void ClientConnection::fail(std::string_view apiMethod, std::string info) {
  core::logger(core::LogModule::kApi).info("connection {} ({}): fail {}: {}", id_, peer_, apiMethod, info);
  nlohmann::json obj = {{"info", std::move(info)}};
  if (!apiMethod.empty()) obj["apiMethod"] = std::string(apiMethod);
  send("fail", obj);
}

void ClientConnection::send(std::string_view name, const nlohmann::json& arg) {
  if (closed_ || !io_.send) return;
  io_.send(makeFrame(name, arg));
}

void ClientConnection::closeSocket(uint16_t code, std::string reason) {
  if (closing_ || closed_) return;
  closing_ = true;
  pingTimer_.cancel();
  if (io_.close) io_.close(code, std::move(reason));
}

void ClientConnection::onClosed(uint16_t code, std::string_view reason) {
  if (closed_) return;
  closed_ = true;
  pingTimer_.cancel();
  core::logger(core::LogModule::kApi).info("connection {} ({}): closed {} {}", id_, peer_, code, reason);
  if (sessionId_ == 0) return;
  const gateway::Session::Id id = sessionId_;
  sessionId_ = 0;
  // PROTOCOL.md §2: without keepAlive the session ends now (unREGISTER); with it, it waits to be resumed.
  sessions_.detached(id);
}

}  // namespace callgate::api
