// Cuts SIP messages out of a byte stream (TCP, TLS, RFC 3261 §18.3): the header block ends at the first
// CRLFCRLF and the body is exactly Content-Length bytes, which is mandatory on streams. CRLFs between
// messages are keep-alives (RFC 5626 §3.5.1) and are skipped.
#pragma once

#include <cstddef>
#include <string_view>

namespace callgate::sip {

enum class FrameStatus : unsigned char { kComplete, kNeedMore, kInvalid };

struct FrameResult {
  FrameStatus status = FrameStatus::kNeedMore;
  size_t skip = 0;         // leading keep-alive bytes to drop before the message
  size_t length = 0;       // kComplete: the message's bytes after `skip`
  std::string_view error;  // kInvalid: what is wrong (a static string)
  size_t keepAlives = 0;   // keep-alive CRLFCRLF (ping) sequences seen in the skipped bytes
};

struct FramerLimits {
  size_t maxHeaderBytes = 16384;
  size_t maxBodyBytes = 1 << 20;
};

// Looks at the start of `buffer` (the unconsumed bytes of a connection). kComplete: consume skip+length
// and parse buffer.substr(skip, length) with Framing::kStream. kNeedMore: consume `skip` and read more.
// kInvalid: the stream cannot be resynchronised: answer 400 if possible and close the connection.
FrameResult frameMessage(std::string_view buffer, const FramerLimits& limits = {});

}  // namespace callgate::sip
