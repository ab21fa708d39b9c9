// libFuzzer target: the SIP message parser, the validator and the writer, fed one datagram.
// Any message that parses must write back to text that parses to an equal message (round trip).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sip/message/header_values.hpp"
#include "sip/message/parser.hpp"
#include "sip/message/validate.hpp"
#include "sip/message/writer.hpp"

using namespace callgate::sip;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (Framing framing : {Framing::kDatagram, Framing::kStream}) {
    auto message = parseMessage(input, framing);
    if (!message) continue;
    (void)validateMessage(*message);
    for (const HeaderField& field : message->headers()) {
      switch (field.id) {
        case HeaderId::kVia: {
          ListSplitter values(field.value);
          while (auto v = values.next()) (void)parseVia(*v);
          break;
        }
        case HeaderId::kContact:
        case HeaderId::kRoute:
        case HeaderId::kRecordRoute: {
          ListSplitter values(field.value);
          while (auto v = values.next()) (void)parseContact(*v);
          break;
        }
        case HeaderId::kFrom:
        case HeaderId::kTo:
          (void)parseNameAddr(field.value);
          break;
        case HeaderId::kCSeq:
          (void)parseCSeq(field.value);
          break;
        default:
          break;
      }
    }
    const std::string written = toString(*message);
    auto again = parseMessage(written, Framing::kStream);
    if (!again || !(*again == *message) || toString(*again) != written) __builtin_trap();
    Message kept = message->clone();
    if (!(kept == *message)) __builtin_trap();
  }
  return 0;
}
