// The generic shape shared by every SIP authentication header value: a scheme, then comma-separated
// name=value auth-params (RFC 3261 §25.1, RFC 7616 §3.3 / §3.4):
//
//   challenge   = "Digest" LWS digest-cln *(COMMA digest-cln)
//   auth-param  = auth-param-name EQUAL ( token / quoted-string )
//   COMMA       = SWS "," SWS          EQUAL = SWS "=" SWS
//   LWS         = [*WSP CRLF] 1*WSP    ; a line fold is whitespace
//   quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE
//   quoted-pair   = "\" (%x00-09 / %x0B-0C / %x0E-7F)
//
//   Digest realm="atlanta.com",\r\n nonce="f84f1cec41e6cbe5aea9c8e88d359", qop="auth"
//   ^scheme ^name ^quoted value       ^fold                                  ^unquoted list value
//
// Values are copied out unquoted (quoted-pairs resolved), so the result may outlive the input.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace callgate::sip::auth {

// Whole header value, the most params one may carry, the longest name: a real challenge is well under 1 KiB,
// so anything larger is garbage or an attack, refused before work is spent on it.
inline constexpr size_t kMaxAuthHeaderSize = 8192;
inline constexpr size_t kMaxAuthParams = 32;
inline constexpr size_t kMaxAuthParamNameSize = 64;

struct AuthParam {
  std::string name;   // as written; compare with core::iequals (RFC 7616 §3.3: names are case-insensitive)
  std::string value;  // unquoted, quoted-pairs resolved, a line fold inside quotes reduced to one SP
  bool quoted = false;
};

class AuthParams {
 public:
  // Parses "scheme param, param, ...". Errors name the problem: duplicate or malformed params, a bare line
  // break, an unterminated quoted-string, a size limit.
  static core::Result<AuthParams> parse(std::string_view headerValue);

  const std::string& scheme() const { return scheme_; }
  const std::vector<AuthParam>& params() const { return params_; }
  // The param named `name` (case-insensitive), or nullptr.
  const AuthParam* find(std::string_view name) const;

 private:
  std::string scheme_;
  std::vector<AuthParam> params_;
};

// The scheme token a header value starts with (after any whitespace), "" when it starts with something
// else. Lets a scheme-specific parser say "not Digest" before the params of another scheme (Basic's
// token68, for one) fail to parse as auth-params.
std::string_view leadingScheme(std::string_view headerValue);

// RFC 3261 §25.1 token characters.
bool isTokenChar(char c);
bool isToken(std::string_view s);

// Appends `value` as a quoted-string, escaping '"' and '\' as quoted-pairs. The caller has checked that
// `value` has no CR or LF (those cannot be carried in a quoted-string at all).
void appendQuoted(std::string& out, std::string_view value);

}  // namespace callgate::sip::auth
