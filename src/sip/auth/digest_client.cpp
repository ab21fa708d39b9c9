#include "sip/auth/digest_client.hpp"

#include <openssl/rand.h>

#include <limits>

#include "core/text.hpp"
#include "sip/auth/auth_params.hpp"
#include "sip/auth/digest_hash.hpp"
#include "sip/auth/digest_response.hpp"

namespace callgate::sip::auth {

namespace {

using core::makeError;

// CR and LF cannot be carried in a quoted-string (RFC 3261 §25.1); other controls would make a header a
// peer may reject. Reject them instead of sending a broken or injected header.
bool hasControl(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return true;
  }
  return false;
}

}  // namespace

CnonceSource randomCnonceSource() {
  return [] {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) return std::string();
    return toLowerHex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
  };
}

DigestClient::DigestClient(CnonceSource cnonceSource) : cnonceSource_(std::move(cnonceSource)) {}

uint32_t DigestClient::nonceCount(std::string_view realm, std::string_view nonce) const {
  const auto it = nonces_.find(realm);
  if (it == nonces_.end() || it->second.nonce != nonce) return 0;
  return it->second.count;
}

core::Result<DigestCredentials> DigestClient::answer(const DigestChallenge& challenge,
                                                     const UserCredentials& user,
                                                     const DigestRequest& request) {
  if (hasControl(user.username)) return makeError("username contains a control character");
  if (hasControl(request.uri)) return makeError("request URI contains a control character");
  if (!isToken(request.method))
    return makeError("method '" + core::printable(request.method, 32) + "' is not a token");

  // qop (RFC 7616 §3.3: the client picks one the server offered): "auth" is preferred because it does not
  // depend on the body, which proxies may legitimately rewrite; auth-int only when it is all that is offered.
  std::optional<Qop> qop;
  if (challenge.offers(Qop::kAuth)) {
    qop = Qop::kAuth;
  } else if (challenge.offers(Qop::kAuthInt)) {
    qop = Qop::kAuthInt;
  } else if (!challenge.qopOptions.empty()) {
    return makeError("challenge for realm '" + core::printable(challenge.realm, 64) +
                     "' offers only unsupported qop '" + core::printable(challenge.qopOptions.front(), 32) +
                     "'");
  }

  // A cnonce is needed with a qop and for A1 of the -sess algorithms; RFC 2617 §3.2.2.2's -sess A1 needs
  // one even from a server that sent no qop, so it is sent then too.
  const bool needCnonce = qop.has_value() || isSessionAlgorithm(challenge.algorithm);
  std::string cnonce;
  if (needCnonce) {
    cnonce = cnonceSource_ ? cnonceSource_() : std::string();
    if (cnonce.empty()) return makeError("no cnonce: the random source failed");
    if (hasControl(cnonce)) return makeError("cnonce contains a control character");
  }

  // RFC 7616 §3.4: nc counts requests sent with this nonce, starting at 1; a new nonce starts over.
  NonceUse& use = nonces_[challenge.realm];
  if (use.nonce != challenge.nonce) {
    use.nonce = challenge.nonce;
    use.count = 0;
  }
  if (use.count == std::numeric_limits<uint32_t>::max()) {
    return makeError("nonce count for realm '" + core::printable(challenge.realm, 64) +
                     "' is exhausted; a new challenge is needed");
  }
  const uint32_t nc = qop ? use.count + 1 : 0;
  if (qop) use.count = nc;

  DigestResponseInput in;
  in.algorithm = challenge.algorithm;
  in.username = user.username;
  in.realm = challenge.realm;
  in.password = user.password;
  in.nonce = challenge.nonce;
  in.cnonce = cnonce;
  in.nonceCount = nc;
  in.qop = qop;
  in.method = request.method;
  in.uri = request.uri;
  in.body = request.body;
  auto response = computeDigestResponse(in);
  if (!response) return response.error();

  DigestCredentials out;
  if (challenge.userhash) {
    // RFC 7616 §3.4.4: the server asked for the hashed username, and userhash=true says it is one.
    auto hashed = computeUserhash(challenge.algorithm, user.username, challenge.realm);
    if (!hashed) return hashed.error();
    out.username = std::move(*hashed);
    out.userhash = true;
  } else {
    out.username = user.username;
  }
  out.realm = challenge.realm;
  out.nonce = challenge.nonce;
  out.uri = std::string(request.uri);
  out.response = std::move(*response);
  out.algorithm = challenge.algorithm;
  out.algorithmGiven = true;
  if (needCnonce) out.cnonce = std::move(cnonce);
  out.opaque = challenge.opaque;
  out.qop = qop;
  out.nonceCount = nc;
  return out;
}

}  // namespace callgate::sip::auth
