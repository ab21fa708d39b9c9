// The client's retry policy for 401/407 responses (RFC 3261 §22.2, §22.3; RFC 7616 §3.3 "stale";
// RFC 8760 §2.4 several challenges), sans-I/O: fed the challenges of one response, it decides whether the
// request is re-sent with credentials or the caller gives up, and says why in words.
//
//   request ──► 401/407 ──► onChallenge() ──► kAnswer: re-send with `headers` ──► 401/407 ──► ...
//                                        └─► give up: kWrongCredentials / kRetryLimit / ... + reason
//
// Rules:
//  - A realm challenged for the first time in this request is answered.
//  - A realm challenged again after this request already answered it: stale=TRUE means only the nonce
//    expired, so it is answered again with the new nonce and is not a wrong-password failure; without
//    stale the server rejected the credentials: give up with "wrong credentials for realm X".
//  - At most Config::maxRetries re-sends per request (stale ones included), so a server that keeps
//    challenging cannot loop the client forever.
//  - Several challenges for one realm: the strongest supported algorithm wins (SHA-512-256 > SHA-256 > MD5),
//    the topmost among equals; challenges that do not parse (unknown algorithm, other scheme) are skipped
//    (RFC 8760 §2.4 / RFC 7616 §3.7: the client ignores what it does not support).
//  - A re-sent request carries credentials for every realm known so far, not only the newest one
//    (RFC 3261 §22.3), and later requests may carry them up front (authorize()), counting nc up.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sip/auth/digest_challenge.hpp"
#include "sip/auth/digest_client.hpp"

namespace callgate::sip::auth {

// One challenge header field of a 401/407 response.
struct ReceivedChallenge {
  bool proxy = false;  // Proxy-Authenticate (answered with Proxy-Authorization), else WWW-Authenticate
  std::string_view value;
};

// One header field to put on the (re-)sent request.
struct AuthorizationHeader {
  bool proxy = false;
  std::string value;
  std::string_view name() const { return proxy ? "Proxy-Authorization" : "Authorization"; }
};

enum class AuthOutcome {
  kAnswer,             // re-send the request with `headers`
  kWrongCredentials,   // the same realm rejected the credentials without stale=TRUE
  kRetryLimit,         // Config::maxRetries re-sends already made for this request
  kNoCredentials,      // a realm for which no credentials are configured
  kNoUsableChallenge,  // no Digest challenge this client supports (reasons of each in `reason`)
  kFailed,             // the answer could not be computed (bad user data, hash unavailable, no randomness)
};

struct AuthDecision {
  AuthOutcome outcome = AuthOutcome::kFailed;
  std::string reason;                        // for logs and the user: what happened, naming the realm
  std::vector<AuthorizationHeader> headers;  // filled for kAnswer only
  bool answered() const { return outcome == AuthOutcome::kAnswer; }
};

struct AuthenticatorConfig {
  uint32_t maxRetries = 5;  // re-sends of one request in answer to challenges
};

class Authenticator {
 public:
  using Config = AuthenticatorConfig;

  // `credentials` answer every realm that has no credentials of its own (setRealmCredentials()); an empty
  // username means there are no default credentials.
  explicit Authenticator(UserCredentials credentials, Config config = {},
                         CnonceSource cnonceSource = randomCnonceSource());

  void setRealmCredentials(std::string realm, UserCredentials credentials);

  // A new request starts (not a re-send of the challenged one): retry and per-realm attempt tracking
  // restart; the known challenges and their nonce counts stay for reuse.
  void startRequest();

  // Credentials for a new request from earlier challenges, one header per known realm (RFC 3261 §22.3
  // lets a UAC reuse them); each counts a use of that realm's nonce. Empty before any challenge.
  core::Result<std::vector<AuthorizationHeader>> authorize(const DigestRequest& request);

  // The decision for a 401/407 to `request`: all its WWW-Authenticate and Proxy-Authenticate values.
  AuthDecision onChallenge(std::span<const ReceivedChallenge> challenges, const DigestRequest& request);

  uint32_t retries() const { return retries_; }
  const DigestClient& client() const { return client_; }

 private:
  struct RealmState {
    DigestChallenge challenge;
    bool proxy = false;
    bool answeredThisRequest = false;
  };

  const UserCredentials& credentialsFor(std::string_view realm) const;
  bool hasCredentialsFor(std::string_view realm) const;
  RealmState* findRealm(std::string_view realm);
  core::Result<std::vector<AuthorizationHeader>> answerAll(const DigestRequest& request);

  UserCredentials credentials_;
  std::map<std::string, UserCredentials, std::less<>> realmCredentials_;
  Config config_;
  DigestClient client_;
  std::vector<RealmState> realms_;  // in the order first challenged, which fixes the header order
  uint32_t retries_ = 0;
};

}  // namespace callgate::sip::auth
