// The client side of Digest: turns a parsed challenge into credentials for one request, keeping the
// nonce count per realm (RFC 7616 §3.4: nc counts the requests the client sent with one nonce; a new nonce
// starts again at 00000001). Sans-I/O: no sockets, no clock; the cnonce comes from an injectable source so
// tests are exact.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sip/auth/digest_challenge.hpp"
#include "sip/auth/digest_credentials.hpp"

namespace callgate::sip::auth {

// What the user configured for an account.
struct UserCredentials {
  std::string username;
  std::string password;
};

// The request being authorized. Views: they only need to outlive the call.
struct DigestRequest {
  std::string_view method;  // "REGISTER", "INVITE", ...
  std::string_view uri;     // digest-uri: the Request-URI (RFC 3261 §22.4)
  std::string_view body;    // entity body, hashed only for qop=auth-int
};

// Returns a fresh client nonce per call. RFC 7616 §3.4: an opaque quoted string; it must not be empty and
// must not contain CR, LF or other control characters.
using CnonceSource = std::function<std::string()>;

// 128 bits from OpenSSL's RAND_bytes as 32 lowercase hex digits. Should RAND_bytes fail, the cnonce is
// empty and answering reports it rather than sending a predictable value.
CnonceSource randomCnonceSource();

class DigestClient {
 public:
  explicit DigestClient(CnonceSource cnonceSource = randomCnonceSource());

  // Credentials answering `challenge` for `request`. Each call counts one use of the challenge's nonce.
  // qop choice: "auth" when offered, else "auth-int" (body hashed), else none (RFC 2069 form: no cnonce or
  // nc). Errors: only unknown qop values offered, unusable user data or cnonce, a hash OpenSSL lacks.
  core::Result<DigestCredentials> answer(const DigestChallenge& challenge, const UserCredentials& user,
                                         const DigestRequest& request);

  // The nc the last answer for (realm, nonce) used; 0 when that nonce was never answered.
  uint32_t nonceCount(std::string_view realm, std::string_view nonce) const;

  // Forgets every nonce count (for example when the account's credentials change).
  void reset() { nonces_.clear(); }

 private:
  struct NonceUse {
    std::string nonce;
    uint32_t count = 0;
  };
  // Keyed by realm: one current nonce per protection space (a new nonce replaces the old one).
  std::map<std::string, NonceUse, std::less<>> nonces_;
  CnonceSource cnonceSource_;
};

}  // namespace callgate::sip::auth
