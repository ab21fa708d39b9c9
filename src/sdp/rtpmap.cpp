#include "sdp/rtpmap.hpp"

#include <array>

#include "sdp/sdp_grammar.hpp"

namespace callgate::sdp {

using grammar::quote;

core::Result<Rtpmap> Rtpmap::parse(std::string_view value) {
  grammar::FieldReader fields(value);
  const auto pt = fields.next();
  const auto encoding = fields.next();
  if (!pt || !encoding || !fields.atEnd()) {
    return core::makeError(
        "rtpmap needs <payload type> <encoding name>/<clock rate>[/<parameters>] (RFC 8866 §6.6)");
  }
  const auto payloadType = grammar::parseNumber(*pt, 0, 127);
  if (!payloadType)
    return core::makeError("rtpmap payload type " + quote(*pt) + " is not 0-127 (RFC 3550 §5.1)");
  Rtpmap out;
  out.payloadType = static_cast<uint8_t>(*payloadType);
  const size_t slash = encoding->find('/');
  const std::string_view name = encoding->substr(0, slash);
  if (!grammar::isToken(name))
    return core::makeError("rtpmap encoding name " + quote(name) + " is not a token (RFC 8866 §6.6)");
  out.encodingName = std::string(name);
  if (slash == std::string_view::npos)
    return core::makeError("rtpmap " + quote(*encoding) + " has no clock rate (RFC 8866 §6.6)");
  const std::string_view rest = encoding->substr(slash + 1);
  const size_t slash2 = rest.find('/');
  const auto clock = grammar::parseNumber(rest.substr(0, slash2), 1, UINT32_MAX);
  if (!clock)
    return core::makeError("rtpmap clock rate " + quote(rest.substr(0, slash2)) +
                           " is not a positive number (RFC 8866 §6.6)");
  out.clockRate = static_cast<uint32_t>(*clock);
  if (slash2 != std::string_view::npos) {
    const auto channels = grammar::parseNumber(rest.substr(slash2 + 1), 1, 255);
    if (!channels) {
      return core::makeError("rtpmap encoding parameters " + quote(rest.substr(slash2 + 1)) +
                             " are not a channel count 1-255 (RFC 8866 §6.6)");
    }
    out.channels = static_cast<uint32_t>(*channels);
  }
  return out;
}

std::string Rtpmap::toString() const {
  std::string out = std::to_string(payloadType) + ' ' + encodingName + '/' + std::to_string(clockRate);
  if (channels) out += '/' + std::to_string(*channels);
  return out;
}

std::optional<Rtpmap> staticRtpmap(uint8_t payloadType) {
  struct Entry {
    uint8_t pt;
    std::string_view name;
    uint32_t clockRate;
    uint32_t channels;
  };
  // RFC 3551 §6, tables 4 and 5 (channels 0: a video encoding, no encoding parameters).
  static constexpr std::array<Entry, 24> kTable{{
      {0, "PCMU", 8000, 1},   {3, "GSM", 8000, 1},    {4, "G723", 8000, 1},   {5, "DVI4", 8000, 1},
      {6, "DVI4", 16000, 1},  {7, "LPC", 8000, 1},    {8, "PCMA", 8000, 1},   {9, "G722", 8000, 1},
      {10, "L16", 44100, 2},  {11, "L16", 44100, 1},  {12, "QCELP", 8000, 1}, {13, "CN", 8000, 1},
      {14, "MPA", 90000, 0},  {15, "G728", 8000, 1},  {16, "DVI4", 11025, 1}, {17, "DVI4", 22050, 1},
      {18, "G729", 8000, 1},  {25, "CelB", 90000, 0}, {26, "JPEG", 90000, 0}, {28, "nv", 90000, 0},
      {31, "H261", 90000, 0}, {32, "MPV", 90000, 0},  {33, "MP2T", 90000, 0}, {34, "H263", 90000, 0},
  }};
  for (const Entry& e : kTable) {
    if (e.pt != payloadType) continue;
    Rtpmap out;
    out.payloadType = e.pt;
    out.encodingName = std::string(e.name);
    out.clockRate = e.clockRate;
    if (e.channels > 1) out.channels = e.channels;
    return out;
  }
  return std::nullopt;
}

}  // namespace callgate::sdp
