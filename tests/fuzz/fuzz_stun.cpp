// libFuzzer target: the STUN codec. Parses a datagram, reads every typed accessor, checks MESSAGE-INTEGRITY,
// MESSAGE-INTEGRITY-SHA256 (with RFC 5769's password, so the seeds verify) and FINGERPRINT, then writes the
// message again from what was parsed, twice: the covered attributes copied raw and sealed anew (must parse
// and verify), and the typed values (must read back the same). Nothing may crash; a broken oracle traps.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "webrtc/stun/integrity.hpp"
#include "webrtc/stun/stun_builder.hpp"
#include "webrtc/stun/stun_message.hpp"

using namespace callgate;
using namespace callgate::webrtc::stun;

namespace {

constexpr std::string_view kKey = "VOkJxbRl1RmTxUk/WvJxBt";

bool isSealing(uint16_t type) {
  return type == attr::kMessageIntegrity || type == attr::kMessageIntegritySha256 ||
         type == attr::kFingerprint;
}

// A value read from the rebuilt message equals the original's when the original had a well-formed one, and is
// absent otherwise (a malformed or missing attribute is not written).
template <typename T>
bool sameValue(const core::Result<std::optional<T>>& original,
               const core::Result<std::optional<T>>& rebuilt) {
  if (!rebuilt.ok()) return false;
  if (original.ok() && original.value().has_value()) return rebuilt.value() == original.value();
  return !rebuilt.value().has_value();
}

void rebuildRaw(const StunMessage& m) {
  StunBuilder b(m.messageClass(), m.method(), m.transactionId());
  size_t count = 0;
  size_t body = 0;
  for (const StunAttribute& a : m.attributes()) {
    if (a.ignored || isSealing(a.type)) continue;
    b.addAttribute(a.type, a.value);
    ++count;
    body += 4 + ((a.value.size() + 3) & ~size_t{3});
  }
  auto bytes = b.addMessageIntegrity(kKey).addMessageIntegritySha256(kKey).addFingerprint().finish();
  body += 24 + 36 + 8;
  if (!bytes) {
    if (body <= 0xFFFC) __builtin_trap();  // only the 16-bit length may refuse the copy
    return;
  }
  auto again = parseStun(*bytes);
  if (count + 3 > kMaxAttributes) {
    if (again) __builtin_trap();  // the parser's attribute bound
    return;
  }
  if (!again || !checkMessageIntegrity(*again, kKey) || !checkMessageIntegritySha256(*again, kKey) ||
      !checkFingerprint(*again)) {
    __builtin_trap();
  }
  if (again->messageClass() != m.messageClass() || again->method() != m.method() ||
      again->transactionId() != m.transactionId() || again->attributes().size() != count + 3) {
    __builtin_trap();
  }
  size_t i = 0;
  for (const StunAttribute& a : m.attributes()) {
    if (a.ignored || isSealing(a.type)) continue;
    const StunAttribute& copy = again->attributes()[i++];
    if (copy.ignored || copy.type != a.type || copy.text() != a.text()) __builtin_trap();
  }
}

void rebuildTyped(const StunMessage& m) {
  const auto username = m.username();
  const auto xorMapped = m.xorMappedAddress();
  const auto mapped = m.mappedAddress();
  const auto error = m.errorCode();
  const auto priority = m.priority();
  const auto useCandidate = m.useCandidate();
  const auto controlling = m.iceControlling();
  const auto controlled = m.iceControlled();
  const auto software = m.software();
  const auto unknown = m.unknownAttributes();

  StunBuilder b(m.messageClass(), m.method(), m.transactionId());
  if (username && *username) b.addUsername(**username);
  if (xorMapped && *xorMapped) b.addXorMappedAddress(**xorMapped);
  if (mapped && *mapped) b.addMappedAddress(**mapped);
  if (error && *error) b.addErrorCode((*error)->code, (*error)->reason);
  if (priority && *priority) b.addPriority(**priority);
  if (useCandidate && *useCandidate) b.addUseCandidate();
  if (controlling && *controlling) b.addIceControlling(**controlling);
  if (controlled && *controlled) b.addIceControlled(**controlled);
  if (software && *software) b.addSoftware(**software);
  if (unknown && *unknown) b.addUnknownAttributes(**unknown);
  // Whatever the accessors accept, the builder writes: the limits are shared and the sum stays far below
  // 64 KiB.
  auto bytes = b.finish(Integrity::kSha1, kKey);
  if (!bytes) __builtin_trap();
  auto again = parseStun(*bytes);
  if (!again || !checkMessageIntegrity(*again, kKey) || !checkFingerprint(*again)) __builtin_trap();

  const StunMessage& r = *again;
  if (!sameValue(username, r.username()) || !sameValue(xorMapped, r.xorMappedAddress()) ||
      !sameValue(mapped, r.mappedAddress()) || !sameValue(priority, r.priority()) ||
      !sameValue(controlling, r.iceControlling()) || !sameValue(controlled, r.iceControlled()) ||
      !sameValue(software, r.software()) || !sameValue(unknown, r.unknownAttributes())) {
    __builtin_trap();
  }
  const auto rebuiltUse = r.useCandidate();
  if (!rebuiltUse || *rebuiltUse != (useCandidate.ok() && *useCandidate)) __builtin_trap();
  const auto rebuiltError = r.errorCode();
  if (!rebuiltError) __builtin_trap();
  if (error && *error) {
    if (!*rebuiltError || (*rebuiltError)->code != (*error)->code ||
        (*rebuiltError)->reason != (*error)->reason) {
      __builtin_trap();
    }
  } else if (*rebuiltError) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  const bool looksLikeStun = isStun(input);
  auto parsed = parseStun(input);
  if (!parsed) return 0;
  // The parser checks the demultiplexer's header test, except RFC 7983's narrower first byte.
  if (!looksLikeStun && data[0] <= 3) __builtin_trap();
  const StunMessage& m = *parsed;

  for (const StunAttribute& a : m.attributes()) {
    if (a.offset + 4 + a.value.size() > size || a.value.data() != data + a.offset + 4) __builtin_trap();
    (void)attributeName(a.type);
  }
  (void)m.unknownComprehensionRequired();
  if (auto address = m.xorMappedAddress(); address && *address) (void)(*address)->toString();
  if (auto address = m.mappedAddress(); address && *address) (void)(*address)->toString();
  (void)checkMessageIntegrity(m, kKey);
  (void)checkMessageIntegritySha256(m, kKey);
  (void)checkFingerprint(m);

  rebuildRaw(m);
  rebuildTyped(m);
  return 0;
}
