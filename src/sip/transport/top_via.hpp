// The top Via of a message (RFC 3261 §20.42): found, parsed, and on received requests stamped with
// `received` and `rport` (RFC 3261 §18.2.1, RFC 3581 §4).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "sip/message/header_values.hpp"
#include "sip/message/message.hpp"
#include "sip/transport/endpoint.hpp"

namespace callgate::sip {

struct TopVia {
  size_t headerIndex = 0;    // index in Message::headers() of the first Via header field
  std::string_view element;  // the first comma-separated value of that field (a view into it)
  std::optional<Via> via;    // parsed `element`; nullopt when there is no Via or it does not parse
};

TopVia findTopVia(const Message& message);

// A numeric IPv4 or IPv6 address (IPv6 without brackets).
bool isNumericAddress(std::string_view address);
// Same address: equal text, or the same numeric address written differently ("::1", "0:0::1"). A
// bracketed IPv6 reference in `a` is accepted.
bool sameAddress(std::string_view a, std::string_view b);

// RFC 3261 §18.2.1: adds received=<source address> when the sent-by host differs from the source address;
// RFC 3581 §4: when the top Via has an rport without a value, fills it with the source port and adds
// received even when the host matches. Only the first Via element of the first Via header field changes,
// the rest of that line is kept as written. Returns false (and leaves the message alone) when the top Via
// is missing or does not parse.
bool stampTopVia(Message& request, const Endpoint& source);

}  // namespace callgate::sip
