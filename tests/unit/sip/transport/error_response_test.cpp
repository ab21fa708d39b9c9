#include "sip/transport/error_response.hpp"

#include <gtest/gtest.h>

#include "sip/message/parser.hpp"
#include "sip/message/writer.hpp"

namespace callgate::sip {
namespace {

TEST(ReasonPhrase, ControlCharactersAndLineBreaksBecomeOneSpace) {
  EXPECT_EQ(sanitizeReasonPhrase("bad\r\nX-Injected: 1"), "bad X-Injected: 1");
  EXPECT_EQ(sanitizeReasonPhrase("a\t\x01\x7f  b"), "a b");
  EXPECT_EQ(sanitizeReasonPhrase("  trailing  "), "trailing");
}

TEST(ReasonPhrase, Utf8IsKeptInvalidBytesAreReplaced) {
  EXPECT_EQ(sanitizeReasonPhrase("RFC 3261 \xc2\xa7"
                                 "8.1.1.5"),
            "RFC 3261 \xc2\xa7"
            "8.1.1.5");
  EXPECT_EQ(sanitizeReasonPhrase("x\xff\xc0\x80y"), "x???y");
  EXPECT_EQ(sanitizeReasonPhrase("\xed\xa0\x80"), "???");  // a surrogate
}

TEST(ReasonPhrase, CutAtTheBoundOnACharacterBoundary) {
  EXPECT_EQ(sanitizeReasonPhrase(std::string(500, 'a')).size(), kMaxReasonPhraseBytes);
  // Five two-byte characters do not fit in nine bytes: four are kept whole.
  EXPECT_EQ(sanitizeReasonPhrase("\xc2\xa7\xc2\xa7\xc2\xa7\xc2\xa7\xc2\xa7", 9),
            "\xc2\xa7\xc2\xa7\xc2\xa7\xc2\xa7");
}

TEST(ErrorResponse, EmptyReasonTakesTheDefaultPhrase) {
  auto request = parseMessage(
      std::string_view("OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:a@b>\r\n"
                       "From: <sip:c@d>;tag=1\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n"));
  ASSERT_TRUE(request.ok());
  const Message response = makeErrorResponse(*request, 505, "\r\n");
  EXPECT_EQ(response.reason(), "Version Not Supported");
  EXPECT_EQ(response.statusCode(), 505);
}

TEST(ErrorResponse, KeepsViaOrderAndOmitsOtherHeaders) {
  auto request = parseMessage(std::string_view(
      "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h1;branch=z9hG4bK1, SIP/2.0/UDP h2;branch=z9hG4bK2\r\n"
      "Contact: <sip:c@h1>\r\nVia: SIP/2.0/UDP h3;branch=z9hG4bK3\r\nTo: sip:a@b\r\n"
      "From: <sip:c@d>;tag=1\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n"));
  ASSERT_TRUE(request.ok());
  const std::string text = toString(makeErrorResponse(*request, 400, "Bad Contact header"));
  EXPECT_EQ(text.find("Contact:"), std::string::npos) << text;
  const size_t first = text.find("Via: SIP/2.0/UDP h1;branch=z9hG4bK1, SIP/2.0/UDP h2;branch=z9hG4bK2\r\n");
  const size_t second = text.find("Via: SIP/2.0/UDP h3;branch=z9hG4bK3\r\n");
  ASSERT_NE(first, std::string::npos) << text;
  ASSERT_NE(second, std::string::npos) << text;
  EXPECT_LT(first, second);
  // A To without brackets takes the tag as a header parameter.
  EXPECT_NE(text.find("To: sip:a@b;tag="), std::string::npos) << text;
  EXPECT_EQ(text.substr(0, 32), "SIP/2.0 400 Bad Contact header\r\n");
}

}  // namespace
}  // namespace callgate::sip
