#include "sdp/candidate.hpp"

#include "core/text.hpp"
#include "sdp/sdp_grammar.hpp"

namespace callgate::sdp {

using grammar::quote;

namespace {

core::Error candidateError(const std::string& what) {
  return core::makeError("candidate " + what + " (RFC 8839 §5.1)");
}

}  // namespace

core::Result<Candidate> Candidate::parse(std::string_view value) {
  grammar::FieldReader fields(value);
  std::string_view parts[8];
  for (auto& part : parts) {
    const auto field = fields.next();
    if (!field) {
      return candidateError(
          "needs <foundation> <component-id> <transport> <priority> <address> <port> typ <cand-type>");
    }
    part = *field;
  }
  Candidate out;
  // foundation = 1*32ice-char
  if (!grammar::isIceChars(parts[0]) || parts[0].size() > 32)
    return candidateError("foundation " + quote(parts[0]) + " is not 1-32 ice-char");
  out.foundation = std::string(parts[0]);
  // component-id = 1*3DIGIT; RFC 8445 §5.1.1.1 numbers components from 1 to 256.
  const auto component = parts[1].size() <= 3 ? grammar::parseNumber(parts[1], 1, 256) : std::nullopt;
  if (!component) return candidateError("component-id " + quote(parts[1]) + " is not 1-256");
  out.component = static_cast<uint16_t>(*component);
  if (!grammar::isToken(parts[2])) return candidateError("transport " + quote(parts[2]) + " is not a token");
  out.transport = std::string(parts[2]);
  // priority = 1*10DIGIT; RFC 8445 §5.1.2.1: a positive integer up to 2^31 - 1.
  const auto priority = grammar::parseNumber(parts[3], 1, 0x7fffffff);
  if (!priority) return candidateError("priority " + quote(parts[3]) + " is not 1 to 2^31-1");
  out.priority = static_cast<uint32_t>(*priority);
  if (!grammar::isNonWsString(parts[4]))
    return candidateError("connection-address " + quote(parts[4]) + " is not valid");
  out.address = std::string(parts[4]);
  const auto port = core::parseUnsigned(parts[5], 65535);
  if (!port) return candidateError("port " + quote(parts[5]) + " is not 0-65535");
  out.port = static_cast<uint16_t>(*port);
  if (parts[6] != "typ")
    return candidateError("expects 'typ' before the candidate type, found " + quote(parts[6]));
  if (!grammar::isToken(parts[7])) return candidateError("type " + quote(parts[7]) + " is not a token");
  out.type = std::string(parts[7]);

  // [raddr <address>] [rport <port>] *(<name> <value>): all name/value pairs, so read them as such.
  while (const auto name = fields.next()) {
    const auto attributeValue = fields.next();
    if (!attributeValue) return candidateError("extension " + quote(*name) + " has no value");
    if (*name == "raddr" && !out.relatedAddress) {
      if (!grammar::isNonWsString(*attributeValue))
        return candidateError("raddr " + quote(*attributeValue) + " is not valid");
      out.relatedAddress = std::string(*attributeValue);
    } else if (*name == "rport" && !out.relatedPort) {
      const auto relatedPort = core::parseUnsigned(*attributeValue, 65535);
      if (!relatedPort) return candidateError("rport " + quote(*attributeValue) + " is not 0-65535");
      out.relatedPort = static_cast<uint16_t>(*relatedPort);
    } else {
      if (!grammar::isToken(*name))
        return candidateError("extension name " + quote(*name) + " is not a token");
      out.extensions.emplace_back(*name, *attributeValue);
    }
  }
  return out;
}

std::optional<std::string_view> Candidate::extension(std::string_view name) const {
  for (const auto& [key, val] : extensions) {
    if (key == name) return std::string_view{val};
  }
  return std::nullopt;
}

std::string Candidate::toString() const {
  std::string out = foundation + ' ' + std::to_string(component) + ' ' + transport + ' ' +
                    std::to_string(priority) + ' ' + address + ' ' + std::to_string(port) + " typ " + type;
  if (relatedAddress) out += " raddr " + *relatedAddress;
  if (relatedPort) out += " rport " + std::to_string(*relatedPort);
  for (const auto& [name, val] : extensions) {
    out += ' ';
    out += name;
    out += ' ';
    out += val;
  }
  return out;
}

}  // namespace callgate::sdp
