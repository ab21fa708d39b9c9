// SIP, SIPS and TEL URIs (RFC 3261 §19.1, §25.1; RFC 3966), parsed as views into the text.
//
//   sip:user:password@host:port;uri-parameters?headers
//   sips:alice@[2001:db8::10]:5061;transport=tcp
//   tel:+1-201-555-0123;phone-context=example.com
//
// Every field keeps its escaped form as written; unescape() decodes %HH when a value is needed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/result.hpp"

namespace callgate::sip {

enum class UriScheme : uint8_t { kSip, kSips, kTel, kOther };
enum class HostType : uint8_t { kNone, kDomain, kIPv4, kIPv6 };

struct Uri {
  std::string_view text;  // the whole URI as written
  UriScheme scheme = UriScheme::kOther;
  std::string_view schemeText;  // as written ("SIP", "sip", "im", ...)
  std::string_view user;        // sip/sips: before '@' (escaped form); tel: the number
  std::string_view password;
  bool hasUser = false;
  bool hasPassword = false;
  std::string_view host;  // IPv6 references keep their brackets
  HostType hostType = HostType::kNone;
  uint16_t port = 0;
  bool hasPort = false;
  std::string_view params;   // ";a=b;lr": raw, with the leading ';' (empty when none)
  std::string_view headers;  // "?a=b&c=d": raw, with the leading '?' (empty when none)
  std::string_view opaque;   // kOther: everything after "scheme:"

  bool isSip() const { return scheme == UriScheme::kSip || scheme == UriScheme::kSips; }
  // A uri-parameter's value ("" for a flag such as lr), nullopt when absent. Names compare
  // case-insensitively.
  std::optional<std::string_view> param(std::string_view name) const;
  // The host without IPv6 brackets.
  std::string_view hostAddress() const;
};

// Parses a URI. sip/sips/tel are parsed fully and checked against the RFC grammar; any other scheme
// ("im:", "http:") is accepted as an absolute URI with an opaque part, as RFC 3261 §19.1 allows.
core::Result<Uri> parseUri(std::string_view text);
// A std::string temporary would die at the end of the statement while the Uri views it.
template <typename T, typename = std::enable_if_t<std::is_same_v<T, std::string>>>
core::Result<Uri> parseUri(T&& text) = delete;

// Decodes %HH escapes. Invalid escapes are kept as written.
std::string unescape(std::string_view escaped);

// RFC 3261 §19.1.4 URI comparison for sip/sips (user/password case-sensitive after unescaping, host and
// parameters case-insensitive, the listed parameters must match when present in either).
bool uriEquivalent(const Uri& a, const Uri& b);

}  // namespace callgate::sip
