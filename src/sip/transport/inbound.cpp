#include "sip/transport/inbound.hpp"

#include "core/text.hpp"
#include "sip/message/header_id.hpp"
#include "sip/message/validate.hpp"
#include "sip/message/writer.hpp"
#include "sip/transport/error_response.hpp"
#include "sip/transport/response_route.hpp"
#include "sip/transport/top_via.hpp"

namespace callgate::sip {
namespace {

constexpr int kBadRequest = 400;
constexpr int kMessageTooLarge = 513;

Inbound drop(DropReason reason, std::string error) {
  Inbound result;
  result.action = Inbound::Action::kDrop;
  result.dropReason = reason;
  result.error = std::move(error);
  return result;
}

// A request that will not be delivered: answered, unless it is an ACK (RFC 3261 §17.2.1: an ACK is never
// answered; STYLE.md).
Inbound answer(const Message& request, const Endpoint& source, int statusCode, DropReason reason,
               std::string error) {
  if (request.methodId() == Method::kAck) {
    return drop(reason == DropReason::kOversize ? reason : DropReason::kInvalidAck, std::move(error));
  }
  Inbound result;
  result.action = Inbound::Action::kRespond;
  result.statusCode = statusCode;
  result.dropReason = reason;
  result.respondTo = responseDestination(request, source);
  writeMessage(makeErrorResponse(request, statusCode, error), result.response);
  result.error = std::move(error);
  return result;
}

int answerCode(int code) {
  return code >= 400 && code <= 699 ? code : kBadRequest;
}

}  // namespace

std::string_view dropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kParseError:
      return "parse_error";
    case DropReason::kInvalidRequest:
      return "invalid_request";
    case DropReason::kInvalidAck:
      return "invalid_ack";
    case DropReason::kInvalidResponse:
      return "invalid_response";
    case DropReason::kOversize:
      return "oversize";
    case DropReason::kFraming:
      return "framing";
    case DropReason::kConnectionLimit:
      return "connection_limit";
    case DropReason::kSendFailed:
      return "send_failed";
    case DropReason::kCount:
      break;
  }
  return "unknown";
}

Inbound processInbound(std::string_view bytes, const Endpoint& source, Framing framing,
                       const InboundLimits& limits) {
  Inbound result;
  const MessageParser parser(limits.parse);
  if (auto parsed = parser.parse(bytes, result.message, framing); !parsed) {
    // Without a parsed Via, From, To, Call-ID and CSeq there is no response to build.
    const bool oversize = parsed.error().code == kMessageTooLarge;
    return drop(oversize ? DropReason::kOversize : DropReason::kParseError, parsed.error().message);
  }
  Message& message = result.message;
  if (message.isResponse()) {
    // RFC 3261 §18.1.2: a response that fails the checks is discarded, never answered.
    if (auto valid = validateMessage(message); !valid) {
      return drop(DropReason::kInvalidResponse, valid.error().message);
    }
    result.action = Inbound::Action::kDeliver;
    return result;
  }
  // RFC 3261 §18.2.1, RFC 3581 §4: received/rport go on before anything is answered, so that even an error
  // response finds its way back through a NAT.
  stampTopVia(message, source);
  if (bytes.size() > limits.maxMessageBytes) {
    return answer(message, source, kMessageTooLarge, DropReason::kOversize,
                  "Message Too Large: " + std::to_string(bytes.size()) + " bytes, the limit is " +
                      std::to_string(limits.maxMessageBytes));
  }
  if (auto valid = validateMessage(message); !valid) {
    return answer(message, source, answerCode(valid.error().code), DropReason::kInvalidRequest,
                  valid.error().message);
  }
  result.action = Inbound::Action::kDeliver;
  return result;
}

Inbound processUnframeable(std::string_view buffer, std::string_view error, const Endpoint& source,
                           const InboundLimits& limits) {
  const std::string reason = error.empty() ? std::string("invalid stream framing") : std::string(error);
  size_t start = 0;
  while (start < buffer.size() && (buffer[start] == '\r' || buffer[start] == '\n')) ++start;
  const size_t end = buffer.find("\r\n\r\n", start);
  if (end == std::string_view::npos || end - start > limits.parse.maxMessageBytes) {
    return drop(DropReason::kFraming, reason);
  }
  // The header block alone, without its Content-Length lines (the cause of most framing errors): enough to
  // build the response (RFC 3261 §8.2.6).
  std::string headers;
  headers.reserve(end - start + 4);
  size_t pos = start;
  bool firstLine = true;
  while (pos < end + 2) {
    size_t eol = buffer.find("\r\n", pos);
    // A folded line continues its header: keep it with the header it belongs to.
    while (eol + 2 < end + 2 && core::isWsp(buffer[eol + 2])) eol = buffer.find("\r\n", eol + 2);
    const std::string_view line = buffer.substr(pos, eol - pos);
    bool keep = true;
    if (!firstLine) {
      const size_t colon = line.find(':');
      std::string_view name = colon == std::string_view::npos ? line : line.substr(0, colon);
      while (!name.empty() && core::isWsp(name.back())) name.remove_suffix(1);
      keep = headerIdFromName(name) != HeaderId::kContentLength;
    }
    if (keep) {
      headers.append(line);
      headers += "\r\n";
    }
    firstLine = false;
    pos = eol + 2;
  }
  headers += "\r\n";
  Message request;
  const MessageParser parser(limits.parse);
  if (auto parsed = parser.parse(headers, request, Framing::kDatagram); !parsed || !request.isRequest()) {
    return drop(DropReason::kFraming, reason);
  }
  stampTopVia(request, source);
  Inbound result = answer(request, source, kBadRequest, DropReason::kFraming, reason);
  // The parsed request views `headers`, which dies here: only the serialized response leaves.
  result.message = Message();
  return result;
}

}  // namespace callgate::sip
