// Validation at the transport boundary (RFC 3261 §8.2, §16.3, §18.1.2, resiprocate style): a message that
// passes has the mandatory headers once each, a CSeq that matches its request, a known version, a status
// code in range and sane numbers. The Error's message is the reason phrase for the 400 that answers a bad
// request (never sent for ACK); its code is the status to answer with (400, 416, 483, 505).
#pragma once

#include "core/result.hpp"
#include "sip/message/message.hpp"

namespace callgate::sip {

core::Result<void> validateMessage(const Message& message);

}  // namespace callgate::sip
