// Generic ";name=value" parameter lists (RFC 3261 §25.1 generic-param, uri-parameter), values may be
// tokens, hosts or quoted strings. Used for URI, header and Via parameters.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace callgate::sip {

struct Param {
  std::string_view name;
  std::string_view value;  // as written (a quoted string keeps its quotes); empty for a flag
  bool hasValue = false;
};

// Walks a parameter list such as ";branch=z9hG4bK1;rport;received=1.2.3.4". Leading ';' and LWS are
// skipped; ';' inside quoted strings does not split.
class ParamIterator {
 public:
  explicit ParamIterator(std::string_view params) : rest_(params) {}
  std::optional<Param> next();

 private:
  std::string_view rest_;
};

// The first parameter named `name` (case-insensitive): its value, "" for a flag, nullopt when absent.
std::optional<std::string_view> findParam(std::string_view params, std::string_view name);

// The length of the quoted-string at s[0] == '"', both quotes included, quoted-pairs honoured (RFC 3261
// §25.1); 0 when it is not terminated.
size_t quotedStringLength(std::string_view s);

// Strips the quotes of a quoted-string and resolves its backslash escapes' quoting (\" -> "). Values that
// are not quoted come back unchanged.
std::string unquote(std::string_view value);

}  // namespace callgate::sip
