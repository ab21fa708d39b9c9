#include "sip/auth/digest_credentials.hpp"

#include "core/text.hpp"
#include "sip/auth/auth_params.hpp"

namespace callgate::sip::auth {

namespace {

using core::makeError;

bool isHex(std::string_view s) {
  for (char c : s) {
    if (!core::isHexDigit(c)) return false;
  }
  return true;
}

void appendQuotedParam(std::string& out, std::string_view name, std::string_view value) {
  out += ", ";
  out += name;
  out += '=';
  appendQuoted(out, value);
}

void appendTokenParam(std::string& out, std::string_view name, std::string_view value) {
  out += ", ";
  out += name;
  out += '=';
  out += value;
}

}  // namespace

std::string formatNonceCount(uint32_t nonceCount) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kHex[nonceCount & 0x0f];
    nonceCount >>= 4;
  }
  return out;
}

core::Result<DigestCredentials> DigestCredentials::parse(std::string_view headerValue) {
  // RFC 7616 §3.3 / RFC 3261 §25.1: the scheme token is case-insensitive. Checked first so another
  // scheme is reported as such, not as whatever its own syntax trips in the auth-param parser.
  const std::string_view scheme = leadingScheme(headerValue);
  if (!scheme.empty() && !core::iequals(scheme, "Digest")) {
    return makeError("authentication scheme '" + core::printable(scheme, 32) + "' is not Digest");
  }
  auto params = AuthParams::parse(headerValue);
  if (!params) return params.error();

  DigestCredentials out;
  bool have[5] = {false, false, false, false, false};  // username, realm, nonce, uri, response
  std::optional<std::string> nc;
  for (const AuthParam& p : params->params()) {
    const std::string_view name = p.name;
    if (core::iequals(name, "username")) {
      out.username = p.value;
      have[0] = true;
    } else if (core::iequals(name, "realm")) {
      out.realm = p.value;
      have[1] = true;
    } else if (core::iequals(name, "nonce")) {
      out.nonce = p.value;
      have[2] = true;
    } else if (core::iequals(name, "uri")) {
      out.uri = p.value;
      have[3] = true;
    } else if (core::iequals(name, "response")) {
      out.response = p.value;
      have[4] = true;
    } else if (core::iequals(name, "algorithm")) {
      const auto algorithm = parseDigestAlgorithm(p.value);
      if (!algorithm) return makeError("unsupported algorithm '" + core::printable(p.value, 32) + "'");
      out.algorithm = *algorithm;
      out.algorithmGiven = true;
    } else if (core::iequals(name, "cnonce")) {
      out.cnonce = p.value;
    } else if (core::iequals(name, "opaque")) {
      out.opaque = p.value;
    } else if (core::iequals(name, "qop")) {
      // RFC 7616 §3.4: message-qop is the single qop the client chose.
      if (core::iequals(p.value, "auth")) {
        out.qop = Qop::kAuth;
      } else if (core::iequals(p.value, "auth-int")) {
        out.qop = Qop::kAuthInt;
      } else {
        return makeError("unsupported qop '" + core::printable(p.value, 32) + "'");
      }
    } else if (core::iequals(name, "nc")) {
      nc = p.value;
    } else if (core::iequals(name, "userhash")) {
      out.userhash = core::iequals(p.value, "true");
    }
  }
  static constexpr std::string_view kRequired[] = {"username", "realm", "nonce", "uri", "response"};
  for (size_t i = 0; i < std::size(kRequired); ++i) {
    if (!have[i]) return makeError("Digest credentials have no " + std::string(kRequired[i]));
  }
  const size_t hexLength = digestHexLength(out.algorithm);
  if (out.response.size() != hexLength || !isHex(out.response)) {
    return makeError("response must be " + std::to_string(hexLength) + " hex digits for " +
                     std::string(digestAlgorithmName(out.algorithm)));
  }
  if (out.qop) {
    // RFC 7616 §3.4: cnonce and nc MUST be sent when qop is.
    if (!out.cnonce) return makeError("Digest credentials have qop but no cnonce");
    if (!nc) return makeError("Digest credentials have qop but no nc");
  }
  if (nc) {
    if (nc->size() != 8 || !isHex(*nc)) {
      return makeError("nc '" + core::printable(*nc, 16) + "' is not 8 hex digits");
    }
    uint32_t value = 0;
    for (char c : *nc) value = (value << 4) | static_cast<uint32_t>(core::hexValue(c));
    out.nonceCount = value;
  }
  return out;
}

std::string DigestCredentials::toString() const {
  std::string out = "Digest username=";
  appendQuoted(out, username);
  appendQuotedParam(out, "realm", realm);
  appendQuotedParam(out, "nonce", nonce);
  appendQuotedParam(out, "uri", uri);
  appendQuotedParam(out, "response", response);
  if (algorithmGiven) appendTokenParam(out, "algorithm", digestAlgorithmName(algorithm));
  if (cnonce) appendQuotedParam(out, "cnonce", *cnonce);
  if (opaque) appendQuotedParam(out, "opaque", *opaque);
  if (qop) {
    appendTokenParam(out, "qop", qopName(*qop));
    appendTokenParam(out, "nc", formatNonceCount(nonceCount));
  }
  if (userhash) appendTokenParam(out, "userhash", "true");
  return out;
}

}  // namespace callgate::sip::auth
