#include "webrtc/stun/message_type.hpp"

namespace callgate::webrtc::stun {

// The encoding must round-trip for every class and method, and match RFC 8489 §5's examples: a Binding
// request is 0x0001, a Binding success response 0x0101, a Binding error response 0x0111.
static_assert(composeMessageType(StunClass::kRequest, kMethodBinding) == 0x0001);
static_assert(composeMessageType(StunClass::kIndication, kMethodBinding) == 0x0011);
static_assert(composeMessageType(StunClass::kSuccessResponse, kMethodBinding) == 0x0101);
static_assert(composeMessageType(StunClass::kErrorResponse, kMethodBinding) == 0x0111);
static_assert(methodOf(composeMessageType(StunClass::kErrorResponse, kMaxMethod)) == kMaxMethod);
static_assert(messageClassOf(composeMessageType(StunClass::kErrorResponse, kMaxMethod)) ==
              StunClass::kErrorResponse);
static_assert(composeMessageType(StunClass::kErrorResponse, kMaxMethod) == 0x3FFF);

std::string_view className(StunClass cls) {
  switch (cls) {
    case StunClass::kRequest:
      return "request";
    case StunClass::kIndication:
      return "indication";
    case StunClass::kSuccessResponse:
      return "success response";
    case StunClass::kErrorResponse:
      return "error response";
  }
  return "request";  // unreachable: two bits, four enumerators
}

TransactionId newTransactionId(core::RandomSource& random) {
  TransactionId id{};
  random.fill(id);
  return id;
}

}  // namespace callgate::webrtc::stun
