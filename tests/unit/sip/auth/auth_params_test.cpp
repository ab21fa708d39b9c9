#include "sip/auth/auth_params.hpp"

#include <gtest/gtest.h>

#include <string>

namespace callgate::sip::auth {
namespace {

std::string errorOf(std::string_view value) {
  auto r = AuthParams::parse(value);
  return r ? std::string("<parsed>") : r.error().message;
}

TEST(AuthParams, ParsesSchemeAndTokenAndQuotedValues) {
  auto r = AuthParams::parse(R"(Digest realm="atlanta.com", algorithm=MD5, qop="auth,auth-int")");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->scheme(), "Digest");
  ASSERT_EQ(r->params().size(), 3u);
  EXPECT_EQ(r->params()[0].name, "realm");
  EXPECT_EQ(r->params()[0].value, "atlanta.com");
  EXPECT_TRUE(r->params()[0].quoted);
  EXPECT_EQ(r->params()[1].value, "MD5");
  EXPECT_FALSE(r->params()[1].quoted);
  EXPECT_EQ(r->params()[2].value, "auth,auth-int");
}

TEST(AuthParams, FindIsCaseInsensitive) {
  auto r = AuthParams::parse(R"(Digest REALM="x", Nonce="y")");
  ASSERT_TRUE(r);
  ASSERT_NE(r->find("realm"), nullptr);
  EXPECT_EQ(r->find("realm")->value, "x");
  EXPECT_EQ(r->find("NONCE")->value, "y");
  EXPECT_EQ(r->find("opaque"), nullptr);
}

TEST(AuthParams, ResolvesQuotedPairs) {
  auto r = AuthParams::parse(R"(Digest opaque="a\"b\\c\d")");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->find("opaque")->value, "a\"b\\cd");
}

TEST(AuthParams, AcceptsFoldsAndOddSpacingAnywhereLwsIsAllowed) {
  auto r = AuthParams::parse("  Digest\r\n  realm \t=\r\n\t\"x\"\r\n ,\n nonce= \"y\"  ,,  qop=auth , ");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->scheme(), "Digest");
  ASSERT_EQ(r->params().size(), 3u);
  EXPECT_EQ(r->find("realm")->value, "x");
  EXPECT_EQ(r->find("nonce")->value, "y");
  EXPECT_EQ(r->find("qop")->value, "auth");
}

TEST(AuthParams, FoldInsideQuotesBecomesOneSpace) {
  auto r = AuthParams::parse("Digest qop=\"auth,\r\n     auth-int\"");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->find("qop")->value, "auth, auth-int");
}

TEST(AuthParams, KeepsUtf8InQuotedValues) {
  auto r = AuthParams::parse("Digest username=\"J\xc3\xa4s\xc3\xb8n Doe\"");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->find("username")->value, "J\xc3\xa4s\xc3\xb8n Doe");
}

TEST(AuthParams, SchemeAloneHasNoParams) {
  auto r = AuthParams::parse("Digest  ");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->params().empty());
}

TEST(AuthParams, RejectsLineBreakThatIsNotAFold) {
  EXPECT_NE(errorOf("Digest realm=\"x\",\r\nnonce=\"y\"").find("not a fold"), std::string::npos);
  EXPECT_NE(errorOf("Digest realm=\"x\r\ny\"").find("is not a fold"), std::string::npos);
  EXPECT_NE(errorOf("Digest realm=\"x\"\r").find("not a fold"), std::string::npos);
}

