#include "sip/message/params.hpp"

#include <gtest/gtest.h>

namespace callgate::sip {
namespace {

TEST(Params, IteratesNamesValuesAndFlags) {
  ParamIterator it(";branch=z9hG4bK776asdhds ; rport;received=192.0.2.1;x=\"a;b\"");
  auto p = it.next();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "branch");
  EXPECT_EQ(p->value, "z9hG4bK776asdhds");
  p = it.next();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "rport");
  EXPECT_FALSE(p->hasValue);
  p = it.next();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->value, "192.0.2.1");
  p = it.next();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "x");
  EXPECT_EQ(p->value, "\"a;b\"");  // ';' inside quotes does not split
  EXPECT_FALSE(it.next());
}

TEST(Params, FindIsCaseInsensitive) {
  EXPECT_EQ(findParam(";Tag=abc;lr", "tag"), "abc");
  EXPECT_EQ(findParam(";Tag=abc;lr", "LR"), "");
  EXPECT_FALSE(findParam(";Tag=abc;lr", "ttl"));
  EXPECT_FALSE(findParam("", "tag"));
}

TEST(Params, UnquoteResolvesQuotedPairs) {
  EXPECT_EQ(unquote("\"J \\\"Bob\\\" Doe\""), "J \"Bob\" Doe");
  EXPECT_EQ(unquote("token"), "token");
  EXPECT_EQ(unquote("\"\""), "");
}

}  // namespace
}  // namespace callgate::sip
