#include "sip/message/header_values.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace callgate::sip {
namespace {

std::vector<std::string_view> split(std::string_view value) {
  std::vector<std::string_view> out;
  ListSplitter s(value);
  while (auto v = s.next()) out.push_back(*v);
  return out;
}

TEST(ListSplitter, SplitsAtTopLevelCommasOnly) {
  EXPECT_EQ(split("a, b ,c"), (std::vector<std::string_view>{"a", "b", "c"}));
  EXPECT_EQ(split("\"Doe, John\" <sip:j@x.com>, <sip:k@y.com;a=b,c>"),
            (std::vector<std::string_view>{"\"Doe, John\" <sip:j@x.com>", "<sip:k@y.com;a=b,c>"}));
  EXPECT_EQ(split("x (a, comment), y"), (std::vector<std::string_view>{"x (a, comment)", "y"}));
  EXPECT_EQ(split(" , ,a,,"), (std::vector<std::string_view>{"a"}));
  EXPECT_TRUE(split("").empty());
}

TEST(NameAddr, QuotedDisplayNameWithEscapes) {
  auto a = parseNameAddr("\"Bob \\\"B\\\" Smith\" <sip:bob@biloxi.com;transport=tcp>;tag=a6c85cf");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->displayName, "\"Bob \\\"B\\\" Smith\"");
  EXPECT_TRUE(a->angleBrackets);
  EXPECT_EQ(a->uri.user, "bob");
  EXPECT_EQ(a->uri.param("transport"), "tcp");
  EXPECT_EQ(a->tag(), "a6c85cf");
}

TEST(NameAddr, TokenDisplayNameWithoutSpaceBeforeBracket) {
  auto a = parseNameAddr("caller<sip:caller@example.com>;tag=323");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->displayName, "caller");
  EXPECT_EQ(a->tag(), "323");
}

TEST(NameAddr, AddrSpecParamsBelongToTheHeader) {
  // RFC 3261 §20.10: without <>, the ;params after the URI are header parameters.
  auto a = parseNameAddr("sip:bob@biloxi.com;tag=1928301774");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_FALSE(a->angleBrackets);
  EXPECT_TRUE(a->uri.params.empty());
  EXPECT_EQ(a->tag(), "1928301774");
}

TEST(NameAddr, RejectsMalformed) {
  EXPECT_FALSE(parseNameAddr(""));
  EXPECT_FALSE(parseNameAddr("\"unterminated <sip:a@b.com>"));
  EXPECT_FALSE(parseNameAddr("Bell, Alexander <sip:a.g.bell@bell-tel.com>"));  // ',' not a token char
  EXPECT_FALSE(parseNameAddr("<sip:a@b.com"));
  EXPECT_FALSE(parseNameAddr("<sip:a@b.com> junk"));
  EXPECT_FALSE(parseNameAddr("<sip:a@b.com>;tag=\"open"));
  EXPECT_FALSE(parseNameAddr("\"Quoted\" sip:a@b.com"));
}

TEST(Contact, StarAndAddresses) {
  auto star = parseContact(" * ");
  ASSERT_TRUE(star);
  EXPECT_TRUE(star->star);
  auto c =
      parseContact("<sip:3001@127.0.0.1:5070;transport=udp>;expires=3600;+sip.instance=\"<urn:uuid:1>\"");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_FALSE(c->star);
  EXPECT_EQ(c->address.uri.port, 5070);
  EXPECT_EQ(c->address.param("expires"), "3600");
  EXPECT_EQ(c->address.param("+sip.instance"), "\"<urn:uuid:1>\"");
}

TEST(Via, ParsesSentProtocolSentByAndParams) {
  auto via = parseVia("SIP/2.0/UDP 127.0.0.1:5070;rport=5070;branch=z9hG4bK123;received=192.0.2.9");
  ASSERT_TRUE(via) << via.error().message;
  EXPECT_EQ(via->transport, "UDP");
  EXPECT_EQ(via->host, "127.0.0.1");
  EXPECT_EQ(via->port, 5070);
  EXPECT_EQ(via->branch, "z9hG4bK123");
  EXPECT_TRUE(via->hasRfc3261Branch());
  EXPECT_EQ(via->received, "192.0.2.9");
  ASSERT_TRUE(via->rport);
  EXPECT_EQ(*via->rport, "5070");
}

TEST(Via, ToleratesLwsAroundSlashesAndColon) {
  auto via = parseVia("SIP  /   2.0\r\n /UDP\r\n    192.0.2.2 : 5060 ;branch=390skdjuw;rport");
  ASSERT_TRUE(via) << via.error().message;
  EXPECT_EQ(via->transport, "UDP");
  EXPECT_EQ(via->host, "192.0.2.2");
  EXPECT_EQ(via->port, 5060);
  EXPECT_FALSE(via->hasRfc3261Branch());
  ASSERT_TRUE(via->rport);
  EXPECT_EQ(*via->rport, "");
}

TEST(Via, Ipv6SentBy) {
  auto via = parseVia("SIP/2.0/TCP [2001:db8::9:1]:5061;branch=z9hG4bKas3-111");
  ASSERT_TRUE(via) << via.error().message;
  EXPECT_EQ(via->host, "[2001:db8::9:1]");
  EXPECT_EQ(via->hostType, HostType::kIPv6);
  EXPECT_EQ(via->port, 5061);
}

TEST(Via, RejectsMalformed) {
  EXPECT_FALSE(parseVia("SIP/2.0 127.0.0.1"));
  EXPECT_FALSE(parseVia("SIP/3.0/UDP 127.0.0.1"));
  EXPECT_FALSE(parseVia("SIP/2.0/UDP"));
  EXPECT_FALSE(parseVia("SIP/2.0/UDP 127.0.0.1:99999"));
  EXPECT_FALSE(parseVia("SIP/2.0/UDP 127.0.0.1;rport=abc"));
  EXPECT_FALSE(parseVia("SIP/2.0/UDP 127.0.0.1;ttl=300"));
}

TEST(CSeq, ParsesAndBounds) {
  auto c = parseCSeq("4711 INVITE");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->sequence, 4711u);
  EXPECT_EQ(c->method, "INVITE");
  auto max = parseCSeq("4294967295\r\n INVITE");
  ASSERT_TRUE(max);
  EXPECT_EQ(max->sequence, 4294967295u);
  EXPECT_FALSE(parseCSeq("4294967296 INVITE"));
  EXPECT_FALSE(parseCSeq("-1 INVITE"));
  EXPECT_FALSE(parseCSeq("12"));
  EXPECT_FALSE(parseCSeq("12INVITE"));
  EXPECT_FALSE(parseCSeq("12 IN VITE"));
}

TEST(UnsignedHeader, NamesTheHeaderInItsError) {
  auto ok = parseUnsignedHeader(" 70 ", 255, "Max-Forwards");
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 70u);
  auto bad = parseUnsignedHeader("300", 255, "Max-Forwards");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "Max-Forwards must be a number from 0 to 255, not '300'");
}

}  // namespace
}  // namespace callgate::sip
