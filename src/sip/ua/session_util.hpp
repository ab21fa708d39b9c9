// Small helpers the INVITE session's translation units share (not a public API).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/text.hpp"
#include "sip/message/header_values.hpp"
#include "sip/message/message.hpp"

namespace callgate::sip::session_util {

inline constexpr std::string_view kAllow =
    "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, REFER, NOTIFY, MESSAGE";
inline constexpr std::string_view kSupported = "100rel, timer";
inline constexpr std::string_view kSdpType = "application/sdp";

// The body is SDP when Content-Type says application/sdp (parameters aside).
inline bool hasSdp(const Message& message) {
  if (message.body().empty()) return false;
  std::string_view type = message.headerValue(HeaderId::kContentType);
  type = core::trimLws(type.substr(0, type.find(';')));
  return core::iequals(type, kSdpType);
}

inline std::string sdpOf(const Message& message) {
  return hasSdp(message) ? std::string(message.body()) : std::string();
}

inline void setSdp(Message& message, std::string_view sdp) {
  if (sdp.empty()) return;
  message.addHeader(HeaderId::kContentType, kSdpType);
  message.setBody(sdp);
}

inline uint32_t sequenceOf(const Message& message) {
  auto cseq = parseCSeq(message.headerValue(HeaderId::kCSeq));
  return cseq ? cseq->sequence : 0;
}

inline std::string statusText(const Message& response) {
  return std::to_string(response.statusCode()) + " " + std::string(response.reason());
}

}  // namespace callgate::sip::session_util
