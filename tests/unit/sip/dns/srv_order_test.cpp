#include "sip/dns/srv_order.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>

namespace callgate::sip {
namespace {

// Answers the scripted numbers in turn and records each bound it was asked for.
struct ScriptedRandom {
  std::deque<uint32_t> values;
  std::vector<uint32_t> bounds;

  RandomSource source() {
    return [this](uint32_t maxInclusive) {
      bounds.push_back(maxInclusive);
      if (values.empty()) return uint32_t{0};
      uint32_t v = values.front();
      values.pop_front();
      return v;
    };
  }
};

std::vector<std::string> targets(const std::vector<SrvRecord>& records) {
  std::vector<std::string> out;
  for (const SrvRecord& r : records) out.push_back(r.target);
  return out;
}

TEST(SrvOrderTest, LowerPriorityComesFirst) {
  ScriptedRandom random;
  auto ordered =
      orderSrvRecords({{20, 0, 5060, "c"}, {10, 0, 5060, "a"}, {15, 0, 5060, "b"}}, random.source());
  EXPECT_EQ(targets(ordered), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(SrvOrderTest, WeightedChoiceFollowsRunningSums) {
  // Weights 10, 20, 70: running sums 10, 30, 100. 35 picks the third, then of {10, 20} (sums 10, 30) 11 picks
  // the second, and the last one is asked with a bound of its weight.
  ScriptedRandom random;
  random.values = {35, 11, 0};
  auto ordered =
      orderSrvRecords({{1, 10, 5060, "w10"}, {1, 20, 5060, "w20"}, {1, 70, 5060, "w70"}}, random.source());
  EXPECT_EQ(targets(ordered), (std::vector<std::string>{"w70", "w20", "w10"}));
  EXPECT_EQ(random.bounds, (std::vector<uint32_t>{100, 30, 10}));
}

TEST(SrvOrderTest, BoundaryValueTakesFirstRecordWhoseRunningSumReachesIt) {
  ScriptedRandom random;
  random.values = {10, 0,
                   0};  // exactly the first running sum: first record (RFC 2782 "greater than or equal")
  auto ordered = orderSrvRecords({{1, 10, 5060, "a"}, {1, 20, 5060, "b"}}, random.source());
  EXPECT_EQ(targets(ordered), (std::vector<std::string>{"a", "b"}));
  random.values = {11, 0};
  ordered = orderSrvRecords({{1, 10, 5060, "a"}, {1, 20, 5060, "b"}}, random.source());
  EXPECT_EQ(targets(ordered), (std::vector<std::string>{"b", "a"}));
}

TEST(SrvOrderTest, ZeroWeightRecordsArePlacedFirstAndTakenOnZero) {
  ScriptedRandom random;
  random.values = {0, 0, 0};
  auto ordered = orderSrvRecords({{1, 50, 5060, "heavy"}, {1, 0, 5060, "zero"}}, random.source());
  EXPECT_EQ(targets(ordered), (std::vector<std::string>{"zero", "heavy"}));
}

TEST(SrvOrderTest, OutOfRangeRandomIsClamped) {
  ScriptedRandom random;
  random.values = {1000000, 1000000};
  auto ordered = orderSrvRecords({{1, 1, 5060, "a"}, {1, 2, 5060, "b"}}, random.source());
  EXPECT_EQ(targets(ordered), (std::vector<std::string>{"b", "a"}));
}

TEST(SrvOrderTest, NoServiceTargetIsDropped) {
  ScriptedRandom random;
  EXPECT_TRUE(orderSrvRecords({{0, 0, 0, "."}}, random.source()).empty());
  auto ordered = orderSrvRecords({{0, 0, 5060, ""}, {1, 0, 5060, "real"}}, random.source());
  EXPECT_EQ(targets(ordered), (std::vector<std::string>{"real"}));
}

TEST(SrvOrderTest, FirstChoiceFrequencyFollowsWeights) {
  // A seeded generator: deterministic, and the proportions must still come out right.
  std::mt19937 engine(12345);
  RandomSource random = [&](uint32_t maxInclusive) {
    return std::uniform_int_distribution<uint32_t>(0, maxInclusive)(engine);
  };
  std::map<std::string, int> firsts;
  constexpr int kRounds = 20000;
  for (int i = 0; i < kRounds; ++i) {
    auto ordered = orderSrvRecords({{1, 10, 1, "a"}, {1, 30, 1, "b"}, {1, 60, 1, "c"}}, random);
    ASSERT_EQ(ordered.size(), 3U);
    ++firsts[ordered.front().target];
  }
  // Expected shares: the draw is over [0, 100], 101 values: a takes 0..10, b 11..40, c 41..100.
  EXPECT_NEAR(firsts["a"] / double(kRounds), 11.0 / 101, 0.015);
  EXPECT_NEAR(firsts["b"] / double(kRounds), 30.0 / 101, 0.015);
  EXPECT_NEAR(firsts["c"] / double(kRounds), 60.0 / 101, 0.015);
}

TEST(SrvOrderTest, DefaultRandomSourceStaysInRange) {
  RandomSource random = makeDefaultRandomSource();
  for (uint32_t bound : {0U, 1U, 7U, 65535U}) {
    for (int i = 0; i < 100; ++i) EXPECT_LE(random(bound), bound);
  }
}

}  // namespace
}  // namespace callgate::sip
