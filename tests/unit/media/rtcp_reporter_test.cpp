// RtcpReporter on a virtual clock: reports at randomised 1 s intervals, SR with the sender's counts and
// report blocks for what was received, RR when nothing is sent, incoming SR/RR/PLI/FIR/NACK read.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/timer_queue.hpp"
#include "media/rtcp_reporter.hpp"
#include "rtp/rtcp_compound_writer.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_report.hpp"
#include "rtp/rtcp_sdes.hpp"

namespace callgate::media {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<uint8_t>;

class RtcpReporterTest : public ::testing::Test {
 protected:
  RtcpReporterTest()
      : timers_(clock_),
        random_(3),
        reporter_(
            timers_, random_,
            rtp::NtpClock(std::chrono::system_clock::time_point{} + 3900000000s, clock_.now()), "cname-x",
            RtcpReporter::Listener{
                [this](std::span<uint8_t> buffer, size_t length) {
                  sent_.push_back(Bytes(buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(length)));
                  EXPECT_GE(buffer.size(), length + 30) << "room for the SRTCP trailer";
                  sentAt_.push_back(clock_.now());
                },
                [this](RtcpReporter::Feedback kind, uint32_t ssrc, std::span<const uint8_t>) {
                  feedback_.emplace_back(kind, ssrc);
                }}) {}

  // The packet types of a compound, in order.
  static std::vector<uint8_t> types(const Bytes& compound) {
    std::vector<uint8_t> out;
    rtp::RtcpIterator it(compound);
    while (auto p = it.next()) out.push_back(p->type());
    EXPECT_TRUE(it.error().empty()) << it.error();
    return out;
  }

