// Writing SIP messages in canonical form: start line, headers in order under their canonical long names
// (unknown names as received), folded values unfolded (each LWS run holding a line break becomes one SP),
// Content-Length stating the body actually written (added when missing), CRLF line ends.
// parse(write(m)) == m for every message that parses, and write(parse(write(m))) == write(m).
#pragma once

#include <string>

#include "sip/message/message.hpp"

namespace callgate::sip {

// Appends the message to `out` (reuse `out` to avoid allocating).
void writeMessage(const Message& message, std::string& out);
std::string toString(const Message& message);

}  // namespace callgate::sip
