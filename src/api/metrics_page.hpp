// The gateway's /metrics page: Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/), rendered from a snapshot the app takes on
// the control loop. Pure: no clock, no I/O, no global state, so the format is unit-tested byte for byte.
//
// Families (ARCHITECTURE.md §6):
//   callgate_build_info{version}                       gauge, always 1
//   callgate_uptime_seconds                            gauge
//   callgate_sessions                                  gauge: client sessions, attached or waiting for resume
//   callgate_registrations                             gauge: sessions registered with their SIP server
//   callgate_calls{status}                             gauge: live calls by status (the usual ones always
//   shown) callgate_calls_ended_total{status,reason}          counter: gateway::CallCounters
//   callgate_rtp_packets_relayed_total{direction}      counter: to_sip, to_webrtc
//   callgate_packets_dropped_total{reason}             counter: every media::MediaDrop reason, 0 included
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "gateway/call_counters.hpp"
#include "media/media_counters.hpp"

namespace callgate::api {

struct MetricsSnapshot {
  std::string version;
  std::chrono::milliseconds uptime{0};
  size_t sessions = 0;
  size_t registrations = 0;
  std::map<std::string, size_t> callsByStatus;  // SessionRegistry::callsByStatus()
  std::map<gateway::CallCounters::Key, uint64_t> callsEnded;
  std::map<int, uint64_t> incomingRefused;  // CallCounters::refusals(): SIP status -> count
  uint64_t rtpToSip = 0;
  uint64_t rtpToWebRtc = 0;
  int64_t relayPortsOpen = 0;
  std::array<uint64_t, static_cast<size_t>(media::MediaDrop::kCount)> drops{};  // by media::MediaDrop

  // Reads the media threads' counters (relaxed loads: each value is exact, the set is not one instant).
  void readMedia(const media::MediaCounters& counters);
};

// The page, ending in a newline.
std::string renderMetrics(const MetricsSnapshot& snapshot);

// Text exposition 0.0.4 escaping: a label value escapes \ " and newline; HELP text escapes \ and newline.
std::string escapeLabelValue(std::string_view value);
std::string escapeHelp(std::string_view text);

// The Content-Type of the page.
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace callgate::api
