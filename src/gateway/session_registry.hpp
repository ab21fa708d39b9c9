// Owns every client session (ARCHITECTURE.md §3: registries own, others hold ids): by id and by authToken,
// the grace timers of detached keepAlive sessions, and the destruction of closed sessions, always from the
// loop (a 0-delay timer), never inside a session's own call chain.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/result.hpp"
#include "core/timer_queue.hpp"
#include "gateway/session.hpp"

namespace callgate::gateway {

struct SessionLimits {
  size_t maxSessions = 1000;
  std::chrono::seconds keepAliveGrace{60};  // a detached keepAlive session waits this long for its client
};

class SessionRegistry {
 public:
  SessionRegistry(SessionServices& services, SessionLimits limits);
  ~SessionRegistry();
  SessionRegistry(const SessionRegistry&) = delete;
  SessionRegistry& operator=(const SessionRegistry&) = delete;

  // A new session with a fresh authToken (128 bits from the secure source, hex). Refused (code 503) when
  // maxSessions are open. Not started: the caller attaches its listener, then start().
  core::Result<Session*> create(bool keepAlive, std::optional<SipAccount> account, nlohmann::json userData);
  // The live session with this token (attached or not), or nullptr.
  Session* findByToken(std::string_view authToken);
  Session* find(Session::Id id);
  // The UA's setup for a new INVITE: the session whose Contact token (cg) is in its Request-URI takes it;
  // none is 404, a session that takes no calls now 480 (both answered once the UA made the session).
  sip::UserAgent::IncomingCall incomingCall(sip::UserAgent::SessionId id, const sip::Message& invite);

  // The client's socket is gone. keepAlive sessions wait keepAliveGrace for a resume, others close now.
  void detached(Session::Id id);
  // A client resumed the session: its grace timer stops.
  void resumed(Session::Id id);
  // Closes one session (unREGISTER); it is destroyed once closed.
  void close(Session::Id id, std::string why);
  // Closes every session (gateway shutdown); size() reaches 0 once their unREGISTERs are done.
  void closeAll(std::string why);

  size_t size() const { return sessions_.size(); }
  size_t registeredCount() const;
  // Live calls of every session by their status ("TRYING", "ESTABLISHED", ...), for /metrics.
  std::map<std::string, size_t> callsByStatus() const;

 private:
  struct Entry {
    explicit Entry(core::TimerQueue& timers) : grace(timers) {}
    std::unique_ptr<Session> session;
    core::Timer grace;
  };
  // Destroys closed sessions from a 0-delay timer; closing ones are looked at again later.
  void reapLater();
  void reap();

  SessionServices& services_;
  SessionLimits limits_;
  Session::Id nextId_ = 1;
  std::map<Session::Id, std::unique_ptr<Entry>> sessions_;
  std::unordered_map<std::string, Session::Id> byToken_;
  core::Timer reaper_;
};

}  // namespace callgate::gateway
