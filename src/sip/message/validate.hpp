// Validation at the transport boundary (RFC 3261 §8.2, §16.3, §18.1.2, resiprocate style): a message that
// passes has the mandatory headers once each (From, To, Call-ID and CSeq well formed, the top Via well
// formed), a CSeq that matches its request, a sip/sips/tel Request-URI, a known version, a status code in
// range and sane numbers (Content-Length, Max-Forwards, Expires). Headers the transaction layer does not
// use (Contact, Route, lower Vias...) are parsed by the code that uses them, which answers 400 naming them;
// only Contact's '*' rule is checked here. The Error's message is the reason phrase for the 400 that answers
// a bad request (never sent for ACK); its code is the status to answer with (400, 416, 483, 505).
#pragma once

#include "core/result.hpp"
#include "sip/message/message.hpp"

namespace callgate::sip {

core::Result<void> validateMessage(const Message& message);

}  // namespace callgate::sip
