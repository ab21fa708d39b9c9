#include "sip/message/uri.hpp"

#include <arpa/inet.h>

#include <array>

#include "core/text.hpp"
#include "sip/message/char_class.hpp"
#include "sip/message/header_values.hpp"
#include "sip/message/params.hpp"

namespace callgate::sip {
namespace {

using core::makeError;

// Every character of `s` is in `classes` or is a valid %HH escape.
bool allOf(std::string_view s, uint16_t classes) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size() || !core::isHexDigit(s[i + 1]) || !core::isHexDigit(s[i + 2])) return false;
      i += 2;
    } else if (!chars::is(s[i], classes)) {
      return false;
    }
  }
  return true;
}

// uri-parameters = *( ";" uri-parameter ); uri-parameter = pname [ "=" pvalue ] (RFC 3261 §19.1.1, §25.1).
// One pass: every name and value non-empty, every character a paramchar or a %HH escape.
bool validUriParams(std::string_view params) {
  constexpr uint16_t kParamChar = chars::kAlnum | chars::kMark | chars::kParamUnreserved;
  const size_t n = params.size();
  size_t i = 0;
  while (i < n) {
    ++i;  // ';'
    size_t nameLength = 0;
    size_t valueLength = 0;
    bool inValue = false;
    while (i < n && params[i] != ';') {
      const char c = params[i];
      if (c == '=' && !inValue) {
        inValue = true;
        ++i;
        continue;
      }
      if (c == '%') {
        if (i + 2 >= n || !core::isHexDigit(params[i + 1]) || !core::isHexDigit(params[i + 2])) return false;
        i += 3;
      } else if (chars::is(c, kParamChar)) {
        ++i;
      } else {
        return false;
      }
      ++(inValue ? valueLength : nameLength);
    }
    if (nameLength == 0 || (inValue && valueLength == 0)) return false;
  }
  return true;
}

// headers = "?" header *( "&" header ); header = hname "=" hvalue (RFC 3261 §25.1)
bool validUriHeaders(std::string_view headers) {
  constexpr uint16_t kHnvChar = chars::kAlnum | chars::kMark | chars::kHnvUnreserved;
  headers.remove_prefix(1);  // '?'
  if (headers.empty()) return false;
  while (true) {
    const size_t end = headers.find('&');
    const std::string_view item = headers.substr(0, end);
    const size_t eq = item.find('=');
    if (eq == 0 || eq == std::string_view::npos) return false;
    if (!allOf(item.substr(0, eq), kHnvChar) || !allOf(item.substr(eq + 1), kHnvChar)) return false;
    if (end == std::string_view::npos) return true;
    headers.remove_prefix(end + 1);
  }
}

core::Result<Uri> parseTelUri(Uri uri, std::string_view rest) {
  // RFC 3966 §3: telephone-subscriber = global-number / local-number, then ;par parameters.
  const size_t semi = rest.find(';');
  uri.user = rest.substr(0, semi);
  uri.hasUser = true;
  if (semi != std::string_view::npos) uri.params = rest.substr(semi);
  if (uri.user.empty()) return makeError("tel URI has no number (RFC 3966 telephone-subscriber)");
  for (size_t i = 0; i < uri.user.size(); ++i) {
    const char c = uri.user[i];
    if (!chars::is(c, chars::kTelChar) || (c == '+' && i != 0)) {
      return makeError("tel URI number has a character outside RFC 3966 phonedigit: '" +
                       core::printable(uri.user) + "'");
    }
  }
  if (uri.user[0] != '+' && !uri.param("phone-context")) {
    return makeError("local tel URI number needs a phone-context parameter (RFC 3966 §5.1.5)");
  }
  return uri;
}

// IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet (RFC 3986 §3.2.2: no leading zeros).
bool isIpv4Address(std::string_view s) {
  for (int octet = 0; octet < 4; ++octet) {
    size_t digits = 0;
    unsigned value = 0;
    while (digits < s.size() && digits < 4 && core::isDigit(s[digits]))
      value = value * 10 + (s[digits++] - '0');
    if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && s[0] == '0')) return false;
    s.remove_prefix(digits);
    if (octet < 3) {
      if (s.empty() || s.front() != '.') return false;
      s.remove_prefix(1);
    }
  }
  return s.empty();
}

// hostname = *( domainlabel "." ) toplabel [ "." ]; labels are alphanum with inner '-'; toplabel starts with
// ALPHA, so a host whose last label starts with a digit must be an IPv4address. One pass.
bool isHostname(std::string_view host, HostType& type) {
  std::string_view labels = host;
  if (labels.back() == '.') labels.remove_suffix(1);
  if (labels.empty()) return false;
  char prev = '.';
  char topFirst = labels[0];
  for (char c : labels) {
    if (c == '.') {
      if (prev == '.' || prev == '-') return false;
    } else if (c == '-') {
      if (prev == '.') return false;
    } else if (!core::isAlnum(c)) {
      return false;
    } else if (prev == '.') {
      topFirst = c;
    }
    prev = c;
  }
  if (prev == '-') return false;
  if (core::isDigit(topFirst)) {
    if (!isIpv4Address(host)) return false;
    type = HostType::kIPv4;
  } else {
    type = HostType::kDomain;
  }
  return true;
}

}  // namespace

bool parseHostPort(std::string_view text, std::string_view& host, HostType& type, uint16_t& port,
                   bool& hasPort) {
  hasPort = false;
  port = 0;
  std::string_view portText;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    host = text.substr(0, close + 1);
    const std::string_view after = text.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return false;
      portText = after.substr(1);
      hasPort = true;
    }
    // IPv6reference (RFC 3261 §25.1, RFC 5118 §4.2): brackets around a valid IPv6 address.
    const std::string_view inner = host.substr(1, host.size() - 2);
    std::array<char, 64> buf{};
    if (inner.empty() || inner.size() >= buf.size()) return false;
    inner.copy(buf.data(), inner.size());
    std::array<unsigned char, 16> addr{};
    if (inet_pton(AF_INET6, buf.data(), addr.data()) != 1) {
      // RFC 5118 §4.10: "an implementation must tolerate" the 3-colon form RFC 3261's ABNF let through
      // ("2001:db8:::192.0.2.1"); read it as the 2-colon form it means.
      const size_t triple = inner.find(":::");
      if (triple == std::string_view::npos || inner.find(":::", triple + 1) != std::string_view::npos)
        return false;
      std::array<char, 64> fixed{};
      inner.substr(0, triple).copy(fixed.data(), triple);
      inner.substr(triple + 1).copy(fixed.data() + triple, inner.size() - triple - 1);
      if (inet_pton(AF_INET6, fixed.data(), addr.data()) != 1) return false;
    }
    type = HostType::kIPv6;
  } else {
    const size_t colon = text.find(':');
    host = text.substr(0, colon);
    if (colon != std::string_view::npos) {
      portText = text.substr(colon + 1);
      hasPort = true;
    }
    if (host.empty()) return false;
    if (core::isDigit(host.front()) && isIpv4Address(host)) {
      type = HostType::kIPv4;  // the common case of a numeric host: one scan
    } else if (!isHostname(host, type)) {
      return false;
    }
  }
  if (hasPort) {
    const auto value = core::parseUnsigned(portText, 65535);
    if (!value) return false;
    port = static_cast<uint16_t>(*value);
  }
  return true;
}

std::optional<std::string_view> Uri::param(std::string_view name) const {
  return findParam(params, name);
}

std::string_view Uri::hostAddress() const {
  if (hostType == HostType::kIPv6 && host.size() >= 2) return host.substr(1, host.size() - 2);
  return host;
}

