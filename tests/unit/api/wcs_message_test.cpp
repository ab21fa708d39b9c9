#include "api/wcs_message.hpp"

#include <gtest/gtest.h>

#include <string>

namespace callgate::api {
namespace {

TEST(WcsMessage, EnvelopeFormsTheSdkSends) {
  // PROTOCOL.md §1: one argument; data:[null] when none; older clients omit data.
  auto connection = parseEnvelope(R"({"message":"connection","data":[{"appKey":"defaultApp"}]})");
  ASSERT_TRUE(connection);
  EXPECT_EQ(connection->name, "connection");
  EXPECT_EQ(connection->arg["appKey"], "defaultApp");
  auto pong = parseEnvelope(R"({"message":"pong","data":[null]})");
  ASSERT_TRUE(pong);
  EXPECT_TRUE(pong->arg.is_null());
  auto bare = parseEnvelope(R"({"message":"pong"})");
  ASSERT_TRUE(bare);
  EXPECT_TRUE(bare->arg.is_null());
  auto empty = parseEnvelope(R"({"message":"pong","data":[]})");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->arg.is_null());
}

TEST(WcsMessage, BadFramesSayWhatIsWrong) {
  struct Case {
    std::string text;
    std::string info;  // a part of the error
  };
  const Case cases[] = {
      {"{not json", "not valid JSON"},
      {"[1,2]", "must be a JSON object"},
      {R"({"data":[1]})", "string field 'message'"},
      {R"({"message":5})", "string field 'message'"},
      {R"({"message":"connection","data":{"a":1}})",
       "'data' of 'connection' must be an array, not an object"},
      {R"({"message":""})", "1 to 64 characters"},
      {"\"just a string\"", "not a string"},
      {"", "not valid JSON"},
  };
  for (const Case& c : cases) {
    auto result = parseEnvelope(c.text);
    ASSERT_FALSE(result) << c.text;
    EXPECT_NE(result.error().message.find(c.info), std::string::npos)
        << c.text << " -> " << result.error().message;
  }
}

TEST(WcsMessage, DeepNestingIsRefusedBeforeParsing) {
  std::string deep = R"({"message":"x","data":[)";
  deep += std::string(100000, '[') + std::string(100000, ']') + "]}";
  auto result = parseEnvelope(deep);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("deeper than 32"), std::string::npos);
  // Brackets inside strings do not count.
  auto quoted =
      parseEnvelope(R"({"message":"x","data":["[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"["]})");
  ASSERT_TRUE(quoted) << quoted.error().message;
}

TEST(WcsMessage, FramesWeSend) {
  EXPECT_EQ(makeFrame("ping", nullptr), R"({"data":[null],"message":"ping"})");
  EXPECT_EQ(makeFrame("setRemoteSDP", "call-1", "v=0\r\n"),
            R"({"data":["call-1","v=0\r\n"],"message":"setRemoteSDP"})");
  // Invalid UTF-8 (a SIP reason phrase, say) is replaced, not thrown on.
  const std::string frame = makeFrame("fail", {{"info", std::string("bad \xff byte")}});
  EXPECT_NE(frame.find("bad \xef\xbf\xbd byte"), std::string::npos) << frame;
}

}  // namespace
}  // namespace callgate::api
