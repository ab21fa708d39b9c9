// The media direction attributes a=sendrecv / sendonly / recvonly / inactive (RFC 8866 §6.7, RFC 3264 §5.1).
// At session level they are the default of every media description without its own (RFC 8866 §6.7).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace callgate::sdp {

enum class Direction : uint8_t { kSendRecv, kSendOnly, kRecvOnly, kInactive };

// The attribute name ("sendrecv"...).
std::string_view toString(Direction direction);
// The direction an attribute name stands for, nullopt for any other attribute.
std::optional<Direction> directionFromName(std::string_view name);
// The direction an answer takes toward an offer of `offered` when it accepts everything (RFC 3264 §6.1:
// sendonly is answered recvonly and the other way round).
Direction reverse(Direction offered);

bool sends(Direction direction);
bool receives(Direction direction);

}  // namespace callgate::sdp
