// Helpers for the rtp layer tests.
#pragma once

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

namespace callgate::rtp::test {

// Bytes from a list of ints, so vectors can be written as in the RFC figures.
inline std::vector<uint8_t> bytes(std::initializer_list<int> values) {
  std::vector<uint8_t> out;
  out.reserve(values.size());
  for (int v : values) out.push_back(static_cast<uint8_t>(v));
  return out;
}

inline std::vector<uint8_t> concat(std::initializer_list<std::span<const uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (auto part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// Keeps a temporary test vector alive until the program ends, so a view parsed from it stays valid for the
// rest of the test (a view into a temporary would dangle at the end of the statement).
inline std::span<const uint8_t> kept(std::vector<uint8_t> v) {
  static std::deque<std::vector<uint8_t>> store;
  store.push_back(std::move(v));
  return store.back();
}

inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace callgate::rtp::test
