// The SIP account a client connected with (PROTOCOL.md §2).
#pragma once

#include <cstdint>
#include <string>

namespace callgate::gateway {

// The client's SIP account, checked and escaped (api/connection_options does that).
struct SipAccount {
  std::string login;     // as the client typed it (caller id for the client)
  std::string user;      // RFC 3261 §25.1 user part: login with what needs escaping escaped
  std::string authName;  // digest username (typed; the digest client quotes it)
  std::string password;
  std::string domain;         // host of the address of record and of the registrar's Request-URI
  std::string outboundProxy;  // host the requests go to; empty: domain
  uint16_t port = 0;          // port of the outbound proxy (or domain); 0: RFC 3263 decides
  std::string visibleName;
  bool registerRequired = false;
};

}  // namespace callgate::gateway
