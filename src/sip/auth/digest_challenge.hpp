// A Digest challenge: the value of one WWW-Authenticate or Proxy-Authenticate header field
// (RFC 3261 §20.44 / §20.27, RFC 7616 §3.3, RFC 8760 §2.1):
//
//   Digest realm="biloxi.com", qop="auth,auth-int", algorithm=SHA-256,
//          nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"
//
// Everything is copied out of the input. Unknown directives are ignored (RFC 7616 §3.3: "Any unrecognized
// directive MUST be ignored"); what the client cannot act on safely is an error that names it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sip/auth/digest_algorithm.hpp"

namespace callgate::sip::auth {

// Quality of protection (RFC 7616 §3.3 "qop").
enum class Qop { kAuth, kAuthInt };
std::string_view qopName(Qop qop);

struct DigestChallenge {
  std::string realm;
  std::string nonce;
  std::optional<std::string> opaque;                  // echoed unchanged in the credentials when present
  DigestAlgorithm algorithm = DigestAlgorithm::kMd5;  // RFC 7616 §3.3: MD5 when absent
  bool algorithmGiven = false;
  // The qop tokens offered, lowercased, in the server's order. Empty when the challenge has no qop
  // directive: the RFC 2069 form (no cnonce, no nc).
  std::vector<std::string> qopOptions;
  bool stale = false;               // RFC 7616 §3.3: true only for a case-insensitive "true"
  std::vector<std::string> domain;  // space-separated URIs of the protection space
  bool charsetUtf8 = false;         // RFC 7616 §3.3: the only allowed value is "UTF-8"
  bool userhash = false;            // RFC 7616 §3.4.4: send H(username ":" realm) as the username

  // Parses a header value. Errors: not the Digest scheme, no realm, no or an empty nonce, an algorithm this
  // stack does not implement, a duplicate directive, a malformed value, a size limit.
  static core::Result<DigestChallenge> parse(std::string_view headerValue);

  bool offers(Qop qop) const;
};

}  // namespace callgate::sip::auth
