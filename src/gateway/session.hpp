// One client session (PROTOCOL.md §2): the SIP account a client connected with, its registration and (in
// later issues) its calls. It outlives the client's socket when the client asked for keepAlive, so the
// client can resume it; the api layer attaches and detaches its connection as a Listener.
//
//   start() ──► (sipRegisterRequired) locate the registrar ──► REGISTER ──► registered ──► refreshes ...
//                                                       └──► DNS / SIP failure: registrationFailed
//   close() ──► unREGISTER (when registered) ──► closed (bounded: the REGISTER's own timeout)
//
// Single-threaded, on the control loop. Everything in Services must outlive every session.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/random.hpp"
#include "core/result.hpp"
#include "core/timer_queue.hpp"
#include "gateway/call_event.hpp"
#include "gateway/echo_call.hpp"
#include "sip/dns/server_locator.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "sip/ua/registration.hpp"
#include "sip/ua/user_agent.hpp"

namespace callgate::gateway {

// The client's SIP account, checked and escaped (api/connection_options does that).
struct SipAccount {
  std::string login;     // as the client typed it (caller id for the client)
  std::string user;      // RFC 3261 §25.1 user part: login with what needs escaping escaped
  std::string authName;  // digest username (typed; the digest client quotes it)
  std::string password;
  std::string domain;         // host of the address of record and of the registrar's Request-URI
  std::string outboundProxy;  // host the requests go to; empty: domain
  uint16_t port = 0;          // port of the outbound proxy (or domain); 0: RFC 3263 decides
  std::string visibleName;
  bool registerRequired = false;
};

// What all sessions share; owned by the app.
struct SessionServices {
  sip::TransactionLayer& transactions;
  sip::UserAgent& ua;
  sip::ServerLocator& locator;
  core::TimerQueue& timers;
  core::RandomSource& random;
  std::string sentBy;       // our host:port in Via
  std::string contactHost;  // our host:port in Contacts
  std::string userAgent;
  std::chrono::seconds registerExpires{600};
  MediaServices* media = nullptr;  // null: no media plane (calls are refused)
};

class Session {
 public:
  using Id = uint64_t;  // never 0
  enum class State : uint8_t { kReady, kRegistering, kRegistered, kFailed, kClosing, kClosed };

  // The attached client connection. Calls may come from inside Session methods; the listener must not
  // destroy the session inside them (the registry destroys closed sessions from the loop).
  struct Listener {
    std::function<void(int sipStatus, const std::string& info)> onRegistered;
    // Registration failed (first REGISTER or a refresh): the session is of no use any more.
    std::function<void(int sipStatus, const std::string& info)> onRegistrationFailed;
    // Another connection resumed the session (same authToken): this listener is detached.
    std::function<void()> onTakenOver;
    // A call of this session changed (PROTOCOL.md §3): a status, or its one remote SDP.
    std::function<void(const CallEvent& event)> onCallEvent;
  };

  Session(Id id, std::string authToken, bool keepAlive, SessionServices& services,
          std::optional<SipAccount> account, nlohmann::json userData);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Registers when the account asks for it; otherwise the session is ready at once.
  void start();
  // Ends the session: unREGISTER when registered (its outcome is awaited, bounded by the transaction's
  // timeout), then closed. Idempotent.
  void close(std::string why);

  // Calls. `call` is the client's call object (its sdp removed), `offerSdp` the client's WebRTC offer.
  // Whether the callee is the echo extension (media.echo_name).
  bool isEchoCallee(std::string_view callee) const;
  // Starts a call to the echo: TRYING, then setRemoteSDP and ESTABLISHED as call events. An error (a
  // duplicate callId, an unusable offer, no media plane) names the field and the rule; by then the call has
  // ended FAILED, except for a duplicate callId, whose live call is left alone.
  core::Result<void> startEchoCall(nlohmann::json call, const std::string& offerSdp);
  // The client hung up `callId`: false when the session has no such live call.
  bool hangupCall(const std::string& callId);
  size_t callCount() const { return calls_.size(); }

  // Attaches `listener`; one that was attached hears onTakenOver first.
  void attach(Listener listener);
  void detach();
  bool attached() const { return attached_; }

  Id id() const { return id_; }
  const std::string& authToken() const { return authToken_; }
  bool keepAlive() const { return keepAlive_; }
  State state() const { return state_; }
  bool closed() const { return state_ == State::kClosed; }
  const std::optional<SipAccount>& account() const { return account_; }
  // What getUserData sends: the connection fields (no password) plus authToken, sessionId, status.
  const nlohmann::json& userData() const { return userData_; }
  const std::string& contact() const { return contact_; }
  const std::string& lastInfo() const { return lastInfo_; }
  int lastSipStatus() const { return lastSipStatus_; }

 private:
  void onRegistrarLocated(core::Result<std::vector<sip::Endpoint>> targets);
  void onRegistration(const sip::Registration::Outcome& outcome);
  void fail(int sipStatus, std::string info);
  void emit(const CallEvent& event);
  void endCalls(const std::string& info);
  void reapCalls();

  Id id_;
  std::string authToken_;
  bool keepAlive_;
  SessionServices& services_;
  std::optional<SipAccount> account_;
  nlohmann::json userData_;
  State state_ = State::kReady;
  std::string contact_;
  std::string lastInfo_;
  int lastSipStatus_ = 0;
  bool attached_ = false;
  Listener listener_;
  std::unique_ptr<sip::Registration> registration_;
  std::map<std::string, std::unique_ptr<EchoCall>> calls_;  // by callId
  core::Timer callReaper_;
  std::shared_ptr<Session*> self_;  // async callbacks (DNS) hold a weak_ptr
};

std::string_view sessionStateName(Session::State state);

}  // namespace callgate::gateway
