#include "sip/auth/digest_response.hpp"

#include <openssl/crypto.h>

#include "core/text.hpp"
#include "sip/auth/digest_hash.hpp"

namespace callgate::sip::auth {

namespace {

// Hashes the parts joined by ':' without building the joined string.
template <typename... Parts>
core::Result<std::string> hashJoined(DigestAlgorithm algorithm, std::string_view first, Parts... rest) {
  auto hash = DigestHash::create(algorithm);
  if (!hash) return hash.error();
  hash->update(first);
  ((hash->update(":"), hash->update(rest)), ...);
  return hash->finishHex();
}

// Equal-time comparison: a response check must not leak how many leading characters matched.
bool sameSecret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

core::Result<std::string> computeUserhash(DigestAlgorithm algorithm, std::string_view username,
                                          std::string_view realm) {
  return hashJoined(algorithm, username, realm);
}

core::Result<std::string> computeDigestResponse(const DigestResponseInput& in) {
  // RFC 7616 §3.4.2: H(A1), with the -sess form folding in nonce and cnonce.
  auto ha1 = hashJoined(in.algorithm, in.username, in.realm, in.password);
  if (!ha1) return ha1.error();
  if (isSessionAlgorithm(in.algorithm)) {
    ha1 = hashJoined(in.algorithm, std::string_view(*ha1), in.nonce, in.cnonce);
    if (!ha1) return ha1.error();
  }

  // RFC 7616 §3.4.3: H(A2); auth-int adds H(entity-body).
  core::Result<std::string> ha2 = std::string();
  if (in.qop == Qop::kAuthInt) {
    auto bodyHash = DigestHash::hex(in.algorithm, in.body);
    if (!bodyHash) return bodyHash.error();
    ha2 = hashJoined(in.algorithm, in.method, in.uri, std::string_view(*bodyHash));
  } else {
    ha2 = hashJoined(in.algorithm, in.method, in.uri);
  }
  if (!ha2) return ha2.error();

  // RFC 7616 §3.4.1 with a qop; RFC 2617 §3.2.2.1 (RFC 2069 form) without.
  if (in.qop) {
    const std::string nc = formatNonceCount(in.nonceCount);
    return hashJoined(in.algorithm, std::string_view(*ha1), in.nonce, std::string_view(nc), in.cnonce,
                      qopName(*in.qop), std::string_view(*ha2));
  }
  return hashJoined(in.algorithm, std::string_view(*ha1), in.nonce, std::string_view(*ha2));
}

core::Result<void> verifyDigestCredentials(const DigestCredentials& credentials, std::string_view username,
                                           std::string_view password, std::string_view method,
                                           std::string_view body) {
  if (credentials.userhash) {
    auto expected = computeUserhash(credentials.algorithm, username, credentials.realm);
    if (!expected) return expected.error();
    if (!core::iequals(*expected, credentials.username)) {
      return core::makeError("userhash does not match user '" + core::printable(username, 32) + "'");
    }
  } else if (credentials.username != username) {
    return core::makeError("username '" + core::printable(credentials.username, 32) + "' is not '" +
                           core::printable(username, 32) + "'");
  }
  if ((credentials.qop || isSessionAlgorithm(credentials.algorithm)) && !credentials.cnonce) {
    return core::makeError("credentials need a cnonce for their qop or -sess algorithm");
  }
  DigestResponseInput in;
  in.algorithm = credentials.algorithm;
  in.username = username;
  in.realm = credentials.realm;
  in.password = password;
  in.nonce = credentials.nonce;
  in.cnonce = credentials.cnonce ? std::string_view(*credentials.cnonce) : std::string_view();
  in.nonceCount = credentials.nonceCount;
  in.qop = credentials.qop;
  in.method = method;
  in.uri = credentials.uri;
  in.body = body;
  auto expected = computeDigestResponse(in);
  if (!expected) return expected.error();
  std::string got = core::toLower(credentials.response);  // RFC 7616 §3.4.1 sends lowercase; accept either
  if (!sameSecret(*expected, got)) {
    return core::makeError("response does not match for user '" + core::printable(username, 32) +
                           "' in realm '" + core::printable(credentials.realm, 32) +
                           "' (wrong password, or method, uri or body differ)");
  }
  return {};
}

}  // namespace callgate::sip::auth
