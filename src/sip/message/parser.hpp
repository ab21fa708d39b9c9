// Parsing one SIP message from bytes (RFC 3261 §7, §25). Splits the start line, the header fields and the
// body without copying; the typed checks are in validate.hpp, so a proxy-like path pays only for what it
// reads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/result.hpp"
#include "sip/message/message.hpp"

namespace callgate::sip {

struct ParseLimits {
  size_t maxMessageBytes = 65535;  // a UDP datagram's maximum payload
  size_t maxHeaderFields = 256;
  size_t maxHeaderLineBytes = 8192;
};

enum class Framing : uint8_t {
  // One UDP datagram (RFC 3261 §18.3): without Content-Length the body runs to the end; bytes past
  // Content-Length are discarded; a Content-Length beyond the datagram is an error.
  kDatagram,
  // A message cut from a stream by StreamFramer: Content-Length is mandatory and must match exactly.
  kStream,
};

class MessageParser {
 public:
  explicit MessageParser(ParseLimits limits = {}) : limits_(limits) {}

  // Parses `data` into `out`, reusing its storage. On success `out` views `data`.
  core::Result<void> parse(std::string_view data, Message& out, Framing framing = Framing::kDatagram) const;
  // A std::string temporary would die at the end of the statement while the message views it.
  template <typename T, typename = std::enable_if_t<std::is_same_v<T, std::string>>>
  core::Result<void> parse(T&& data, Message& out, Framing framing = Framing::kDatagram) const = delete;

 private:
  ParseLimits limits_;
};

// Convenience: parse into a new Message (a view of `data`).
core::Result<Message> parseMessage(std::string_view data, Framing framing = Framing::kDatagram);
template <typename T, typename = std::enable_if_t<std::is_same_v<T, std::string>>>
core::Result<Message> parseMessage(T&& data, Framing framing = Framing::kDatagram) = delete;  // see parse()

}  // namespace callgate::sip
