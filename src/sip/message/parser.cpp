#include "sip/message/parser.hpp"

#include <cstring>

#include "core/text.hpp"
#include "sip/message/char_class.hpp"

namespace callgate::sip {

// The parser is a friend of Message: it fills the views directly, without copying or allocating.
//
//   Request-Line   = Method SP Request-URI SP SIP-Version CRLF        (RFC 3261 §7.1)
//   Status-Line    = SIP-Version SP Status-Code SP Reason-Phrase CRLF  (RFC 3261 §7.2)
//   message-header = field-name HCOLON field-value CRLF, folded by CRLF 1*WSP (RFC 3261 §7.3.1)
//   CRLF, then the body
namespace {

using core::makeError;

constexpr size_t kBareLf = std::string_view::npos - 1;

// The end of the line starting at `pos` (the index of its CR); npos when there is no LF yet, kBareLf when
// the line ends in LF alone.
size_t findLineEnd(std::string_view data, size_t pos) {
  if (pos >= data.size()) return std::string_view::npos;
  const void* nl = std::memchr(data.data() + pos, '\n', data.size() - pos);
  if (nl == nullptr) return std::string_view::npos;
  const auto at = static_cast<size_t>(static_cast<const char*>(nl) - data.data());
  if (at == pos || data[at - 1] != '\r') return kBareLf;
  return at - 1;
}

// SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (RFC 3261 §25.1; "SIP" is case-insensitive there).
bool isSipVersion(std::string_view v) {
  if (v.size() < 7 || !core::istartsWith(v, "SIP/")) return false;
  v.remove_prefix(4);
  const size_t dot = v.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot + 1 == v.size()) return false;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i != dot && !core::isDigit(v[i])) return false;
  }
  return true;
}

}  // namespace

