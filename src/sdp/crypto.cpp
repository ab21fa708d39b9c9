#include "sdp/crypto.hpp"

#include <algorithm>

#include "core/text.hpp"
#include "sdp/sdp_grammar.hpp"

namespace callgate::sdp {

using grammar::quote;

namespace {

core::Error cryptoError(const std::string& what) {
  return core::makeError("crypto " + what + " (RFC 4568 §9.1)");
}

bool isSuite(std::string_view s) {
  // crypto-suite = 1*(ALPHA / DIGIT / "_")
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return core::isAlnum(c) || c == '_'; });
}

bool isBase64Chars(std::string_view s) {
  // key-salt = 1*(base64); base64 = ALPHA / DIGIT / "+" / "/" / "="
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return core::isAlnum(c) || c == '+' || c == '/' || c == '=';
  });
}

core::Result<CryptoKeyParam> parseKeyParam(std::string_view text) {
  // key-param = key-method ":" key-info
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos)
    return cryptoError("key-param " + quote(text) + " is not <method>:<info>");
  CryptoKeyParam out;
  out.method = std::string(text.substr(0, colon));
  const std::string_view info = text.substr(colon + 1);
  if (!grammar::isToken(out.method))
    return cryptoError("key-method " + quote(out.method) + " is not a token");
  if (!core::iequals(out.method, "inline")) {
    if (info.empty()) return cryptoError("key-info of " + quote(out.method) + " is empty");
    out.keySalt = std::string(info);  // key-method-ext: not ours to interpret
    return out;
  }
  // srtp-key-info = key-salt ["|" lifetime] ["|" mki]
  size_t start = 0;
  int index = 0;
  while (start <= info.size()) {
    const size_t bar = info.find('|', start);
    const std::string_view part = info.substr(start, bar == std::string_view::npos ? info.npos : bar - start);
    if (index == 0) {
      if (!isBase64Chars(part)) return cryptoError("key||salt " + quote(part) + " is not base64");
      out.keySalt = std::string(part);
    } else if (part.find(':') != std::string_view::npos) {
      // mki = mki-value ":" mki-length; mki-length 1..128
      if (out.mkiValue) return cryptoError("has two MKI parts in " + quote(info));
      const size_t mkiColon = part.find(':');
      const auto value = core::parseUnsigned(part.substr(0, mkiColon), UINT64_MAX);
      const std::string_view lengthText = part.substr(mkiColon + 1);
      const auto length = lengthText.size() <= 3 ? grammar::parseNumber(lengthText, 1, 128) : std::nullopt;
      if (!value || !length) return cryptoError("MKI " + quote(part) + " is not <value>:<length 1-128>");
      out.mkiValue = *value;
      out.mkiLength = static_cast<uint8_t>(*length);
    } else {
      // lifetime = ["2^"] 1*(DIGIT), before the MKI
      if (out.lifetime || out.mkiValue)
        return cryptoError("lifetime " + quote(part) + " is misplaced in " + quote(info));
      const std::string_view digits = part.substr(0, 2) == "2^" ? part.substr(2) : part;
      if (!core::parseUnsigned(digits, UINT64_MAX))
        return cryptoError("lifetime " + quote(part) + " is not [2^]digits");
      out.lifetime = std::string(part);
    }
    if (bar == std::string_view::npos) break;
    start = bar + 1;
    if (++index > 2) return cryptoError("key-info " + quote(info) + " has more than three '|' parts");
  }
  return out;
}

}  // namespace

core::Result<std::vector<uint8_t>> CryptoKeyParam::keySaltBytes() const {
  return grammar::decodeBase64(keySalt);
}

core::Result<Crypto> Crypto::parse(std::string_view value) {
  grammar::FieldReader fields(value);
  const auto tag = fields.next();
  const auto suite = fields.next();
  const auto keyParams = fields.next();
  if (!tag || !suite || !keyParams) return cryptoError("needs <tag> <crypto-suite> <key-params>");
  const auto tagNumber = tag->size() <= 9 ? core::parseUnsigned(*tag, 999999999) : std::nullopt;
  if (!tagNumber) return cryptoError("tag " + quote(*tag) + " is not 1-9 digits");
  if (!isSuite(*suite)) return cryptoError("suite " + quote(*suite) + " is not 1*(ALPHA / DIGIT / \"_\")");
  Crypto out;
  out.tag = static_cast<uint32_t>(*tagNumber);
  out.suite = std::string(*suite);
  std::string_view rest = *keyParams;
  while (true) {
    const size_t semicolon = rest.find(';');
    auto keyParam = parseKeyParam(rest.substr(0, semicolon));
    if (!keyParam) return keyParam.error();
    out.keyParams.push_back(std::move(*keyParam));
    if (semicolon == std::string_view::npos) break;
    rest = rest.substr(semicolon + 1);
  }
  while (const auto param = fields.next()) {
    if (!grammar::isNonWsString(*param))
      return cryptoError("session-param " + quote(*param) + " is not VCHARs");
    out.sessionParams.emplace_back(*param);
  }
  return out;
}

std::string Crypto::toString() const {
  std::string out = std::to_string(tag) + ' ' + suite + ' ';
  bool first = true;
  for (const CryptoKeyParam& k : keyParams) {
    if (!first) out += ';';
    first = false;
    out += k.method + ':' + k.keySalt;
    if (k.lifetime) out += '|' + *k.lifetime;
    if (k.mkiValue && k.mkiLength)
      out += '|' + std::to_string(*k.mkiValue) + ':' + std::to_string(*k.mkiLength);
  }
  for (const std::string& param : sessionParams) out += ' ' + param;
  return out;
}

}  // namespace callgate::sdp
