#include "rtp/ntp_time.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace callgate::rtp {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

system_clock::time_point unixSeconds(int64_t s) {
  return system_clock::time_point(std::chrono::seconds(s));
}

TEST(NtpTime, UnixEpoch) {
  const NtpTime ntp = toNtp(unixSeconds(0));
  EXPECT_EQ(ntp.seconds, 2208988800u);  // RFC 868 / RFC 5905: 1900 to 1970
  EXPECT_EQ(ntp.fraction, 0u);
  EXPECT_EQ(fromNtp(ntp), unixSeconds(0));
}

TEST(NtpTime, Fractions) {
  EXPECT_EQ(toNtp(unixSeconds(1) + 500ms).fraction, 0x80000000u);
  EXPECT_EQ(toNtp(unixSeconds(1) + 250ms).fraction, 0x40000000u);
  EXPECT_EQ(toNtp(unixSeconds(1) + 1ns).fraction, 4u);  // 2^32 / 1e9 = 4.29
  EXPECT_EQ(fromNtp(NtpTime{2208988801u, 0x80000000u}), unixSeconds(1) + 500ms);
  // Round trip within the nanosecond resolution of the system clock.
  const auto t = unixSeconds(1700000000) + 123456789ns;
  EXPECT_EQ(fromNtp(toNtp(t)), t);
}

TEST(NtpTime, KnownDate) {
  // The NTP seconds of a Chrome SR (mediasoup's TestSenderReport.cpp): 3711615412 = 2017-08-13 12:16:52 UTC.
  EXPECT_EQ(fromNtp(NtpTime{3711615412u, 0}), unixSeconds(1502626612));
  EXPECT_EQ(toNtp(unixSeconds(1502626612)).seconds, 3711615412u);
}

TEST(NtpTime, Era1AfterFebruary2036) {
  // 2036-02-07 06:28:16 UTC is NTP 2^32 seconds: the seconds field wraps to 0.
  const int64_t wrap = (int64_t{1} << 32) - 2208988800;
  EXPECT_EQ(toNtp(unixSeconds(wrap)).seconds, 0u);
  EXPECT_EQ(toNtp(unixSeconds(wrap + 16)).seconds, 16u);
  EXPECT_EQ(fromNtp(NtpTime{16, 0}), unixSeconds(wrap + 16));
}

TEST(NtpTime, ValueAndCompact) {
  const NtpTime ntp{0x12345678, 0x9abcdef0};
  EXPECT_EQ(ntp.value(), 0x123456789abcdef0u);
  EXPECT_EQ(NtpTime::fromValue(0x123456789abcdef0u), ntp);
  EXPECT_EQ(ntp.compact(), 0x56789abcu);  // RFC 3550 §4: the middle 32 bits
}

TEST(NtpTime, CompactDurations) {
  EXPECT_EQ(toCompactNtp(1500ms), 98304u);
  EXPECT_EQ(toCompactNtp(1s), 65536u);
  EXPECT_EQ(toCompactNtp(0s), 0u);
  EXPECT_EQ(toCompactNtp(-5s), 0u);
  EXPECT_EQ(toCompactNtp(std::chrono::hours(24)), 0xffffffffu);  // beyond 65536 s
  EXPECT_EQ(fromCompactNtp(65536), 1s);
  EXPECT_EQ(fromCompactNtp(0x8000), 500ms);
}

TEST(NtpTime, Rfc3550RoundTripExample) {
  // RFC 3550 §6.4.1, Figure 2: the SR left at 0xb44db705:20000000 (LSR = 0xb7052000), the RR came back
  // with DLSR 0x00054000 (5.25 s) and arrived at A = 0xb7108000; RTT = 0x00062000 = 6.125 s.
  const NtpTime sr{0xb44db705u, 0x20000000u};
  EXPECT_EQ(sr.compact(), 0xb7052000u);
  const auto rtt = roundTripTime(0xb7108000u, sr.compact(), 0x00054000u);
  ASSERT_TRUE(rtt);
  EXPECT_EQ(*rtt, 6125ms);
}

TEST(NtpTime, RoundTripTimeWithoutAnSrOrNegative) {
  EXPECT_FALSE(roundTripTime(0xb7108000u, 0, 0x00054000u));            // LSR 0: no SR received by the peer
  EXPECT_FALSE(roundTripTime(0x00010000u, 0x00010000u, 0x00000010u));  // negative
  EXPECT_EQ(roundTripTime(0x00010000u, 0x00010000u, 0), core::Duration(0));
  // Across the wrap of the compact clock.
  EXPECT_EQ(roundTripTime(0x00000100u, 0xffffff00u, 0), fromCompactNtp(0x200));
}

TEST(NtpClock, FollowsTheMonotonicClockFromTheAnchor) {
  const auto wall = unixSeconds(1700000000);
  const core::TimePoint mono = core::TimePoint{} + 42s;
  const NtpClock clock(wall, mono);
  EXPECT_EQ(clock.at(mono), toNtp(wall));
  EXPECT_EQ(clock.at(mono + 2500ms), toNtp(wall + 2500ms));
  core::ManualClock manual(mono);
  const NtpClock anchored = NtpClock::anchoredNow(manual);
  const auto before = toNtp(system_clock::now()).seconds;
  EXPECT_GE(anchored.at(mono).seconds + 1, before);
}

}  // namespace
}  // namespace callgate::rtp
