#include "core/random.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace callgate::core {

std::string RandomSource::hex(size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string raw(bytes, '\0');
  fill({reinterpret_cast<uint8_t*>(raw.data()), raw.size()});
  std::string out;
  out.reserve(bytes * 2);
  for (char c : raw) {
    const auto u = static_cast<uint8_t>(c);
    out += kHex[u >> 4];
    out += kHex[u & 0xf];
  }
  return out;
}

uint64_t RandomSource::next64() {
  std::array<uint8_t, 8> bytes{};
  fill(bytes);
  uint64_t v = 0;
  for (uint8_t b : bytes) v = (v << 8) | b;
  return v;
}

void SecureRandom::fill(std::span<uint8_t> out) {
  if (out.empty()) return;
  // RAND_bytes fails only when the generator cannot be seeded: the process cannot make safe identifiers
  // and must not go on with predictable ones.
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed: no secure random source");
  }
}

void SeededRandom::fill(std::span<uint8_t> out) {
  for (size_t i = 0; i < out.size(); i += 8) {
    uint64_t v = engine_();
    for (size_t j = i; j < out.size() && j < i + 8; ++j) {
      out[j] = static_cast<uint8_t>(v);
      v >>= 8;
    }
  }
}

}  // namespace callgate::core
