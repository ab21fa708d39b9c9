#include "sdp/sdp_grammar.hpp"

#include <algorithm>

namespace callgate::sdp::grammar {

bool isToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), isTokenChar);
}

bool isByteString(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) { return c == '\0' || c == '\r' || c == '\n'; });
}

bool isNonWsString(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u > 0x20 && u < 0x7f) || u >= 0x80;
  });
}

bool isIceChars(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), isIceChar);
}

bool isTypedTime(std::string_view s, bool allowNegative) {
  if (allowNegative && !s.empty() && s.front() == '-') s.remove_prefix(1);
  if (!s.empty() && (s.back() == 'd' || s.back() == 'h' || s.back() == 'm' || s.back() == 's'))
    s.remove_suffix(1);
  return !s.empty() && s.size() <= 20 && std::all_of(s.begin(), s.end(), core::isDigit);
}

std::optional<std::string_view> FieldReader::next() {
  while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  if (pos_ >= text_.size()) return std::nullopt;
  const size_t start = pos_;
  while (pos_ < text_.size() && text_[pos_] != ' ') ++pos_;
  return text_.substr(start, pos_ - start);
}

std::string_view FieldReader::rest() const {
  size_t start = pos_;
  while (start < text_.size() && text_[start] == ' ') ++start;
  return text_.substr(std::min(start, text_.size()));
}

std::optional<uint64_t> parseNumber(std::string_view s, uint64_t min, uint64_t max) {
  const auto v = core::parseUnsigned(s, max);
  if (!v || *v < min) return std::nullopt;
  return v;
}

std::string quote(std::string_view s) {
  return "'" + core::printable(s, 48) + "'";
}

namespace {

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

bool isBase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return false;
  size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  const std::string_view body = text.substr(0, text.size() - padding);
  return std::all_of(body.begin(), body.end(), [](char c) { return base64Value(c) >= 0; });
}

core::Result<std::vector<uint8_t>> decodeBase64(std::string_view text) {
  if (!isBase64(text)) return core::makeError("not base64 (RFC 4648 §4): " + quote(text));
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    buffer = (buffer << 6) | static_cast<uint32_t>(base64Value(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace callgate::sdp::grammar
