#include "sip/message/header_id.hpp"

#include <array>

#include "core/text.hpp"

namespace callgate::sip {
namespace {

struct HeaderInfo {
  HeaderId id;
  std::string_view name;
  char compact;  // RFC 3261 §7.3.3 and later RFCs' compact forms; 0 when none
  bool commaList;
};

// Sorted by id so that canonicalHeaderName is an index.
constexpr std::array<HeaderInfo, static_cast<size_t>(HeaderId::kCount)> kHeaders{{
    {HeaderId::kOther, "", 0, false},
    {HeaderId::kAccept, "Accept", 0, true},
    {HeaderId::kAcceptContact, "Accept-Contact", 'a', true},  // RFC 3841
    {HeaderId::kAcceptEncoding, "Accept-Encoding", 0, true},
    {HeaderId::kAcceptLanguage, "Accept-Language", 0, true},
    {HeaderId::kAlertInfo, "Alert-Info", 0, true},
    {HeaderId::kAllow, "Allow", 0, true},
    {HeaderId::kAllowEvents, "Allow-Events", 'u', true},               // RFC 6665
    {HeaderId::kAuthenticationInfo, "Authentication-Info", 0, false},  // commas inside one value
    {HeaderId::kAuthorization, "Authorization", 0, false},
    {HeaderId::kCallId, "Call-ID", 'i', false},
    {HeaderId::kCallInfo, "Call-Info", 0, true},
    {HeaderId::kContact, "Contact", 'm', true},
    {HeaderId::kContentDisposition, "Content-Disposition", 0, false},
    {HeaderId::kContentEncoding, "Content-Encoding", 'e', true},
    {HeaderId::kContentLanguage, "Content-Language", 0, true},
    {HeaderId::kContentLength, "Content-Length", 'l', false},
    {HeaderId::kContentType, "Content-Type", 'c', false},
    {HeaderId::kCSeq, "CSeq", 0, false},
    {HeaderId::kDate, "Date", 0, false},  // "Sat, 13 Nov 2010 ..." holds a comma
    {HeaderId::kErrorInfo, "Error-Info", 0, true},
    {HeaderId::kEvent, "Event", 'o', false},  // RFC 6665
    {HeaderId::kExpires, "Expires", 0, false},
    {HeaderId::kFrom, "From", 'f', false},
    {HeaderId::kIdentity, "Identity", 'y', false},           // RFC 8224
    {HeaderId::kIdentityInfo, "Identity-Info", 'n', false},  // RFC 4474
    {HeaderId::kInReplyTo, "In-Reply-To", 0, true},
    {HeaderId::kMaxForwards, "Max-Forwards", 0, false},
    {HeaderId::kMimeVersion, "MIME-Version", 0, false},
    {HeaderId::kMinExpires, "Min-Expires", 0, false},
    {HeaderId::kMinSE, "Min-SE", 0, false},  // RFC 4028
    {HeaderId::kOrganization, "Organization", 0, false},
    {HeaderId::kPAssertedIdentity, "P-Asserted-Identity", 0, true},    // RFC 3325
    {HeaderId::kPPreferredIdentity, "P-Preferred-Identity", 0, true},  // RFC 3325
    {HeaderId::kPriority, "Priority", 0, false},
    {HeaderId::kPrivacy, "Privacy", 0, false},
    {HeaderId::kProxyAuthenticate, "Proxy-Authenticate", 0, false},
    {HeaderId::kProxyAuthorization, "Proxy-Authorization", 0, false},
    {HeaderId::kProxyRequire, "Proxy-Require", 0, true},
    {HeaderId::kRAck, "RAck", 0, false},     // RFC 3262
    {HeaderId::kReason, "Reason", 0, true},  // RFC 3326
    {HeaderId::kRecordRoute, "Record-Route", 0, true},
    {HeaderId::kReferTo, "Refer-To", 'r', false},             // RFC 3515
    {HeaderId::kReferredBy, "Referred-By", 'b', false},       // RFC 3892
    {HeaderId::kRejectContact, "Reject-Contact", 'j', true},  // RFC 3841
    {HeaderId::kReplaces, "Replaces", 0, false},              // RFC 3891
    {HeaderId::kReplyTo, "Reply-To", 0, false},
    {HeaderId::kRequestDisposition, "Request-Disposition", 'd', true},  // RFC 3841
    {HeaderId::kRequire, "Require", 0, true},
    {HeaderId::kRetryAfter, "Retry-After", 0, false},
    {HeaderId::kRoute, "Route", 0, true},
    {HeaderId::kRSeq, "RSeq", 0, false},  // RFC 3262
    {HeaderId::kServer, "Server", 0, false},
    {HeaderId::kSessionExpires, "Session-Expires", 'x', false},  // RFC 4028
    {HeaderId::kSubject, "Subject", 's', false},
    {HeaderId::kSubscriptionState, "Subscription-State", 0, false},  // RFC 6665
    {HeaderId::kSupported, "Supported", 'k', true},
    {HeaderId::kTimestamp, "Timestamp", 0, false},
    {HeaderId::kTo, "To", 't', false},
    {HeaderId::kUnsupported, "Unsupported", 0, true},
    {HeaderId::kUserAgent, "User-Agent", 0, false},
    {HeaderId::kVia, "Via", 'v', true},
    {HeaderId::kWarning, "Warning", 0, true},
    {HeaderId::kWwwAuthenticate, "WWW-Authenticate", 0, false},
}};

constexpr bool tableIsIndexed() {
  for (size_t i = 0; i < kHeaders.size(); ++i) {
    if (static_cast<size_t>(kHeaders[i].id) != i) return false;
  }
  return true;
}
static_assert(tableIsIndexed(), "kHeaders must be in HeaderId order");

// Lookup on the hot path: candidates indexed by (first letter, length), so a name is compared with at most
// a couple of known names. Longer names than any known one share the last length slot.
constexpr size_t kMaxLength = 24;
constexpr size_t kSlotCandidates = 3;

struct Index {
  std::array<std::array<std::array<uint8_t, kSlotCandidates>, kMaxLength + 1>, 26> ids{};
  std::array<uint8_t, 26> compact{};  // compact letter -> id
  bool overflow = false;
};

constexpr Index makeIndex() {
  Index index{};
  for (size_t i = 1; i < kHeaders.size(); ++i) {
    const auto letter = static_cast<size_t>(core::toLowerAscii(kHeaders[i].name[0]) - 'a');
    const size_t length = kHeaders[i].name.size();
    if (length > kMaxLength) {
      index.overflow = true;
      continue;
    }
    auto& slot = index.ids[letter][length];
    size_t n = 0;
    while (n < kSlotCandidates && slot[n] != 0) ++n;
    if (n == kSlotCandidates) {
      index.overflow = true;
      continue;
    }
    slot[n] = static_cast<uint8_t>(i);
    if (kHeaders[i].compact != 0) {
      index.compact[static_cast<size_t>(kHeaders[i].compact - 'a')] = static_cast<uint8_t>(i);
    }
  }
  return index;
}
constexpr Index kIndex = makeIndex();
static_assert(!kIndex.overflow, "raise kMaxLength or kSlotCandidates");

}  // namespace

HeaderId headerIdFromName(std::string_view name) {
  if (name.empty() || name.size() > kMaxLength) return HeaderId::kOther;
  const char first = core::toLowerAscii(name[0]);
  if (first < 'a' || first > 'z') return HeaderId::kOther;
  const auto letter = static_cast<size_t>(first - 'a');
  if (name.size() == 1) return static_cast<HeaderId>(kIndex.compact[letter]);
  const auto& candidates = kIndex.ids[letter][name.size()];
  // Nearly every peer writes the canonical spelling: an exact compare settles most names at once.
  for (uint8_t id : candidates) {
    if (id == 0) break;
    if (kHeaders[id].name == name) return kHeaders[id].id;
  }
  for (uint8_t id : candidates) {
    if (id == 0) break;
    if (core::iequals(kHeaders[id].name, name)) return kHeaders[id].id;
  }
  return HeaderId::kOther;
}

std::string_view canonicalHeaderName(HeaderId id) {
  const auto i = static_cast<size_t>(id);
  return i < kHeaders.size() ? kHeaders[i].name : std::string_view{};
}

bool headerIsCommaList(HeaderId id) {
  const auto i = static_cast<size_t>(id);
  return i < kHeaders.size() && kHeaders[i].commaList;
}

}  // namespace callgate::sip
