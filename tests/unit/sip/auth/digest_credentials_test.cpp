#include "sip/auth/digest_credentials.hpp"

#include <gtest/gtest.h>

#include <string>

namespace callgate::sip::auth {
namespace {

std::string errorOf(std::string_view value) {
  auto r = DigestCredentials::parse(value);
  return r ? std::string("<parsed>") : r.error().message;
}

// RFC 2617 §3.5, the Authorization of the example with its line folds.
constexpr std::string_view kRfc2617Authorization =
    "Digest username=\"Mufasa\",\r\n"
    "                 realm=\"testrealm@host.com\",\r\n"
    "                 nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n"
    "                 uri=\"/dir/index.html\",\r\n"
    "                 qop=auth,\r\n"
    "                 nc=00000001,\r\n"
    "                 cnonce=\"0a4f113b\",\r\n"
    "                 response=\"6629fae49393a05397450978507c4ef1\",\r\n"
    "                 opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";

TEST(DigestCredentials, ParsesRfc2617Example) {
  auto r = DigestCredentials::parse(kRfc2617Authorization);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->username, "Mufasa");
  EXPECT_EQ(r->realm, "testrealm@host.com");
  EXPECT_EQ(r->nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
  EXPECT_EQ(r->uri, "/dir/index.html");
  EXPECT_EQ(r->qop, Qop::kAuth);
  EXPECT_EQ(r->nonceCount, 1u);
  EXPECT_EQ(r->cnonce, "0a4f113b");
  EXPECT_EQ(r->response, "6629fae49393a05397450978507c4ef1");
  EXPECT_EQ(r->opaque, "5ccc069c403ebaf9f0171e9517f40e41");
  EXPECT_EQ(r->algorithm, DigestAlgorithm::kMd5);
  EXPECT_FALSE(r->algorithmGiven);
  EXPECT_FALSE(r->userhash);
}

TEST(DigestCredentials, ToStringWritesTheRfcQuotingAndRoundTrips) {
  DigestCredentials c;
  c.username = R"(al"ice\)";
  c.realm = "atlanta.com";
  c.nonce = "n0";
  c.uri = "sip:bob@biloxi.com";
  c.response = std::string(64, 'a');
  c.algorithm = DigestAlgorithm::kSha256;
  c.algorithmGiven = true;
  c.cnonce = "c0";
  c.opaque = "";
  c.qop = Qop::kAuthInt;
  c.nonceCount = 0x1a;
  c.userhash = true;
  const std::string text = c.toString();
  EXPECT_EQ(text,
            R"(Digest username="al\"ice\\", realm="atlanta.com", nonce="n0", uri="sip:bob@biloxi.com", )"
            R"(response=")" +
                std::string(64, 'a') +
                R"(", algorithm=SHA-256, cnonce="c0", opaque="", qop=auth-int, nc=0000001a, userhash=true)");
  auto back = DigestCredentials::parse(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->username, c.username);
  EXPECT_EQ(back->algorithm, c.algorithm);
  EXPECT_EQ(back->qop, c.qop);
  EXPECT_EQ(back->nonceCount, c.nonceCount);
  EXPECT_EQ(back->opaque, c.opaque);
  EXPECT_TRUE(back->userhash);
  EXPECT_EQ(back->toString(), text);
}

TEST(DigestCredentials, Rfc2069FormHasNoQopCnonceOrNc) {
  DigestCredentials c;
  c.username = "u";
  c.realm = "r";
  c.nonce = "n";
  c.uri = "sip:r";
  c.response = std::string(32, '0');
  EXPECT_EQ(
      c.toString(),
      R"(Digest username="u", realm="r", nonce="n", uri="sip:r", response="00000000000000000000000000000000")");
}

TEST(DigestCredentials, FormatsNonceCountAsEightHexDigits) {
  EXPECT_EQ(formatNonceCount(1), "00000001");
  EXPECT_EQ(formatNonceCount(0xabcdef12u), "abcdef12");
  EXPECT_EQ(formatNonceCount(0xffffffffu), "ffffffff");
}

TEST(DigestCredentials, RejectsWithAMessageNamingTheProblem) {
  const std::string md5 = std::string(32, 'a');
  const std::string base = R"(Digest username="u", realm="r", nonce="n", uri="sip:x")";
  EXPECT_EQ(errorOf(base), "Digest credentials have no response");
  EXPECT_EQ(errorOf(R"(Digest realm="r", nonce="n", uri="sip:x", response=")" + md5 + "\""),
            "Digest credentials have no username");
  EXPECT_EQ(errorOf(R"(Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==)"), "authentication scheme 'Basic' is not Digest");
  EXPECT_EQ(errorOf(R"(Bearer x=1)"), "authentication scheme 'Bearer' is not Digest");
  EXPECT_EQ(errorOf(base + R"(, response="abc")"), "response must be 32 hex digits for MD5");
  EXPECT_EQ(errorOf(base + R"(, algorithm=SHA-256, response=")" + md5 + "\""),
            "response must be 64 hex digits for SHA-256");
  EXPECT_EQ(errorOf(base + R"(, response="zz)" + std::string(30, 'a') + "\""),
            "response must be 32 hex digits for MD5");
  EXPECT_EQ(errorOf(base + R"(, response=")" + md5 + R"(", qop=auth, nc=00000001)"),
            "Digest credentials have qop but no cnonce");
  EXPECT_EQ(errorOf(base + R"(, response=")" + md5 + R"(", qop=auth, cnonce="c")"),
            "Digest credentials have qop but no nc");
  EXPECT_EQ(errorOf(base + R"(, response=")" + md5 + R"(", qop=auth, cnonce="c", nc=1)"),
            "nc '1' is not 8 hex digits");
  EXPECT_EQ(errorOf(base + R"(, response=")" + md5 + R"(", qop=auth, cnonce="c", nc=0000000g)"),
            "nc '0000000g' is not 8 hex digits");
  EXPECT_EQ(errorOf(base + R"(, response=")" + md5 + R"(", qop=auth-conf)"), "unsupported qop 'auth-conf'");
  EXPECT_EQ(errorOf(base + R"(, response=")" + md5 + R"(", algorithm=SHA-1)"),
            "unsupported algorithm 'SHA-1'");
  EXPECT_EQ(errorOf(base + R"(, response=")" + md5 + R"(", Nonce="m")"), "duplicate parameter 'Nonce'");
}

}  // namespace
}  // namespace callgate::sip::auth
