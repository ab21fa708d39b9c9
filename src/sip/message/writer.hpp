// Writing SIP messages in canonical form: start line, headers in order under their canonical long names
// (unknown names as received), values with folds collapsed to one SP, exactly one Content-Length that
// matches the body, CRLF line ends. parse(write(m)) == m for every message with a correct Content-Length.
#pragma once

#include <string>

#include "sip/message/message.hpp"

namespace callgate::sip {

// Appends the message to `out` (reuse `out` to avoid allocating).
void writeMessage(const Message& message, std::string& out);
std::string toString(const Message& message);

}  // namespace callgate::sip
