#include "sdp/group.hpp"

#include "sdp/sdp_grammar.hpp"

namespace callgate::sdp {

core::Result<Group> Group::parse(std::string_view value) {
  // group-attribute = "a=group:" semantics *(SP identification-tag); both are tokens (RFC 5888 §5)
  grammar::FieldReader fields(value);
  const auto semantics = fields.next();
  if (!semantics || !grammar::isToken(*semantics)) {
    return core::makeError("group semantics " + grammar::quote(semantics.value_or("")) +
                           " is not a token (RFC 5888 §5)");
  }
  Group out;
  out.semantics = std::string(*semantics);
  while (const auto mid = fields.next()) {
    if (!grammar::isToken(*mid))
      return core::makeError("group identification-tag " + grammar::quote(*mid) +
                             " is not a token (RFC 5888 §5)");
    out.mids.emplace_back(*mid);
  }
  return out;
}

bool Group::contains(std::string_view mid) const {
  for (const std::string& m : mids) {
    if (m == mid) return true;
  }
  return false;
}

std::string Group::toString() const {
  std::string out = semantics;
  for (const std::string& mid : mids) out += ' ' + mid;
  return out;
}

}  // namespace callgate::sdp
