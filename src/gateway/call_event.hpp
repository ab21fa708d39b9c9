// What a call tells its client (PROTOCOL.md §3-4): a status change of the call object, the one remote SDP,
// or a new incoming call (notifyIncomingCall, after its setRemoteSDP with the gateway's offer).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace callgate::gateway {

struct CallEvent {
  enum class Kind : uint8_t { kStatus, kRemoteSdp, kIncoming };
  Kind kind = Kind::kStatus;
  std::string callId;
  // kStatus, kIncoming: the call object with its new "status" (and "info", "sipStatus" where they apply).
  nlohmann::json call;
  // kRemoteSdp: the SDP for setRemoteSDP [callId, sdp].
  std::string sdp;
};

}  // namespace callgate::gateway
