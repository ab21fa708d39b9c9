// SIP identities typed by people (PROTOCOL.md §2, the WCS trap): a login such as "Ralf C12441@host.com"
// or "<3000>" must become a valid URI user part, or be refused with the rule it breaks, before anything
// is sent with it.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace callgate::sip {

// RFC 3261 §25.1: user = 1*( unreserved / escaped / user-unreserved ). Characters outside that set are
// %-escaped (space -> %20, '@' -> %40, UTF-8 bytes -> %HH); an existing "%HH" is kept as an escape.
// Refused, with the rule in the error: an empty name, leading or trailing whitespace, control characters,
// and angle brackets or double quotes (they mean a name-addr was pasted where a user name belongs).
// `field` names the input in the error message ("sipLogin").
core::Result<std::string> userPartFromTyped(std::string_view typed, std::string_view field);

// RFC 7616 §3.4 / RFC 3261 §25.1: the digest username as a quoted-string body (" and \ escaped). Refused:
// empty, control characters, and angle brackets (a pasted name-addr).
core::Result<std::string> digestUsernameFromTyped(std::string_view typed, std::string_view field);

}  // namespace callgate::sip
