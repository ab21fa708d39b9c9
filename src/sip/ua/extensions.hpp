// The header grammar of the SIP extensions the INVITE session speaks, sans-I/O and allocation-light:
//  - option tags in Supported / Require / Unsupported (RFC 3261 §19.2, §20.32, §20.37, §20.40);
//  - Session-Expires and Min-SE (RFC 4028 §4, §5);
//  - RSeq and RAck (RFC 3262 §7.1, §7.2);
//  - the status line of a message/sipfrag body (RFC 3420) as REFER's NOTIFY carries it (RFC 3515 §2.4.5).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sip/message/message.hpp"

namespace callgate::sip {

// Every option tag of every `id` header field (comma lists), in order, as written.
std::vector<std::string_view> optionTags(const Message& message, HeaderId id);
// Whether one of them is exactly `tag` ("100rel", "timer").
bool hasOptionTag(const Message& message, HeaderId id, std::string_view tag);

// RFC 4028 §4: Session-Expires: delta-seconds *(;se-params), refresher=uac|uas.
struct SessionExpires {
  enum class Refresher : uint8_t { kUnspecified, kUac, kUas };
  uint32_t seconds = 0;
  Refresher refresher = Refresher::kUnspecified;
};
std::string_view refresherName(SessionExpires::Refresher refresher);  // "uac", "uas", ""
// The message's Session-Expires: nullopt when it has none; an error (code 400) naming the rule when the
// value is not delta-seconds or refresher is neither uac nor uas.
core::Result<std::optional<SessionExpires>> sessionExpiresOf(const Message& message);
// The message's Min-SE (RFC 4028 §5): nullopt when absent; an error (code 400) when not delta-seconds.
core::Result<std::optional<uint32_t>> minSeOf(const Message& message);

// RFC 3262 §7.1: RSeq: 1*DIGIT, 1 to 2**32-1.
std::optional<uint32_t> parseRSeq(std::string_view value);
// RFC 3262 §7.2: RAck: response-num LWS CSeq-num LWS Method.
struct RAck {
  uint32_t rseq = 0;
  uint32_t cseq = 0;
  std::string_view method;
};
std::optional<RAck> parseRAck(std::string_view value);

// RFC 3420 / RFC 3515 §2.4.5: "SIP/2.0 180 Ringing" (the first line of a message/sipfrag body).
struct SipFragStatus {
  int status = 0;
  std::string reason;
};
std::optional<SipFragStatus> parseSipFragStatus(std::string_view body);

}  // namespace callgate::sip
