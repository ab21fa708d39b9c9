// What a call tells its client (PROTOCOL.md §3): a status change of the call object, or the one remote SDP.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace callgate::gateway {

struct CallEvent {
  enum class Kind : uint8_t { kStatus, kRemoteSdp };
  Kind kind = Kind::kStatus;
  std::string callId;
  // kStatus: the call object with its new "status" (and "info", "sipStatus" where they apply).
  nlohmann::json call;
  // kRemoteSdp: the SDP for setRemoteSDP [callId, sdp].
  std::string sdp;
};

}  // namespace callgate::gateway
