// The Digest computation itself (RFC 7616 §3.4.1-§3.4.3, RFC 2617 §3.2.2.1-§3.2.2.3), shared by the client
// that answers a challenge and by the server-side check:
//
//   A1       = unq(username) ":" unq(realm) ":" passwd
//   A1 -sess = H(unq(username) ":" unq(realm) ":" passwd) ":" unq(nonce) ":" unq(cnonce)
//   A2       = Method ":" digest-uri                        (qop=auth, or no qop)
//   A2       = Method ":" digest-uri ":" H(entity-body)     (qop=auth-int)
//   response = KD(H(A1), unq(nonce) ":" nc ":" unq(cnonce) ":" unq(qop) ":" H(A2))
//   response = KD(H(A1), unq(nonce) ":" H(A2))              (no qop: RFC 2069 compatibility)
//   KD(secret, data) = H(secret ":" data)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sip/auth/digest_algorithm.hpp"
#include "sip/auth/digest_challenge.hpp"
#include "sip/auth/digest_credentials.hpp"

namespace callgate::sip::auth {

struct DigestResponseInput {
  DigestAlgorithm algorithm = DigestAlgorithm::kMd5;
  std::string_view username;  // the plain username: A1 uses it even when userhash is sent (RFC 7616 §3.4.4)
  std::string_view realm;
  std::string_view password;
  std::string_view nonce;
  std::string_view cnonce;  // used with a qop, and in A1 of the -sess algorithms
  uint32_t nonceCount = 1;
  std::optional<Qop> qop;
  std::string_view method;
  std::string_view uri;
  std::string_view body;  // the entity body, hashed for auth-int (an empty body hashes "")
};

// The "response" directive as lowercase hex.
core::Result<std::string> computeDigestResponse(const DigestResponseInput& input);

// RFC 7616 §3.4.4: username = H(unq(username) ":" unq(realm)).
core::Result<std::string> computeUserhash(DigestAlgorithm algorithm, std::string_view username,
                                          std::string_view realm);

// Server side: checks `credentials` for the user `username` with `password`, made for a request with
// `method` and `body`. OK when the username (or userhash) and the response match; otherwise the error
// names what did not. The caller still checks that realm, nonce and uri are ones it issued or expects, and
// that nc grew (replay protection is its business).
core::Result<void> verifyDigestCredentials(const DigestCredentials& credentials, std::string_view username,
                                           std::string_view password, std::string_view method,
                                           std::string_view body);

}  // namespace callgate::sip::auth
