// RFC 5118, "SIP Torture Test Messages for IPv6": the twelve messages of §4, read from
// tests/data/sip/rfc5118/NAME.dat (see tests/data/sip/rfc4475/README.md for how they were made). Each test
// quotes the sentence of the RFC that decides it.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/message/header_values.hpp"
#include "sip/message/message.hpp"
#include "sip/message/parser.hpp"
#include "sip/message/uri.hpp"
#include "sip/message/validate.hpp"
#include "sip/message/writer.hpp"
#include "test_data.hpp"

namespace callgate::sip {
namespace {

std::string load5118(std::string_view name) {
  return testing::readTestFile("sip/rfc5118/" + std::string(name) + ".dat");
}

std::string explain(const core::Error& e) {
  return e.message + " (code " + std::to_string(e.code) + ")";
}

std::vector<Via> viasOf(const Message& m) {
  std::vector<Via> out;
  for (const HeaderField& field : m.headers()) {
    if (field.id != HeaderId::kVia) continue;
    ListSplitter values(field.value);
    while (auto value = values.next()) {
      auto via = parseVia(*value);
      EXPECT_TRUE(via.ok()) << "Via '" << *value << "': " << (via ? "" : via.error().message);
      if (via) out.push_back(*via);
    }
  }
  return out;
}

// Parses NAME.dat into `var`, which must then also pass validation.
#define PARSE_VALID(var, name)                                                                   \
  const std::string var##Raw = load5118(name);                                                   \
  const core::Result<Message> var##Parsed = parseMessage(var##Raw, Framing::kDatagram);          \
  ASSERT_TRUE(var##Parsed.ok()) << (var##Parsed ? std::string() : explain(var##Parsed.error())); \
  const Message& var = *var##Parsed;                                                             \
  do {                                                                                           \
    auto verdict_ = validateMessage(var);                                                        \
    EXPECT_TRUE(verdict_.ok()) << (verdict_ ? std::string() : explain(verdict_.error()));        \
  } while (0)

// §4.1 Valid SIP Message with an IPv6 Reference: the request is "well-formatted according to the grammar in
// [RFC3261]"; IPv6 references in the Request-URI, the Via sent-by and the Contact.
TEST(Rfc5118, Ipv6Good) {
  PARSE_VALID(m, "ipv6-good");
  auto ruri = parseUri(m.requestUri());
  ASSERT_TRUE(ruri.ok()) << ruri.error().message;
  EXPECT_EQ(ruri->host, "[2001:db8::10]");
  EXPECT_EQ(ruri->hostAddress(), "2001:db8::10");
  EXPECT_EQ(ruri->hostType, HostType::kIPv6);
  EXPECT_FALSE(ruri->hasPort);
  std::vector<Via> v = viasOf(m);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].host, "[2001:db8::9:1]");
  EXPECT_EQ(v[0].hostType, HostType::kIPv6);
  EXPECT_FALSE(v[0].hasPort);
  auto contact = parseContact(m.headerValue(HeaderId::kContact));
  ASSERT_TRUE(contact.ok());
  EXPECT_EQ(contact->address.uri.host, "[2001:db8::1]");
  EXPECT_EQ(contact->address.uri.hostType, HostType::kIPv6);
}

// §4.2 Invalid SIP Message with an IPv6 Reference: the Request-URI holds an IPv6 address without "[" "]".
// "A SIP implementation receiving this request should respond with a 400 Bad Request".
TEST(Rfc5118, Ipv6Bad) {
  EXPECT_FALSE(parseUri("sip:2001:db8::10").ok());
  const std::string raw = load5118("ipv6-bad");
  auto m = parseMessage(raw, Framing::kDatagram);
  if (!m) return;  // refused at the parse boundary
  auto verdict = validateMessage(*m);
  ASSERT_FALSE(verdict.ok()) << "an undelimited IPv6 Request-URI was accepted";
  EXPECT_EQ(verdict.error().code, 400) << explain(verdict.error());
}

// §4.3 Port Ambiguous in a SIP URI: "From a parsing perspective, the request below is well-formed. However,
// from a semantic point of view, it will not yield the desired result." Everything inside the brackets is
// the address (the intended port became its last group): no port.
TEST(Rfc5118, PortAmbiguous) {
  PARSE_VALID(m, "port-ambiguous");
  auto ruri = parseUri(m.requestUri());
  ASSERT_TRUE(ruri.ok()) << ruri.error().message;
  EXPECT_EQ(ruri->host, "[2001:db8::10:5070]");
  EXPECT_EQ(ruri->hostType, HostType::kIPv6);
  EXPECT_FALSE(ruri->hasPort);
}

// §4.4 Port Unambiguous in a SIP URI: the port follows the "]".
TEST(Rfc5118, PortUnambiguous) {
  PARSE_VALID(m, "port-unambiguous");
  auto ruri = parseUri(m.requestUri());
  ASSERT_TRUE(ruri.ok()) << ruri.error().message;
  EXPECT_EQ(ruri->host, "[2001:db8::10]");
  EXPECT_EQ(ruri->hostType, HostType::kIPv6);
  EXPECT_TRUE(ruri->hasPort);
  EXPECT_EQ(ruri->port, 5070);
  auto ambiguous = parseUri("sip:[2001:db8::10:5070]");
  ASSERT_TRUE(ambiguous.ok());
  EXPECT_FALSE(uriEquivalent(*ruri, *ambiguous));
}

// §4.5 IPv6 Reference Delimiters in Via Header: "implementations must follow the Robustness Principle
// [RFC1122] and be liberal in accepting a "received" parameter with or without the delimiting "[" and "]"
// tokens." "A SIP implementation receiving either of these messages must parse them successfully."
TEST(Rfc5118, ViaReceivedWithDelimiters) {
  PARSE_VALID(m, "via-received-param-with-delim");
  std::vector<Via> v = viasOf(m);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].host, "[2001:db8::9:1]");
  EXPECT_EQ(v[0].received, "[2001:db8::9:255]");
  EXPECT_EQ(v[0].branch, "z9hG4bKas3-111");
  EXPECT_EQ(m.methodId(), Method::kBye);
}

