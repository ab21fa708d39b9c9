// One client socket speaking the WCS protocol (PROTOCOL.md §1-2, ADR 5), sans-I/O: frames in through
// onMessage(), frames out and the close through Io, time from the TimerQueue.
//
//   open ──► connection ──► getUserData ──► (sipRegisterRequired) registered | fail + close 4403
//        └─► anything else first: fail, socket stays
//   every ws.ping_interval_s: ping; ws.max_missed_pongs unanswered: close 4408
//   socket closed: the session is detached (keepAlive: kept for ws.keep_alive_grace_s) or closed
//
// Every bad frame gets a `fail` whose info says what is wrong; the socket and session stay up.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/timer_queue.hpp"
#include "gateway/session_registry.hpp"

namespace callgate::api {

struct ClientLimits {
  std::chrono::seconds pingInterval{5};
  uint32_t maxMissedPongs = 3;
  uint32_t maxMessagesPerSecond = 20;
};

class ClientConnection {
 public:
  struct Io {
    std::function<void(std::string frame)> send;
    // Close the socket with this code and reason (ADR 5). The owner calls onClosed() once it is closed;
    // it must not destroy the connection inside this call.
    std::function<void(uint16_t code, std::string reason)> close;
  };

  ClientConnection(uint64_t id, std::string peer, Io io, core::TimerQueue& timers,
                   gateway::SessionRegistry& sessions, ClientLimits limits);
  ~ClientConnection();
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  void onMessage(std::string_view text, bool binary);
  // The socket is gone (either side closed it): detach or close the session. Nothing is sent after.
  void onClosed(uint16_t code, std::string_view reason);

  uint64_t id() const { return id_; }
  gateway::Session::Id sessionId() const { return sessionId_; }
  uint64_t dropped() const { return dropped_; }

 private:
  void dispatch(const std::string& name, const nlohmann::json& arg);
  void onConnection(const nlohmann::json& arg);
  // Calls served so far (the echo); false: not handled here.
  void onCall(const nlohmann::json& arg);
  void onAnswer(const nlohmann::json& arg);
  void onHangup(const nlohmann::json& arg);
  void onCallEvent(const gateway::CallEvent& event);
  void attach(gateway::Session& session);
  nlohmann::json userDataOf(const gateway::Session& session) const;
  void fail(std::string_view apiMethod, std::string info);
  void send(std::string_view name, const nlohmann::json& arg);
  void closeSocket(uint16_t code, std::string reason);
  void ping();
  bool takeToken();

  uint64_t id_;
  std::string peer_;
  Io io_;
  core::TimerQueue& timers_;
  gateway::SessionRegistry& sessions_;
  ClientLimits limits_;
  gateway::Session::Id sessionId_ = 0;  // 0: no session yet
  bool closing_ = false;
  bool closed_ = false;
  uint32_t missedPongs_ = 0;
  double tokens_ = 0;
  core::TimePoint lastRefill_{};
  core::TimePoint lastRateFail_{};
  bool rateFailSent_ = false;
  uint64_t dropped_ = 0;
  core::Timer pingTimer_;
};

}  // namespace callgate::api
