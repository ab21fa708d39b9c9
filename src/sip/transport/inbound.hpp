// What the transport does with one received message, sans-I/O (RFC 3261 §18.1.2, §18.2.1, §8.2.6):
//
//   bytes ──parse──► Message ──(request: stamp received/rport on the top Via)──validate──► deliver
//             │                                                               │
//             └─ unparsable: drop (nothing to answer)                         ├─ bad request: error response
//                                                                             ├─ bad ACK: drop (never
//                                                                             answered) └─ bad response: drop
//
// The caller frames the bytes (a UDP datagram, or a message cut by frameMessage from a TCP/TLS stream),
// sends `response` when there is one, counts drops by reason and passes `message` to the transaction layer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sip/message/message.hpp"
#include "sip/message/parser.hpp"
#include "sip/transport/endpoint.hpp"

namespace callgate::sip {

// Why a message (or a connection's bytes) went no further. Transports count drops by these.
enum class DropReason : uint8_t {
  kParseError,       // not a SIP message at all: nothing to answer
  kInvalidRequest,   // parsed, failed validation: answered 400/416/505
  kInvalidAck,       // an ACK that failed validation: never answered (RFC 3261 §17.2.1)
  kInvalidResponse,  // a response that failed validation: discarded (RFC 3261 §18.1.2)
  kOversize,         // larger than the configured limits (answered 513 when it could be parsed)
  kFraming,          // a stream that cannot be cut into messages (RFC 3261 §18.3): connection closed
  kConnectionLimit,  // a connection refused because the configured maximum was reached
  kSendFailed,       // a message that could not be sent (queue full, socket error)
  kCount,
};
inline constexpr size_t kDropReasonCount = static_cast<size_t>(DropReason::kCount);
// "parse_error", "invalid_request", ...: for metrics labels and logs.
std::string_view dropReasonName(DropReason reason);

using DropCounters = std::array<uint64_t, kDropReasonCount>;

struct InboundLimits {
  ParseLimits parse;  // hard limits: beyond them a message does not parse (and is dropped)
  // Messages that parse but are larger than this are answered 513 (RFC 3261 §18.1.1, §21.5.13).
  size_t maxMessageBytes = 65535;
};

struct Inbound {
  enum class Action : uint8_t {
    kDeliver,  // `message` goes to the transaction layer
    kRespond,  // send `response` to `respondTo`; nothing is delivered
    kDrop,     // nothing to do but count `dropReason`
  };
  Action action = Action::kDrop;
  // kDeliver: a view of the received bytes (keep them alive, or clone()), plus the stamped top Via.
  Message message;
  // kRespond: the serialized error response and where it goes (RFC 3261 §18.2.2, RFC 3581 §4).
  std::string response;
  Endpoint respondTo;
  int statusCode = 0;
  // kRespond and kDrop: why, and what was wrong (for logs).
  DropReason dropReason = DropReason::kParseError;
  std::string error;
};

// One message: a UDP datagram (Framing::kDatagram) or a message cut from a stream (Framing::kStream).
Inbound processInbound(std::string_view bytes, const Endpoint& source, Framing framing,
                       const InboundLimits& limits = {});

// A stream that frameMessage() found invalid (`error` is its FrameResult::error): answers 400 when the
// header block at the start of `buffer` parses as a request other than ACK (its Content-Length is ignored,
// the body is not needed), else kDrop. The caller closes the connection either way (RFC 3261 §18.3).
Inbound processUnframeable(std::string_view buffer, std::string_view error, const Endpoint& source,
                           const InboundLimits& limits = {});

}  // namespace callgate::sip
