#include "sdp/rtp_codec.hpp"

#include <array>

#include "core/text.hpp"
#include "sdp/attributes.hpp"
#include "sdp/sdp_grammar.hpp"

namespace callgate::sdp {

bool isTelephoneEvent(const RtpCodec& codec) {
  return core::iequals(codec.name, "telephone-event");
}

bool sameEncoding(const RtpCodec& a, const RtpCodec& b) {
  return core::iequals(a.name, b.name) && a.clockRate == b.clockRate && a.channels == b.channels;
}

const RtpCodec* findCodec(const std::vector<RtpCodec>& codecs, std::string_view name, uint32_t clockRate) {
  for (const RtpCodec& c : codecs) {
    if (core::iequals(c.name, name) && c.clockRate == clockRate) return &c;
  }
  return nullptr;
}

core::Result<std::vector<RtpCodec>> readCodecs(const MediaView& view) {
  // rtpmap and fmtp are media-level attributes (RFC 8866 §6.6, §6.15). Each is parsed once and indexed by
  // payload type, so a media description with thousands of formats and lines stays linear.
  auto rtpmaps = parseAll<Rtpmap>(view.media().attributes);
  if (!rtpmaps) return rtpmaps.error();
  auto fmtps = parseAll<Fmtp>(view.media().attributes);
  if (!fmtps) return fmtps.error();
  std::array<const Rtpmap*, 128> mapOf{};
  for (const Rtpmap& map : *rtpmaps) {
    if (mapOf[map.payloadType] == nullptr) mapOf[map.payloadType] = &map;
  }
  std::array<const Fmtp*, 128> fmtpOf{};
  for (const Fmtp& f : *fmtps) {
    const auto pt = grammar::parseNumber(f.format, 0, 127);
    if (pt && fmtpOf[*pt] == nullptr) fmtpOf[*pt] = &f;
  }

  std::vector<RtpCodec> out;
  std::array<bool, 128> seen{};
  for (uint8_t pt : view.payloadTypes()) {
    if (seen[pt]) continue;
    seen[pt] = true;
    std::optional<Rtpmap> map;
    if (mapOf[pt] != nullptr) {
      map = *mapOf[pt];
    } else {
      map = staticRtpmap(pt);  // RFC 3551 §6: "m=audio 4000 RTP/AVP 0 8" needs no rtpmap
    }
    if (!map) continue;
    RtpCodec codec;
    codec.payloadType = pt;
    codec.name = map->encodingName;
    codec.clockRate = map->clockRate;
    codec.channels = map->channelCount();
    if (fmtpOf[pt] != nullptr) codec.fmtp = fmtpOf[pt]->parameters;
    out.push_back(std::move(codec));
  }
  return out;
}

Rtpmap toRtpmap(const RtpCodec& codec) {
  Rtpmap map;
  map.payloadType = codec.payloadType;
  map.encodingName = codec.name;
  map.clockRate = codec.clockRate;
  if (codec.channels > 1) map.channels = codec.channels;
  return map;
}

void appendCodecAttributes(std::vector<Attribute>& attributes, const RtpCodec& codec) {
  attributes.push_back(toRtpmap(codec).toAttribute());
  if (codec.fmtp) attributes.push_back(Fmtp{std::to_string(codec.payloadType), *codec.fmtp}.toAttribute());
}

core::Result<void> validateCodec(const RtpCodec& codec) {
  const std::string what = "codec " + std::to_string(codec.payloadType) + " " + grammar::quote(codec.name);
  if (codec.payloadType > 127) return core::makeError(what + ": payload type is not 0-127 (RFC 3550 §5.1)");
  if (!grammar::isToken(codec.name)) {
    return core::makeError(what + ": the encoding name is not a token (RFC 8866 §6.6)");
  }
  if (codec.clockRate == 0) return core::makeError(what + ": the clock rate is 0 (RFC 8866 §6.6)");
  if (codec.channels < 1 || codec.channels > 255) {
    return core::makeError(what + ": " + std::to_string(codec.channels) +
                           " channels is not 1-255 (RFC 8866 §6.6)");
  }
  if (codec.fmtp && codec.fmtp->find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    return core::makeError(what + ": the fmtp holds a CR, LF or NUL (RFC 8866 §9: byte-string)");
  }
  return {};
}

std::string describe(const RtpCodec& codec) {
  std::string out = codec.name + "/" + std::to_string(codec.clockRate);
  if (codec.channels > 1) out += "/" + std::to_string(codec.channels);
  return out;
}

}  // namespace callgate::sdp
