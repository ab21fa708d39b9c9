#include "sip/auth/digest_client.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "sip/auth/digest_response.hpp"

namespace callgate::sip::auth {
namespace {

CnonceSource fixedCnonce(std::string value) {
  return [value] { return value; };
}

// Hands out "c1", "c2", ... so each answer's cnonce is known.
CnonceSource countingCnonce() {
  return [n = 0]() mutable { return "c" + std::to_string(++n); };
}

DigestChallenge challenge(std::string_view text) {
  auto r = DigestChallenge::parse(text);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : DigestChallenge{};
}

constexpr std::string_view kRfc2617Challenge =
    R"(Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", )"
    R"(opaque="5ccc069c403ebaf9f0171e9517f40e41")";

TEST(DigestClient, AnswersTheRfc2617Example) {
  DigestClient client(fixedCnonce("0a4f113b"));
  auto c = client.answer(challenge(kRfc2617Challenge), {"Mufasa", "Circle Of Life"},
                         {"GET", "/dir/index.html", ""});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(
      c->toString(),
      R"(Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", )"
      R"(uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, )"
      R"(cnonce="0a4f113b", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001)");
}

TEST(DigestClient, AnswersTheRfc7616Sha256AndMd5Examples) {
  const std::string common =
      R"(realm="http-auth@example.org", qop="auth, auth-int", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", )"
      R"(opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")";
  const DigestRequest get{"GET", "/dir/index.html", ""};
  const UserCredentials mufasa{"Mufasa", "Circle of Life"};
  {
    DigestClient client(fixedCnonce("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"));
    auto c = client.answer(challenge("Digest algorithm=SHA-256, " + common), mufasa, get);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->response, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    EXPECT_EQ(c->qop, Qop::kAuth);
    EXPECT_NE(c->toString().find(", algorithm=SHA-256, "), std::string::npos);
  }
  {
    DigestClient client(fixedCnonce("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"));
    auto c = client.answer(challenge("Digest algorithm=MD5, " + common), mufasa, get);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->response, "8ca523f5e9506fed4657c9700eebdbec");
  }
}

// RFC 7616 §3.9.2 with the SHA-512/256 values of its inputs (see digest_response_test.cpp on erratum 4897).
TEST(DigestClient, SendsTheUserhashWhenAsked) {
  DigestClient client(fixedCnonce("NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v"));
  auto c = client.answer(
      challenge(R"(Digest realm="api@example.org", qop="auth", algorithm=SHA-512-256, )"
                R"(nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", )"
                R"(opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", charset=UTF-8, userhash=true)"),
      {"J\xc3\xa4s\xc3\xb8n Doe", "Secret, or not?"}, {"GET", "/doe.json", ""});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->username, "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b");
  EXPECT_TRUE(c->userhash);
  EXPECT_EQ(c->response, "3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5");
  const std::string text = c->toString();
  EXPECT_NE(text.find(", userhash=true"), std::string::npos);
  EXPECT_EQ(text.find("J\xc3\xa4s"), std::string::npos);  // the plain username never goes out
}

