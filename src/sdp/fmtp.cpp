#include "sdp/fmtp.hpp"

#include "core/text.hpp"
#include "sdp/sdp_grammar.hpp"

namespace callgate::sdp {

core::Result<Fmtp> Fmtp::parse(std::string_view value) {
  // fmtp-value = fmt SP format-specific-params (RFC 8866 §6.15). A missing parameter part is tolerated:
  // some peers send "a=fmtp:101" and there is nothing to misread in it.
  const size_t space = value.find(' ');
  const std::string_view format = value.substr(0, space);
  if (!grammar::isToken(format))
    return core::makeError("fmtp format " + grammar::quote(format) + " is not a token (RFC 8866 §6.15)");
  Fmtp out;
  out.format = std::string(format);
  if (space != std::string_view::npos) out.parameters = std::string(core::trimLws(value.substr(space + 1)));
  return out;
}

std::string Fmtp::toString() const {
  return parameters.empty() ? format : format + ' ' + parameters;
}

std::vector<std::pair<std::string_view, std::string_view>> Fmtp::parameterList() const {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  std::string_view rest = parameters;
  while (!rest.empty()) {
    const size_t semicolon = rest.find(';');
    const std::string_view item = core::trimLws(rest.substr(0, semicolon));
    rest = semicolon == std::string_view::npos ? std::string_view{} : rest.substr(semicolon + 1);
    if (item.empty()) continue;
    const size_t equals = item.find('=');
    if (equals == std::string_view::npos) {
      out.emplace_back(item, std::string_view{});
    } else {
      out.emplace_back(core::trimLws(item.substr(0, equals)), core::trimLws(item.substr(equals + 1)));
    }
  }
  return out;
}

std::optional<std::string_view> Fmtp::parameter(std::string_view name) const {
  for (const auto& [key, value] : parameterList()) {
    if (core::iequals(key, name)) return value;
  }
  return std::nullopt;
}

}  // namespace callgate::sdp
