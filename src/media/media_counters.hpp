// Gateway-wide media counters for /metrics: incremented by the calls' media on their media threads (relaxed
// atomics, one owner: MediaServices), read by the control thread when /metrics is asked for. Counters only
// grow (Prometheus counters); the per-call stats live in the call's own objects.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace callgate::media {

// Why a packet the gateway received was not relayed. Each has a stable label for /metrics.
enum class MediaDrop : uint8_t {
  kWebRtcTransport,  // refused by the WebRTC transport (not validated, no keys, SRTP auth, replay, malformed)
  kUnknownPayloadType,  // RTP whose payload type the call did not negotiate
  kNoRemote,            // nowhere to send yet (the other leg's address or keys are not known)
  kMalformed,           // too short to be RTP/RTCP, or a wrong version, on the SIP leg
  kSendFailed,          // the socket or the SRTP protect refused the packet
  kStraySource,         // SIP-leg RTP from a source other than the latched one while that one is live
  kCount
};
constexpr std::string_view mediaDropLabel(MediaDrop drop) {
  switch (drop) {
    case MediaDrop::kWebRtcTransport:
      return "webrtc_transport";
    case MediaDrop::kUnknownPayloadType:
      return "unknown_payload_type";
    case MediaDrop::kNoRemote:
      return "no_remote";
    case MediaDrop::kMalformed:
      return "malformed";
    case MediaDrop::kSendFailed:
      return "send_failed";
    case MediaDrop::kStraySource:
      return "stray_source";
    case MediaDrop::kCount:
      break;
  }
  return "unknown";
}

struct MediaCounters {
  std::atomic<uint64_t> rtpToSip{0};     // RTP packets relayed from a WebRTC client to the SIP side
  std::atomic<uint64_t> rtpToWebRtc{0};  // RTP packets relayed from the SIP side to a WebRTC client
  std::array<std::atomic<uint64_t>, static_cast<size_t>(MediaDrop::kCount)> drops{};
  // A gauge: UDP ports the SIP calls' relays hold now (their WebRTC leg's unless it is on the shared port,
  // and the SIP leg's RTP and RTCP pair). Back to 0 once every call is gone: nothing left behind.
  std::atomic<int64_t> relayPortsOpen{0};

  void drop(MediaDrop reason, uint64_t n = 1) {
    drops[static_cast<size_t>(reason)].fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t dropped(MediaDrop reason) const {
    return drops[static_cast<size_t>(reason)].load(std::memory_order_relaxed);
  }
};

}  // namespace callgate::media
