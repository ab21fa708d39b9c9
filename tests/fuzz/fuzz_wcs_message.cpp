// libFuzzer target: the client protocol's parsers (PROTOCOL.md §1-2): the WCS frame envelope and, for a
// `connection` frame, the connection fields with the SIP identity checks. Frames come from browsers on the
// internet; no input may crash, throw or recurse without bound.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/connection_options.hpp"
#include "api/wcs_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto envelope = callgate::api::parseEnvelope(text);
  if (!envelope) return 0;
  auto options = callgate::api::parseConnectionOptions(envelope->arg);
  if (options) {
    // What getUserData would send back must serialize whatever came in.
    (void)callgate::api::makeFrame("getUserData", options->userData);
  }
  return 0;
}
