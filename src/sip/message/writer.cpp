#include "sip/message/writer.hpp"

#include <charconv>

namespace callgate::sip {
namespace {

bool isLws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// RFC 3261 §7.3.1: "a recipient MAY replace any linear white space with a single SP before interpreting
// the field value or forwarding the message downstream". The canonical form replaces each run of LWS that
// holds a line break (a fold) with one SP; values without one are copied as they are.
void appendUnfolded(std::string& out, std::string_view value) {
  const size_t n = value.size();
  size_t runStart = 0;
  size_t i = 0;
  while (i < n) {
    if (value[i] != '\r' && value[i] != '\n') {
      ++i;
      continue;
    }
    size_t lwsStart = i;
    while (lwsStart > runStart && isLws(value[lwsStart - 1])) --lwsStart;
    out.append(value.data() + runStart, lwsStart - runStart);
    while (i < n && isLws(value[i])) ++i;
    if (i < n) out += ' ';
    runStart = i;
  }
  out.append(value.data() + runStart, n - runStart);
}

void appendNumber(std::string& out, size_t n) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, res.ptr);
}

}  // namespace

void writeMessage(const Message& message, std::string& out) {
  out.reserve(out.size() + message.raw().size() + 64);
  if (message.isRequest()) {
    out.append(message.method());
    out += ' ';
    out.append(message.requestUri());
    out += ' ';
    out.append(message.version());
  } else {
    out.append(message.version());
    out += ' ';
    // Status-Code = 3DIGIT (RFC 3261 §7.2): a parsed "002" (rejected later by validation) writes back as
    // such.
    const int code = message.statusCode();
    if (code >= 0 && code < 100) out.append(code < 10 ? "00" : "0");
    appendNumber(out, static_cast<size_t>(code < 0 ? 0 : code));
    out += ' ';
    out.append(message.reason());
  }
  out.append("\r\n");
  bool wroteLength = false;
  for (const HeaderField& field : message.headers()) {
    out.append(field.id == HeaderId::kOther ? field.name : canonicalHeaderName(field.id));
    out.append(": ");
    if (field.id == HeaderId::kContentLength) {
      // Content-Length is framing: it always states the body actually written.
      appendNumber(out, message.body().size());
      wroteLength = true;
    } else if (field.folded) {
      appendUnfolded(out, field.value);
    } else {
      out.append(field.value);
    }
    out.append("\r\n");
  }
  if (!wroteLength) {
    out.append("Content-Length: ");
    appendNumber(out, message.body().size());
    out.append("\r\n");
  }
  out.append("\r\n");
  out.append(message.body());
}

std::string toString(const Message& message) {
  std::string out;
  writeMessage(message, out);
  return out;
}

}  // namespace callgate::sip
