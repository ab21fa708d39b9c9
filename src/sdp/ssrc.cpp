#include "sdp/ssrc.hpp"

#include "sdp/sdp_grammar.hpp"

namespace callgate::sdp {

using grammar::quote;

core::Result<Ssrc> Ssrc::parse(std::string_view text) {
  // ssrc-attr = "ssrc:" ssrc-id SP attribute; ssrc-id = integer 0..2^32-1 (RFC 5576 §4.1)
  const size_t space = text.find(' ');
  if (space == std::string_view::npos)
    return core::makeError("ssrc needs <ssrc-id> <attribute>[:<value>] (RFC 5576 §4.1)");
  const auto id = grammar::parseNumber(text.substr(0, space), 0, UINT32_MAX);
  if (!id)
    return core::makeError("ssrc-id " + quote(text.substr(0, space)) + " is not 0 to 2^32-1 (RFC 5576 §4.1)");
  const std::string_view rest = text.substr(space + 1);
  const size_t colon = rest.find(':');
  const std::string_view name = rest.substr(0, colon);
  if (!grammar::isToken(name))
    return core::makeError("ssrc attribute " + quote(name) + " is not a token (RFC 5576 §4.1)");
  Ssrc out;
  out.id = static_cast<uint32_t>(*id);
  out.attribute = std::string(name);
  if (colon != std::string_view::npos) out.value = std::string(rest.substr(colon + 1));
  return out;
}

std::string Ssrc::toString() const {
  std::string out = std::to_string(id) + ' ' + attribute;
  if (value) out += ':' + *value;
  return out;
}

core::Result<SsrcGroup> SsrcGroup::parse(std::string_view text) {
  // ssrc-group-attr = "ssrc-group:" semantics *(SP ssrc-id) (RFC 5576 §4.2)
  grammar::FieldReader fields(text);
  const auto semantics = fields.next();
  if (!semantics || !grammar::isToken(*semantics)) {
    return core::makeError("ssrc-group semantics " + quote(semantics.value_or("")) +
                           " is not a token (RFC 5576 §4.2)");
  }
  SsrcGroup out;
  out.semantics = std::string(*semantics);
  while (const auto field = fields.next()) {
    const auto id = grammar::parseNumber(*field, 0, UINT32_MAX);
    if (!id)
      return core::makeError("ssrc-group ssrc-id " + quote(*field) + " is not 0 to 2^32-1 (RFC 5576 §4.2)");
    out.ssrcs.push_back(static_cast<uint32_t>(*id));
  }
  return out;
}

std::string SsrcGroup::toString() const {
  std::string out = semantics;
  for (uint32_t id : ssrcs) out += ' ' + std::to_string(id);
  return out;
}

}  // namespace callgate::sdp
