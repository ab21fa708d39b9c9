#include "api/metrics_page.hpp"

#include <algorithm>
#include <initializer_list>
#include <utility>

namespace callgate::api {
namespace {

// Statuses a live call can have (PROTOCOL.md §9): always shown, so a dashboard sees 0 rather than no series.
constexpr std::array<std::string_view, 7> kLiveCallStatuses{
    "PENDING", "TRYING", "RING", "RING_MEDIA", "SESSION_PROGRESS", "ESTABLISHED", "HOLD",
};

class Page {
 public:
  // "# HELP" and "# TYPE" lines start every family, before its samples.
  void family(std::string_view name, std::string_view type, std::string_view help) {
    text_ += "# HELP ";
    text_ += name;
    text_ += ' ';
    text_ += escapeHelp(help);
    text_ += "\n# TYPE ";
    text_ += name;
    text_ += ' ';
    text_ += type;
    text_ += '\n';
  }

  void sample(std::string_view name,
              std::initializer_list<std::pair<std::string_view, std::string_view>> labels,
              std::string_view value) {
    text_ += name;
    if (labels.size() != 0) {
      text_ += '{';
      bool first = true;
      for (const auto& [label, labelValue] : labels) {
        if (!first) text_ += ',';
        first = false;
        text_ += label;
        text_ += "=\"";
        text_ += escapeLabelValue(labelValue);
        text_ += '"';
      }
      text_ += '}';
    }
    text_ += ' ';
    text_ += value;
    text_ += '\n';
  }

  void sample(std::string_view name,
              std::initializer_list<std::pair<std::string_view, std::string_view>> labels, uint64_t value) {
    sample(name, labels, std::string_view(std::to_string(value)));
  }

  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

// Milliseconds as decimal seconds ("12.345"): exact, no floating point.
std::string seconds(std::chrono::milliseconds ms) {
  const int64_t count = ms.count() < 0 ? 0 : ms.count();
  std::string fraction = std::to_string(count % 1000);
  fraction.insert(0, 3 - fraction.size(), '0');
  return std::to_string(count / 1000) + "." + fraction;
}

}  // namespace

void MetricsSnapshot::readMedia(const media::MediaCounters& counters) {
  rtpToSip = counters.rtpToSip.load(std::memory_order_relaxed);
  rtpToWebRtc = counters.rtpToWebRtc.load(std::memory_order_relaxed);
  relayPortsOpen = counters.relayPortsOpen.load(std::memory_order_relaxed);
  for (size_t i = 0; i < drops.size(); ++i) drops[i] = counters.dropped(static_cast<media::MediaDrop>(i));
}

std::string escapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escapeHelp(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string renderMetrics(const MetricsSnapshot& s) {
  Page page;
  page.family("callgate_build_info", "gauge", "The running callgate version (always 1).");
  page.sample("callgate_build_info", {{"version", s.version}}, 1);

  page.family("callgate_uptime_seconds", "gauge", "Seconds since the gateway started.");
  page.sample("callgate_uptime_seconds", {}, seconds(s.uptime));

  page.family("callgate_sessions", "gauge",
              "Client sessions, with a connection or waiting for their client to resume them.");
  page.sample("callgate_sessions", {}, s.sessions);

  page.family("callgate_registrations", "gauge", "Client sessions registered with their SIP server.");
  page.sample("callgate_registrations", {}, s.registrations);

  page.family("callgate_calls", "gauge", "Live calls by status.");
  for (std::string_view status : kLiveCallStatuses) {
    auto it = s.callsByStatus.find(std::string(status));
    page.sample("callgate_calls", {{"status", status}}, it == s.callsByStatus.end() ? 0 : it->second);
  }
  for (const auto& [status, count] : s.callsByStatus) {
    bool shown = false;
    for (std::string_view live : kLiveCallStatuses) shown = shown || live == status;
    if (!shown) page.sample("callgate_calls", {{"status", status}}, count);
  }

  page.family("callgate_calls_ended_total", "counter",
              "Calls ended, by final status and reason (a WCS call info, sip_<code>, or other).");
  for (const auto& [key, count] : s.callsEnded) {
    page.sample("callgate_calls_ended_total", {{"status", key.status}, {"reason", key.reason}}, count);
  }

  page.family("callgate_incoming_refused_total", "counter",
              "Incoming INVITEs refused before any client heard of them, by SIP status (0: other).");
  for (const auto& [status, count] : s.incomingRefused) {
    page.sample("callgate_incoming_refused_total", {{"status", std::to_string(status)}}, count);
  }

  page.family("callgate_rtp_packets_relayed_total", "counter",
              "RTP packets relayed between the WebRTC and SIP legs, by direction.");
  page.sample("callgate_rtp_packets_relayed_total", {{"direction", "to_sip"}}, s.rtpToSip);
  page.sample("callgate_rtp_packets_relayed_total", {{"direction", "to_webrtc"}}, s.rtpToWebRtc);

  page.family("callgate_media_ports_open", "gauge",
              "UDP ports the SIP calls' media relays hold now (0 once every call is gone).");
  page.sample("callgate_media_ports_open", {}, static_cast<uint64_t>(std::max<int64_t>(0, s.relayPortsOpen)));

  page.family("callgate_packets_dropped_total", "counter",
              "Media packets received and not relayed, by reason.");
  for (size_t i = 0; i < s.drops.size(); ++i) {
    page.sample("callgate_packets_dropped_total",
                {{"reason", media::mediaDropLabel(static_cast<media::MediaDrop>(i))}}, s.drops[i]);
  }
  return page.take();
}

}  // namespace callgate::api
