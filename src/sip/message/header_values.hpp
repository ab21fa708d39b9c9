// Typed views of the header values the UA needs: name-addr (From, To, Contact, Route...), Via, CSeq, and
// splitting of comma-separated header lists. All are views into the message text; parse on demand.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.hpp"
#include "sip/message/uri.hpp"

namespace callgate::sip {

// Splits a header value at top-level commas (RFC 3261 §7.3.1): commas inside quoted strings, <...> and
// (comments) do not split. Empty elements are skipped; each element is trimmed of LWS.
class ListSplitter {
 public:
  explicit ListSplitter(std::string_view value) : rest_(value) {}
  std::optional<std::string_view> next();

 private:
  std::string_view rest_;
};

// name-addr / addr-spec followed by header parameters (RFC 3261 §20.10, §20.20, §20.39, §25.1):
//   "Bob \"B\"" <sip:bob@example.com;transport=tcp>;tag=1234
//   sip:bob@example.com;tag=1234        (no brackets: the ;params belong to the header, not the URI)
struct NameAddr {
  std::string_view displayName;  // as written: a quoted string keeps its quotes; empty when absent
  Uri uri;
  bool angleBrackets = false;
  std::string_view params;  // header parameters, raw with the leading ';'

  std::optional<std::string_view> param(std::string_view name) const;
  std::optional<std::string_view> tag() const { return param("tag"); }
};

core::Result<NameAddr> parseNameAddr(std::string_view value);

// One Contact value: "*" or a name-addr (RFC 3261 §20.10).
struct ContactValue {
  bool star = false;
  NameAddr address;  // unset when star
};
core::Result<ContactValue> parseContact(std::string_view value);

// Via: SIP/2.0/UDP host:port;branch=z9hG4bK...;received=...;rport (RFC 3261 §20.42, RFC 3581).
struct Via {
  std::string_view protocolName;     // "SIP"
  std::string_view protocolVersion;  // "2.0"
  std::string_view transport;        // "UDP", "TCP", "TLS", "WS", or any token
  std::string_view host;             // IPv6 keeps brackets
  HostType hostType = HostType::kNone;
  uint16_t port = 0;
  bool hasPort = false;
  std::string_view params;  // raw with the leading ';'
  std::string_view branch;
  std::string_view received;
  std::optional<std::string_view> rport;  // "" when present without a value
  std::string_view maddr;

  std::optional<std::string_view> param(std::string_view name) const;
  // RFC 3261 §8.1.1.7: branches of RFC 3261 elements start with this magic cookie.
  bool hasRfc3261Branch() const { return branch.substr(0, 7) == "z9hG4bK"; }
};
core::Result<Via> parseVia(std::string_view value);

// CSeq: 1*DIGIT LWS Method; the number is a 32-bit unsigned integer (RFC 3261 §8.1.1.5, §20.16).
struct CSeq {
  uint32_t sequence = 0;
  std::string_view method;
};
core::Result<CSeq> parseCSeq(std::string_view value);

// Content-Length, Max-Forwards, Expires and the like: 1*DIGIT with a bound.
core::Result<uint32_t> parseUnsignedHeader(std::string_view value, uint32_t max, std::string_view headerName);

// Parses host[:port] as used in Via sent-by and URIs; returns false when malformed.
bool parseHostPort(std::string_view text, std::string_view& host, HostType& type, uint16_t& port,
                   bool& hasPort);

}  // namespace callgate::sip
