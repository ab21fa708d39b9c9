// Small ASCII text helpers used by every protocol parser. Locale-free and allocation-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace callgate::core {

constexpr char toLowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}
constexpr bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool isAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool isAlnum(char c) {
  return isDigit(c) || isAlpha(c);
}
constexpr bool isHexDigit(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr bool isWsp(char c) {
  return c == ' ' || c == '\t';
}

constexpr int hexValue(char c) {
  if (isDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (toLowerAscii(a[i]) != toLowerAscii(b[i])) return false;
  }
  return true;
}

constexpr bool istartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// Trims SP, HTAB, CR and LF at both ends (the whitespace of SIP's LWS, folds included).
constexpr std::string_view trimLws(std::string_view s) {
  auto isLws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && isLws(s.front())) s.remove_prefix(1);
  while (!s.empty() && isLws(s.back())) s.remove_suffix(1);
  return s;
}

// Parses an unsigned decimal that must fit `max`; nullopt on empty input, a non-digit or overflow.
constexpr std::optional<uint64_t> parseUnsigned(std::string_view s, uint64_t max) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (!isDigit(c)) return std::nullopt;
    const auto d = static_cast<uint64_t>(c - '0');
    if (v > (max - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::string toLower(std::string_view s);

// A printable rendering of arbitrary bytes for logs and error messages (non-printables as \xNN, cut at
// `max`).
std::string printable(std::string_view s, size_t max = 64);

}  // namespace callgate::core
