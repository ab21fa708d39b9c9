// Random identifiers for protocols (SIP tags, branches, Call-IDs; ICE credentials later). Injected, so tests
// can make runs repeatable; the gateway uses the cryptographic generator, since tags and Call-IDs must not
// be guessable (RFC 3261 §19.3, §8.1.1.4).
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <string>

namespace callgate::core {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void fill(std::span<uint8_t> out) = 0;

  // `bytes` random bytes as lower-case hex (2 * bytes characters).
  std::string hex(size_t bytes);
  uint64_t next64();
};

// OpenSSL's RAND_bytes.
class SecureRandom final : public RandomSource {
 public:
  void fill(std::span<uint8_t> out) override;
};

// A seeded PRNG for tests and simulations; never for identifiers that leave the process in production.
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}
  void fill(std::span<uint8_t> out) override;

 private:
  std::mt19937_64 engine_;
};

}  // namespace callgate::core