TEST(DigestClient, NonceCountIncrementsOnReuseAndResetsOnANewNonce) {
  DigestClient client(countingCnonce());
  const UserCredentials alice{"alice", "secret"};
  const DigestRequest reg{"REGISTER", "sip:atlanta.com", ""};
  const auto first = challenge(R"(Digest realm="atlanta.com", nonce="n1", qop="auth")");

  auto a1 = client.answer(first, alice, reg);
  auto a2 = client.answer(first, alice, reg);
  auto a3 = client.answer(first, alice, reg);
  ASSERT_TRUE(a1 && a2 && a3);
  EXPECT_EQ(a1->nonceCount, 1u);
  EXPECT_EQ(a2->nonceCount, 2u);
  EXPECT_EQ(a3->nonceCount, 3u);
  EXPECT_NE(a3->toString().find("nc=00000003"), std::string::npos);
  EXPECT_EQ(client.nonceCount("atlanta.com", "n1"), 3u);
  EXPECT_NE(a1->response, a2->response);
  // Each answer verifies as what it claims (its own nc and cnonce).
  for (const auto* a : {&*a1, &*a2, &*a3}) {
    EXPECT_TRUE(verifyDigestCredentials(*a, "alice", "secret", "REGISTER", ""));
  }

  auto fresh = client.answer(challenge(R"(Digest realm="atlanta.com", nonce="n2", qop="auth")"), alice, reg);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->nonceCount, 1u);
  EXPECT_EQ(client.nonceCount("atlanta.com", "n1"), 0u);
  EXPECT_EQ(client.nonceCount("atlanta.com", "n2"), 1u);

  // Another realm keeps its own count.
  auto other = client.answer(challenge(R"(Digest realm="biloxi.com", nonce="n1", qop="auth")"), alice, reg);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->nonceCount, 1u);
  EXPECT_EQ(client.nonceCount("atlanta.com", "n2"), 1u);

  client.reset();
  EXPECT_EQ(client.nonceCount("atlanta.com", "n2"), 0u);
}

TEST(DigestClient, PrefersAuthOverAuthInt) {
  DigestClient client(countingCnonce());
  auto c = client.answer(challenge(R"(Digest realm="r", nonce="n", qop="auth-int,auth")"), {"u", "p"},
                         {"INVITE", "sip:b@r", "v=0\r\n"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->qop, Qop::kAuth);
}

TEST(DigestClient, UsesAuthIntWhenThatIsAllThatIsOffered) {
  DigestClient client(countingCnonce());
  const std::string body = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n";
  auto c = client.answer(challenge(R"(Digest realm="r", nonce="n", qop="auth-int", algorithm=SHA-256)"),
                         {"u", "p"}, {"INVITE", "sip:b@r", body});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->qop, Qop::kAuthInt);
  EXPECT_NE(c->toString().find("qop=auth-int"), std::string::npos);
  EXPECT_TRUE(verifyDigestCredentials(*c, "u", "p", "INVITE", body));
  EXPECT_FALSE(verifyDigestCredentials(*c, "u", "p", "INVITE", body + "a=sendonly\r\n"));

  auto empty = client.answer(challenge(R"(Digest realm="r", nonce="n", qop="auth-int")"), {"u", "p"},
                             {"BYE", "sip:b@r", ""});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(verifyDigestCredentials(*empty, "u", "p", "BYE", ""));
  EXPECT_FALSE(verifyDigestCredentials(*empty, "u", "p", "BYE", " "));
}

TEST(DigestClient, WithoutQopAnswersInTheRfc2069Form) {
  DigestClient client(countingCnonce());
  auto c = client.answer(challenge(R"(Digest realm="atlanta.com", nonce="abc123")"), {"alice", "secret"},
                         {"REGISTER", "sip:atlanta.com", ""});
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->qop);
  EXPECT_FALSE(c->cnonce);
  EXPECT_EQ(c->response, "73911d626f4c576c44172b876078273b");  // digest_response_test.cpp, openssl-derived
  const std::string text = c->toString();
  EXPECT_EQ(text.find("nc="), std::string::npos);
  EXPECT_EQ(text.find("cnonce="), std::string::npos);
  EXPECT_EQ(text.find("qop="), std::string::npos);
  EXPECT_EQ(text.find("opaque="), std::string::npos);
}

TEST(DigestClient, SessWithoutQopStillSendsTheCnonceItsA1Used) {
  DigestClient client(fixedCnonce("xyz"));
  auto c = client.answer(challenge(R"(Digest realm="r", nonce="n", algorithm=MD5-sess)"), {"u", "p"},
                         {"OPTIONS", "sip:r", ""});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->cnonce, "xyz");
  EXPECT_FALSE(c->qop);
  EXPECT_TRUE(verifyDigestCredentials(*c, "u", "p", "OPTIONS", ""));
}

