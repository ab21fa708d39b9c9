#include "sip/auth/authenticator.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sip/auth/digest_credentials.hpp"
#include "sip/auth/digest_response.hpp"

namespace callgate::sip::auth {
namespace {

CnonceSource countingCnonce() {
  return [n = 0]() mutable { return "cn" + std::to_string(++n); };
}

const DigestRequest kRegister{"REGISTER", "sip:biloxi.com", ""};

ReceivedChallenge www(std::string_view value) {
  return ReceivedChallenge{false, value};
}
ReceivedChallenge proxy(std::string_view value) {
  return ReceivedChallenge{true, value};
}

DigestCredentials parsed(const AuthorizationHeader& h) {
  auto c = DigestCredentials::parse(h.value);
  EXPECT_TRUE(c) << h.value;
  return c ? *c : DigestCredentials{};
}

constexpr std::string_view kBiloxi =
    R"(Digest realm="biloxi.com", nonce="n1", qop="auth", algorithm=SHA-256)";
constexpr std::string_view kBiloxiNewNonce =
    R"(Digest realm="biloxi.com", nonce="n2", qop="auth", algorithm=SHA-256)";
constexpr std::string_view kBiloxiStale =
    R"(Digest realm="biloxi.com", nonce="n2", qop="auth", algorithm=SHA-256, stale=TRUE)";

TEST(Authenticator, AnswersTheFirstChallengeOfARealm) {
  Authenticator auth({"bob", "zanzibar"}, {}, countingCnonce());
  const std::vector<ReceivedChallenge> response{www(kBiloxi)};
  const auto d = auth.onChallenge(response, kRegister);
  ASSERT_EQ(d.outcome, AuthOutcome::kAnswer) << d.reason;
  EXPECT_TRUE(d.answered());
  EXPECT_EQ(d.reason, R"(answering realm "biloxi.com" with SHA-256)");
  ASSERT_EQ(d.headers.size(), 1u);
  EXPECT_EQ(d.headers[0].name(), "Authorization");
  const auto c = parsed(d.headers[0]);
  EXPECT_EQ(c.username, "bob");
  EXPECT_EQ(c.nonceCount, 1u);
  EXPECT_EQ(c.cnonce, "cn1");
  EXPECT_TRUE(verifyDigestCredentials(c, "bob", "zanzibar", "REGISTER", ""));
  EXPECT_EQ(auth.retries(), 1u);
}

TEST(Authenticator, ProxyChallengeIsAnsweredWithProxyAuthorization) {
  Authenticator auth({"bob", "zanzibar"}, {}, countingCnonce());
  const std::vector<ReceivedChallenge> response{proxy(kBiloxi)};
  const auto d = auth.onChallenge(response, kRegister);
  ASSERT_TRUE(d.answered()) << d.reason;
  ASSERT_EQ(d.headers.size(), 1u);
  EXPECT_TRUE(d.headers[0].proxy);
  EXPECT_EQ(d.headers[0].name(), "Proxy-Authorization");
}

TEST(Authenticator, SameRealmAgainWithoutStaleIsWrongCredentials) {
  Authenticator auth({"bob", "wrong"}, {}, countingCnonce());
  const std::vector<ReceivedChallenge> first{www(kBiloxi)};
  ASSERT_TRUE(auth.onChallenge(first, kRegister).answered());
  const std::vector<ReceivedChallenge> second{www(kBiloxiNewNonce)};
  const auto d = auth.onChallenge(second, kRegister);
  EXPECT_EQ(d.outcome, AuthOutcome::kWrongCredentials);
  EXPECT_EQ(d.reason, R"(wrong credentials for realm "biloxi.com")");
  EXPECT_TRUE(d.headers.empty());
  // The rejected credentials are not offered up front on the next request.
  auth.startRequest();
  auto upFront = auth.authorize(kRegister);
  ASSERT_TRUE(upFront);
  EXPECT_TRUE(upFront->empty());
}

TEST(Authenticator, StaleNonceIsAnsweredAgainWithoutCountingAsFailure) {
  Authenticator auth({"bob", "zanzibar"}, {}, countingCnonce());
  const std::vector<ReceivedChallenge> first{www(kBiloxi)};
  ASSERT_TRUE(auth.onChallenge(first, kRegister).answered());

  const std::vector<ReceivedChallenge> stale{www(kBiloxiStale)};
  const auto d = auth.onChallenge(stale, kRegister);
  ASSERT_EQ(d.outcome, AuthOutcome::kAnswer) << d.reason;
  EXPECT_EQ(d.reason, R"(stale nonce, answering realm "biloxi.com" with SHA-256)");
  ASSERT_EQ(d.headers.size(), 1u);
  const auto c = parsed(d.headers[0]);
  EXPECT_EQ(c.nonce, "n2");
  EXPECT_EQ(c.nonceCount, 1u);  // a new nonce counts from 1 again
  EXPECT_TRUE(verifyDigestCredentials(c, "bob", "zanzibar", "REGISTER", ""));

  // Stale once more (the server rotated again): still answered.
  const std::vector<ReceivedChallenge> staleAgain{
      www(R"(Digest realm="biloxi.com", nonce="n3", qop="auth", algorithm=SHA-256, stale=true)")};
  EXPECT_TRUE(auth.onChallenge(staleAgain, kRegister).answered());

  // But a plain challenge after that means the password is wrong after all.
  const std::vector<ReceivedChallenge> plain{www(kBiloxiNewNonce)};
  EXPECT_EQ(auth.onChallenge(plain, kRegister).outcome, AuthOutcome::kWrongCredentials);
}

TEST(Authenticator, RetryLimitStopsAServerThatKeepsSayingStale) {
  Authenticator auth({"bob", "zanzibar"}, AuthenticatorConfig{2}, countingCnonce());
  const std::vector<ReceivedChallenge> first{www(kBiloxi)};
  const std::vector<ReceivedChallenge> stale{www(kBiloxiStale)};
  ASSERT_TRUE(auth.onChallenge(first, kRegister).answered());
  ASSERT_TRUE(auth.onChallenge(stale, kRegister).answered());
  const auto d = auth.onChallenge(stale, kRegister);
  EXPECT_EQ(d.outcome, AuthOutcome::kRetryLimit);
  EXPECT_EQ(d.reason, "retry limit 2 reached");
  EXPECT_EQ(auth.retries(), 2u);

  // A new request starts with a fresh budget.
  auth.startRequest();
  EXPECT_TRUE(auth.onChallenge(stale, kRegister).answered());
}

TEST(Authenticator, PicksTheStrongestSupportedAlgorithmPerRealm) {
  Authenticator auth({"bob", "zanzibar"}, {}, countingCnonce());
  const std::vector<ReceivedChallenge> response{
      www(R"(Digest realm="biloxi.com", nonce="m", qop="auth", algorithm=MD5)"),
      www(R"(Digest realm="biloxi.com", nonce="x", qop="auth", algorithm=SHA-1024)"),
      www(R"(Digest realm="biloxi.com", nonce="s5", qop="auth", algorithm=SHA-512-256)"),
      www(R"(Digest realm="biloxi.com", nonce="s2", qop="auth", algorithm=SHA-256)"),
      www(R"(Basic realm="biloxi.com")"),
  };
  const auto d = auth.onChallenge(response, kRegister);
  ASSERT_TRUE(d.answered()) << d.reason;
  ASSERT_EQ(d.headers.size(), 1u);
  const auto c = parsed(d.headers[0]);
  EXPECT_EQ(c.algorithm, DigestAlgorithm::kSha512_256);
  EXPECT_EQ(c.nonce, "s5");
  EXPECT_TRUE(verifyDigestCredentials(c, "bob", "zanzibar", "REGISTER", ""));
}

TEST(Authenticator, TopmostWinsBetweenEquallyStrongChallenges) {
  Authenticator auth({"bob", "zanzibar"}, {}, countingCnonce());
  const std::vector<ReceivedChallenge> response{
      www(R"(Digest realm="biloxi.com", nonce="first", qop="auth", algorithm=SHA-256-sess)"),
      www(R"(Digest realm="biloxi.com", nonce="second", qop="auth", algorithm=SHA-256)"),
  };
  const auto d = auth.onChallenge(response, kRegister);
  ASSERT_TRUE(d.answered());
  EXPECT_EQ(parsed(d.headers[0]).nonce, "first");
}

TEST(Authenticator, AnswersEveryRealmWithItsOwnCredentials) {
  Authenticator auth({"alice", "default-pw"}, {}, countingCnonce());
  auth.setRealmCredentials("proxy.atlanta.com", {"alice-proxy", "proxy-pw"});
  const std::vector<ReceivedChallenge> response{
      proxy(R"(Digest realm="proxy.atlanta.com", nonce="p1", qop="auth")"),
      www(R"(Digest realm="biloxi.com", nonce="b1", qop="auth-int", algorithm=SHA-256)"),
  };
  const DigestRequest invite{"INVITE", "sip:bob@biloxi.com", "v=0\r\n"};
  const auto d = auth.onChallenge(response, invite);
  ASSERT_TRUE(d.answered()) << d.reason;
  EXPECT_EQ(d.reason,
            R"(answering realm "proxy.atlanta.com" with MD5; answering realm "biloxi.com" with SHA-256)");
  ASSERT_EQ(d.headers.size(), 2u);
  EXPECT_TRUE(d.headers[0].proxy);
  EXPECT_FALSE(d.headers[1].proxy);
  EXPECT_TRUE(verifyDigestCredentials(parsed(d.headers[0]), "alice-proxy", "proxy-pw", "INVITE", "v=0\r\n"));
  EXPECT_TRUE(verifyDigestCredentials(parsed(d.headers[1]), "alice", "default-pw", "INVITE", "v=0\r\n"));
}

// RFC 3261 §22.3: after a 407 from the proxy then a 401 from the UAS, the retry carries both.
TEST(Authenticator, RetryCarriesCredentialsForEveryRealmSoFar) {
  Authenticator auth({"alice", "pw"}, {}, countingCnonce());
  const DigestRequest invite{"INVITE", "sip:bob@biloxi.com", ""};
  const std::vector<ReceivedChallenge> r407{proxy(R"(Digest realm="atlanta.com", nonce="a1", qop="auth")")};
  ASSERT_TRUE(auth.onChallenge(r407, invite).answered());
  const std::vector<ReceivedChallenge> r401{www(R"(Digest realm="biloxi.com", nonce="b1", qop="auth")")};
  const auto d = auth.onChallenge(r401, invite);
  ASSERT_TRUE(d.answered()) << d.reason;
  ASSERT_EQ(d.headers.size(), 2u);
  const auto toProxy = parsed(d.headers[0]);
  EXPECT_TRUE(d.headers[0].proxy);
  EXPECT_EQ(toProxy.realm, "atlanta.com");
  EXPECT_EQ(toProxy.nonceCount, 2u);  // second use of nonce a1
  EXPECT_TRUE(verifyDigestCredentials(toProxy, "alice", "pw", "INVITE", ""));
  EXPECT_EQ(parsed(d.headers[1]).realm, "biloxi.com");
}

TEST(Authenticator, LaterRequestsReuseTheNonceUpFrontAndMayBeChallengedAgain) {
  Authenticator auth({"bob", "zanzibar"}, {}, countingCnonce());
  auto none = auth.authorize(kRegister);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  const std::vector<ReceivedChallenge> first{www(kBiloxi)};
  ASSERT_TRUE(auth.onChallenge(first, kRegister).answered());

  auth.startRequest();
  auto upFront = auth.authorize(kRegister);
  ASSERT_TRUE(upFront);
  ASSERT_EQ(upFront->size(), 1u);
  const auto c = parsed((*upFront)[0]);
  EXPECT_EQ(c.nonce, "n1");
  EXPECT_EQ(c.nonceCount, 2u);
  EXPECT_TRUE(verifyDigestCredentials(c, "bob", "zanzibar", "REGISTER", ""));
  EXPECT_EQ(auth.client().nonceCount("biloxi.com", "n1"), 2u);

  // Up-front credentials are not an answer to a challenge of this request: a server that no longer
  // knows the nonce may challenge without stale, and that is answered, not taken as a wrong password.
  const std::vector<ReceivedChallenge> again{www(kBiloxiNewNonce)};
  const auto d = auth.onChallenge(again, kRegister);
  ASSERT_TRUE(d.answered()) << d.reason;
  EXPECT_EQ(parsed(d.headers[0]).nonceCount, 1u);
}

TEST(Authenticator, GivesUpWhenNothingIsUsable) {
  Authenticator auth({"bob", "zanzibar"}, {}, countingCnonce());
  const std::vector<ReceivedChallenge> response{
      www(R"(Basic realm="biloxi.com")"),
      www(R"(Digest realm="biloxi.com", nonce="n", algorithm=SHA-1)"),
      www(R"(Digest realm="biloxi.com")"),
  };
  const auto d = auth.onChallenge(response, kRegister);
  EXPECT_EQ(d.outcome, AuthOutcome::kNoUsableChallenge);
  EXPECT_EQ(d.reason,
            "no usable Digest challenge: authentication scheme 'Basic' is not Digest; unsupported algorithm "
            "'SHA-1'; Digest challenge has no nonce");
  EXPECT_EQ(auth.retries(), 0u);

  const std::vector<ReceivedChallenge> junk(10, www("Basic realm=\"x\""));
  EXPECT_EQ(
      auth.onChallenge(junk, kRegister).reason,
      "no usable Digest challenge: authentication scheme 'Basic' is not Digest; authentication scheme "
      "'Basic' is not Digest; authentication scheme 'Basic' is not Digest; authentication scheme 'Basic' "
      "is not Digest; and 6 more");

  const auto empty = auth.onChallenge({}, kRegister);
  EXPECT_EQ(empty.outcome, AuthOutcome::kNoUsableChallenge);
  EXPECT_EQ(empty.reason, "the response carries no WWW-Authenticate or Proxy-Authenticate");
}

TEST(Authenticator, GivesUpOnARealmWithoutCredentials) {
  Authenticator auth({"", ""}, {}, countingCnonce());
  auth.setRealmCredentials("atlanta.com", {"alice", "pw"});
  const std::vector<ReceivedChallenge> response{www(kBiloxi)};
  const auto d = auth.onChallenge(response, kRegister);
  EXPECT_EQ(d.outcome, AuthOutcome::kNoCredentials);
  EXPECT_EQ(d.reason, R"(no credentials for realm "biloxi.com")");
}

TEST(Authenticator, ReportsAnAnswerThatCannotBeComputed) {
  // The random source fails once, then works.
  Authenticator auth({"bob", "zanzibar"}, {}, [n = 0]() mutable { return ++n == 1 ? std::string() : "ok"; });
  const std::vector<ReceivedChallenge> response{www(kBiloxi)};
  const auto d = auth.onChallenge(response, kRegister);
  EXPECT_EQ(d.outcome, AuthOutcome::kFailed);
  EXPECT_EQ(d.reason, R"(cannot answer realm "biloxi.com": no cnonce: the random source failed)");
  EXPECT_EQ(auth.retries(), 0u);
  // Nothing was sent, so the next challenge for the realm is answered, not read as a rejection.
  const std::vector<ReceivedChallenge> again{www(kBiloxiNewNonce)};
  EXPECT_EQ(auth.onChallenge(again, kRegister).outcome, AuthOutcome::kAnswer);
}

}  // namespace
}  // namespace callgate::sip::auth
