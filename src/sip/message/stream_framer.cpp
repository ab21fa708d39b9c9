#include "sip/message/stream_framer.hpp"

#include <cstring>

#include "core/text.hpp"
#include "sip/message/header_id.hpp"

namespace callgate::sip {

FrameResult frameMessage(std::string_view buffer, const FramerLimits& limits) {
  FrameResult result;
  // Keep-alives (RFC 5626 §3.5.1: CRLFCRLF ping, CRLF pong) and RFC 3261 §7.5 CRLFs before a start line.
  size_t skip = 0;
  while (skip < buffer.size() && (buffer[skip] == '\r' || buffer[skip] == '\n')) ++skip;
  for (size_t i = 0; i + 3 < skip; ++i) {
    if (buffer.substr(i, 4) == "\r\n\r\n") {
      ++result.keepAlives;
      i += 3;
    }
  }
  result.skip = skip;
  const std::string_view data = buffer.substr(skip);
  if (data.empty()) return result;

  const size_t searchLimit = std::min(data.size(), limits.maxHeaderBytes + 4);
  const size_t headerEnd = data.substr(0, searchLimit).find("\r\n\r\n");
  if (headerEnd == std::string_view::npos) {
    if (data.size() > limits.maxHeaderBytes) {
      result.status = FrameStatus::kInvalid;
      result.error = "SIP header block exceeds the size limit";
    }
    return result;
  }

  // Find Content-Length ("l" in compact form) at the start of a header line; folds may continue its value.
  bool haveLength = false;
  size_t length = 0;
  size_t pos = data.find("\r\n") + 2;  // past the start line
  while (pos < headerEnd + 2) {
    size_t eol = data.find("\r\n", pos);
    while (eol + 2 < headerEnd + 2 && core::isWsp(data[eol + 2])) eol = data.find("\r\n", eol + 2);
    const std::string_view line = data.substr(pos, eol - pos);
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view name = line.substr(0, colon);
      while (!name.empty() && core::isWsp(name.back())) name.remove_suffix(1);
      if (headerIdFromName(name) == HeaderId::kContentLength) {
        const auto value = core::parseUnsigned(core::trimLws(line.substr(colon + 1)), limits.maxBodyBytes);
        if (!value) {
          result.status = FrameStatus::kInvalid;
          result.error = "Content-Length is not a number within the body size limit";
          return result;
        }
        if (haveLength && *value != length) {
          result.status = FrameStatus::kInvalid;
          result.error = "conflicting Content-Length headers";
          return result;
        }
        haveLength = true;
        length = static_cast<size_t>(*value);
      }
    }
    pos = eol + 2;
  }
  // RFC 3261 §18.3 makes Content-Length mandatory on streams; a message without one is taken as having no
  // body, which keeps the stream in step for the bodiless requests and responses that omit it.
  const size_t total = headerEnd + 4 + length;
  if (data.size() < total) return result;
  result.status = FrameStatus::kComplete;
  result.length = total;
  return result;
}

}  // namespace callgate::sip
