// Shared pieces of the SDP ABNF (RFC 8866 §9) used by the line parser and the typed attribute parsers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/text.hpp"

namespace callgate::sdp::grammar {

// token-char = %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E (RFC 8866 §9)
constexpr bool isTokenChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == 0x21 || (u >= 0x23 && u <= 0x27) || u == 0x2a || u == 0x2b || u == 0x2d || u == 0x2e ||
         (u >= 0x30 && u <= 0x39) || (u >= 0x41 && u <= 0x5a) || (u >= 0x5e && u <= 0x7e);
}

bool isToken(std::string_view s);

// byte-string = 1*(%x01-09/%x0B-0C/%x0E-FF): anything but NUL, CR and LF (RFC 8866 §9).
bool isByteString(std::string_view s);

// non-ws-string = 1*(VCHAR/%x80-FF) (RFC 8866 §9).
bool isNonWsString(std::string_view s);

// ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.1)
constexpr bool isIceChar(char c) {
  return core::isAlnum(c) || c == '+' || c == '/';
}
bool isIceChars(std::string_view s);

// typed-time = 1*DIGIT [fixed-len-time-unit], unit one of d h m s (RFC 8866 §5.10, §9); `allowNegative`
// admits the leading '-' of a z= offset.
bool isTypedTime(std::string_view s, bool allowNegative = false);

// Space-separated fields of a line value. RFC 8866 separates fields by one SP; runs of SP are tolerated
// because some peers emit them and the canonical writer restores single spaces anyway.
class FieldReader {
 public:
  explicit FieldReader(std::string_view text) : text_(text) {}

  // The next field, nullopt at the end.
  std::optional<std::string_view> next();
  // Everything after the fields read so far, without the separating spaces.
  std::string_view rest() const;
  bool atEnd() const { return rest().empty(); }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// An unsigned decimal in [min, max]; nullopt otherwise.
std::optional<uint64_t> parseNumber(std::string_view s, uint64_t min, uint64_t max);

// Quotes a piece of input for an error message, non-printables escaped and long values cut.
std::string quote(std::string_view s);

// Standard base64 (RFC 4648 §4) with padding, as RFC 4568 §6.1 uses for key||salt.
core::Result<std::vector<uint8_t>> decodeBase64(std::string_view text);
bool isBase64(std::string_view text);

}  // namespace callgate::sdp::grammar
