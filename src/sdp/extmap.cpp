#include "sdp/extmap.hpp"

#include "sdp/sdp_grammar.hpp"

namespace callgate::sdp {

using grammar::quote;

core::Result<Extmap> Extmap::parse(std::string_view value) {
  grammar::FieldReader fields(value);
  const auto entry = fields.next();
  const auto uri = fields.next();
  if (!entry || !uri) return core::makeError("extmap needs <value>[/<direction>] <URI> (RFC 8285 §7)");
  Extmap out;
  const size_t slash = entry->find('/');
  const std::string_view number = entry->substr(0, slash);
  // mapentry = "extmap:" 1*5DIGIT; valid ids 1-255 and 4096-4351 (RFC 8285 §5, §7)
  const auto id = number.size() <= 5 ? core::parseUnsigned(number, 65535) : std::nullopt;
  if (!id || *id == 0 || (*id > 255 && *id < 4096) || *id > 4351) {
    return core::makeError("extmap id " + quote(number) + " is not 1-255 or 4096-4351 (RFC 8285 §5)");
  }
  out.id = static_cast<uint16_t>(*id);
  if (slash != std::string_view::npos) {
    const auto direction = directionFromName(entry->substr(slash + 1));
    if (!direction)
      return core::makeError("extmap direction " + quote(entry->substr(slash + 1)) +
                             " is not a direction (RFC 8285 §7)");
    out.direction = *direction;
  }
  out.uri = std::string(*uri);
  out.attributes = std::string(fields.rest());
  return out;
}

std::string Extmap::toString() const {
  std::string out = std::to_string(id);
  if (direction) {
    out += '/';
    out += sdp::toString(*direction);
  }
  out += ' ';
  out += uri;
  if (!attributes.empty()) {
    out += ' ';
    out += attributes;
  }
  return out;
}

}  // namespace callgate::sdp