TEST(Rfc5118, ViaReceivedWithoutDelimiters) {
  PARSE_VALID(m, "via-received-param-no-delim");
  std::vector<Via> v = viasOf(m);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].received, "2001:db8::9:255");
  EXPECT_EQ(v[0].branch, "z9hG4bKas3");
}

// §4.6 SIP Request with IPv6 Addresses in SDP Body: valid and well formed; the SDP addresses carry no
// brackets (the body is the SDP layer's to read; here it must arrive whole).
TEST(Rfc5118, Ipv6InSdp) {
  PARSE_VALID(m, "ipv6-in-sdp");
  EXPECT_EQ(m.body().size(), 251u);
  EXPECT_NE(m.body().find("c=IN IP6 2001:db8::20\r\n"), std::string_view::npos);
  auto to = parseNameAddr(m.headerValue(HeaderId::kTo));
  ASSERT_TRUE(to.ok());
  EXPECT_EQ(to->uri.host, "[2001:db8::10]");
  EXPECT_EQ(to->uri.user, "user");
}

// §4.7 Multiple IP Addresses in SIP Headers: IPv6 with a port, IPv4, and IPv6 with an IPv4 received.
TEST(Rfc5118, MultipleAddressesInHeaders) {
  PARSE_VALID(m, "mult-ip-in-header");
  std::vector<Via> v = viasOf(m);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].host, "[2001:db8::9:1]");
  EXPECT_EQ(v[0].hostType, HostType::kIPv6);
  EXPECT_TRUE(v[0].hasPort);
  EXPECT_EQ(v[0].port, 6050);
  EXPECT_EQ(v[1].host, "192.0.2.1");
  EXPECT_EQ(v[1].hostType, HostType::kIPv4);
  EXPECT_FALSE(v[1].hasPort);
  EXPECT_EQ(v[2].transport, "TCP");
  EXPECT_EQ(v[2].host, "[2001:db8::9:255]");
  EXPECT_EQ(v[2].received, "192.0.2.200");
  EXPECT_EQ(v[2].branch, "z9hG4bK451jj");
}

