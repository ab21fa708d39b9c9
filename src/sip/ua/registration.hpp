// Registration of one account with its registrar (RFC 3261 §10.2): REGISTER with the account's credentials
// (digest auth on 401/407, sip/auth), a Contact unique to the session, refresh before expiry, 423 Interval
// Too Brief, and unREGISTER on close. Every attempt ends in an outcome the owner hears about: registered
// (with the granted expiry), failed (with the SIP status and a reason a person can act on), unregistered.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/random.hpp"
#include "core/timer_queue.hpp"
#include "sip/auth/authenticator.hpp"
#include "sip/message/message.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "sip/transport/endpoint.hpp"

namespace callgate::sip {

struct RegistrationConfig {
  std::string registrarUri;  // Request-URI: the registrar's domain, "sip:example.com" (RFC 3261 §10.2)
  std::string aor;           // To and From: the address of record, as a name-addr or URI
  std::string contact;       // Contact: a name-addr unique to this session, "<sip:3000@192.0.2.1:5060;cg=k1>"
  auth::UserCredentials credentials;
  std::chrono::seconds expires{3600};
  Endpoint nextHop;  // where REGISTER goes: the registrar or the outbound proxy, resolved (RFC 3263)
  // Route header values preloaded on every REGISTER, the outbound proxy first (RFC 3261 §8.1.2), e.g.
  // "<sip:proxy.example.com;lr>".
  std::vector<std::string> routeSet;
  std::string sentBy;  // Via sent-by: this UA's host:port on that transport
  std::string userAgent;
  // A refresh goes out this long before the binding expires, or at half its life if that is shorter.
  std::chrono::seconds refreshMargin{30};
  uint32_t maxIntervalRetries = 3;  // 423 answers followed per request
};

class Registration {
 public:
  enum class State : uint8_t { kIdle, kRegistering, kRegistered, kUnregistering, kUnregistered, kFailed };

  struct Outcome {
    State state = State::kIdle;
    int sipStatus = 0;   // the final status that decided it; 408 for a timeout, 503 transport
    std::string reason;  // for people: "registered for 3600 s", "wrong credentials for realm ..."
    std::chrono::seconds expires{0};  // kRegistered: the expiry the registrar granted
  };
  // Called on every change of state. The callee must not destroy the Registration inside the call.
  using Listener = std::function<void(const Outcome&)>;

  Registration(TransactionLayer& transactions, core::TimerQueue& timers, core::RandomSource& random,
               RegistrationConfig config, Listener listener);
  ~Registration();
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

  // Sends the first REGISTER; refreshes follow by themselves while registered.
  void start();
  // Removes the binding (REGISTER with Expires: 0, RFC 3261 §10.2.2); stops refreshing.
  void unregister();

  State state() const { return state_; }
  const std::string& callId() const { return callId_; }

 private:
  // `answer`: credentials answering a challenge (or reused after a 423) for a re-send of the current
  // request; null for a new request.
  void sendRegister(std::chrono::seconds expires, const std::vector<auth::AuthorizationHeader>* answer);
  void onResponse(const Message& response, std::chrono::seconds requested);
  void onError(TransactionError error);
  void finish(State state, int status, std::string reason, std::chrono::seconds expires = {});
  std::chrono::seconds grantedExpiry(const Message& response, std::chrono::seconds requested) const;

  TransactionLayer& transactions_;
  core::RandomSource& random_;
  RegistrationConfig config_;
  Listener listener_;
  auth::Authenticator authenticator_;
  core::Timer refreshTimer_;
  std::shared_ptr<Registration*> self_;  // callbacks hold a weak_ptr: a destroyed Registration is not called
  State state_ = State::kIdle;
  std::string callId_;
  std::string fromTag_;
  uint32_t cseq_ = 0;
  uint32_t intervalRetries_ = 0;
};

std::string_view registrationStateName(Registration::State state);

}  // namespace callgate::sip
