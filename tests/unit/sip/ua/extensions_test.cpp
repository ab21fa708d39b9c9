#include "sip/ua/extensions.hpp"

#include <gtest/gtest.h>

#include "sip/message/parser.hpp"

namespace callgate::sip {
namespace {

Message parse(std::string_view text) {
  auto m = parseMessage(text);
  EXPECT_TRUE(m) << (m ? "" : m.error().message);
  return m ? m->clone() : Message{};
}

constexpr std::string_view kHead =
    "INVITE sip:bob@192.0.2.2 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
    "From: <sip:a@192.0.2.1>;tag=1\r\nTo: <sip:bob@192.0.2.2>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n";

Message withHeaders(std::string_view headers) {
  return parse(std::string(kHead) + std::string(headers) + "Content-Length: 0\r\n\r\n");
}

TEST(Extensions, OptionTagsAcrossFieldsAndCompactForm) {
  // RFC 3261 §7.3.3: "k" is Supported's compact form; lists may be split over several fields.
  const Message m = withHeaders("Supported: 100rel , timer\r\nk: replaces\r\nRequire: 100rel\r\n");
  EXPECT_EQ(optionTags(m, HeaderId::kSupported),
            (std::vector<std::string_view>{"100rel", "timer", "replaces"}));
  EXPECT_TRUE(hasOptionTag(m, HeaderId::kRequire, "100rel"));
  EXPECT_FALSE(hasOptionTag(m, HeaderId::kRequire, "timer"));
  EXPECT_TRUE(optionTags(withHeaders(""), HeaderId::kRequire).empty());
}

TEST(Extensions, SessionExpiresRfc4028Examples) {
  // RFC 4028 §4 and its compact form "x" (§4: "x: 180;refresher=uac" style).
  auto a = sessionExpiresOf(withHeaders("Session-Expires: 4000;refresher=uac\r\n"));
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->seconds, 4000u);
  EXPECT_EQ((*a)->refresher, SessionExpires::Refresher::kUac);
  auto b = sessionExpiresOf(withHeaders("x: 180 ; refresher=UAS\r\n"));
  ASSERT_TRUE(b && *b);
  EXPECT_EQ((*b)->seconds, 180u);
  EXPECT_EQ((*b)->refresher, SessionExpires::Refresher::kUas);
  auto c = sessionExpiresOf(withHeaders("Session-Expires: 1800\r\n"));
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->refresher, SessionExpires::Refresher::kUnspecified);
  auto none = sessionExpiresOf(withHeaders(""));
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  for (std::string_view bad :
       {"Session-Expires: soon\r\n", "Session-Expires: 0\r\n", "Session-Expires: 90;refresher=both\r\n",
        "Session-Expires: 99999999999\r\n"}) {
    auto r = sessionExpiresOf(withHeaders(bad));
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, 400) << bad;
  }
  auto minSe = minSeOf(withHeaders("Min-SE: 90\r\n"));
  ASSERT_TRUE(minSe && *minSe);
  EXPECT_EQ(**minSe, 90u);
  EXPECT_FALSE(minSeOf(withHeaders("Min-SE: ninety\r\n")));
}

TEST(Extensions, RSeqAndRAckRfc3262) {
  // RFC 3262 §7.1, §7.2 (the examples of §10: "RSeq: 988789", "RAck: 776656 1 INVITE").
  EXPECT_EQ(parseRSeq("988789"), 988789u);
  EXPECT_EQ(parseRSeq(" 4294967295 "), 4294967295u);
  EXPECT_FALSE(parseRSeq("0"));
  EXPECT_FALSE(parseRSeq("4294967296"));
  EXPECT_FALSE(parseRSeq("12a"));
  auto rack = parseRAck("776656 1 INVITE");
  ASSERT_TRUE(rack);
  EXPECT_EQ(rack->rseq, 776656u);
  EXPECT_EQ(rack->cseq, 1u);
  EXPECT_EQ(rack->method, "INVITE");
  EXPECT_TRUE(parseRAck("  1\t2  INVITE "));
  EXPECT_FALSE(parseRAck("1 INVITE"));
  EXPECT_FALSE(parseRAck("1 2 INVITE extra"));
  EXPECT_FALSE(parseRAck("x 2 INVITE"));
  EXPECT_FALSE(parseRAck(""));
}

TEST(Extensions, SipFragStatusLine) {
  // RFC 3515 §2.4.5 / RFC 3420: the NOTIFY body's first line.
  auto ok = parseSipFragStatus("SIP/2.0 200 OK\r\n");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->reason, "OK");
  auto ringing = parseSipFragStatus("SIP/2.0 180 Ringing\r\nContact: <sip:x@192.0.2.3>\r\n\r\n");
  ASSERT_TRUE(ringing);
  EXPECT_EQ(ringing->status, 180);
  EXPECT_EQ(ringing->reason, "Ringing");
  auto bare = parseSipFragStatus("SIP/2.0 503");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->reason, "");
  EXPECT_FALSE(parseSipFragStatus("SIP/2.0 99 Low"));
  EXPECT_FALSE(parseSipFragStatus("SIP/2.0 2000 Big"));
  EXPECT_FALSE(parseSipFragStatus("INVITE sip:x SIP/2.0"));
  EXPECT_FALSE(parseSipFragStatus(""));
}

}  // namespace
}  // namespace callgate::sip