// §4.8 Multiple IP Addresses in SDP: an IPv4 and an IPv6 c= line per medium.
TEST(Rfc5118, MultipleAddressesInSdp) {
  PARSE_VALID(m, "mult-ip-in-sdp");
  EXPECT_EQ(m.body().size(), 189u);
  EXPECT_TRUE(m.body().ends_with("c=IN IP6 2001:db8::1\r\na=rtpmap:107 H263-1998/90000\r\n"));
}

// §4.9 IPv4-Mapped IPv6 Addresses: "A SIP implementation receiving a message that contains such a mapped
// address must be prepared to parse it successfully."
TEST(Rfc5118, Ipv4MappedIpv6) {
  PARSE_VALID(m, "ipv4-mapped-ipv6");
  std::vector<Via> v = viasOf(m);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].host, "[::ffff:192.0.2.10]");
  EXPECT_EQ(v[0].hostType, HostType::kIPv6);
  EXPECT_EQ(v[0].port, 19823);
  EXPECT_EQ(v[1].host, "[::ffff:192.0.2.2]");
  EXPECT_EQ(v[1].hostType, HostType::kIPv6);
  EXPECT_FALSE(v[1].hasPort);
  auto contact = parseContact(m.headerValue(HeaderId::kContact));
  ASSERT_TRUE(contact.ok());
  EXPECT_EQ(contact->address.uri.host, "[::ffff:192.0.2.2]");
  EXPECT_EQ(contact->address.uri.hostType, HostType::kIPv6);
  EXPECT_EQ(m.body().size(), 245u);
}

// §4.10 IPv6 Reference Bug in RFC 3261 ABNF: "following the Robustness Principle [RFC1122], an
// implementation must tolerate both of the above constructs."
TEST(Rfc5118, AbnfBugThreeColonsIsTolerated) {
  PARSE_VALID(m, "ipv6-bug-abnf-3-colons");
  auto ruri = parseUri(m.requestUri());
  ASSERT_TRUE(ruri.ok()) << ruri.error().message;
  EXPECT_EQ(ruri->hostType, HostType::kIPv6);
  EXPECT_EQ(ruri->host, "[2001:db8:::192.0.2.1]");
  auto to = parseNameAddr(m.headerValue(HeaderId::kTo));
  ASSERT_TRUE(to.ok()) << to.error().message;
  EXPECT_EQ(to->uri.hostType, HostType::kIPv6);
}

TEST(Rfc5118, AbnfCorrectTwoColons) {
  PARSE_VALID(m, "ipv6-correct-abnf-2-colons");
  auto ruri = parseUri(m.requestUri());
  ASSERT_TRUE(ruri.ok()) << ruri.error().message;
  EXPECT_EQ(ruri->hostType, HostType::kIPv6);
  EXPECT_EQ(ruri->host, "[2001:db8::192.0.2.1]");
}

// Every message the parser takes: write, parse again, same meaning; writing is a fixpoint.
class Rfc5118RoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(Rfc5118RoundTrip, WriteParseIsIdentityAndWriteIsFixpoint) {
  const std::string raw = load5118(GetParam());
  auto m = parseMessage(raw, Framing::kDatagram);
  ASSERT_TRUE(m.ok()) << explain(m.error());
  const std::string once = toString(*m);
  auto again = parseMessage(once, Framing::kDatagram);
  ASSERT_TRUE(again.ok()) << explain(again.error()) << "\n" << once;
  EXPECT_TRUE(*again == *m) << once;
  EXPECT_EQ(toString(*again), once);
}

INSTANTIATE_TEST_SUITE_P(Parsed, Rfc5118RoundTrip,
                         ::testing::Values("ipv6-good", "port-ambiguous", "port-unambiguous",
                                           "via-received-param-with-delim", "via-received-param-no-delim",
                                           "ipv6-in-sdp", "mult-ip-in-header", "mult-ip-in-sdp",
                                           "ipv4-mapped-ipv6", "ipv6-bug-abnf-3-colons",
                                           "ipv6-correct-abnf-2-colons"),
                         [](const ::testing::TestParamInfo<const char*>& param) {
                           std::string name = param.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace callgate::sip
