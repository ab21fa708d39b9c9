// The `connection` request (PROTOCOL.md §2), typed and checked. Every refusal names the field and the rule
// it breaks, so the client's `fail` info is something a person can act on:
//
//   connection.sipPort must be a port number 1-65535 (a string of digits or a number), not a boolean
//   sipLogin '<3000>': angle brackets are not allowed (a name-addr was pasted where a user name belongs) ...
//
// Fields we do not know (clientInfo, msePacketizationVersion, ...) are kept for getUserData and not checked.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "gateway/session.hpp"

namespace callgate::api {

struct ConnectionOptions {
  std::string appKey = "defaultApp";
  bool keepAlive = false;
  std::string authToken;                               // empty: none
  std::optional<gateway::SipAccount> account;          // set when sipLogin is
  nlohmann::json userData = nlohmann::json::object();  // the fields minus sipPassword and authToken
};

core::Result<ConnectionOptions> parseConnectionOptions(const nlohmann::json& arg);

}  // namespace callgate::api
