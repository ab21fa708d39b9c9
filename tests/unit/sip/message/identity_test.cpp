#include "sip/message/identity.hpp"

#include <gtest/gtest.h>

#include "sip/message/uri.hpp"

namespace callgate::sip {
namespace {

TEST(Identity, PlainUserPassesUnchanged) {
  auto u = userPartFromTyped("3000", "sipLogin");
  ASSERT_TRUE(u);
  EXPECT_EQ(*u, "3000");
  EXPECT_EQ(*userPartFromTyped("alice.smith+work;x=1", "sipLogin"), "alice.smith+work;x=1");
}

TEST(Identity, EscapesWhatCanBeEscaped) {
  // The WCS known issue: a login with a space and an '@'.
  auto u = userPartFromTyped("Ralf C12441@host.com", "sipLogin");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(*u, "Ralf%20C12441%40host.com");
  EXPECT_EQ(*userPartFromTyped("J\xc3\xb6rg", "sipLogin"), "J%C3%B6rg");
  EXPECT_EQ(*userPartFromTyped("100%", "sipLogin"), "100%25");
  EXPECT_EQ(*userPartFromTyped("a%20b", "sipLogin"), "a%20b");  // an escape already written stays one
  EXPECT_EQ(*userPartFromTyped("a#b[c]", "sipLogin"), "a%23b%5Bc%5D");
}

TEST(Identity, EscapedResultIsAValidUriUserAndUnescapesBack) {
  for (std::string_view typed : {"Ralf C12441@host.com", "x:y", "tab\\slash", "J\xc3\xb6rg {1}"}) {
    auto u = userPartFromTyped(typed, "sipLogin");
    ASSERT_TRUE(u) << typed;
    const std::string text = "sip:" + *u + "@example.com";  // the URI views this text
    auto uri = parseUri(text);
    ASSERT_TRUE(uri) << *u << ": " << uri.error().message;
    EXPECT_EQ(uri->host, "example.com");
    EXPECT_EQ(unescape(uri->user), typed);
  }
}

TEST(Identity, RefusesAmbiguousInputNamingFieldAndRule) {
  auto brackets = userPartFromTyped("<3000>", "sipLogin");
  ASSERT_FALSE(brackets);
  EXPECT_NE(brackets.error().message.find("sipLogin"), std::string::npos);
  EXPECT_NE(brackets.error().message.find("'<' or '>'"), std::string::npos);
  EXPECT_NE(brackets.error().message.find("RFC 3261"), std::string::npos);

  auto empty = userPartFromTyped("", "sipAuthenticationName");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("sipAuthenticationName is empty"), std::string::npos);

  EXPECT_FALSE(userPartFromTyped(" 3000", "sipLogin"));
  EXPECT_FALSE(userPartFromTyped("3000\r\nVia: x", "sipLogin"));
  EXPECT_FALSE(userPartFromTyped("\"Alice\" 3000", "sipLogin"));
}

TEST(Identity, DigestUsername) {
  EXPECT_EQ(*digestUsernameFromTyped("Ralf C12441@host.com", "sipAuthenticationName"),
            "Ralf C12441@host.com");
  EXPECT_EQ(*digestUsernameFromTyped("a\"b\\c", "sipAuthenticationName"), "a\\\"b\\\\c");
  auto bad = digestUsernameFromTyped("<3000>", "sipAuthenticationName");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("sipAuthenticationName"), std::string::npos);
  EXPECT_FALSE(digestUsernameFromTyped("a\nb", "sipAuthenticationName"));
}

}  // namespace
}  // namespace callgate::sip
