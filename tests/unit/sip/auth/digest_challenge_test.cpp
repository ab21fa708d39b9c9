#include "sip/auth/digest_challenge.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace callgate::sip::auth {
namespace {

DigestChallenge parseOk(std::string_view value) {
  auto r = DigestChallenge::parse(value);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : DigestChallenge{};
}

std::string errorOf(std::string_view value) {
  auto r = DigestChallenge::parse(value);
  return r ? std::string("<parsed>") : r.error().message;
}

// RFC 2617 §3.5 (WWW-Authenticate of the example, its line folds kept).
TEST(DigestChallenge, Rfc2617Example) {
  const auto c = parseOk(
      "Digest\r\n"
      "                 realm=\"testrealm@host.com\",\r\n"
      "                 qop=\"auth,auth-int\",\r\n"
      "                 nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n"
      "                 opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
  EXPECT_EQ(c.realm, "testrealm@host.com");
  EXPECT_EQ(c.nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
  ASSERT_TRUE(c.opaque);
  EXPECT_EQ(*c.opaque, "5ccc069c403ebaf9f0171e9517f40e41");
  EXPECT_EQ(c.qopOptions, (std::vector<std::string>{"auth", "auth-int"}));
  EXPECT_TRUE(c.offers(Qop::kAuth));
  EXPECT_TRUE(c.offers(Qop::kAuthInt));
  EXPECT_EQ(c.algorithm, DigestAlgorithm::kMd5);
  EXPECT_FALSE(c.algorithmGiven);
  EXPECT_FALSE(c.stale);
}

// RFC 7616 §3.9.1, the SHA-256 challenge.
TEST(DigestChallenge, Rfc7616Sha256Example) {
  const auto c = parseOk(
      "Digest\r\n"
      "    realm=\"http-auth@example.org\",\r\n"
      "    qop=\"auth, auth-int\",\r\n"
      "    algorithm=SHA-256,\r\n"
      "    nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n"
      "    opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
  EXPECT_EQ(c.realm, "http-auth@example.org");
  EXPECT_EQ(c.algorithm, DigestAlgorithm::kSha256);
  EXPECT_TRUE(c.algorithmGiven);
  EXPECT_EQ(c.qopOptions, (std::vector<std::string>{"auth", "auth-int"}));
  EXPECT_EQ(c.nonce, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
}

// RFC 7616 §3.9.2: SHA-512-256 with charset and userhash.
TEST(DigestChallenge, Rfc7616Sha512256UserhashExample) {
  const auto c = parseOk(
      "Digest\r\n"
      "    realm=\"api@example.org\",\r\n"
      "    qop=\"auth\",\r\n"
      "    algorithm=SHA-512-256,\r\n"
      "    nonce=\"5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK\",\r\n"
      "    opaque=\"HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS\",\r\n"
      "    charset=UTF-8,\r\n"
      "    userhash=true");
  EXPECT_EQ(c.algorithm, DigestAlgorithm::kSha512_256);
  EXPECT_TRUE(c.charsetUtf8);
  EXPECT_TRUE(c.userhash);
  EXPECT_TRUE(c.offers(Qop::kAuth));
  EXPECT_FALSE(c.offers(Qop::kAuthInt));
}

// RFC 3261 §20.44 example: domain, empty opaque, stale=FALSE.
TEST(DigestChallenge, Rfc3261Example) {
  const auto c = parseOk(
      "Digest realm=\"atlanta.com\",\r\n"
      "     domain=\"sip:boxesbybob.com\", qop=\"auth\",\r\n"
      "     nonce=\"f84f1cec41e6cbe5aea9c8e88d359\",\r\n"
      "     opaque=\"\", stale=FALSE, algorithm=MD5");
  EXPECT_EQ(c.realm, "atlanta.com");
  EXPECT_EQ(c.domain, (std::vector<std::string>{"sip:boxesbybob.com"}));
  ASSERT_TRUE(c.opaque);
  EXPECT_EQ(*c.opaque, "");
  EXPECT_FALSE(c.stale);
  EXPECT_EQ(c.algorithm, DigestAlgorithm::kMd5);
}

TEST(DigestChallenge, KamailioAndAsteriskShapes) {
  const auto k = parseOk(R"(Digest realm="127.0.0.1", nonce="Z3Cq4mdwsH0Tt3WTQq3CoeLAkLDAGefa", qop="auth")");
  EXPECT_EQ(k.realm, "127.0.0.1");
  EXPECT_EQ(k.nonce, "Z3Cq4mdwsH0Tt3WTQq3CoeLAkLDAGefa");
  EXPECT_TRUE(k.offers(Qop::kAuth));

  const auto a = parseOk(
      R"(Digest realm="asterisk",nonce="1700000000/0f3c8a9b2e7d4c1a5b6e8f9a0b1c2d3e",opaque="2d1c3b4a5f6e7d8c",algorithm=md5,qop="auth")");
  EXPECT_EQ(a.realm, "asterisk");
  EXPECT_EQ(a.nonce, "1700000000/0f3c8a9b2e7d4c1a5b6e8f9a0b1c2d3e");
  EXPECT_EQ(a.algorithm, DigestAlgorithm::kMd5);
}

TEST(DigestChallenge, NamesAndKeywordsAreCaseInsensitive) {
  const auto c = parseOk(
      R"(DIGEST REALM="x", NONCE="y", Algorithm=sha-256-SESS, STALE=True, QOP="Auth-Int", UserHash=TRUE)");
  EXPECT_EQ(c.realm, "x");
  EXPECT_EQ(c.nonce, "y");
  EXPECT_EQ(c.algorithm, DigestAlgorithm::kSha256Sess);
  EXPECT_TRUE(c.stale);
  EXPECT_TRUE(c.userhash);
  EXPECT_TRUE(c.offers(Qop::kAuthInt));
  EXPECT_FALSE(c.offers(Qop::kAuth));
}

TEST(DigestChallenge, StaleIsTrueOnlyForTrue) {
  EXPECT_TRUE(parseOk(R"(Digest realm="r", nonce="n", stale=TRUE)").stale);
  EXPECT_TRUE(parseOk(R"(Digest realm="r", nonce="n", stale="true")").stale);
  EXPECT_FALSE(parseOk(R"(Digest realm="r", nonce="n", stale=false)").stale);
  EXPECT_FALSE(parseOk(R"(Digest realm="r", nonce="n", stale=yes)").stale);
  EXPECT_FALSE(parseOk(R"(Digest realm="r", nonce="n")").stale);
}

TEST(DigestChallenge, OddSpacingFoldsAndUnquotedValues) {
  const auto c =
      parseOk("Digest   realm = \"r\" ,\r\n\tnonce=\"n\",qop=auth,algorithm=\"SHA-512-256\"  ,\r\n  ");
  EXPECT_EQ(c.realm, "r");
  EXPECT_EQ(c.qopOptions, std::vector<std::string>{"auth"});
  EXPECT_EQ(c.algorithm, DigestAlgorithm::kSha512_256);
}

TEST(DigestChallenge, IgnoresUnknownDirectivesAndTokensInQop) {
  const auto c = parseOk(R"(Digest realm="r", nonce="n", foo="bar", baz=1, qop="auth-conf, auth")");
  EXPECT_EQ(c.qopOptions, (std::vector<std::string>{"auth-conf", "auth"}));
  EXPECT_TRUE(c.offers(Qop::kAuth));
}

TEST(DigestChallenge, DomainListAndEmptyRealm) {
  const auto c = parseOk(R"(Digest realm="", nonce="n", domain="sip:a.example  sip:b.example")");
  EXPECT_EQ(c.realm, "");
  EXPECT_EQ(c.domain, (std::vector<std::string>{"sip:a.example", "sip:b.example"}));
}

TEST(DigestChallenge, RejectsWithAMessageNamingTheProblem) {
  EXPECT_EQ(errorOf(R"(Basic realm="r")"), "authentication scheme 'Basic' is not Digest");
  EXPECT_EQ(errorOf(R"(Digest nonce="n")"), "Digest challenge has no realm");
  EXPECT_EQ(errorOf(R"(Digest realm="r")"), "Digest challenge has no nonce");
  EXPECT_EQ(errorOf(R"(Digest realm="r", nonce="")"), "Digest challenge has an empty nonce");
  EXPECT_EQ(errorOf(R"(Digest realm="r", nonce="n", algorithm=SHA-1)"), "unsupported algorithm 'SHA-1'");
  EXPECT_EQ(errorOf(R"(Digest realm="r", nonce="n", algorithm=AKAv1-MD5)"),
            "unsupported algorithm 'AKAv1-MD5'");
  EXPECT_EQ(errorOf(R"(Digest realm="r", nonce="n", realm="s")"), "duplicate parameter 'realm'");
  EXPECT_EQ(errorOf(R"(Digest realm="r", nonce="n", charset=latin1)"),
            "charset 'latin1' is not UTF-8 (RFC 7616 §3.3)");
  EXPECT_EQ(errorOf(R"(Digest realm="r", nonce="n", qop="auth,a b")"),
            "'qop' lists 'a b', which is not a token");
  EXPECT_EQ(errorOf(R"(Digest realm="r", nonce="n", qop=" , ")"), "'qop' lists no value");
  EXPECT_EQ(errorOf(R"(Digest realm="r, nonce="n")"), "expected ',' after parameter 'realm', found 'n'");
  EXPECT_EQ(errorOf("Digest"), "Digest challenge has no realm");
  EXPECT_EQ(errorOf(""), "empty authentication header value");
}

}  // namespace
}  // namespace callgate::sip::auth
