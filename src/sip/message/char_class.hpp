// Character classes of the RFC 3261 §25.1 grammar, as lookup tables for the parsers of this folder.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace callgate::sip::chars {

enum : uint16_t {
  kAlnum = 1 << 0,
  kMark = 1 << 1,             // - _ . ! ~ * ' ( )
  kUserUnreserved = 1 << 2,   // & = + $ , ; ? /
  kPasswordExtra = 1 << 3,    // & = + $ ,
  kParamUnreserved = 1 << 4,  // [ ] / : & + $
  kHnvUnreserved = 1 << 5,    // [ ] / ? : + $
  kTokenExtra = 1 << 6,       // - . ! % * _ + ` ' ~
  kHostChar = 1 << 7,         // alnum - .
  kTelChar = 1 << 8,          // hex digits * # - . ( ) +  (RFC 3966 phonedigit-hex, visual-separator)
};

constexpr std::array<uint16_t, 256> makeTable() {
  std::array<uint16_t, 256> t{};
  auto set = [&t](std::string_view chars, uint16_t cls) {
    for (char c : chars) t[static_cast<unsigned char>(c)] |= cls;
  };
  for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] |= kAlnum | kHostChar | kTelChar;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<size_t>(c)] |= kAlnum | kHostChar;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<size_t>(c)] |= kAlnum | kHostChar;
  set("abcdefABCDEF*#-.()+", kTelChar);
  set("-_.!~*'()", kMark);
  set("&=+$,;?/", kUserUnreserved);
  set("&=+$,", kPasswordExtra);
  set("[]/:&+$", kParamUnreserved);
  set("[]/?:+$", kHnvUnreserved);
  set("-.!%*_+`'~", kTokenExtra);
  set("-.", kHostChar);
  return t;
}

inline constexpr std::array<uint16_t, 256> kTable = makeTable();

constexpr bool is(char c, uint16_t classes) {
  return (kTable[static_cast<unsigned char>(c)] & classes) != 0;
}
constexpr bool isUnreserved(char c) {
  return is(c, kAlnum | kMark);
}
// token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
constexpr bool isTokenChar(char c) {
  return is(c, kAlnum | kTokenExtra);
}

constexpr bool isToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!isTokenChar(c)) return false;
  }
  return true;
}

}  // namespace callgate::sip::chars
