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
#include <vector>

#include "core/random.hpp"
#include "core/result.hpp"
#include "core/timer_queue.hpp"
#include "gateway/call.hpp"
#include "gateway/call_event.hpp"
#include "gateway/echo_call.hpp"
#include "gateway/sip_account.hpp"
#include "gateway/sip_call.hpp"
#include "sip/dns/server_locator.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "sip/ua/registration.hpp"
#include "sip/ua/user_agent.hpp"

namespace callgate::gateway {

class CallCounters;

// How SIP calls behave (config keys sip.no_answer_timeout_s, sip.decline_status, media.codecs,
// media.rtp_timeout_s).
struct SipCallSettings {
  std::chrono::seconds noAnswerTimeout{60};         // outgoing: CANCEL; incoming: 480; 0: never
  int declineStatus = 486;                          // an incoming call the client hangs up before answering
  std::vector<std::string> codecs{"PCMU", "PCMA"};  // what the SIP leg may use, most preferred first
  std::chrono::seconds rtpTimeout{30};              // RTP silence that ends a call; 0: never
  sip::Endpoint localSip;         // the gateway's own SIP listener: where calls between its sessions go
  sip::TransactionTimers timers;  // the layer's T1/T2 (they pace 2xx retransmissions)
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
  MediaServices* media = nullptr;        // null: no media plane (calls are refused)
  CallCounters* callCounters = nullptr;  // ended calls, refused INVITEs for /metrics; null: not counted
  SipCallSettings calls{};
  // The Contact token (cg) of another session of this gateway that a call to `user` (an unescaped login)
  // reaches directly, with no SIP server (ARCHITECTURE.md §1, flow 3): a live session with that login that
  // does not register at a SIP server. Empty: none. Set by the SessionRegistry.
  std::function<std::string(std::string_view user)> localCallee{};
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
  // Starts a call: to the echo (TRYING, then setRemoteSDP and ESTABLISHED), to another session of this
  // gateway by its login, or to the SIP world through the account's SIP server (PROTOCOL.md §3). An error (a
  // duplicate callId, a bad callee, an unusable offer, no media plane) names the field and the rule; by then
  // the call has ended FAILED, except for a duplicate callId, whose live call is left alone.
  core::Result<void> startCall(nlohmann::json call, const std::string& offerSdp);
  core::Result<void> startEchoCall(nlohmann::json call, const std::string& offerSdp);
  // The client answered the incoming call `callId` with its WebRTC answer.
  core::Result<void> answerCall(const std::string& callId, const std::string& answerSdp);
  // The client hung up `callId`: false when the session has no such live call.
  bool hangupCall(const std::string& callId);
  // An INVITE whose Request-URI carries this session's Contact token: the UA's setup for it, or nullopt
  // when the session takes no calls now (closing, or no client attached to ring).
  std::optional<sip::UserAgent::IncomingCall> acceptIncoming(sip::UserAgent::SessionId id,
                                                             const sip::Message& invite);
  // The token of this session's Contact URI (`cg` parameter), fixed for its life.
  const std::string& contactToken() const { return contactToken_; }
  // Reachable by its login from the other sessions of this gateway, with no SIP server.
  bool locallyReachable() const;
  size_t callCount() const { return calls_.size(); }
  // Adds this session's live calls to `counts` by status.
  void countCalls(std::map<std::string, size_t>& counts) const;

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
  // The Contact of this session's calls: the registered one, else one on the UDP listener.
  std::string callContact() const;
  core::Result<void> addCall(const std::string& callId, std::unique_ptr<Call> call);
  Call::Listener callListener();

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
  std::string contactToken_;
  std::map<std::string, std::unique_ptr<Call>> calls_;  // by callId
  core::Timer callReaper_;
  std::shared_ptr<Session*> self_;  // async callbacks (DNS) hold a weak_ptr
};

std::string_view sessionStateName(Session::State state);

}  // namespace callgate::gateway
