// The "algorithm" directive of Digest (RFC 7616 §3.3, §6.1 IANA "Hash Algorithms for HTTP Digest
// Authentication"; RFC 8760 §2.1 for SIP): which hash H() is, and whether A1 is the -sess form.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace callgate::sip::auth {

enum class DigestAlgorithm { kMd5, kMd5Sess, kSha256, kSha256Sess, kSha512_256, kSha512_256Sess };

// RFC 7616 §3.3: the value is case-insensitive. nullopt for an algorithm this stack does not implement.
std::optional<DigestAlgorithm> parseDigestAlgorithm(std::string_view name);

// The registered name, as sent in Authorization ("SHA-512-256-sess").
std::string_view digestAlgorithmName(DigestAlgorithm algorithm);

// RFC 7616 §3.4.2: the -sess variants fold the nonce and cnonce into A1.
bool isSessionAlgorithm(DigestAlgorithm algorithm);

// The OpenSSL EVP name of H() ("MD5", "SHA256", "SHA512-256").
std::string_view evpDigestName(DigestAlgorithm algorithm);

// Length of H()'s lowercase hex output: 32 for MD5, 64 for the SHA-2 ones.
size_t digestHexLength(DigestAlgorithm algorithm);

// Client preference between challenges of one realm (RFC 7616 §3.7 leaves the choice to the client among
// those it supports): SHA-512-256 > SHA-256 > MD5; a -sess variant ranks with its base hash.
int digestAlgorithmStrength(DigestAlgorithm algorithm);

}  // namespace callgate::sip::auth
