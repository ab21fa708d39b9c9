#include "sip/message/stream_framer.hpp"

#include <gtest/gtest.h>

#include "sip/message/parser.hpp"

namespace callgate::sip {
namespace {

const std::string kInvite = "INVITE sip:a@b.com SIP/2.0\r\nl: 4\r\nTo: x\r\n\r\nbody";

TEST(StreamFramer, CompleteMessage) {
  auto r = frameMessage(kInvite);
  ASSERT_EQ(r.status, FrameStatus::kComplete);
  EXPECT_EQ(r.skip, 0u);
  EXPECT_EQ(r.length, kInvite.size());
  EXPECT_TRUE(parseMessage(std::string_view(kInvite).substr(r.skip, r.length), Framing::kStream));
}

TEST(StreamFramer, EveryPrefixNeedsMore) {
  for (size_t n = 0; n < kInvite.size(); ++n) {
    auto r = frameMessage(std::string_view(kInvite).substr(0, n));
    EXPECT_EQ(r.status, FrameStatus::kNeedMore) << n;
  }
}

TEST(StreamFramer, TwoMessagesBackToBack) {
  const std::string both = kInvite + "BYE sip:a@b.com SIP/2.0\r\nContent-Length: 0\r\n\r\n";
  auto first = frameMessage(both);
  ASSERT_EQ(first.status, FrameStatus::kComplete);
  EXPECT_EQ(first.length, kInvite.size());
  auto second = frameMessage(std::string_view(both).substr(first.skip + first.length));
  ASSERT_EQ(second.status, FrameStatus::kComplete);
  EXPECT_EQ(second.length, both.size() - kInvite.size());
}

TEST(StreamFramer, KeepAlivesAreSkippedAndCounted) {
  const std::string data = "\r\n\r\n\r\n\r\n" + kInvite;
  auto r = frameMessage(data);
  ASSERT_EQ(r.status, FrameStatus::kComplete);
  EXPECT_EQ(r.skip, 8u);
  EXPECT_EQ(r.keepAlives, 2u);
  auto onlyPing = frameMessage("\r\n\r\n");
  EXPECT_EQ(onlyPing.status, FrameStatus::kNeedMore);
  EXPECT_EQ(onlyPing.skip, 4u);
  EXPECT_EQ(onlyPing.keepAlives, 1u);
}

TEST(StreamFramer, MissingContentLengthMeansNoBody) {
  auto r = frameMessage("SIP/2.0 100 Trying\r\nVia: x\r\n\r\nINVITE");
  ASSERT_EQ(r.status, FrameStatus::kComplete);
  EXPECT_EQ(r.length, std::string("SIP/2.0 100 Trying\r\nVia: x\r\n\r\n").size());
}

TEST(StreamFramer, FoldedContentLength) {
  auto r = frameMessage("INVITE sip:a@b.com SIP/2.0\r\nContent-Length:\r\n 3\r\n\r\nabc");
  ASSERT_EQ(r.status, FrameStatus::kComplete);
}

TEST(StreamFramer, Invalid) {
  auto bad = frameMessage("INVITE sip:a@b.com SIP/2.0\r\nContent-Length: x\r\n\r\n");
  EXPECT_EQ(bad.status, FrameStatus::kInvalid);
  EXPECT_FALSE(bad.error.empty());
  auto conflict = frameMessage("INVITE sip:a@b.com SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\nab");
  EXPECT_EQ(conflict.status, FrameStatus::kInvalid);
  FramerLimits limits;
  limits.maxHeaderBytes = 64;
  auto endless = frameMessage("INVITE sip:a@b.com SIP/2.0\r\n" + std::string(100, 'X'), limits);
  EXPECT_EQ(endless.status, FrameStatus::kInvalid);
  limits = FramerLimits{};
  limits.maxBodyBytes = 10;
  auto bigBody = frameMessage("INVITE sip:a@b.com SIP/2.0\r\nContent-Length: 11\r\n\r\n", limits);
  EXPECT_EQ(bigBody.status, FrameStatus::kInvalid);
}

}  // namespace
}  // namespace callgate::sip