core::Result<void> MessageParser::parse(std::string_view data, Message& out, Framing framing) const {
  out.storage_.reset();
  out.headers_.clear();
  out.raw_ = {};
  out.body_ = {};
  if (data.size() > limits_.maxMessageBytes) {
    return makeError("message of " + std::to_string(data.size()) + " bytes exceeds the limit of " +
                         std::to_string(limits_.maxMessageBytes),
                     513);
  }
  // RFC 3261 §7.5: CRLFs before the start line are ignored.
  size_t pos = 0;
  while (pos + 1 < data.size() && data[pos] == '\r' && data[pos + 1] == '\n') pos += 2;
  const size_t start = pos;

  // Start line.
  size_t eol = findLineEnd(data, pos);
  if (eol == kBareLf) return makeError("start line ends in LF without CR (RFC 3261 §7: lines end in CRLF)");
  if (eol == std::string_view::npos) return makeError("message has no complete start line");
  std::string_view line = data.substr(pos, eol - pos);
  // Trailing whitespace after the SIP-Version is tolerated (RFC 4475 §3.1.2.9 leaves the choice open).
  while (!line.empty() && core::isWsp(line.back())) line.remove_suffix(1);
  if (line.empty()) return makeError("empty start line");

  if (core::istartsWith(line, "SIP/")) {
    // Status-Line: the reason phrase may contain anything but CR and LF, including SP and UTF-8.
    const size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) return makeError("status line has no status code");
    out.version_ = line.substr(0, sp1);
    if (!isSipVersion(out.version_)) return makeError("status line has a malformed SIP-Version");
    const std::string_view afterVersion = line.substr(sp1 + 1);
    const std::string_view code = afterVersion.substr(0, 3);
    if (code.size() != 3 || !core::isDigit(code[0]) || !core::isDigit(code[1]) || !core::isDigit(code[2]) ||
        (afterVersion.size() > 3 && afterVersion[3] != ' ')) {
      return makeError("status code must be three digits (RFC 3261 §7.2 Status-Code)");
    }
    out.isRequest_ = false;
    out.statusCode_ = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
    out.reason_ = afterVersion.size() > 4 ? afterVersion.substr(4) : std::string_view{};
    out.method_ = {};
    out.methodId_ = Method::kOther;
    out.requestUri_ = {};
  } else {
    const size_t sp1 = line.find(' ');
    const size_t sp2 = line.rfind(' ');
    if (sp1 == std::string_view::npos || sp1 == sp2) {
      return makeError("request line is not 'Method SP Request-URI SP SIP-Version' (RFC 3261 §7.1)");
    }
    out.method_ = line.substr(0, sp1);
    out.requestUri_ = line.substr(sp1 + 1, sp2 - sp1 - 1);
    out.version_ = line.substr(sp2 + 1);
    if (!chars::isToken(out.method_))
      return makeError("request method is not a token (RFC 3261 §25.1 Method)");
    if (out.requestUri_.empty()) return makeError("request line has an empty Request-URI");
    for (char c : out.requestUri_) {
      if (core::isWsp(c)) {
        return makeError("Request-URI contains whitespace, or the request line has extra SP (RFC 3261 §7.1)");
      }
    }
    if (!isSipVersion(out.version_)) return makeError("request line has a malformed SIP-Version");
    out.isRequest_ = true;
    out.methodId_ = methodFromName(out.method_);
    out.statusCode_ = 0;
    out.reason_ = {};
  }
  pos = eol + 2;

  // Header fields, until the empty line.
  size_t contentLengthIndex = std::string_view::npos;
  while (true) {
    eol = findLineEnd(data, pos);
    if (eol == kBareLf)
      return makeError("header line ends in LF without CR (RFC 3261 §7: lines end in CRLF)");
    if (eol == std::string_view::npos) return makeError("message has no empty line after its headers");
    if (eol == pos) {
      pos += 2;
      break;
    }
    if (core::isWsp(data[pos])) return makeError("a folded line comes before any header (RFC 3261 §7.3.1)");
    // field-name HCOLON: HCOLON = *( SP / HTAB ) ":" SWS
    size_t i = pos;
    while (i < eol && chars::isTokenChar(data[i])) ++i;
    const std::string_view name = data.substr(pos, i - pos);
    while (i < eol && core::isWsp(data[i])) ++i;
    if (name.empty() || i == eol || data[i] != ':') {
      return makeError("header line '" + core::printable(data.substr(pos, eol - pos), 40) +
                       "' is not 'name: value' (RFC 3261 §7.3.1)");
    }
    const size_t valueStart = i + 1;
    // Folded continuation lines belong to this header (RFC 3261 §7.3.1).
    bool folded = false;
    while (eol + 2 < data.size() && core::isWsp(data[eol + 2])) {
      folded = true;
      const size_t next = findLineEnd(data, eol + 2);
      if (next == kBareLf)
        return makeError("header line ends in LF without CR (RFC 3261 §7: lines end in CRLF)");
      if (next == std::string_view::npos) return makeError("message has no empty line after its headers");
      eol = next;
    }
    if (eol - pos > limits_.maxHeaderLineBytes) {
      return makeError("header " + std::string(name) + " is longer than " +
                       std::to_string(limits_.maxHeaderLineBytes) + " bytes");
    }
    if (out.headers_.size() >= limits_.maxHeaderFields) {
      return makeError("message has more than " + std::to_string(limits_.maxHeaderFields) + " header fields");
    }
    const HeaderId id = headerIdFromName(name);
    out.headers_.push_back(
        HeaderField{name, core::trimLws(data.substr(valueStart, eol - valueStart)), id, folded});
    if (id == HeaderId::kContentLength && contentLengthIndex == std::string_view::npos) {
      contentLengthIndex = out.headers_.size() - 1;
    }
    pos = eol + 2;
  }

  // Body (RFC 3261 §18.3, §20.14).
  const std::string_view rest = data.substr(pos);
  if (contentLengthIndex != std::string_view::npos) {
    const std::string_view value = out.headers_[contentLengthIndex].value;
    const auto length = core::parseUnsigned(value, limits_.maxMessageBytes);
    if (!length) {
      return makeError("Content-Length '" + core::printable(value) +
                       "' is not a number within the message size limit (RFC 3261 §20.14)");
    }
    if (*length > rest.size()) {
      return makeError("Content-Length " + std::to_string(*length) + " is larger than the " +
                       std::to_string(rest.size()) + " body bytes received (RFC 3261 §18.3)");
    }
    if (framing == Framing::kStream && *length != rest.size()) {
      return makeError("Content-Length does not match the framed body");
    }
    out.body_ = rest.substr(0, *length);  // datagram: octets past Content-Length are discarded (§18.3)
  } else {
    if (framing == Framing::kStream && !rest.empty()) {
      return makeError("Content-Length is mandatory on stream transports (RFC 3261 §18.3)");
    }
    out.body_ = rest;
  }
  out.raw_ = data.substr(start, pos + out.body_.size() - start);
  return {};
}

core::Result<Message> parseMessage(std::string_view data, Framing framing) {
  Message message;
  if (auto ok = MessageParser{}.parse(data, message, framing); !ok) return ok.error();
  return message;
}

}  // namespace callgate::sip
