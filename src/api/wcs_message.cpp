#include "api/wcs_message.hpp"

#include "core/text.hpp"

namespace callgate::api {
namespace {

// The deepest nesting of objects and arrays in `text`, strings skipped; stops counting past `limit`.
size_t nestingDepth(std::string_view text, size_t limit) {
  size_t depth = 0;
  size_t deepest = 0;
  bool inString = false;
  bool escaped = false;
  for (char c : text) {
    if (inString) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        inString = false;
      }
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '{' || c == '[') {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

std::string_view jsonTypeName(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return "a number";
    case nlohmann::json::value_t::binary:
    case nlohmann::json::value_t::discarded:
      break;
  }
  return "not JSON";
}

core::Result<Envelope> parseEnvelope(std::string_view text, size_t maxDepth) {
  if (nestingDepth(text, maxDepth) > maxDepth) {
    return core::makeError("the frame nests objects or arrays deeper than " + std::to_string(maxDepth) +
                           " levels");
  }
  nlohmann::json root = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return core::makeError("the frame is not valid JSON: " + core::printable(text, 40));
  }
  if (!root.is_object()) {
    return core::makeError("the frame must be a JSON object {\"message\": NAME, \"data\": [ARG]}, not " +
                           std::string(jsonTypeName(root)));
  }
  auto message = root.find("message");
  if (message == root.end() || !message->is_string()) {
    return core::makeError("the frame must have a string field 'message' naming the request");
  }
  Envelope envelope;
  envelope.name = message->get<std::string>();
  if (envelope.name.empty() || envelope.name.size() > 64) {
    return core::makeError("'message' must be 1 to 64 characters");
  }
  auto data = root.find("data");
  if (data != root.end() && !data->is_null()) {
    if (!data->is_array()) {
      return core::makeError("'data' of '" + core::printable(envelope.name) + "' must be an array, not " +
                             std::string(jsonTypeName(*data)));
    }
    if (!data->empty()) envelope.arg = std::move((*data)[0]);
  }
  return envelope;
}

std::string makeFrame(std::string_view name, const nlohmann::json& arg) {
  nlohmann::json frame = {{"message", name}, {"data", nlohmann::json::array({arg})}};
  // Invalid UTF-8 (from a SIP reason phrase, say) is replaced rather than thrown on.
  return frame.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string makeFrame(std::string_view name, const nlohmann::json& a, const nlohmann::json& b) {
  nlohmann::json frame = {{"message", name}, {"data", nlohmann::json::array({a, b})}};
  return frame.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace callgate::api
