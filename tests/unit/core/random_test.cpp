#include "core/random.hpp"

#include <gtest/gtest.h>

#include <set>

namespace callgate::core {
namespace {

TEST(Random, SeededIsRepeatable) {
  SeededRandom a(42);
  SeededRandom b(42);
  SeededRandom c(43);
  const std::string first = a.hex(16);
  EXPECT_EQ(first, b.hex(16));
  EXPECT_NE(first, c.hex(16));
  EXPECT_EQ(first.size(), 32u);
  EXPECT_EQ(first.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(Random, SecureGivesDistinctValues) {
  SecureRandom random;
  std::set<uint64_t> seen;
  for (int i = 0; i < 100; ++i) seen.insert(random.next64());
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(random.hex(0), "");
  EXPECT_EQ(random.hex(5).size(), 10u);
}

}  // namespace
}  // namespace callgate::core
