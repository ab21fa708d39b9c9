#include "sip/message/validate.hpp"

#include <gtest/gtest.h>

#include "sip/message/parser.hpp"
#include "test_data.hpp"

namespace callgate::sip {
namespace {

const std::string kGood =
    "INVITE sip:bob@biloxi.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.com>\r\n"
    "From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.atlanta.com>\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

// kGood with one line replaced (or removed when `with` is empty).
std::string variant(std::string_view line, std::string_view with) {
  std::string text = kGood;
  const size_t at = text.find(line);
  EXPECT_NE(at, std::string::npos) << line;
  const size_t end = text.find("\r\n", at) + 2;
  text.replace(at, end - at, with.empty() ? std::string() : std::string(with) + "\r\n");
  return text;
}

core::Result<void> validateText(const std::string& text) {
  auto m = parseMessage(text);
  if (!m) return m.error();
  return validateMessage(*m);
}

TEST(Validate, Rfc3261InviteIsValid) {
  auto r = validateText(kGood);
  EXPECT_TRUE(r) << r.error().message;
  auto typical = validateText(testing::readTestFile("sip/typical-invite.sip"));
  EXPECT_TRUE(typical) << typical.error().message;
}

struct Case {
  std::string text;
  int code;
  const char* reason;
};

class ValidateRejects : public ::testing::TestWithParam<Case> {};

TEST_P(ValidateRejects, WithStatusAndReason) {
  auto r = validateText(GetParam().text);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, GetParam().code) << r.error().message;
  EXPECT_NE(r.error().message.find(GetParam().reason), std::string::npos) << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    BadRequests, ValidateRejects,
    ::testing::Values(
        Case{variant("Call-ID", ""), 400, "Missing Call-ID header"},
        Case{variant("From", ""), 400, "Missing From header"},
        Case{variant("To:", ""), 400, "Missing To header"},
        Case{variant("CSeq", ""), 400, "Missing CSeq header"},
        Case{variant("Via", ""), 400, "Missing Via header"},
        Case{variant("To:", "To: <sip:a@b.com>\r\nTo: <sip:c@d.com>"), 400, "Multiple To headers"},
        Case{variant("CSeq", "CSeq: 314159 BYE"), 400,
             "CSeq method BYE does not match request method INVITE"},
        Case{variant("CSeq", "CSeq: 314159 invite"), 400, "does not match"},
        Case{variant("CSeq", "CSeq: 99999999999 INVITE"), 400, "Bad CSeq header"},
        Case{variant("Max-Forwards", "Max-Forwards: 300"), 400,
             "Max-Forwards must be a number from 0 to 255"},
        Case{variant("Max-Forwards", "Max-Forwards: 70\r\nExpires: 99999999999"), 400, "Expires must be"},
        Case{variant("Via", "Via: SIP/2.0/UDP"), 400, "Bad Via header"},
        Case{variant("From", "From: \"Alice <sip:alice@atlanta.com>;tag=1"), 400, "Bad From header"},
        Case{variant("Contact", "Contact: *"), 400, "Contact '*' is only allowed"},
        Case{variant("Content-Length", "Content-Length: 0\r\nContent-Length: 0"), 400,
             "Multiple Content-Length"},
        Case{variant("Call-ID", "Call-ID: a b"), 400, "Call-ID contains whitespace"},
        Case{variant("INVITE sip:bob@biloxi.com SIP/2.0", "INVITE sip:bob@biloxi.com SIP/7.0"), 505,
             "Version Not Supported"},
        Case{variant("INVITE sip:bob@biloxi.com SIP/2.0", "INVITE im:bob@biloxi.com SIP/2.0"), 416,
             "Unsupported URI Scheme: im"},
        Case{variant("INVITE sip:bob@biloxi.com SIP/2.0", "INVITE sip:bob@biloxi.com?Route=x SIP/2.0"), 400,
             "must not contain headers"},
        Case{variant("INVITE sip:bob@biloxi.com SIP/2.0", "INVITE sip:bob@@biloxi.com SIP/2.0"), 400,
             "Bad Request-URI"}));

TEST(Validate, LeavesContactAndLowerViasToTheirUsers) {
  std::string text = variant("Contact", "Contact: <sip:a@b.com>;expires=99999999999");
  const std::string topVia = "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds\r\n";
  text.replace(text.find(topVia), topVia.size(), topVia + "Via: SIP/2.0/UDP\r\n");  // a bad lower Via
  auto r = validateText(text);
  EXPECT_TRUE(r) << r.error().message;
  auto badTop = validateText(variant("Via", "Via: SIP/2.0/UDP ;branch=z9hG4bK1, SIP/2.0/UDP ok.example.com"));
  ASSERT_FALSE(badTop);
  EXPECT_NE(badTop.error().message.find("Bad Via header"), std::string::npos);
}

TEST(Validate, ContactStarInRegisterWithExpiresZero) {
  std::string text = kGood;
  text.replace(0, 6, "REGISTER");
  text.replace(text.find("314159 INVITE"), 13, "314159 REGISTER");
  text.replace(text.find("Contact: <sip:alice@pc33.atlanta.com>"), 37, "Contact: *\r\nExpires: 0");
  auto r = validateText(text);
  EXPECT_TRUE(r) << r.error().message;
}

TEST(Validate, Responses) {
  const std::string ok =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds;received=192.0.2.1\r\n"
      "To: Bob <sip:bob@biloxi.com>;tag=a6c85cf\r\n"
      "From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n"
      "Call-ID: a84b4c76e66710@pc33.atlanta.com\r\n"
      "CSeq: 314159 INVITE\r\n"
      "Content-Length: 0\r\n\r\n";
  EXPECT_TRUE(validateText(ok));
  std::string big = ok;
  big.replace(8, 3, "700");
  auto r = validateText(big);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, 0);  // responses are dropped, never answered
  EXPECT_NE(r.error().message.find("outside 100-699"), std::string::npos);
}

TEST(Validate, BuiltMessageWithWrongContentLength) {
  Message m = Message::request("MESSAGE", "sip:a@b.com");
  m.addHeader(HeaderId::kVia, "SIP/2.0/UDP h;branch=z9hG4bK1");
  m.addHeader(HeaderId::kFrom, "<sip:x@y.com>;tag=1");
  m.addHeader(HeaderId::kTo, "<sip:a@b.com>");
  m.addHeader(HeaderId::kCallId, "c1");
  m.addHeader(HeaderId::kCSeq, "1 MESSAGE");
  m.addHeader(HeaderId::kContentLength, "2");
  m.setBody("hello");
  auto r = validateMessage(m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "Content-Length does not match the body size");
}

}  // namespace
}  // namespace callgate::sip