core::Result<Uri> parseUri(std::string_view text) {
  Uri uri;
  uri.text = text;
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0)
    return makeError("URI has no scheme: '" + core::printable(text) + "'");
  uri.schemeText = text.substr(0, colon);
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
  if (!core::isAlpha(uri.schemeText[0])) return makeError("URI scheme must start with a letter");
  for (char c : uri.schemeText) {
    if (!core::isAlnum(c) && c != '+' && c != '-' && c != '.') {
      return makeError("URI scheme has a character outside RFC 3986 scheme: '" +
                       core::printable(uri.schemeText) + "'");
    }
  }
  std::string_view rest = text.substr(colon + 1);
  // sip and sips parts are checked character by character against their grammar below; the other schemes
  // only need to be free of what can never stand in a URI.
  auto checkOpaque = [&]() -> core::Result<void> {
    for (char c : rest) {
      const auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == '"') {
        return makeError("URI has whitespace, a control character, '<', '>' or '\"': '" +
                         core::printable(text) + "'");
      }
    }
    return {};
  };
  if (core::iequals(uri.schemeText, "sip")) {
    uri.scheme = UriScheme::kSip;
  } else if (core::iequals(uri.schemeText, "sips")) {
    uri.scheme = UriScheme::kSips;
  } else if (core::iequals(uri.schemeText, "tel")) {
    uri.scheme = UriScheme::kTel;
    if (auto ok = checkOpaque(); !ok) return ok.error();
    return parseTelUri(uri, rest);
  } else {
    if (auto ok = checkOpaque(); !ok) return ok.error();
    if (rest.empty()) return makeError("URI has nothing after its scheme");
    uri.opaque = rest;
    return uri;
  }

  // userinfo = ( user / telephone-subscriber ) [ ":" password ] "@"
  const size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    const size_t pw = userinfo.find(':');
    uri.user = userinfo.substr(0, pw);
    uri.hasUser = true;
    if (pw != std::string_view::npos) {
      uri.password = userinfo.substr(pw + 1);
      uri.hasPassword = true;
      if (!allOf(uri.password, chars::kAlnum | chars::kMark | chars::kPasswordExtra)) {
        return makeError("SIP URI password has a character that must be escaped (RFC 3261 §25.1 password)");
      }
    }
    if (uri.user.empty()) return makeError("SIP URI has an empty user part before '@' (RFC 3261 §25.1 user)");
    if (!allOf(uri.user, chars::kAlnum | chars::kMark | chars::kUserUnreserved)) {
      return makeError("SIP URI user part '" + core::printable(uri.user) +
                       "' has a character that must be escaped (RFC 3261 §25.1 user)");
    }
  }

  // hostport, then ;params, then ?headers. An IPv6 reference may hold ':' but not ';' or '?'.
  size_t hostEnd = 0;
  while (hostEnd < rest.size() && rest[hostEnd] != ';' && rest[hostEnd] != '?') ++hostEnd;
  const std::string_view hostport = rest.substr(0, hostEnd);
  rest.remove_prefix(hostEnd);
  if (!parseHostPort(hostport, uri.host, uri.hostType, uri.port, uri.hasPort)) {
    return makeError("SIP URI host '" + core::printable(hostport) +
                     "' is not a hostname, IPv4 address or [IPv6] (RFC 3261 §25.1 hostport)");
  }
  const size_t q = rest.find('?');
  uri.params = rest.substr(0, q);
  if (q != std::string_view::npos) uri.headers = rest.substr(q);
  if (!validUriParams(uri.params)) {
    return makeError("SIP URI parameters '" + core::printable(uri.params) +
                     "' break RFC 3261 §25.1 uri-parameters");
  }
  if (!uri.headers.empty() && !validUriHeaders(uri.headers)) {
    return makeError("SIP URI headers '" + core::printable(uri.headers) + "' break RFC 3261 §25.1 headers");
  }
  return uri;
}

