#include "gateway/session_registry.hpp"

#include <utility>

#include <spdlog/logger.h>

#include "core/logging.hpp"
#include "gateway/call_counters.hpp"
#include "sip/message/uri.hpp"

namespace callgate::gateway {

SessionRegistry::SessionRegistry(SessionServices& services, SessionLimits limits)
    : services_(services), limits_(limits), reaper_(services.timers) {
  services_.localCallee = [this](std::string_view user) -> std::string {
    for (const auto& [id, entry] : sessions_) {
      const Session& s = *entry->session;
      if (s.locallyReachable() && s.account() && sip::unescape(s.account()->user) == user) {
        return s.contactToken();
      }
    }
    return {};
  };
}

SessionRegistry::~SessionRegistry() {
  services_.localCallee = nullptr;
}

sip::UserAgent::IncomingCall SessionRegistry::incomingCall(sip::UserAgent::SessionId id,
                                                           const sip::Message& invite) {
  // ARCHITECTURE.md §4: the Contact token of the session is in the Request-URI (the registrar sends the
  // INVITE to the registered Contact; a call between sessions carries it too).
  std::string token;
  if (auto uri = sip::parseUri(invite.requestUri())) {
    if (auto cg = uri->param("cg")) token = std::string(*cg);
  }
  auto refuse = [this](int status, std::string reason) {
    if (services_.callCounters != nullptr) services_.callCounters->refusedIncoming(status);
    sip::UserAgent::IncomingCall setup;
    setup.onCreated = [status, reason](sip::InviteSession& session) { session.reject(status, reason); };
    return setup;
  };
  auto& log = core::logger(core::LogModule::kGateway);
  if (token.empty()) {
    log.info("INVITE for {} refused: no session token (cg) in the Request-URI", invite.requestUri());
    return refuse(404, "Not Found");
  }
  for (auto& [sid, entry] : sessions_) {
    Session& s = *entry->session;
    if (s.contactToken() != token) continue;
    if (auto setup = s.acceptIncoming(id, invite)) return std::move(*setup);
    log.info("INVITE for session {} refused: it takes no calls now ({}{})", sid, sessionStateName(s.state()),
             s.attached() ? "" : ", no client attached");
    return refuse(480, "Temporarily Unavailable");
  }
  log.info("INVITE for {} refused: no session has that token", invite.requestUri());
  return refuse(404, "Not Found");
}

core::Result<Session*> SessionRegistry::create(bool keepAlive, std::optional<SipAccount> account,
                                               nlohmann::json userData) {
  if (sessions_.size() >= limits_.maxSessions) {
    return core::makeError("too many sessions: the gateway serves at most " +
                               std::to_string(limits_.maxSessions) + " (ws.max_sessions)",
                           503);
  }
  const Session::Id id = nextId_++;
  std::string token = services_.random.hex(16);  // 128 bits, 32 hex digits
  auto entry = std::make_unique<Entry>(services_.timers);
  entry->session =
      std::make_unique<Session>(id, token, keepAlive, services_, std::move(account), std::move(userData));
  Session* session = entry->session.get();
  byToken_.emplace(std::move(token), id);
  sessions_.emplace(id, std::move(entry));
  return session;
}

Session* SessionRegistry::findByToken(std::string_view authToken) {
  auto it = byToken_.find(std::string(authToken));
  if (it == byToken_.end()) return nullptr;
  Session* s = find(it->second);
  return s != nullptr && s->state() != Session::State::kClosing && !s->closed() ? s : nullptr;
}

Session* SessionRegistry::find(Session::Id id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second->session.get();
}

void SessionRegistry::detached(Session::Id id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  Entry& entry = *it->second;
  entry.session->detach();
  if (!entry.session->keepAlive() || limits_.keepAliveGrace.count() == 0 ||
      entry.session->state() == Session::State::kFailed) {
    close(id, "the client's connection closed");
    return;
  }
  // PROTOCOL.md §2: the session (and its registration) waits for the client to resume it.
  entry.grace.start(limits_.keepAliveGrace, [this, id] {
    close(id, "not resumed within " + std::to_string(limits_.keepAliveGrace.count()) +
                  " s (ws.keep_alive_grace_s)");
  });
}

void SessionRegistry::resumed(Session::Id id) {
  auto it = sessions_.find(id);
  if (it != sessions_.end()) it->second->grace.cancel();
}

void SessionRegistry::close(Session::Id id, std::string why) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  it->second->grace.cancel();
  it->second->session->close(std::move(why));
  reapLater();
}

void SessionRegistry::closeAll(std::string why) {
  for (auto& [id, entry] : sessions_) {
    entry->grace.cancel();
    entry->session->close(why);
  }
  reapLater();
}

size_t SessionRegistry::registeredCount() const {
  size_t n = 0;
  for (const auto& [id, entry] : sessions_) {
    if (entry->session->state() == Session::State::kRegistered) ++n;
  }
  return n;
}

std::map<std::string, size_t> SessionRegistry::callsByStatus() const {
  std::map<std::string, size_t> counts;
  for (const auto& [id, entry] : sessions_) entry->session->countCalls(counts);
  return counts;
}

void SessionRegistry::reapLater() {
  if (!reaper_.active()) reaper_.start(core::Duration::zero(), [this] { reap(); });
}

void SessionRegistry::reap() {
  bool closing = false;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    Session& s = *it->second->session;
    if (s.closed()) {
      byToken_.erase(s.authToken());
      it = sessions_.erase(it);
      continue;
    }
    closing = closing || s.state() == Session::State::kClosing;
    ++it;
  }
  // An unREGISTER under way ends within its transaction's timeout (64*T1): look again later.
  if (closing) reaper_.start(std::chrono::milliseconds(200), [this] { reap(); });
}

}  // namespace callgate::gateway
