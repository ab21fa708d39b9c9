// The /metrics page: Prometheus text exposition format 0.0.4, checked byte for byte on a small snapshot and
// line by line against the format's grammar (HELP and TYPE before each family's samples, counters named
// *_total, label values escaped).
#include "api/metrics_page.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace callgate::api {
namespace {

using std::chrono::milliseconds;

MetricsSnapshot sample() {
  MetricsSnapshot s;
  s.version = "0.1.0";
  s.uptime = milliseconds(12045);
  s.sessions = 3;
  s.registrations = 2;
  s.callsByStatus = {{"ESTABLISHED", 2}, {"RING", 1}};
  s.callsEnded = {{{"FAILED", "Failed by ICE error"}, 4}, {{"FINISH", "Normal call clearing"}, 7}};
  s.incomingRefused = {{404, 2}, {488, 1}};
  s.rtpToSip = 1500;
  s.rtpToWebRtc = 1499;
  s.relayPortsOpen = 9;
  s.drops[static_cast<size_t>(media::MediaDrop::kNoRemote)] = 5;
  return s;
}

TEST(MetricsPage, RendersTheDocumentedPage) {
  const std::string expected =
      "# HELP callgate_build_info The running callgate version (always 1).\n"
      "# TYPE callgate_build_info gauge\n"
      "callgate_build_info{version=\"0.1.0\"} 1\n"
      "# HELP callgate_uptime_seconds Seconds since the gateway started.\n"
      "# TYPE callgate_uptime_seconds gauge\n"
      "callgate_uptime_seconds 12.045\n"
      "# HELP callgate_sessions Client sessions, with a connection or waiting for their client to resume "
      "them.\n"
      "# TYPE callgate_sessions gauge\n"
      "callgate_sessions 3\n"
      "# HELP callgate_registrations Client sessions registered with their SIP server.\n"
      "# TYPE callgate_registrations gauge\n"
      "callgate_registrations 2\n"
      "# HELP callgate_calls Live calls by status.\n"
      "# TYPE callgate_calls gauge\n"
      "callgate_calls{status=\"PENDING\"} 0\n"
      "callgate_calls{status=\"TRYING\"} 0\n"
      "callgate_calls{status=\"RING\"} 1\n"
      "callgate_calls{status=\"RING_MEDIA\"} 0\n"
      "callgate_calls{status=\"SESSION_PROGRESS\"} 0\n"
      "callgate_calls{status=\"ESTABLISHED\"} 2\n"
      "callgate_calls{status=\"HOLD\"} 0\n"
      "# HELP callgate_calls_ended_total Calls ended, by final status and reason (a WCS call info, "
      "sip_<code>, or other).\n"
      "# TYPE callgate_calls_ended_total counter\n"
      "callgate_calls_ended_total{status=\"FAILED\",reason=\"Failed by ICE error\"} 4\n"
      "callgate_calls_ended_total{status=\"FINISH\",reason=\"Normal call clearing\"} 7\n"
      "# HELP callgate_incoming_refused_total Incoming INVITEs refused before any client heard of them, by "
      "SIP "
      "status (0: other).\n"
      "# TYPE callgate_incoming_refused_total counter\n"
      "callgate_incoming_refused_total{status=\"404\"} 2\n"
      "callgate_incoming_refused_total{status=\"488\"} 1\n"
      "# HELP callgate_rtp_packets_relayed_total RTP packets relayed between the WebRTC and SIP legs, by "
      "direction.\n"
      "# TYPE callgate_rtp_packets_relayed_total counter\n"
      "callgate_rtp_packets_relayed_total{direction=\"to_sip\"} 1500\n"
      "callgate_rtp_packets_relayed_total{direction=\"to_webrtc\"} 1499\n"
      "# HELP callgate_media_ports_open UDP ports the SIP calls' media relays hold now (0 once every call is "
      "gone).\n"
      "# TYPE callgate_media_ports_open gauge\n"
      "callgate_media_ports_open 9\n"
      "# HELP callgate_packets_dropped_total Media packets received and not relayed, by reason.\n"
      "# TYPE callgate_packets_dropped_total counter\n"
      "callgate_packets_dropped_total{reason=\"webrtc_transport\"} 0\n"
      "callgate_packets_dropped_total{reason=\"unknown_payload_type\"} 0\n"
      "callgate_packets_dropped_total{reason=\"no_remote\"} 5\n"
      "callgate_packets_dropped_total{reason=\"malformed\"} 0\n"
      "callgate_packets_dropped_total{reason=\"send_failed\"} 0\n"
      "callgate_packets_dropped_total{reason=\"stray_source\"} 0\n";
  EXPECT_EQ(renderMetrics(sample()), expected);
}

TEST(MetricsPage, EscapesLabelValuesAsTheFormatSays) {
  EXPECT_EQ(escapeLabelValue("plain"), "plain");
  EXPECT_EQ(escapeLabelValue("a\\b"), "a\\\\b");
  EXPECT_EQ(escapeLabelValue("say \"hi\""), "say \\\"hi\\\"");
  EXPECT_EQ(escapeLabelValue("two\nlines"), "two\\nlines");
  EXPECT_EQ(escapeLabelValue("\\\"\n"), "\\\\\\\"\\n");
  // Only those three: other bytes (UTF-8, tabs) go through as they are.
  EXPECT_EQ(escapeLabelValue("caf\xc3\xa9\t"), "caf\xc3\xa9\t");
  // HELP escapes backslash and newline, not quotes.
  EXPECT_EQ(escapeHelp("a \"b\" \\ c\nd"), "a \"b\" \\\\ c\\nd");
}

TEST(MetricsPage, EscapedLabelValuesReachThePage) {
  MetricsSnapshot s;
  s.version = "1.0 \"rc\"\\x\ny";
  s.callsByStatus = {{"WEIRD\"\n", 1}};
  const std::string page = renderMetrics(s);
  EXPECT_NE(page.find("callgate_build_info{version=\"1.0 \\\"rc\\\"\\\\x\\ny\"} 1\n"), std::string::npos)
      << page;
  EXPECT_NE(page.find("callgate_calls{status=\"WEIRD\\\"\\n\"} 1\n"), std::string::npos) << page;
}

// One sample line of the 0.0.4 text format: name, optional {label="value",...}, a value.
const std::regex kSampleLine(
    R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? (-?[0-9]+(\.[0-9]+)?)$)");
const std::regex kHelpLine(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$)");
const std::regex kTypeLine(
    R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");

// Checks the grammar; returns each family's type by name.
std::map<std::string, std::string> checkFormat(const std::string& page) {
  EXPECT_FALSE(page.empty());
  EXPECT_EQ(page.back(), '\n') << "the page must end with a line feed";
  std::map<std::string, std::string> types;
  std::set<std::string> helped;
  std::string current;  // the family whose samples may follow
  std::istringstream lines(page);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (std::regex_match(line, m, kHelpLine)) {
      EXPECT_TRUE(helped.insert(m[1]).second) << "second HELP for " << m[1];
      current = m[1];
    } else if (std::regex_match(line, m, kTypeLine)) {
      EXPECT_EQ(m[1], current) << "TYPE without its HELP just before: " << line;
      EXPECT_TRUE(types.emplace(m[1], m[2]).second) << "second TYPE for " << m[1];
      if (m[2] == "counter") {
        EXPECT_TRUE(std::string(m[1]).ends_with("_total")) << "counter not named *_total: " << m[1];
      }
    } else if (std::regex_match(line, m, kSampleLine)) {
      EXPECT_EQ(m[1], current) << "sample outside its family: " << line;
      EXPECT_TRUE(types.count(m[1])) << "sample before its TYPE: " << line;
    } else {
      ADD_FAILURE() << "not a 0.0.4 text format line: '" << line << "'";
    }
  }
  return types;
}

TEST(MetricsPage, EveryLineFollowsTheFormat) {
  MetricsSnapshot s = sample();
  s.callsEnded[{"FAILED", "we\"ird\\\n"}] = 1;
  const auto types = checkFormat(renderMetrics(s));
  const std::map<std::string, std::string> expected{
      {"callgate_build_info", "gauge"},
      {"callgate_uptime_seconds", "gauge"},
      {"callgate_sessions", "gauge"},
      {"callgate_registrations", "gauge"},
      {"callgate_calls", "gauge"},
      {"callgate_calls_ended_total", "counter"},
      {"callgate_incoming_refused_total", "counter"},
      {"callgate_rtp_packets_relayed_total", "counter"},
      {"callgate_media_ports_open", "gauge"},
      {"callgate_packets_dropped_total", "counter"},
  };
  EXPECT_EQ(types, expected);
}

TEST(MetricsPage, EmptySnapshotStillHasEveryFamilyAndEveryDropReason) {
  const std::string page = renderMetrics(MetricsSnapshot{});
  const auto types = checkFormat(page);
  EXPECT_EQ(types.size(), 10u);
  EXPECT_EQ(types.count("callgate_calls_ended_total"), 1u);
  EXPECT_EQ(types.count("callgate_incoming_refused_total"), 1u);
  for (size_t i = 0; i < static_cast<size_t>(media::MediaDrop::kCount); ++i) {
    const std::string line = "callgate_packets_dropped_total{reason=\"" +
                             std::string(media::mediaDropLabel(static_cast<media::MediaDrop>(i))) + "\"} 0\n";
    EXPECT_NE(page.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(page.find("reason=\"unknown\""), std::string::npos);
  EXPECT_NE(page.find("callgate_uptime_seconds 0.000\n"), std::string::npos);
  EXPECT_NE(page.find("callgate_calls{status=\"ESTABLISHED\"} 0\n"), std::string::npos);
}

TEST(MetricsPage, ReadsTheMediaCounters) {
  media::MediaCounters counters;
  counters.rtpToSip.fetch_add(11);
  counters.rtpToWebRtc.fetch_add(22);
  counters.drop(media::MediaDrop::kMalformed, 3);
  counters.drop(media::MediaDrop::kSendFailed);
  MetricsSnapshot s;
  s.readMedia(counters);
  EXPECT_EQ(s.rtpToSip, 11u);
  EXPECT_EQ(s.rtpToWebRtc, 22u);
  EXPECT_EQ(s.drops[static_cast<size_t>(media::MediaDrop::kMalformed)], 3u);
  EXPECT_EQ(s.drops[static_cast<size_t>(media::MediaDrop::kSendFailed)], 1u);
  EXPECT_EQ(s.drops[static_cast<size_t>(media::MediaDrop::kWebRtcTransport)], 0u);
  const std::string page = renderMetrics(s);
  EXPECT_NE(page.find("callgate_rtp_packets_relayed_total{direction=\"to_sip\"} 11\n"), std::string::npos);
  EXPECT_NE(page.find("callgate_packets_dropped_total{reason=\"malformed\"} 3\n"), std::string::npos);
}

TEST(MetricsPage, EndedCountsComeFromCallCounters) {
  gateway::CallCounters counters;
  counters.ended("BUSY", "Busy Here", 486);
  counters.ended("FAILED", "Failed by RTP activity", 0);
  MetricsSnapshot s;
  s.callsEnded = counters.counts();
  const std::string page = renderMetrics(s);
  EXPECT_NE(page.find("callgate_calls_ended_total{status=\"BUSY\",reason=\"sip_486\"} 1\n"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("callgate_calls_ended_total{status=\"FAILED\",reason=\"Failed by RTP activity\"} 1\n"),
            std::string::npos)
      << page;
}

}  // namespace
}  // namespace callgate::api