TEST(DigestClient, EveryAlgorithmAndQopRoundTripsThroughTheServerCheck) {
  DigestClient client(countingCnonce());
  for (std::string_view algorithm :
       {"MD5", "MD5-sess", "SHA-256", "SHA-256-sess", "SHA-512-256", "SHA-512-256-sess"}) {
    for (std::string_view qop : {"", ", qop=\"auth\"", ", qop=\"auth-int\""}) {
      const std::string text = "Digest realm=\"r\", nonce=\"n-" + std::string(algorithm) +
                               "\", opaque=\"o\\\"q\"" + ", algorithm=" + std::string(algorithm) +
                               std::string(qop);
      auto c =
          client.answer(challenge(text), {"u\"ser", "pa:ss"}, {"MESSAGE", "sip:r;transport=ws", "hello"});
      ASSERT_TRUE(c) << text << ": " << c.error().message;
      auto parsed = DigestCredentials::parse(c->toString());
      ASSERT_TRUE(parsed) << c->toString() << ": " << parsed.error().message;
      EXPECT_EQ(parsed->response.size(), digestHexLength(*parseDigestAlgorithm(algorithm)));
      EXPECT_EQ(parsed->opaque, "o\"q");
      EXPECT_TRUE(verifyDigestCredentials(*parsed, "u\"ser", "pa:ss", "MESSAGE", "hello")) << text;
      EXPECT_FALSE(verifyDigestCredentials(*parsed, "u\"ser", "pa:sS", "MESSAGE", "hello")) << text;
    }
  }
}

TEST(DigestClient, RefusesWhatItCannotSendSafely) {
  const auto ok = challenge(R"(Digest realm="r", nonce="n", qop="auth")");
  {
    DigestClient client(fixedCnonce(""));
    auto c = client.answer(ok, {"u", "p"}, {"REGISTER", "sip:r", ""});
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().message, "no cnonce: the random source failed");
  }
  {
    DigestClient client(fixedCnonce("a\r\nb"));
    auto c = client.answer(ok, {"u", "p"}, {"REGISTER", "sip:r", ""});
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().message, "cnonce contains a control character");
  }
  DigestClient client(countingCnonce());
  auto badUser = client.answer(ok, {"u\r\nVia: x", "p"}, {"REGISTER", "sip:r", ""});
  ASSERT_FALSE(badUser);
  EXPECT_EQ(badUser.error().message, "username contains a control character");
  auto badMethod = client.answer(ok, {"u", "p"}, {"REG ISTER", "sip:r", ""});
  ASSERT_FALSE(badMethod);
  EXPECT_EQ(badMethod.error().message, "method 'REG ISTER' is not a token");
  auto badUri = client.answer(ok, {"u", "p"}, {"REGISTER", "sip:r\n", ""});
  ASSERT_FALSE(badUri);
  EXPECT_EQ(badUri.error().message, "request URI contains a control character");
  auto onlyUnknownQop = client.answer(challenge(R"(Digest realm="r", nonce="n", qop="auth-conf")"),
                                      {"u", "p"}, {"REGISTER", "sip:r", ""});
  ASSERT_FALSE(onlyUnknownQop);
  EXPECT_EQ(onlyUnknownQop.error().message,
            "challenge for realm 'r' offers only unsupported qop 'auth-conf'");
}

TEST(DigestClient, DefaultCnonceIsRandomHexOf128Bits) {
  const auto source = randomCnonceSource();
  std::set<std::string> seen;
  for (int i = 0; i < 16; ++i) {
    const std::string cnonce = source();
    ASSERT_EQ(cnonce.size(), 32u);
    EXPECT_EQ(cnonce.find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(cnonce);
  }
  EXPECT_EQ(seen.size(), 16u);
}

}  // namespace
}  // namespace callgate::sip::auth
