// libFuzzer target: the SIP/SIPS/TEL URI parser, parameter iteration, unescaping and comparison.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sip/message/identity.hpp"
#include "sip/message/params.hpp"
#include "sip/message/uri.hpp"

using namespace callgate::sip;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto uri = parseUri(input);
  if (uri) {
    ParamIterator it(uri->params);
    while (auto p = it.next()) (void)unquote(p->value);
    (void)unescape(uri->user);
    (void)uri->hostAddress();
    if (!uriEquivalent(*uri, *uri)) __builtin_trap();  // equivalence is reflexive
  }
  // A typed login that is accepted must make a URI that parses back to the same characters (a valid %HH
  // typed by the person is kept as an escape, so both sides are compared unescaped).
  auto user = userPartFromTyped(input, "sipLogin");
  if (user) {
    const std::string text = "sip:" + *user + "@example.com";  // the URI views this text
    auto made = parseUri(text);
    if (!made || unescape(made->user) != unescape(input)) __builtin_trap();
  }
  (void)digestUsernameFromTyped(input, "sipAuthenticationName");
  return 0;
}
