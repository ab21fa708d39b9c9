// One non-INVITE request outside any dialog (MESSAGE, RFC 3428; OPTIONS), from send to a single outcome:
//
//   send() ──► request ──► 2xx-6xx: outcome ◄── 401/407: again with credentials (RFC 3261 §22.2), CSeq + 1
//                      └─► timeout / transport error: outcome 408 / 503
//
// Sans-I/O like the rest of the UA core: through the TransactionLayer, its timers and random source.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/random.hpp"
#include "core/result.hpp"
#include "sip/auth/authenticator.hpp"
#include "sip/message/message.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "sip/transport/endpoint.hpp"

namespace callgate::sip {

struct OutOfDialogRequest {
  std::string method = "MESSAGE";
  std::string requestUri;             // "sip:bob@example.com"
  std::string from;                   // name-addr without tag: who sends it
  std::string to;                     // name-addr or URI without tag
  Endpoint nextHop;                   // the outbound proxy or the peer, resolved (RFC 3263)
  std::vector<std::string> routeSet;  // preloaded Route values (RFC 3261 §8.1.2)
  std::string sentBy;                 // Via sent-by
  std::string userAgent;
  auth::UserCredentials credentials;
  std::string contentType;  // with a body
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

class RequestClient {
 public:
  struct Outcome {
    int status = 0;      // the final status; 408 timeout, 503 transport error
    std::string reason;  // "OK", "wrong credentials for realm ...", "no answer from ..."
  };
  using Listener = std::function<void(const Outcome&)>;

  // Checks the request (a method other than INVITE, ACK, CANCEL; token header names, no CR/LF in values).
  static core::Result<std::unique_ptr<RequestClient>> create(TransactionLayer& transactions,
                                                             core::RandomSource& random,
                                                             OutOfDialogRequest request, Listener listener);
  ~RequestClient();
  RequestClient(const RequestClient&) = delete;
  RequestClient& operator=(const RequestClient&) = delete;

  // Sends it; the listener hears the outcome once (never inside send()).
  void send();
  bool done() const { return done_; }

 private:
  RequestClient(TransactionLayer& transactions, core::RandomSource& random, OutOfDialogRequest request,
                Listener listener);
  void sendNow(const std::vector<auth::AuthorizationHeader>& credentials);
  void onResponse(const Message& response);
  void finish(int status, std::string reason);

  TransactionLayer& transactions_;
  core::RandomSource& random_;
  OutOfDialogRequest request_;
  Listener listener_;
  auth::Authenticator authenticator_;
  std::shared_ptr<RequestClient*> self_;  // callbacks hold a weak_ptr: a destroyed client is not called
  std::string callId_;
  std::string fromTag_;
  uint32_t cseq_ = 0;
  bool done_ = false;
};

}  // namespace callgate::sip