std::string unescape(std::string_view escaped) {
  std::string out;
  out.reserve(escaped.size());
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '%' && i + 2 < escaped.size() && core::isHexDigit(escaped[i + 1]) &&
        core::isHexDigit(escaped[i + 2])) {
      out += static_cast<char>(core::hexValue(escaped[i + 1]) * 16 + core::hexValue(escaped[i + 2]));
      i += 2;
    } else {
      out += escaped[i];
    }
  }
  return out;
}

namespace {

// The value of the parameter whose unescaped name is `name` (RFC 3261 §19.1.4 compares escaped characters
// as the characters themselves, names included).
std::optional<std::string> findParamUnescaped(std::string_view params, std::string_view name) {
  ParamIterator it(params);
  while (auto p = it.next()) {
    if (core::iequals(unescape(p->name), name)) return unescape(p->value);
  }
  return std::nullopt;
}

bool paramsEquivalent(std::string_view a, std::string_view b) {
  // RFC 3261 §19.1.4: user, ttl, method, maddr and transport must match when present in either URI; any
  // other parameter must match when present in both.
  static constexpr std::array<std::string_view, 5> kMustMatch{"user", "ttl", "method", "maddr", "transport"};
  for (std::string_view name : kMustMatch) {
    const auto va = findParamUnescaped(a, name);
    const auto vb = findParamUnescaped(b, name);
    if (va.has_value() != vb.has_value()) return false;
    if (va && !core::iequals(*va, *vb)) return false;
  }
  // A parameter repeated under one name (";x=1;x=2", which no grammar forbids) matches when any of the other
  // URI's parameters of that name has its value: this keeps the relation reflexive and symmetric.
  ParamIterator it(a);
  while (auto p = it.next()) {
    const std::string name = unescape(p->name);
    const std::string value = unescape(p->value);
    bool present = false;
    bool matched = false;
    ParamIterator other(b);
    while (auto q = other.next()) {
      if (!core::iequals(unescape(q->name), name)) continue;
      present = true;
      matched = matched || core::iequals(unescape(q->value), value);
    }
    if (present && !matched) return false;
  }
  return true;
}

bool headersContained(std::string_view a, std::string_view b) {
  if (a.empty()) return true;
  a.remove_prefix(1);
  while (!a.empty()) {
    const size_t end = a.find('&');
    const std::string_view item = a.substr(0, end);
    a.remove_prefix(end == std::string_view::npos ? a.size() : end + 1);
    const size_t eq = item.find('=');
    const std::string name = unescape(item.substr(0, eq));
    const std::string value = eq == std::string_view::npos ? std::string() : unescape(item.substr(eq + 1));
    bool found = false;
    std::string_view rest = b.empty() ? b : b.substr(1);
    while (!rest.empty() && !found) {
      const size_t e = rest.find('&');
      const std::string_view other = rest.substr(0, e);
      rest.remove_prefix(e == std::string_view::npos ? rest.size() : e + 1);
      const size_t oeq = other.find('=');
      found = core::iequals(unescape(other.substr(0, oeq)), name) &&
              (oeq == std::string_view::npos ? std::string() : unescape(other.substr(oeq + 1))) == value;
    }
    if (!found) return false;
  }
  return true;
}

}  // namespace

bool uriEquivalent(const Uri& a, const Uri& b) {
  if (!a.isSip() || !b.isSip()) return core::iequals(a.text, b.text);
  if (a.scheme != b.scheme) return false;
  if (a.hasUser != b.hasUser || unescape(a.user) != unescape(b.user)) return false;
  if (a.hasPassword != b.hasPassword || unescape(a.password) != unescape(b.password)) return false;
  if (!core::iequals(a.host, b.host)) return false;
  // "A URI omitting any component with a default value will not match a URI explicitly containing that
  // component with its default value" (RFC 3261 §19.1.4).
  if (a.hasPort != b.hasPort || a.port != b.port) return false;
  if (!paramsEquivalent(a.params, b.params)) return false;
  return headersContained(a.headers, b.headers) && headersContained(b.headers, a.headers);
}

}  // namespace callgate::sip
