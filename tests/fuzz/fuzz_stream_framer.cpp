// libFuzzer target: cutting SIP messages out of a TCP/TLS byte stream. Splits the input into the messages
// the framer finds and parses each with stream framing; checks the framer's arithmetic stays in bounds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sip/message/parser.hpp"
#include "sip/message/stream_framer.hpp"

using namespace callgate::sip;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view stream(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < 64 && !stream.empty(); ++i) {
    const FrameResult r = frameMessage(stream);
    if (r.skip > stream.size()) __builtin_trap();
    if (r.status == FrameStatus::kInvalid) break;
    if (r.status == FrameStatus::kNeedMore) break;
    if (r.length == 0 || r.skip + r.length > stream.size()) __builtin_trap();
    (void)parseMessage(stream.substr(r.skip, r.length), Framing::kStream);
    stream.remove_prefix(r.skip + r.length);
  }
  return 0;
}
