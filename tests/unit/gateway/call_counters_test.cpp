// Ended-call counters: the reason label stays bounded (a WCS info, sip_<code> or other), never free text.
#include "gateway/call_counters.hpp"

#include <gtest/gtest.h>

#include <string>

namespace callgate::gateway {
namespace {

TEST(CallEndReason, EveryWcsInfoIsItsOwnReason) {
  // PROTOCOL.md §3, CALL_STATUS_INFO.
  for (const char* info :
       {"Normal call clearing", "Failed by session creation", "Failed by ICE error", "Failed by RTP activity",
        "Failed by DTLS fingerprint error", "No common codecs", "Failed by DTLS error", "Failed by error",
        "Failed by request timeout", "Transcoding required, but disabled"}) {
    EXPECT_EQ(callEndReason(info, 0), info);
    // The WCS info wins over the SIP status that came with it.
    EXPECT_EQ(callEndReason(info, 408), info);
  }
}

TEST(CallEndReason, InfoWithDetailAfterTheWcsStringKeepsOnlyTheWcsString) {
  EXPECT_EQ(callEndReason("Failed by ICE error: no consent for 30 s", 0), "Failed by ICE error");
  EXPECT_EQ(callEndReason("Failed by DTLS fingerprint error (sha-256 mismatch)", 0),
            "Failed by DTLS fingerprint error");
  EXPECT_EQ(callEndReason("Failed by DTLS error", 0), "Failed by DTLS error");
}

TEST(CallEndReason, OtherInfoFallsBackToTheSipStatus) {
  EXPECT_EQ(callEndReason("Busy Here", 486), "sip_486");
  EXPECT_EQ(callEndReason("Moved Temporarily", 302), "sip_302");
  EXPECT_EQ(callEndReason("Decline", 603), "sip_603");
  EXPECT_EQ(callEndReason("", 300), "sip_300");
  EXPECT_EQ(callEndReason("", 699), "sip_699");
}

TEST(CallEndReason, NoUsableInfoNorFailureStatusIsOther) {
  EXPECT_EQ(callEndReason("", 0), "other");
  EXPECT_EQ(callEndReason("call.sdp: not a WebRTC offer \"quoted\"\n", 0), "other");
  EXPECT_EQ(callEndReason("OK", 200), "other");
  EXPECT_EQ(callEndReason("Ringing", 180), "other");
  EXPECT_EQ(callEndReason("weird", 299), "other");
  EXPECT_EQ(callEndReason("weird", 700), "other");
  EXPECT_EQ(callEndReason("weird", -486), "other");
  // Case and leading text matter: only the exact WCS prefix counts.
  EXPECT_EQ(callEndReason("normal call clearing", 0), "other");
  EXPECT_EQ(callEndReason(" Normal call clearing", 0), "other");
}

TEST(CallStatusLabel, KnownStatusesPassUnknownOnesAreOther) {
  EXPECT_EQ(callStatusLabel("FINISH"), "FINISH");
  EXPECT_EQ(callStatusLabel("BUSY"), "BUSY");
  EXPECT_EQ(callStatusLabel("FAILED"), "FAILED");
  EXPECT_EQ(callStatusLabel("finished"), "other");
  EXPECT_EQ(callStatusLabel(""), "other");
}

TEST(CallCounters, CountsByStatusAndReason) {
  CallCounters counters;
  EXPECT_EQ(counters.total(), 0u);
  EXPECT_TRUE(counters.counts().empty());
  counters.ended("FINISH", "Normal call clearing", 0);
  counters.ended("FINISH", "Normal call clearing", 0);
  counters.ended("FAILED", "Failed by ICE error", 0);
  counters.ended("BUSY", "Busy Here", 486);
  counters.ended("FAILED", "Service Unavailable", 503);
  counters.ended("FAILED", "Service Unavailable (no route)", 503);
  counters.ended("FAILED", "callee: not a SIP URI", 0);
  EXPECT_EQ(counters.total(), 7u);
  EXPECT_EQ(counters.count("FINISH", "Normal call clearing"), 2u);
  EXPECT_EQ(counters.count("FAILED", "Failed by ICE error"), 1u);
  EXPECT_EQ(counters.count("BUSY", "sip_486"), 1u);
  EXPECT_EQ(counters.count("FAILED", "sip_503"), 2u);
  EXPECT_EQ(counters.count("FAILED", "other"), 1u);
  EXPECT_EQ(counters.count("FAILED", "Normal call clearing"), 0u);
  EXPECT_EQ(counters.counts().size(), 5u);
  const auto first = counters.counts().begin();
  EXPECT_EQ(first->first.status, "BUSY");
  EXPECT_EQ(first->first.reason, "sip_486");
}

TEST(CallCounters, ManyDistinctInfosStayFewSeries) {
  CallCounters counters;
  for (int i = 0; i < 1000; ++i) {
    counters.ended("FAILED", "Failed by error: attempt " + std::to_string(i), 0);
    counters.ended("FAILED", "reason phrase " + std::to_string(i), 500 + (i % 3));
    counters.ended(std::to_string(i), "x", 0);
  }
  EXPECT_EQ(counters.total(), 3000u);
  // "Failed by error", sip_500..sip_502, and other/other.
  EXPECT_EQ(counters.counts().size(), 5u);
  EXPECT_EQ(counters.count("FAILED", "Failed by error"), 1000u);
  EXPECT_EQ(counters.count("other", "other"), 1000u);
}

}  // namespace
}  // namespace callgate::gateway
