#include "sip/auth/digest_challenge.hpp"

#include "core/text.hpp"
#include "sip/auth/auth_params.hpp"

namespace callgate::sip::auth {

namespace {

using core::makeError;

// Splits a quoted list such as qop="auth, auth-int" into its tokens. The folds inside the quotes were
// already turned into SP by the param parser.
core::Result<std::vector<std::string>> splitTokenList(std::string_view list, std::string_view paramName) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view item = core::trimLws(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item.empty()) continue;
    if (!isToken(item)) {
      return makeError("'" + std::string(paramName) + "' lists '" + core::printable(item, 32) +
                       "', which is not a token");
    }
    out.push_back(core::toLower(item));
  }
  return out;
}

}  // namespace

std::string_view qopName(Qop qop) {
  return qop == Qop::kAuthInt ? "auth-int" : "auth";
}

bool DigestChallenge::offers(Qop qop) const {
  const std::string_view name = qopName(qop);
  for (const auto& option : qopOptions) {
    if (option == name) return true;
  }
  return false;
}

core::Result<DigestChallenge> DigestChallenge::parse(std::string_view headerValue) {
  // RFC 7616 §3.3 / RFC 3261 §25.1: the scheme token is case-insensitive. Checked first so another
  // scheme is reported as such, not as whatever its own syntax trips in the auth-param parser.
  const std::string_view scheme = leadingScheme(headerValue);
  if (!scheme.empty() && !core::iequals(scheme, "Digest")) {
    return makeError("authentication scheme '" + core::printable(scheme, 32) + "' is not Digest");
  }
  auto params = AuthParams::parse(headerValue);
  if (!params) return params.error();

  DigestChallenge out;
  bool haveRealm = false;
  bool haveNonce = false;
  for (const AuthParam& p : params->params()) {
    const std::string_view name = p.name;
    if (core::iequals(name, "realm")) {
      out.realm = p.value;
      haveRealm = true;
    } else if (core::iequals(name, "nonce")) {
      out.nonce = p.value;
      haveNonce = true;
    } else if (core::iequals(name, "opaque")) {
      out.opaque = p.value;
    } else if (core::iequals(name, "algorithm")) {
      const auto algorithm = parseDigestAlgorithm(p.value);
      if (!algorithm) {
        // RFC 7616 §3.3 / RFC 8760 §2.4: a challenge with an unknown algorithm is ignored by the client.
        return makeError("unsupported algorithm '" + core::printable(p.value, 32) + "'");
      }
      out.algorithm = *algorithm;
      out.algorithmGiven = true;
    } else if (core::iequals(name, "qop")) {
      auto options = splitTokenList(p.value, "qop");
      if (!options) return options.error();
      if (options->empty()) return makeError("'qop' lists no value");
      out.qopOptions = std::move(*options);
    } else if (core::iequals(name, "stale")) {
      // RFC 2617 §3.2.1: "If stale is FALSE, or anything other than TRUE ... the username and/or password
      // are invalid".
      out.stale = core::iequals(p.value, "true");
    } else if (core::iequals(name, "domain")) {
      std::string_view rest = p.value;
      while (!rest.empty()) {
        const size_t sp = rest.find_first_of(" \t");
        const std::string_view uri = rest.substr(0, sp);
        if (!uri.empty()) out.domain.emplace_back(uri);
        rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
      }
    } else if (core::iequals(name, "charset")) {
      if (!core::iequals(p.value, "UTF-8")) {
        return makeError("charset '" + core::printable(p.value, 32) + "' is not UTF-8 (RFC 7616 §3.3)");
      }
      out.charsetUtf8 = true;
    } else if (core::iequals(name, "userhash")) {
      out.userhash = core::iequals(p.value, "true");
    }
    // Anything else: RFC 7616 §3.3, unrecognized directives are ignored.
  }
  if (!haveRealm) return makeError("Digest challenge has no realm");
  if (!haveNonce) return makeError("Digest challenge has no nonce");
  if (out.nonce.empty()) return makeError("Digest challenge has an empty nonce");
  return out;
}

}  // namespace callgate::sip::auth
