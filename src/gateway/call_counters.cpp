#include "gateway/call_counters.hpp"

#include <array>

namespace callgate::gateway {
namespace {

// PROTOCOL.md §3: the info strings WCS puts in call status messages (CALL_STATUS_INFO).
constexpr std::array<std::string_view, 10> kWcsCallInfo{
    "Normal call clearing",
    "Failed by session creation",
    "Failed by ICE error",
    "Failed by RTP activity",
    "Failed by DTLS fingerprint error",
    "No common codecs",
    "Failed by DTLS error",
    "Failed by error",
    "Failed by request timeout",
    "Transcoding required, but disabled",
};

// PROTOCOL.md §9: the call statuses of the SDKs.
constexpr std::array<std::string_view, 11> kCallStatuses{
    "NEW",         "PENDING", "TRYING", "RING",   "RING_MEDIA", "SESSION_PROGRESS",
    "ESTABLISHED", "HOLD",    "BUSY",   "FAILED", "FINISH",
};

}  // namespace

std::string callEndReason(std::string_view info, int sipStatus) {
  for (std::string_view known : kWcsCallInfo) {
    if (info.starts_with(known)) return std::string(known);
  }
  if (sipStatus >= 300 && sipStatus <= 699) return "sip_" + std::to_string(sipStatus);
  return "other";
}

std::string_view callStatusLabel(std::string_view status) {
  for (std::string_view known : kCallStatuses) {
    if (status == known) return known;
  }
  return "other";
}

void CallCounters::ended(std::string_view status, std::string_view info, int sipStatus) {
  ++counts_[Key{std::string(callStatusLabel(status)), callEndReason(info, sipStatus)}];
  ++total_;
}

void CallCounters::refusedIncoming(int sipStatus) {
  ++refusals_[sipStatus >= 300 && sipStatus <= 699 ? sipStatus : 0];
}

uint64_t CallCounters::count(std::string_view status, std::string_view reason) const {
  auto it = counts_.find(Key{std::string(status), std::string(reason)});
  return it == counts_.end() ? 0 : it->second;
}

}  // namespace callgate::gateway
