#include <gtest/gtest.h>

#include "app/name_suggestion.hpp"

namespace callgate::app {
namespace {

TEST(ConfigNameSuggestion, EditDistance) {
  EXPECT_EQ(editDistance("", ""), 0u);
  EXPECT_EQ(editDistance("port", "port"), 0u);
  EXPECT_EQ(editDistance("prot", "port"), 2u);
  EXPECT_EQ(editDistance("", "abc"), 3u);
  EXPECT_EQ(editDistance("kitten", "sitting"), 3u);
}

TEST(ConfigNameSuggestion, ClosestName) {
  const std::vector<std::string> known{"sip.port", "ws.port", "ws.wss_port", "http.port"};
  EXPECT_EQ(closestName("sip.prot", known), "sip.port");
  EXPECT_EQ(closestName("ws.prt", known), "ws.port");
  EXPECT_EQ(closestName("sip.wss_port", known), "ws.wss_port");
  EXPECT_EQ(closestName("media.codec_list", known), std::nullopt);
  // Close in edits but most of the word changed: no suggestion.
  EXPECT_EQ(closestName("ab", std::vector<std::string>{"ws"}), std::nullopt);
}

}  // namespace
}  // namespace callgate::app
