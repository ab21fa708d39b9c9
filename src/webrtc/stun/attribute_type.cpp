#include "webrtc/stun/attribute_type.hpp"

#include <array>
#include <utility>

namespace callgate::webrtc::stun {

namespace {

constexpr std::array<std::pair<uint16_t, std::string_view>, 20> kNames{{
    {attr::kMappedAddress, "MAPPED-ADDRESS"},
    {attr::kUsername, "USERNAME"},
    {attr::kMessageIntegrity, "MESSAGE-INTEGRITY"},
    {attr::kErrorCode, "ERROR-CODE"},
    {attr::kUnknownAttributes, "UNKNOWN-ATTRIBUTES"},
    {attr::kRealm, "REALM"},
    {attr::kNonce, "NONCE"},
    {attr::kMessageIntegritySha256, "MESSAGE-INTEGRITY-SHA256"},
    {attr::kPasswordAlgorithm, "PASSWORD-ALGORITHM"},
    {attr::kUserhash, "USERHASH"},
    {attr::kXorMappedAddress, "XOR-MAPPED-ADDRESS"},
    {attr::kPriority, "PRIORITY"},
    {attr::kUseCandidate, "USE-CANDIDATE"},
    {attr::kPasswordAlgorithms, "PASSWORD-ALGORITHMS"},
    {attr::kAlternateDomain, "ALTERNATE-DOMAIN"},
    {attr::kSoftware, "SOFTWARE"},
    {attr::kAlternateServer, "ALTERNATE-SERVER"},
    {attr::kFingerprint, "FINGERPRINT"},
    {attr::kIceControlled, "ICE-CONTROLLED"},
    {attr::kIceControlling, "ICE-CONTROLLING"},
}};

}  // namespace

bool isKnownAttribute(uint16_t type) {
  for (const auto& [known, name] : kNames) {
    if (known == type) return true;
  }
  return false;
}

std::string_view attributeName(uint16_t type) {
  for (const auto& [known, name] : kNames) {
    if (known == type) return name;
  }
  return "unknown";
}

}  // namespace callgate::webrtc::stun
