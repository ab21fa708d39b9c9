// The WCS frame envelope (PROTOCOL.md §1):
//
//   {"message": "connection", "data": [ {...} ]}      client to server: one argument, data:[null] when none;
//   {"message": "pong"}                               older clients omit data
//   {"message": "setRemoteSDP", "data": [id, sdp]}    server to client: positional arguments
//
// Parsing never throws and never recurses without bound: nesting deeper than a limit is refused before
// the JSON parser sees the text (a deeply nested frame would otherwise exhaust the stack when destroyed).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace callgate::api {

struct Envelope {
  std::string name;    // "message"
  nlohmann::json arg;  // data[0]; null when data is absent, empty or [null]
};

inline constexpr size_t kMaxJsonDepth = 32;

// The error's message is the `info` for the client's `fail`: what is wrong, and where.
core::Result<Envelope> parseEnvelope(std::string_view text, size_t maxDepth = kMaxJsonDepth);

// {"message": name, "data": [arg]}.
std::string makeFrame(std::string_view name, const nlohmann::json& arg);
// {"message": name, "data": [a, b]} (setRemoteSDP).
std::string makeFrame(std::string_view name, const nlohmann::json& a, const nlohmann::json& b);

// The JSON type of `value` in words ("a string", "a number", ...), for fail infos.
std::string_view jsonTypeName(const nlohmann::json& value);

}  // namespace callgate::api