TEST(AuthParams, RejectsMalformedInputNamingTheProblem) {
  EXPECT_EQ(errorOf(""), "empty authentication header value");
  EXPECT_EQ(errorOf("   \t"), "empty authentication header value");
  EXPECT_EQ(errorOf("\"Digest\""), "expected an authentication scheme, found '\"'");
  EXPECT_EQ(errorOf("Digest,realm=\"x\""), "expected whitespace after scheme 'Digest', found ','");
  EXPECT_EQ(errorOf(R"(Digest realm="x", nonce="y)"), "unterminated quoted-string in parameter 'nonce'");
  EXPECT_EQ(errorOf(R"(Digest realm="x\)"), "unterminated quoted-string in parameter 'realm'");
  EXPECT_EQ(errorOf(R"(Digest realm)"), "parameter 'realm' has no '=' and value");
  EXPECT_EQ(errorOf(R"(Digest realm=)"), "parameter 'realm' has an empty value");
  EXPECT_EQ(errorOf(R"(Digest realm=@x)"),
            "parameter 'realm' has an invalid value starting with '@' (neither token nor quoted-string)");
  EXPECT_EQ(errorOf(R"(Digest realm="x" nonce="y")"), "expected ',' after parameter 'realm', found 'n'");
  EXPECT_EQ(errorOf(R"(Digest realm="x", ="y")"), "expected a parameter name at offset 18, found '='");
  EXPECT_EQ(errorOf(std::string("Digest realm=\"a\x01z\"")),
            "control character '\\x01' in the quoted value of parameter 'realm'");
  EXPECT_EQ(errorOf(std::string("Digest realm=\"a\\\x80\"")),
            "invalid quoted-pair \\\\x80 in parameter 'realm'");
  // Found by fuzz_digest_challenge (regressions/quoted_pair_nul_in_realm): an escaped NUL.
  EXPECT_EQ(errorOf(std::string("Digest realm=\"a\\\0b\"", 19)),
            "invalid quoted-pair \\\\x00 in parameter 'realm'");
  EXPECT_EQ(errorOf(std::string("Digest realm=\"a\\\x7f\"")),
            "invalid quoted-pair \\\\x7f in parameter 'realm'");
  EXPECT_EQ(errorOf(std::string("Digest realm=\"a\\\r\n b\"")),
            "invalid quoted-pair \\\\x0d in parameter 'realm'");
}

TEST(AuthParams, RejectsDuplicateParamsCaseInsensitively) {
  EXPECT_EQ(errorOf(R"(Digest nonce="a", realm="r", Nonce="b")"), "duplicate parameter 'Nonce'");
}

TEST(AuthParams, EnforcesSizeLimits) {
  std::string huge = "Digest realm=\"" + std::string(kMaxAuthHeaderSize, 'a') + "\"";
  EXPECT_NE(errorOf(huge).find("over the limit of 8192"), std::string::npos);

  std::string many = "Digest ";
  for (size_t i = 0; i <= kMaxAuthParams; ++i) many += "p" + std::to_string(i) + "=v,";
  EXPECT_EQ(errorOf(many), "more than 32 parameters");

  std::string exactlyMax = "Digest ";
  for (size_t i = 0; i < kMaxAuthParams; ++i) exactlyMax += "p" + std::to_string(i) + "=v,";
  EXPECT_TRUE(AuthParams::parse(exactlyMax));

  const std::string longName(kMaxAuthParamNameSize + 1, 'n');
  EXPECT_NE(errorOf("Digest " + longName + "=v").find("is longer than 64 characters"), std::string::npos);
}

TEST(AuthParams, AppendQuotedEscapesAndRoundTrips) {
  std::string out;
  appendQuoted(out, R"(a"b\c)");
  EXPECT_EQ(out, R"("a\"b\\c")");
  auto r = AuthParams::parse("Digest x=" + out);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->find("x")->value, R"(a"b\c)");
}

TEST(AuthParams, TokenCharacters) {
  EXPECT_TRUE(isToken("SHA-512-256-sess"));
  EXPECT_TRUE(isToken("a.b!c%d*e_f+g`h'i~j"));
  EXPECT_FALSE(isToken(""));
  EXPECT_FALSE(isToken("a b"));
  EXPECT_FALSE(isToken("a@b"));
  EXPECT_FALSE(isToken("a:b"));
}

}  // namespace
}  // namespace callgate::sip::auth