  core::ManualClock clock_;
  core::TimerQueue timers_;
  core::SeededRandom random_;
  std::vector<Bytes> sent_;
  std::vector<core::TimePoint> sentAt_;
  std::vector<std::pair<RtcpReporter::Feedback, uint32_t>> feedback_;
  RtcpReporter reporter_;
};

TEST_F(RtcpReporterTest, ReportsEveryHalfToOneAndAHalfIntervals) {
  reporter_.start();
  const core::TimePoint start = clock_.now();
  timers_.advanceTo(clock_, start + 30s);
  ASSERT_GE(sent_.size(), 20u);
  ASSERT_LE(sent_.size(), 60u);
  core::TimePoint previous = start;
  for (core::TimePoint t : sentAt_) {
    EXPECT_GE(t - previous, 500ms);
    EXPECT_LE(t - previous, 1500ms);
    previous = t;
  }
  // Nothing sent or received yet: an RR without blocks, then SDES.
  EXPECT_EQ(types(sent_[0]),
            (std::vector<uint8_t>{rtp::rtcp::kReceiverReport, rtp::rtcp::kSourceDescription}));
  reporter_.stop();
  const size_t count = sent_.size();
  timers_.advanceTo(clock_, clock_.now() + 10s);
  EXPECT_EQ(sent_.size(), count);
}

TEST_F(RtcpReporterTest, SenderReportCarriesCountsAndABlockForEachReceivedSource) {
  reporter_.addSender(0xAAAA, 48000);
  for (uint16_t seq = 100; seq < 150; ++seq) {
    clock_.advance(20ms);
    reporter_.onReceived(0xBBBB, seq, seq * 960u, 48000);
    reporter_.onSent(0xAAAA, seq * 960u, 80);
  }
  reporter_.sendReport();
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(types(sent_[0]), (std::vector<uint8_t>{rtp::rtcp::kSenderReport, rtp::rtcp::kSourceDescription}));
  rtp::RtcpIterator it(sent_[0]);
  auto packet = it.next();
  auto sr = rtp::SenderReport::parse(*packet);
  ASSERT_TRUE(sr.ok());
  EXPECT_EQ(sr->ssrc(), 0xAAAAu);
  EXPECT_EQ(sr->senderInfo().packetCount, 50u);
  EXPECT_EQ(sr->senderInfo().octetCount, 4000u);
  EXPECT_EQ(sr->senderInfo().rtpTimestamp, 149u * 960u);
  ASSERT_EQ(sr->reportCount(), 1u);
  EXPECT_EQ(sr->reportBlock(0).ssrc, 0xBBBBu);
  EXPECT_EQ(sr->reportBlock(0).extendedHighestSequence, 149u);
  EXPECT_EQ(sr->reportBlock(0).cumulativeLost, 0);
}

TEST_F(RtcpReporterTest, LossShowsInTheReportBlock) {
  for (uint16_t seq = 0; seq < 100; ++seq) {
    if (seq % 10 == 5) continue;  // 10 % lost
    clock_.advance(20ms);
    reporter_.onReceived(0xBBBB, seq, seq * 160u, 8000);
  }
  reporter_.sendReport();
  rtp::RtcpIterator it(sent_.at(0));
  auto rr = rtp::ReceiverReport::parse(*it.next());
  ASSERT_TRUE(rr.ok());
  ASSERT_EQ(rr->reportCount(), 1u);
  EXPECT_EQ(rr->reportBlock(0).cumulativeLost, 10);
  EXPECT_NEAR(rr->reportBlock(0).fractionLost, 256 / 10, 2);
}

TEST_F(RtcpReporterTest, ReadsFeedbackAndReportsAndCountsBrokenCompounds) {
  reporter_.addSender(0xAAAA, 90000);
  std::array<uint8_t, 512> buffer{};
  rtp::RtcpCompoundWriter w(buffer);
  const rtp::FirEntry fir{0xAAAA, 3};
  const rtp::NackItem nack{10, 0b101};
  w.receiverReport(0xC0C0)
      .pli(0xC0C0, 0xAAAA)
      .fir(0xC0C0, std::span<const rtp::FirEntry>(&fir, 1))
      .nack(0xC0C0, 0xAAAA, std::span<const rtp::NackItem>(&nack, 1));
  auto size = w.finish();
  ASSERT_TRUE(size.ok());
  reporter_.onRtcp(std::span<const uint8_t>(buffer).first(*size));
  const RtcpCounters& c = reporter_.counters();
  EXPECT_EQ(c.compoundsIn, 1u);
  EXPECT_EQ(c.receiverReportsIn, 1u);
  EXPECT_EQ(c.pliIn, 1u);
  EXPECT_EQ(c.firIn, 1u);
  EXPECT_EQ(c.nackIn, 1u);
  EXPECT_EQ(c.nackedPackets, 3u);
  ASSERT_EQ(feedback_.size(), 3u);
  EXPECT_EQ(feedback_[0], std::make_pair(RtcpReporter::Feedback::kPli, 0xAAAAu));
  EXPECT_EQ(feedback_[1], std::make_pair(RtcpReporter::Feedback::kFir, 0xAAAAu));
  EXPECT_EQ(feedback_[2], std::make_pair(RtcpReporter::Feedback::kNack, 0xAAAAu));

  // A compound cut short: what came before is read, the break is counted, nothing crashes.
  reporter_.onRtcp(std::span<const uint8_t>(buffer).first(*size - 3));
  EXPECT_EQ(reporter_.counters().malformedIn, 1u);
  const Bytes garbage = {0x80, 0xC9, 0xFF, 0xFF, 1, 2};
  reporter_.onRtcp(garbage);
  EXPECT_EQ(reporter_.counters().malformedIn, 2u);
}

TEST_F(RtcpReporterTest, RoundTripTimeFromAReportOnOurSenderReport) {
  reporter_.addSender(0xAAAA, 48000);
  reporter_.onSent(0xAAAA, 960, 80);
  reporter_.sendReport();
  rtp::RtcpIterator it(sent_.at(0));
  auto sr = rtp::SenderReport::parse(*it.next());
  ASSERT_TRUE(sr.ok());
  const uint32_t lsr = sr->senderInfo().ntp.compact();
  clock_.advance(150ms);  // 100 ms on the wire, 50 ms held by the peer
  rtp::ReportBlock block;
  block.ssrc = 0xAAAA;
  block.lastSenderReport = lsr;
  block.delaySinceLastSenderReport = 65536 / 20;  // 50 ms
  std::array<uint8_t, 128> buffer{};
  rtp::RtcpCompoundWriter w(buffer);
  w.receiverReport(0xC0C0, std::span<const rtp::ReportBlock>(&block, 1));
  reporter_.onRtcp(std::span<const uint8_t>(buffer).first(*w.finish()));
  ASSERT_TRUE(reporter_.counters().lastRtt.has_value());
  const double rttMs = std::chrono::duration<double, std::milli>(*reporter_.counters().lastRtt).count();
  EXPECT_NEAR(rttMs, 100.0, 1.0);
}

}  // namespace
}  // namespace callgate::media
