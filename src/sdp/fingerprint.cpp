#include "sdp/fingerprint.hpp"

#include "core/text.hpp"
#include "sdp/sdp_grammar.hpp"

namespace callgate::sdp {

namespace {

// Digest sizes of the hash functions of RFC 8122 §5 (via the IANA "Hash Function Textual Names" registry).
size_t digestSize(std::string_view hashFunction) {
  if (core::iequals(hashFunction, "sha-1")) return 20;
  if (core::iequals(hashFunction, "sha-224")) return 28;
  if (core::iequals(hashFunction, "sha-256")) return 32;
  if (core::iequals(hashFunction, "sha-384")) return 48;
  if (core::iequals(hashFunction, "sha-512")) return 64;
  if (core::iequals(hashFunction, "md5") || core::iequals(hashFunction, "md2")) return 16;
  return 0;  // unknown: any length
}

}  // namespace

core::Result<Fingerprint> Fingerprint::parse(std::string_view text) {
  grammar::FieldReader fields(text);
  const auto hash = fields.next();
  const auto hex = fields.next();
  if (!hash || !hex || !fields.atEnd())
    return core::makeError("fingerprint needs <hash-func> <fingerprint> (RFC 8122 §5)");
  if (!grammar::isToken(*hash))
    return core::makeError("fingerprint hash function " + grammar::quote(*hash) +
                           " is not a token (RFC 8122 §5)");
  // fingerprint = 2UHEX *(":" 2UHEX) (RFC 8122 §5). Lower-case hex is accepted: some stacks send it and the
  // bytes are the same.
  if ((hex->size() + 1) % 3 != 0) {
    return core::makeError("fingerprint " + grammar::quote(*hex) +
                           " is not hex pairs separated by ':' (RFC 8122 §5)");
  }
  for (size_t i = 0; i < hex->size(); ++i) {
    const bool separator = i % 3 == 2;
    if (separator ? (*hex)[i] != ':' : !core::isHexDigit((*hex)[i])) {
      return core::makeError("fingerprint " + grammar::quote(*hex) +
                             " is not hex pairs separated by ':' (RFC 8122 §5)");
    }
  }
  const size_t size = (hex->size() + 1) / 3;
  const size_t expected = digestSize(*hash);
  if (expected != 0 && size != expected) {
    return core::makeError("fingerprint has " + std::to_string(size) + " bytes, " + std::string(*hash) +
                           " gives " + std::to_string(expected) + " (RFC 8122 §5)");
  }
  return Fingerprint{std::string(*hash), std::string(*hex)};
}

std::vector<uint8_t> Fingerprint::bytes() const {
  std::vector<uint8_t> out;
  out.reserve((value.size() + 1) / 3);
  for (size_t i = 0; i + 1 < value.size(); i += 3) {
    const int high = core::hexValue(value[i]);
    const int low = core::hexValue(value[i + 1]);
    if (high < 0 || low < 0) break;
    out.push_back(static_cast<uint8_t>(high * 16 + low));
  }
  return out;
}

std::string Fingerprint::toString() const {
  return hashFunction + ' ' + value;
}

}  // namespace callgate::sdp
