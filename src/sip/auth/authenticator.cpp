#include "sip/auth/authenticator.hpp"

#include <algorithm>

#include "core/text.hpp"
#include "sip/auth/digest_algorithm.hpp"

namespace callgate::sip::auth {

namespace {

constexpr size_t kMaxSkipReasons = 4;

std::string quotedRealm(std::string_view realm) {
  return "\"" + core::printable(realm, 64) + "\"";
}

AuthDecision giveUp(AuthOutcome outcome, std::string reason) {
  AuthDecision d;
  d.outcome = outcome;
  d.reason = std::move(reason);
  return d;
}

}  // namespace

Authenticator::Authenticator(UserCredentials credentials, Config config, CnonceSource cnonceSource)
    : credentials_(std::move(credentials)), config_(config), client_(std::move(cnonceSource)) {}

void Authenticator::setRealmCredentials(std::string realm, UserCredentials credentials) {
  realmCredentials_.insert_or_assign(std::move(realm), std::move(credentials));
}

void Authenticator::startRequest() {
  retries_ = 0;
  for (auto& r : realms_) r.answeredThisRequest = false;
}

const UserCredentials& Authenticator::credentialsFor(std::string_view realm) const {
  const auto it = realmCredentials_.find(realm);
  return it != realmCredentials_.end() ? it->second : credentials_;
}

bool Authenticator::hasCredentialsFor(std::string_view realm) const {
  return realmCredentials_.find(realm) != realmCredentials_.end() || !credentials_.username.empty();
}

Authenticator::RealmState* Authenticator::findRealm(std::string_view realm) {
  for (auto& r : realms_) {
    if (r.challenge.realm == realm) return &r;
  }
  return nullptr;
}

core::Result<std::vector<AuthorizationHeader>> Authenticator::answerAll(const DigestRequest& request) {
  std::vector<AuthorizationHeader> headers;
  headers.reserve(realms_.size());
  for (const auto& r : realms_) {
    auto credentials = client_.answer(r.challenge, credentialsFor(r.challenge.realm), request);
    if (!credentials) {
      return core::makeError("cannot answer realm " + quotedRealm(r.challenge.realm) + ": " +
                             credentials.error().message);
    }
    headers.push_back(AuthorizationHeader{r.proxy, credentials->toString()});
  }
  return headers;
}

core::Result<std::vector<AuthorizationHeader>> Authenticator::authorize(const DigestRequest& request) {
  return answerAll(request);
}

AuthDecision Authenticator::onChallenge(std::span<const ReceivedChallenge> challenges,
                                        const DigestRequest& request) {
  if (retries_ >= config_.maxRetries) {
    return giveUp(AuthOutcome::kRetryLimit, "retry limit " + std::to_string(config_.maxRetries) + " reached");
  }

  // RFC 8760 §2.4 / RFC 7616 §3.7: per realm, one challenge this client supports; here the strongest
  // algorithm, the topmost among equals. What does not parse is skipped, its reason kept for the report.
  struct Chosen {
    DigestChallenge challenge;
    bool proxy = false;
  };
  std::vector<Chosen> chosen;
  std::string skipped;
  size_t skippedCount = 0;
  for (const auto& received : challenges) {
    auto parsed = DigestChallenge::parse(received.value);
    if (!parsed) {
      // A few reasons are enough for a person; a response with hundreds of junk headers must not build
      // a reason of unbounded size.
      if (++skippedCount <= kMaxSkipReasons) {
        if (!skipped.empty()) skipped += "; ";
        skipped += parsed.error().message;
      }
      continue;
    }
    auto same = std::find_if(chosen.begin(), chosen.end(),
                             [&](const Chosen& c) { return c.challenge.realm == parsed->realm; });
    if (same == chosen.end()) {
      chosen.push_back(Chosen{std::move(*parsed), received.proxy});
    } else if (digestAlgorithmStrength(parsed->algorithm) >
               digestAlgorithmStrength(same->challenge.algorithm)) {
      *same = Chosen{std::move(*parsed), received.proxy};
    }
  }
  if (chosen.empty()) {
    if (challenges.empty()) {
      return giveUp(AuthOutcome::kNoUsableChallenge,
                    "the response carries no WWW-Authenticate or Proxy-Authenticate");
    }
    if (skippedCount > kMaxSkipReasons) {
      skipped += "; and " + std::to_string(skippedCount - kMaxSkipReasons) + " more";
    }
    return giveUp(AuthOutcome::kNoUsableChallenge, "no usable Digest challenge: " + skipped);
  }

  // Decide for every realm before answering any, so a give-up leaves the other realms as they were.
  for (const auto& c : chosen) {
    const RealmState* known = findRealm(c.challenge.realm);
    if (known != nullptr && known->answeredThisRequest && !c.challenge.stale) {
      // RFC 7616 §3.3 stale: without stale=TRUE a second challenge for credentials just sent means the
      // server rejected the username or password; retrying with the same ones cannot succeed.
      const std::string realm = c.challenge.realm;
      realms_.erase(std::find_if(realms_.begin(), realms_.end(),
                                 [&](const RealmState& r) { return r.challenge.realm == realm; }));
      return giveUp(AuthOutcome::kWrongCredentials, "wrong credentials for realm " + quotedRealm(realm));
    }
    if (!hasCredentialsFor(c.challenge.realm)) {
      return giveUp(AuthOutcome::kNoCredentials,
                    "no credentials for realm " + quotedRealm(c.challenge.realm));
    }
  }

  std::string reason;
  for (auto& c : chosen) {
    if (!reason.empty()) reason += "; ";
    reason += (c.challenge.stale ? "stale nonce, answering realm " : "answering realm ") +
              quotedRealm(c.challenge.realm) + " with " +
              std::string(digestAlgorithmName(c.challenge.algorithm));
    RealmState* known = findRealm(c.challenge.realm);
    if (known == nullptr) {
      realms_.push_back(RealmState{std::move(c.challenge), c.proxy, true});
    } else {
      known->challenge = std::move(c.challenge);
      known->proxy = c.proxy;
      known->answeredThisRequest = true;
    }
  }

  auto headers = answerAll(request);
  if (!headers) {
    // Nothing was sent, so a later challenge for these realms is not a verdict on the credentials.
    for (auto& r : realms_) r.answeredThisRequest = false;
    return giveUp(AuthOutcome::kFailed, headers.error().message);
  }
  ++retries_;
  AuthDecision d;
  d.outcome = AuthOutcome::kAnswer;
  d.reason = std::move(reason);
  d.headers = std::move(*headers);
  return d;
}

}  // namespace callgate::sip::auth
