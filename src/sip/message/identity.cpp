#include "sip/message/identity.hpp"

#include "core/text.hpp"
#include "sip/message/char_class.hpp"

namespace callgate::sip {
namespace {

using core::makeError;

core::Result<void> checkCommon(std::string_view typed, std::string_view field) {
  const std::string name(field);
  if (typed.empty()) return makeError(name + " is empty: a SIP user name needs at least one character");
  if (core::isWsp(typed.front()) || core::isWsp(typed.back())) {
    return makeError(
        name + " '" + core::printable(typed) +
        "' starts or ends with whitespace: remove it (a SIP user name is taken exactly as typed)");
  }
  for (char c : typed) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return makeError(name + " '" + core::printable(typed) +
                       "' contains a control character (RFC 3261 §25.1)");
    }
    if (c == '<' || c == '>') {
      return makeError(name + " '" + core::printable(typed) +
                       "' contains '<' or '>': give the bare user name (e.g. 3000), not a SIP address "
                       "(RFC 3261 §25.1 user)");
    }
  }
  return {};
}

}  // namespace

core::Result<std::string> userPartFromTyped(std::string_view typed, std::string_view field) {
  if (auto ok = checkCommon(typed, field); !ok) return ok.error();
  if (typed.find('"') != std::string_view::npos) {
    return makeError(std::string(field) + " '" + core::printable(typed) +
                     "' contains '\"': give the bare user name, not a display name (RFC 3261 §25.1 user)");
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(typed.size() + 8);
  for (size_t i = 0; i < typed.size(); ++i) {
    const char c = typed[i];
    // user = 1*( unreserved / escaped / user-unreserved ) (RFC 3261 §25.1)
    if (chars::isUnreserved(c) || chars::is(c, chars::kUserUnreserved)) {
      out += c;
    } else if (c == '%' && i + 2 < typed.size() && core::isHexDigit(typed[i + 1]) &&
               core::isHexDigit(typed[i + 2])) {
      out.append(typed.substr(i, 3));  // already an escape: keep it, do not escape twice
      i += 2;
    } else {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  return out;
}

core::Result<std::string> digestUsernameFromTyped(std::string_view typed, std::string_view field) {
  if (auto ok = checkCommon(typed, field); !ok) return ok.error();
  // quoted-string = DQUOTE *(qdtext / quoted-pair ) DQUOTE; '"' and '\' go as quoted-pairs.
  std::string out;
  out.reserve(typed.size() + 2);
  for (char c : typed) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace callgate::sip
