#include "sip/message/uri.hpp"

#include <gtest/gtest.h>

namespace callgate::sip {
namespace {

TEST(Uri, ParsesFullSipUri) {
  auto uri =
      parseUri("sip:alice:secret@atlanta.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent");
  ASSERT_TRUE(uri) << uri.error().message;
  EXPECT_EQ(uri->scheme, UriScheme::kSip);
  EXPECT_EQ(uri->user, "alice");
  EXPECT_EQ(uri->password, "secret");
  EXPECT_EQ(uri->host, "atlanta.com");
  EXPECT_EQ(uri->hostType, HostType::kDomain);
  EXPECT_TRUE(uri->hasPort);
  EXPECT_EQ(uri->port, 5061);
  EXPECT_EQ(uri->params, ";transport=tcp;lr");
  EXPECT_EQ(uri->param("transport"), "tcp");
  EXPECT_EQ(uri->param("LR"), "");
  EXPECT_FALSE(uri->param("maddr"));
  EXPECT_EQ(uri->headers, "?subject=project%20x&priority=urgent");
}

TEST(Uri, SchemeIsCaseInsensitive) {
  auto uri = parseUri("SIPS:bob@biloxi.example.com");
  ASSERT_TRUE(uri);
  EXPECT_EQ(uri->scheme, UriScheme::kSips);
  EXPECT_FALSE(uri->hasPort);
}

TEST(Uri, Ipv6Reference) {
  auto uri = parseUri("sip:[2001:db8::10]:5070;transport=udp");
  ASSERT_TRUE(uri) << uri.error().message;
  EXPECT_EQ(uri->host, "[2001:db8::10]");
  EXPECT_EQ(uri->hostAddress(), "2001:db8::10");
  EXPECT_EQ(uri->hostType, HostType::kIPv6);
  EXPECT_EQ(uri->port, 5070);
  EXPECT_FALSE(parseUri("sip:[2001:db8::10"));
  EXPECT_FALSE(parseUri("sip:[2001:db8:::10:zz]"));
  // RFC 5118 §4.5: an IPv6 address must be in brackets inside a SIP URI.
  EXPECT_FALSE(parseUri("sip:2001:db8::10"));
  // RFC 5118 §4.10: the 3-colon form that RFC 3261's ABNF allowed by mistake is tolerated.
  auto threeColons = parseUri("sip:user@[2001:db8:::192.0.2.1]");
  ASSERT_TRUE(threeColons) << threeColons.error().message;
  EXPECT_EQ(threeColons->hostType, HostType::kIPv6);
}

TEST(Uri, Ipv4AndHostnames) {
  auto v4 = parseUri("sip:3000@127.0.0.1:5060");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->hostType, HostType::kIPv4);
  EXPECT_FALSE(parseUri("sip:3000@127.0.0.300"));
  EXPECT_FALSE(parseUri("sip:3000@-bad.example.com"));
  EXPECT_FALSE(parseUri("sip:3000@example..com"));
  EXPECT_TRUE(parseUri("sip:3000@example.com."));
  EXPECT_FALSE(parseUri("sip:3000@example.com:70000"));
  EXPECT_FALSE(parseUri("sip:3000@example.com:"));
}

TEST(Uri, EscapedUserAndUserUnreserved) {
  auto uri = parseUri("sip:user;par=u%40example.net@example.com");
  ASSERT_TRUE(uri) << uri.error().message;
  EXPECT_EQ(uri->user, "user;par=u%40example.net");
  EXPECT_EQ(unescape(uri->user), "user;par=u@example.net");
  EXPECT_EQ(uri->host, "example.com");
  EXPECT_TRUE(uri->params.empty());
}

TEST(Uri, RejectsWhatMustBeEscaped) {
  auto spaces = parseUri("sip:Ralf C12441@host.com");
  ASSERT_FALSE(spaces);
  EXPECT_NE(spaces.error().message.find("'Ralf C12441' has a character that must be escaped"),
            std::string::npos)
      << spaces.error().message;
  auto brackets = parseUri("<sip:3000@host.com>");
  EXPECT_FALSE(brackets);
  EXPECT_FALSE(parseUri("sip:us\"er@host.com"));
  EXPECT_FALSE(parseUri("sip:user@host.com;bad param=1"));
  EXPECT_FALSE(parseUri("sip:user%4@host.com"));
  EXPECT_FALSE(parseUri("sip:@host.com"));
  EXPECT_FALSE(parseUri("nocolon"));
  EXPECT_FALSE(parseUri("1sip:host"));
}

TEST(Uri, TelUri) {
  auto global = parseUri("tel:+1-201-555-0123");
  ASSERT_TRUE(global) << global.error().message;
  EXPECT_EQ(global->scheme, UriScheme::kTel);
  EXPECT_EQ(global->user, "+1-201-555-0123");
  auto local = parseUri("tel:7042;phone-context=example.com");
  ASSERT_TRUE(local) << local.error().message;
  EXPECT_EQ(local->param("phone-context"), "example.com");
  EXPECT_FALSE(parseUri("tel:7042"));  // RFC 3966 §5.1.5: local numbers need a context
  EXPECT_FALSE(parseUri("tel:+1-20x"));
}

TEST(Uri, OtherSchemesAreOpaque) {
  auto im = parseUri("im:alice@example.com");
  ASSERT_TRUE(im);
  EXPECT_EQ(im->scheme, UriScheme::kOther);
  EXPECT_EQ(im->schemeText, "im");
  EXPECT_EQ(im->opaque, "alice@example.com");
}

// RFC 3261 §19.1.4's own examples.
TEST(Uri, EquivalenceFollowsRfc3261Examples) {
  auto eq = [](std::string_view a, std::string_view b) { return uriEquivalent(*parseUri(a), *parseUri(b)); };
  EXPECT_TRUE(eq("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"));
  EXPECT_TRUE(eq("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"));
  EXPECT_TRUE(eq("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;newparam=5"));
  EXPECT_TRUE(eq("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
                 "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"));
  EXPECT_TRUE(eq("sip:alice@atlanta.com?subject=project%20x&priority=urgent",
                 "sip:alice@atlanta.com?priority=urgent&subject=project%20x"));
  EXPECT_FALSE(eq("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"));
  EXPECT_FALSE(eq("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"));
  EXPECT_FALSE(eq("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"));
  EXPECT_FALSE(eq("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"));
  EXPECT_FALSE(eq("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"));
  EXPECT_FALSE(eq("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"));
  EXPECT_FALSE(eq("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"));
  // Escaped parameter names are the names themselves; escaped values are compared unescaped.
  EXPECT_TRUE(eq("sip:a@b.com;n%61me=v%61lue", "sip:a@b.com;name=value"));
  EXPECT_FALSE(eq("sip:a@b.com;n%61me=v%61lue", "sip:a@b.com;name=other"));
  EXPECT_TRUE(eq("sip:a@b.com;%6C%72", "sip:a@b.com"));
  // Found by fuzz_sip_uri: a repeated parameter must not make a URI differ from itself.
  EXPECT_TRUE(eq("sip:user;par=u%40pexm%40peuser;par=u%40", "sip:user;par=u%40pexm%40peuser;par=u%40"));
  EXPECT_FALSE(eq("sip:a@b.com;x=1;x=2", "sip:a@b.com;x=2"));  // x=1 has no match on the right  // lr on one
                                                               // side only: ignored, as any other parameter
}

TEST(Uri, UnescapeKeepsInvalidEscapes) {
  EXPECT_EQ(unescape("a%20b%2"), "a b%2");
  EXPECT_EQ(unescape("%zz"), "%zz");
  EXPECT_EQ(unescape("%00x"), std::string("\0x", 2));
}

}  // namespace
}  // namespace callgate::sip
