#include "core/text.hpp"

#include <gtest/gtest.h>

namespace callgate::core {
namespace {

TEST(Text, CaseInsensitiveCompare) {
  EXPECT_TRUE(iequals("Call-ID", "call-id"));
  EXPECT_FALSE(iequals("Call-ID", "Call-ID "));
  EXPECT_TRUE(istartsWith("SIP/2.0 200", "sip/"));
  EXPECT_FALSE(istartsWith("SI", "sip/"));
}

TEST(Text, TrimLwsIncludesFolds) {
  EXPECT_EQ(trimLws(" \t\r\n a b \r\n\t"), "a b");
  EXPECT_EQ(trimLws("   "), "");
}

TEST(Text, ParseUnsignedBoundsAndRejects) {
  EXPECT_EQ(parseUnsigned("65535", 65535), 65535u);
  EXPECT_FALSE(parseUnsigned("65536", 65535));
  EXPECT_EQ(parseUnsigned("18446744073709551615", UINT64_MAX), UINT64_MAX);
  EXPECT_FALSE(parseUnsigned("18446744073709551616", UINT64_MAX));
  EXPECT_FALSE(parseUnsigned("", 10));
  EXPECT_FALSE(parseUnsigned("-1", 10));
  EXPECT_FALSE(parseUnsigned("1 ", 10));
}

TEST(Text, PrintableEscapesAndCuts) {
  EXPECT_EQ(printable(std::string("a\0b\x7f", 4)), "a\\x00b\\x7f");
  EXPECT_EQ(printable("abcdef", 3), "abc...");
}

}  // namespace
}  // namespace callgate::core
