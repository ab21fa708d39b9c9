#include "sip/message/parser.hpp"

#include <gtest/gtest.h>

#include "sip/message/header_values.hpp"
#include "test_data.hpp"

namespace callgate::sip {
namespace {

TEST(Parser, TypicalInvite) {
  const std::string text = testing::readTestFile("sip/typical-invite.sip");
  auto m = parseMessage(text);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_TRUE(m->isRequest());
  EXPECT_EQ(m->methodId(), Method::kInvite);
  EXPECT_EQ(m->method(), "INVITE");
  EXPECT_EQ(m->requestUri(), "sip:3001@192.0.2.20:5060;transport=udp");
  EXPECT_EQ(m->version(), "SIP/2.0");
  EXPECT_EQ(m->headers().size(), 15u);
  EXPECT_EQ(m->headerValue(HeaderId::kCallId), "3c26700b7a4e1f0c@192.0.2.10");
  EXPECT_EQ(m->headerValue(HeaderId::kMaxForwards), "70");
  EXPECT_EQ(m->header("content-type")->value, "application/sdp");
  EXPECT_TRUE(m->body().starts_with("v=0\r\n"));
  EXPECT_EQ(m->body().size(), 255u);  // its Content-Length
  EXPECT_EQ(m->raw().size(), text.size());
}

TEST(Parser, CompactFormsAndCaseInsensitiveNames) {
  const std::string text =
      "OPTIONS sip:a@b.com SIP/2.0\r\n"
      "v: SIP/2.0/TCP h.example.com;branch=z9hG4bK1\r\n"
      "f: <sip:x@y.com>;tag=1\r\n"
      "t: <sip:a@b.com>\r\n"
      "i: abc\r\n"
      "cseq: 2 OPTIONS\r\n"
      "CONTENT-LENGTH: 0\r\n"
      "X-Custom-Thing:   keep me   verbatim \r\n"
      "\r\n";
  auto m = parseMessage(text);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->header(HeaderId::kVia)->name, "v");
  EXPECT_EQ(m->headerValue(HeaderId::kFrom), "<sip:x@y.com>;tag=1");
  EXPECT_EQ(m->headerValue(HeaderId::kCallId), "abc");
  EXPECT_EQ(m->headerValue(HeaderId::kCSeq), "2 OPTIONS");
  ASSERT_NE(m->header("x-custom-thing"), nullptr);
  EXPECT_EQ(m->header("X-CUSTOM-THING")->value, "keep me   verbatim");
  EXPECT_EQ(m->header("X-CUSTOM-THING")->id, HeaderId::kOther);
  EXPECT_EQ(m->header("Call-ID"), m->header("i"));
}

TEST(Parser, FoldedHeaderValueIsOneHeader) {
  const std::string text =
      "MESSAGE sip:a@b.com SIP/2.0\r\n"
      "Subject: first\r\n"
      "   second\r\n"
      "\tthird\r\n"
      "Content-Length: 0\r\n"
      "\r\n";
  auto m = parseMessage(text);
  ASSERT_TRUE(m) << m.error().message;
  ASSERT_EQ(m->headers().size(), 2u);
  EXPECT_TRUE(lwsEqual(m->headerValue(HeaderId::kSubject), "first second third"));
}

TEST(Parser, RepeatedHeadersKeepWireOrder) {
  const std::string text =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2\r\n"
      "Via: SIP/2.0/UDP c.example.com;branch=z9hG4bK3\r\n"
      "Record-Route: <sip:p1.example.com;lr>\r\n"
      "Record-Route: <sip:p2.example.com;lr>\r\n"
      "Content-Length: 0\r\n"
      "\r\n";
  auto m = parseMessage(text);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_FALSE(m->isRequest());
  EXPECT_EQ(m->statusCode(), 200);
  EXPECT_EQ(m->reason(), "OK");
  EXPECT_EQ(m->headerCount(HeaderId::kVia), 2u);
  EXPECT_EQ(m->headerCount(HeaderId::kRecordRoute), 2u);
  EXPECT_EQ(m->headers()[1].value, "SIP/2.0/UDP c.example.com;branch=z9hG4bK3");
}

TEST(Parser, ReasonPhraseMayBeEmptyOrHoldAnything) {
  auto empty = parseMessage("SIP/2.0 100 \r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_EQ(empty->reason(), "");
  auto utf8 = parseMessage("SIP/2.0 486 Occup\xc3\xa9 / busy: 1 2  3\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(utf8);
  EXPECT_EQ(utf8->reason(), "Occup\xc3\xa9 / busy: 1 2  3");
}

TEST(Parser, DatagramContentLengthSemantics) {
  const std::string head = "MESSAGE sip:a@b.com SIP/2.0\r\nContent-Length: 5\r\n\r\n";
  const std::string withExtra = head + "hello EXTRA";  // the message views this buffer
  auto extra = parseMessage(withExtra);
  ASSERT_TRUE(extra);
  EXPECT_EQ(extra->body(), "hello");  // RFC 3261 §18.3: octets past Content-Length are discarded
  const std::string truncated = head + "hel";
  auto shortBody = parseMessage(truncated);
  ASSERT_FALSE(shortBody);
  EXPECT_NE(shortBody.error().message.find("Content-Length 5 is larger than the 3 body bytes"),
            std::string::npos);
  auto noLength = parseMessage("MESSAGE sip:a@b.com SIP/2.0\r\nTo: <sip:a@b.com>\r\n\r\nwhole rest");
  ASSERT_TRUE(noLength);
  EXPECT_EQ(noLength->body(), "whole rest");
}

TEST(Parser, StreamFramingNeedsExactContentLength) {
  EXPECT_TRUE(parseMessage("BYE sip:a@b.com SIP/2.0\r\nContent-Length: 2\r\n\r\nab", Framing::kStream));
  EXPECT_FALSE(parseMessage("BYE sip:a@b.com SIP/2.0\r\nContent-Length: 2\r\n\r\nabc", Framing::kStream));
  EXPECT_FALSE(parseMessage("BYE sip:a@b.com SIP/2.0\r\n\r\nabc", Framing::kStream));
  EXPECT_TRUE(parseMessage("BYE sip:a@b.com SIP/2.0\r\n\r\n", Framing::kStream));
}

TEST(Parser, SkipsLeadingCrlf) {
  auto m = parseMessage("\r\n\r\nACK sip:a@b.com SIP/2.0\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->methodId(), Method::kAck);
  EXPECT_TRUE(m->raw().starts_with("ACK"));
}

TEST(Parser, MethodsAreCaseSensitive) {
  auto m = parseMessage("invite sip:a@b.com SIP/2.0\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->methodId(), Method::kOther);
  EXPECT_EQ(m->method(), "invite");
}

struct BadCase {
  const char* text;
  const char* expected;
};

class ParserRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(ParserRejects, WithAReasonNamingTheProblem) {
  auto m = parseMessage(GetParam().text);
  ASSERT_FALSE(m) << GetParam().text;
  EXPECT_NE(m.error().message.find(GetParam().expected), std::string::npos) << m.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, ParserRejects,
    ::testing::Values(
        BadCase{"", "no complete start line"},
        BadCase{"INVITE sip:a@b.com SIP/2.0\r\nVia: x\r\n", "no empty line after its headers"},
        BadCase{"INVITE sip:a@b.com SIP/2.0\nVia: x\n\n", "LF without CR"},
        BadCase{"INVITE  sip:a@b.com SIP/2.0\r\n\r\n", "whitespace"},
        BadCase{"INVITE sip:a@b.com; lr SIP/2.0\r\n\r\n", "whitespace"},
        BadCase{"INVITE sip:a@b.com\r\n\r\n", "Method SP Request-URI SP SIP-Version"},
        BadCase{"INVITE sip:a@b.com HTTP/1.1\r\n\r\n", "malformed SIP-Version"},
        BadCase{"IN<VITE sip:a@b.com SIP/2.0\r\n\r\n", "not a token"},
        BadCase{"SIP/2.0 4294967301 Big\r\n\r\n", "three digits"},
        BadCase{"SIP/2.0 20 OK\r\n\r\n", "three digits"}, BadCase{"SIP/2.0\r\n\r\n", "no status code"},
        BadCase{"OPTIONS sip:a@b.com SIP/2.0\r\n continued\r\n\r\n", "folded line comes before any header"},
        BadCase{"OPTIONS sip:a@b.com SIP/2.0\r\nNoColonHere\r\n\r\n", "is not 'name: value'"},
        BadCase{"OPTIONS sip:a@b.com SIP/2.0\r\nBad Name: x\r\n\r\n", "is not 'name: value'"},
        BadCase{"OPTIONS sip:a@b.com SIP/2.0\r\nContent-Length: -3\r\n\r\n", "Content-Length '-3'"},
        BadCase{"OPTIONS sip:a@b.com SIP/2.0\r\nContent-Length: 99999999999\r\n\r\n", "not a number"}));

TEST(Parser, EnforcesLimits) {
  ParseLimits limits;
  limits.maxHeaderFields = 3;
  MessageParser parser(limits);
  Message m;
  std::string text = "OPTIONS sip:a@b.com SIP/2.0\r\n";
  for (int i = 0; i < 4; ++i) text += "X-H: " + std::to_string(i) + "\r\n";
  text += "\r\n";
  auto r = parser.parse(text, m);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("more than 3 header fields"), std::string::npos);

  limits = ParseLimits{};
  limits.maxMessageBytes = 32;
  const std::string big(64, 'A');
  auto tooBig = MessageParser(limits).parse(big, m);
  ASSERT_FALSE(tooBig);
  EXPECT_EQ(tooBig.error().code, 513);
}

TEST(Parser, ManyHeadersSpillOutOfTheInlineStorage) {
  std::string text = "OPTIONS sip:a@b.com SIP/2.0\r\n";
  for (int i = 0; i < 100; ++i) text += "X-H" + std::to_string(i) + ": " + std::to_string(i) + "\r\n";
  text += "Content-Length: 0\r\n\r\n";
  auto m = parseMessage(text);
  ASSERT_TRUE(m) << m.error().message;
  ASSERT_EQ(m->headers().size(), 101u);
  EXPECT_EQ(m->headers()[99].name, "X-H99");
  EXPECT_EQ(m->headers()[99].value, "99");
}

TEST(Parser, ReusesTheMessageObject) {
  MessageParser parser;
  Message m;
  const std::string a = testing::readTestFile("sip/typical-invite.sip");
  const std::string b = "SIP/2.0 180 Ringing\r\nContent-Length: 0\r\n\r\n";
  ASSERT_TRUE(parser.parse(a, m));
  ASSERT_TRUE(parser.parse(b, m));
  EXPECT_FALSE(m.isRequest());
  EXPECT_EQ(m.headers().size(), 1u);
  EXPECT_EQ(m.body(), "");
}

TEST(Message, CloneOwnsItsText) {
  Message kept;
  {
    std::string buffer = testing::readTestFile("sip/typical-invite.sip");
    auto m = parseMessage(buffer);
    ASSERT_TRUE(m);
    kept = m->clone();
    buffer.assign(buffer.size(), 'X');  // the receive buffer is reused
  }
  EXPECT_EQ(kept.method(), "INVITE");
  EXPECT_EQ(kept.headerValue(HeaderId::kCSeq), "1 INVITE");
  EXPECT_TRUE(kept.body().starts_with("v=0"));
}

TEST(Message, BuiltInCode) {
  Message m = Message::request("OPTIONS", "sip:a@b.com");
  m.addHeader(HeaderId::kVia, "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1");
  m.addHeader("X-Thing", "1");
  m.setHeader(HeaderId::kMaxForwards, "70");
  m.setHeader(HeaderId::kMaxForwards, "69");
  EXPECT_EQ(m.headerValue(HeaderId::kMaxForwards), "69");
  EXPECT_EQ(m.headerCount(HeaderId::kMaxForwards), 1u);
  m.removeHeaders(HeaderId::kVia);
  EXPECT_EQ(m.header(HeaderId::kVia), nullptr);
  EXPECT_EQ(m.headers().size(), 2u);
  m.setHeaderValue(1, "new\r\n value");  // a line break can never end the header line
  EXPECT_EQ(m.headers()[1].id, HeaderId::kMaxForwards);
  EXPECT_EQ(m.headers()[1].value, "new\r\n value");
  EXPECT_TRUE(m.headers()[1].folded);
  m.setHeaderValue(99, "ignored");
  Message copy = m;
  m.addHeader("X-Later", "2");
  EXPECT_EQ(copy.headers().size(), 2u);
  EXPECT_EQ(copy.header("X-Thing")->value, "1");
}

}  // namespace
}  // namespace callgate::sip
