// libFuzzer target: SRTP and SRTCP unprotect (and protect) of whatever arrives on a media socket, for each
// profile, with fixed keys. Forged packets must be refused (malformed, auth, replay) without reading or
// writing outside the buffer, whatever their lengths, CSRC counts and extension lengths say.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "webrtc/srtp/srtp_session.hpp"

using callgate::webrtc::srtp::Profile;
using callgate::webrtc::srtp::Session;

namespace {

std::unique_ptr<Session> make(Profile profile, Session::Direction direction) {
  std::vector<uint8_t> key(callgate::webrtc::srtp::masterKeyLength(profile), 0x2B);
  std::vector<uint8_t> salt(callgate::webrtc::srtp::masterSaltLength(profile), 0x7E);
  auto created = Session::create(profile, key, salt, direction, 8);
  return created ? std::move(*created) : nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<Session> receivers[3] = {
      make(Profile::kAes128CmSha1_80, Session::Direction::kReceive),
      make(Profile::kAes128CmSha1_32, Session::Direction::kReceive),
      make(Profile::kAeadAes128Gcm, Session::Direction::kReceive)};
  static std::unique_ptr<Session> senders[3] = {make(Profile::kAes128CmSha1_80, Session::Direction::kSend),
                                                make(Profile::kAes128CmSha1_32, Session::Direction::kSend),
                                                make(Profile::kAeadAes128Gcm, Session::Direction::kSend)};
  if (size == 0) return 0;
  const int which = data[0] % 3;
  std::vector<uint8_t> buffer(data + 1, data + size);
  const size_t length = buffer.size();
  (void)receivers[which]->unprotectRtp(buffer, length);
  buffer.assign(data + 1, data + size);
  (void)receivers[which]->unprotectRtcp(buffer, length);
  // Protect, with and without room for the trailer; then the receiver must open what was sealed.
  buffer.assign(data + 1, data + size);
  buffer.resize(length + (data[0] & 0x80 ? 32 : 0));
  if (auto sealed = senders[which]->protectRtp(buffer, length)) {
    (void)receivers[which]->unprotectRtp(buffer, *sealed);
  }
  buffer.assign(data + 1, data + size);
  buffer.resize(length + (data[0] & 0x40 ? 32 : 0));
  if (auto sealed = senders[which]->protectRtcp(buffer, length)) {
    (void)receivers[which]->unprotectRtcp(buffer, *sealed);
  }
  return 0;
}
