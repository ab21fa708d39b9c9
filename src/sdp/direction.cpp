#include "sdp/direction.hpp"

#include "core/text.hpp"

namespace callgate::sdp {

std::string_view toString(Direction direction) {
  switch (direction) {
    case Direction::kSendRecv:
      return "sendrecv";
    case Direction::kSendOnly:
      return "sendonly";
    case Direction::kRecvOnly:
      return "recvonly";
    case Direction::kInactive:
      return "inactive";
  }
  return "sendrecv";
}

std::optional<Direction> directionFromName(std::string_view name) {
  if (core::iequals(name, "sendrecv")) return Direction::kSendRecv;
  if (core::iequals(name, "sendonly")) return Direction::kSendOnly;
  if (core::iequals(name, "recvonly")) return Direction::kRecvOnly;
  if (core::iequals(name, "inactive")) return Direction::kInactive;
  return std::nullopt;
}

Direction reverse(Direction offered) {
  switch (offered) {
    case Direction::kSendOnly:
      return Direction::kRecvOnly;
    case Direction::kRecvOnly:
      return Direction::kSendOnly;
    case Direction::kSendRecv:
    case Direction::kInactive:
      return offered;
  }
  return offered;
}

bool sends(Direction direction) {
  return direction == Direction::kSendRecv || direction == Direction::kSendOnly;
}
bool receives(Direction direction) {
  return direction == Direction::kSendRecv || direction == Direction::kRecvOnly;
}

}  // namespace callgate::sdp
