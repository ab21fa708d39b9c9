// Known SIP header names: one id each, compact forms folded in (RFC 3261 §7.3.3, §20), canonical spelling.
#pragma once

#include <cstdint>
#include <string_view>

namespace callgate::sip {

enum class HeaderId : uint8_t {
  kOther = 0,  // an unknown header: kept verbatim under the name it came with
  kAccept,
  kAcceptContact,
  kAcceptEncoding,
  kAcceptLanguage,
  kAlertInfo,
  kAllow,
  kAllowEvents,
  kAuthenticationInfo,
  kAuthorization,
  kCallId,
  kCallInfo,
  kContact,
  kContentDisposition,
  kContentEncoding,
  kContentLanguage,
  kContentLength,
  kContentType,
  kCSeq,
  kDate,
  kErrorInfo,
  kEvent,
  kExpires,
  kFrom,
  kIdentity,
  kIdentityInfo,
  kInReplyTo,
  kMaxForwards,
  kMimeVersion,
  kMinExpires,
  kMinSE,
  kOrganization,
  kPAssertedIdentity,
  kPPreferredIdentity,
  kPriority,
  kPrivacy,
  kProxyAuthenticate,
  kProxyAuthorization,
  kProxyRequire,
  kRAck,
  kReason,
  kRecordRoute,
  kReferTo,
  kReferredBy,
  kRejectContact,
  kReplaces,
  kReplyTo,
  kRequestDisposition,
  kRequire,
  kRetryAfter,
  kRoute,
  kRSeq,
  kServer,
  kSessionExpires,
  kSubject,
  kSubscriptionState,
  kSupported,
  kTimestamp,
  kTo,
  kUnsupported,
  kUserAgent,
  kVia,
  kWarning,
  kWwwAuthenticate,
  kCount,
};

// The id of a header name as it appears on the wire (any case, long or compact form); kOther if unknown.
HeaderId headerIdFromName(std::string_view name);

// The canonical long-form spelling ("Call-ID", "CSeq", "WWW-Authenticate"); empty for kOther.
std::string_view canonicalHeaderName(HeaderId id);

// True when several values of this header may share one line separated by commas (RFC 3261 §7.3.1).
// False for headers whose grammar holds commas inside one value (auth headers, Date, Retry-After...).
bool headerIsCommaList(HeaderId id);

}  // namespace callgate::sip
