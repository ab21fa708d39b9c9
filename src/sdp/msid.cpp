#include "sdp/msid.hpp"

#include "sdp/sdp_grammar.hpp"

namespace callgate::sdp {

core::Result<Msid> Msid::parse(std::string_view value) {
  // msid-value = msid-id [ SP msid-appdata ]; both 1*64token-char (RFC 8830 §2)
  grammar::FieldReader fields(value);
  const auto id = fields.next();
  const auto appData = fields.next();
  if (!id || !fields.atEnd()) return core::makeError("msid needs <id> [<appdata>] (RFC 8830 §2)");
  if (!grammar::isToken(*id) || id->size() > 64) {
    return core::makeError("msid id " + grammar::quote(*id) + " is not 1-64 token-char (RFC 8830 §2)");
  }
  Msid out;
  out.id = std::string(*id);
  if (appData) {
    if (!grammar::isToken(*appData) || appData->size() > 64) {
      return core::makeError("msid appdata " + grammar::quote(*appData) +
                             " is not 1-64 token-char (RFC 8830 §2)");
    }
    out.appData = std::string(*appData);
  }
  return out;
}

std::string Msid::toString() const {
  return appData ? id + ' ' + *appData : id;
}

}  // namespace callgate::sdp
