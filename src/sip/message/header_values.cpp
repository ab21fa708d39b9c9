#include "sip/message/header_values.hpp"

#include <array>
#include <cstring>

#include "core/text.hpp"
#include "sip/message/char_class.hpp"
#include "sip/message/params.hpp"

namespace callgate::sip {
namespace {

using core::makeError;

constexpr bool isLws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view skipLws(std::string_view s) {
  while (!s.empty() && isLws(s.front())) s.remove_prefix(1);
  return s;
}

// Walks header parameters, checking them as it goes: *( SEMI generic-param ), generic-param = token
// [ EQUAL gen-value ], gen-value = token / host / quoted-string (RFC 3261 §25.1). `visit(name, value,
// hasValue)` sees each one (the value as written). One pass: validation and extraction share it.
template <typename Visit>
core::Result<void> forEachHeaderParam(std::string_view params, std::string_view header, Visit&& visit) {
  std::string_view rest = skipLws(params);
  while (!rest.empty()) {
    if (rest.front() != ';') {
      return makeError(std::string(header) + " has text where a ';' parameter should start: '" +
                       core::printable(rest) + "'");
    }
    rest = skipLws(rest.substr(1));
    size_t n = 0;
    while (n < rest.size() && chars::isTokenChar(rest[n])) ++n;
    if (n == 0) return makeError(std::string(header) + " has an empty or non-token parameter name");
    const std::string_view name = rest.substr(0, n);
    std::string_view value;
    bool hasValue = false;
    rest = skipLws(rest.substr(n));
    if (!rest.empty() && rest.front() == '=') {
      rest = skipLws(rest.substr(1));
      if (!rest.empty() && rest.front() == '"') {
        n = quotedStringLength(rest);
        if (n == 0)
          return makeError(std::string(header) + " has a parameter with an unterminated quoted string");
      } else if (!rest.empty() && rest.front() == '[') {
        n = rest.find(']');
        if (n == std::string_view::npos)
          return makeError(std::string(header) + " has an unterminated [IPv6] value");
        ++n;
      } else {
        n = 0;
        while (n < rest.size() && (chars::isTokenChar(rest[n]) || rest[n] == ':')) ++n;
        if (n == 0)
          return makeError(std::string(header) + " has a parameter with an empty or non-token value");
      }
      value = rest.substr(0, n);
      hasValue = true;
      rest = skipLws(rest.substr(n));
    }
    if (auto ok = visit(name, value, hasValue); !ok) return ok;
  }
  return {};
}

core::Result<void> checkHeaderParams(std::string_view params, std::string_view header) {
  return forEachHeaderParam(
      params, header, [](std::string_view, std::string_view, bool) -> core::Result<void> { return {}; });
}

}  // namespace

namespace {

// The characters that can change how a list splits; every other character is skipped in one test.
constexpr std::array<bool, 256> makeSplitSpecial() {
  std::array<bool, 256> t{};
  for (char c : std::string_view("\"<>(),")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kSplitSpecial = makeSplitSpecial();

}  // namespace

std::optional<std::string_view> ListSplitter::next() {
  while (true) {
    rest_ = skipLws(rest_);
    while (!rest_.empty() && rest_.front() == ',') rest_ = skipLws(rest_.substr(1));
    if (rest_.empty()) return std::nullopt;
    const size_t n = rest_.size();
    // Most values hold one element: with no comma anywhere there is nothing to split.
    if (std::memchr(rest_.data(), ',', n) == nullptr) {
      const std::string_view item = core::trimLws(rest_);
      rest_ = {};
      return item;
    }
    size_t i = 0;
    int angle = 0;
    int paren = 0;
    while (i < n) {
      while (i < n && !kSplitSpecial[static_cast<unsigned char>(rest_[i])]) ++i;
      if (i == n) break;
      const char c = rest_[i];
      if (c == '"') {
        const size_t q = quotedStringLength(rest_.substr(i));
        i += q == 0 ? n - i : q;  // unterminated: the rest is one element, left for its parser
        continue;
      }
      if (c == ',' && angle == 0 && paren == 0) break;
      if (c == '<') ++angle;
      if (c == '>' && angle > 0) --angle;
      if (c == '(') ++paren;
      if (c == ')' && paren > 0) --paren;
      ++i;
    }
    const std::string_view item = core::trimLws(rest_.substr(0, i));
    rest_.remove_prefix(i);
    if (!item.empty()) return item;
  }
}

std::optional<std::string_view> NameAddr::param(std::string_view name) const {
  return findParam(params, name);
}

core::Result<NameAddr> parseNameAddr(std::string_view value) {
  NameAddr out;
  std::string_view rest = core::trimLws(value);
  if (rest.empty()) return makeError("empty address (RFC 3261 §25.1 name-addr / addr-spec)");

  if (rest.front() == '"') {
    const size_t n = quotedStringLength(rest);
    if (n == 0)
      return makeError("display name has an unterminated quoted string (RFC 3261 §25.1 quoted-string)");
    out.displayName = rest.substr(0, n);
    rest = skipLws(rest.substr(n));
    if (rest.empty() || rest.front() != '<') {
      return makeError("a quoted display name must be followed by <URI> (RFC 3261 §25.1 name-addr)");
    }
  } else {
    const size_t lt = rest.find('<');
    if (lt != std::string_view::npos) {
      // display-name = *(token LWS): every character before '<' is a token character or LWS.
      const std::string_view name = core::trimLws(rest.substr(0, lt));
      for (char c : name) {
        if (!chars::isTokenChar(c) && !isLws(c)) {
          return makeError("display name '" + core::printable(name) +
                           "' has characters that need a quoted string (RFC 3261 §25.1 display-name)");
        }
      }
      out.displayName = name;
      rest = rest.substr(lt);
    }
  }

  if (!rest.empty() && rest.front() == '<') {
    const size_t gt = rest.find('>');
    if (gt == std::string_view::npos) return makeError("address has '<' without a closing '>'");
    auto uri = parseUri(rest.substr(1, gt - 1));
    if (!uri) return uri.error();
    out.uri = *uri;
    out.angleBrackets = true;
    rest = rest.substr(gt + 1);
  } else {
    // addr-spec: the URI ends at the first ';' or LWS; what follows are header parameters (RFC 3261 §20.10).
    size_t end = 0;
    while (end < rest.size() && rest[end] != ';' && !isLws(rest[end])) ++end;
    auto uri = parseUri(rest.substr(0, end));
    if (!uri) return uri.error();
    out.uri = *uri;
    rest = rest.substr(end);
  }
  out.params = core::trimLws(rest);
  if (auto ok = checkHeaderParams(out.params, "address"); !ok) return ok.error();
  return out;
}

core::Result<ContactValue> parseContact(std::string_view value) {
  ContactValue out;
  if (core::trimLws(value) == "*") {
    out.star = true;
    return out;
  }
  auto address = parseNameAddr(value);
  if (!address) return address.error();
  out.address = *address;
  return out;
}

std::optional<std::string_view> Via::param(std::string_view name) const {
  return findParam(params, name);
}

core::Result<Via> parseVia(std::string_view value) {
  Via via;
  std::string_view rest = core::trimLws(value);
  // sent-protocol = protocol-name SLASH protocol-version SLASH transport; SLASH = SWS "/" SWS
  std::string_view* parts[3] = {&via.protocolName, &via.protocolVersion, &via.transport};
  for (int i = 0; i < 3; ++i) {
    rest = skipLws(rest);
    size_t n = 0;
    while (n < rest.size() && chars::isTokenChar(rest[n])) ++n;
    if (n == 0) return makeError("Via sent-protocol is not protocol/version/transport (RFC 3261 §20.42)");
    *parts[i] = rest.substr(0, n);
    rest = skipLws(rest.substr(n));
    if (i < 2) {
      if (rest.empty() || rest.front() != '/') {
        return makeError("Via sent-protocol is not protocol/version/transport (RFC 3261 §20.42)");
      }
      rest.remove_prefix(1);
    }
  }
  if (!core::iequals(via.protocolName, "SIP") || via.protocolVersion != "2.0") {
    return makeError("Via protocol must be SIP/2.0, not " + std::string(via.protocolName) + "/" +
                     std::string(via.protocolVersion));
  }
  // sent-by = host [ COLON port ]; COLON = SWS ":" SWS
  size_t end = 0;
  if (!rest.empty() && rest.front() == '[') end = rest.find(']');
  if (end == std::string_view::npos) return makeError("Via sent-by has '[' without ']'");
  while (end < rest.size() && rest[end] != ';' && rest[end] != ':' && !isLws(rest[end])) ++end;
  std::string_view hostport = rest.substr(0, end);
  rest = skipLws(rest.substr(end));
  if (!rest.empty() && rest.front() == ':') {
    rest = skipLws(rest.substr(1));
    size_t digits = 0;
    while (digits < rest.size() && core::isDigit(rest[digits])) ++digits;
    // The port follows after optional LWS: parse host and port separately rather than re-joining.
    auto portValue = core::parseUnsigned(rest.substr(0, digits), 65535);
    if (!portValue) return makeError("Via sent-by port is not a number from 0 to 65535");
    via.port = static_cast<uint16_t>(*portValue);
    via.hasPort = true;
    rest = rest.substr(digits);
  }
  uint16_t ignoredPort = 0;
  bool portInHost = false;
  if (!parseHostPort(hostport, via.host, via.hostType, ignoredPort, portInHost) || portInHost) {
    return makeError("Via sent-by host '" + core::printable(hostport) +
                     "' is not a valid host (RFC 3261 §20.42)");
  }
  via.params = core::trimLws(rest);
  auto params = forEachHeaderParam(
      via.params, "Via",
      [&via](std::string_view name, std::string_view param, bool hasValue) -> core::Result<void> {
        if (core::iequals(name, "branch")) {
          via.branch = param;
        } else if (core::iequals(name, "received")) {
          via.received = param;
        } else if (core::iequals(name, "rport")) {
          if (hasValue && !core::parseUnsigned(param, 65535)) {
            return makeError("Via rport must be empty or a port number (RFC 3581 §4)");
          }
          via.rport = param;
        } else if (core::iequals(name, "maddr")) {
          via.maddr = param;
        } else if (core::iequals(name, "ttl") && !core::parseUnsigned(param, 255)) {
          return makeError("Via ttl must be a number from 0 to 255");
        }
        return {};
      });
  if (!params) return params.error();
  return via;
}

core::Result<CSeq> parseCSeq(std::string_view value) {
  std::string_view rest = core::trimLws(value);
  size_t digits = 0;
  while (digits < rest.size() && core::isDigit(rest[digits])) ++digits;
  // RFC 3261 §8.1.1.5: "The sequence number MUST be expressible as a 32-bit unsigned integer".
  const auto number = core::parseUnsigned(rest.substr(0, digits), 0xffffffffULL);
  if (!number) return makeError("CSeq number is not a 32-bit unsigned integer (RFC 3261 §8.1.1.5)");
  rest = rest.substr(digits);
  if (rest.empty() || !isLws(rest.front()))
    return makeError("CSeq needs a method after its number (RFC 3261 §20.16)");
  rest = skipLws(rest);
  if (!chars::isToken(rest)) return makeError("CSeq method is not a token (RFC 3261 §20.16)");
  return CSeq{static_cast<uint32_t>(*number), rest};
}

core::Result<uint32_t> parseUnsignedHeader(std::string_view value, uint32_t max,
                                           std::string_view headerName) {
  const auto number = core::parseUnsigned(core::trimLws(value), max);
  if (!number) {
    return makeError(std::string(headerName) + " must be a number from 0 to " + std::to_string(max) +
                     ", not '" + core::printable(core::trimLws(value)) + "'");
  }
  return static_cast<uint32_t>(*number);
}

}  // namespace callgate::sip
