// Where the responses to a request go (RFC 3261 §18.2.2, RFC 3581 §4), decided from the request's top Via
// (as the transport stamped it with received and rport) and the endpoint the request came from.
#pragma once

#include "sip/message/message.hpp"
#include "sip/transport/endpoint.hpp"

namespace callgate::sip {

// The default ports of sent-by when it has none (RFC 3261 §18.2.2, §19.1.2).
constexpr uint16_t kDefaultSipPort = 5060;
constexpr uint16_t kDefaultSipsPort = 5061;

// `message` is the request, or a response that carries its Vias. Reliable transports: `source`, the
// connection the request came on (RFC 3261 §18.2.2: "the response MUST be sent using the existing
// connection"). UDP: maddr when numeric; else received with rport (RFC 3581 §4) or the sent-by port;
// else a numeric sent-by; else `source`. Never fails: a Via that does not parse answers to `source`.
Endpoint responseDestination(const Message& message, const Endpoint& source);

// Reliable transports only: where to open a new connection when the one the request came on is gone
// (RFC 3261 §18.2.2: "to the IP address in the received parameter ... using the port in the sent-by value,
// or the default port for that transport"). For UDP, the same as responseDestination().
Endpoint reconnectDestination(const Message& message, const Endpoint& source);

}  // namespace callgate::sip
