#include "sdp/sip_sdp.hpp"

#include <arpa/inet.h>

#include <array>

#include "core/text.hpp"
#include "sdp/attributes.hpp"
#include "sdp/media_view.hpp"
#include "sdp/sdp_grammar.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/sdp_writer.hpp"

namespace callgate::sdp {
namespace {

using grammar::quote;

enum class AudioProfile : uint8_t { kNone, kPlain, kSecure };

// The RTP/AVP family of RFC 3551 / RFC 4585 (plain) and RFC 3711 (SRTP). UDP/TLS/RTP/SAVPF (DTLS-SRTP) and
// TCP/RTP/AVP are not what the SIP leg speaks.
AudioProfile profileOf(std::string_view proto) {
  if (core::iequals(proto, "RTP/AVP") || core::iequals(proto, "RTP/AVPF")) return AudioProfile::kPlain;
  if (core::iequals(proto, "RTP/SAVP") || core::iequals(proto, "RTP/SAVPF")) return AudioProfile::kSecure;
  return AudioProfile::kNone;
}

// A connection address the relay can send RTP to: IN IP4 / IN IP6 with a literal unicast address. `what`
// names the line ("c=IN IP4 pbx.example.com").
core::Result<void> checkUnicast(const Connection& c, const std::string& what) {
  if (!core::iequals(c.netType, "IN")) {
    return core::makeError(what + ": nettype " + quote(c.netType) + " is not IN (RFC 8866 §5.7)");
  }
  const bool ip4 = core::iequals(c.addrType, "IP4");
  const bool ip6 = core::iequals(c.addrType, "IP6");
  if (!ip4 && !ip6) {
    return core::makeError(what + ": addrtype " + quote(c.addrType) + " is not IP4 or IP6 (RFC 8866 §5.7)");
  }
  if (c.ttl || c.addressCount) {
    return core::makeError(
        what + ": a multicast group; RTP with a SIP peer is unicast (RFC 3264 §5.1 unicast streams)");
  }
  std::array<unsigned char, 16> bytes{};
  if (inet_pton(ip4 ? AF_INET : AF_INET6, c.address.c_str(), bytes.data()) != 1) {
    return core::makeError(what + ": " + quote(c.address) + " is not an " + (ip4 ? "IPv4" : "IPv6") +
                           " address (RFC 8866 §5.7; host names in SDP are not resolved)");
  }
  return {};
}

core::Result<SipAudio> readAudio(const SessionDescription& sdp, size_t index) {
  const MediaDescription& m = sdp.media[index];
  const MediaView view(sdp, m);
  const std::string at = "SDP m=audio: ";
  SipAudio audio;
  audio.index = index;
  audio.port = m.port;
  audio.proto = m.proto;
  audio.secure = profileOf(m.proto) == AudioProfile::kSecure;

  const Connection* c = view.connection();
  if (c == nullptr) return core::makeError(at + "no c= line at session or media level (RFC 8866 §5.7)");
  if (auto ok = checkUnicast(*c, "c=" + core::printable(writeConnection(*c), 96)); !ok) {
    return core::makeError(at + ok.error().message);
  }
  audio.address = c->address;

  auto rtcp = view.rtcp();
  if (!rtcp) return core::makeError(at + rtcp.error().message);
  if (*rtcp) {
    audio.rtcpPort = (*rtcp)->port;
    if ((*rtcp)->connection) {
      auto ok = checkUnicast(*(*rtcp)->connection, "a=rtcp:" + core::printable((*rtcp)->toString(), 96));
      if (!ok) return core::makeError(at + ok.error().message + " (RFC 3605 §2.1)");
      audio.rtcpAddress = (*rtcp)->connection->address;
    }
  }
  audio.rtcpMux = view.rtcpMux();

  auto direction = view.direction();
  if (!direction) return core::makeError(at + direction.error().message);
  audio.direction = *direction;

  auto ptime = view.ptime();
  if (!ptime) return core::makeError(at + ptime.error().message);
  audio.ptime = *ptime;

  auto codecs = readCodecs(view);
  if (!codecs) return core::makeError(at + codecs.error().message);
  for (RtpCodec& codec : *codecs) {
    if (!isTelephoneEvent(codec)) {
      audio.codecs.push_back(std::move(codec));
    } else if (!audio.telephoneEvent && codec.clockRate == 8000) {
      audio.telephoneEvent = std::move(codec);  // RFC 4733 §7.1.1; other rates go with wideband codecs
    }
  }
  return audio;
}

std::string addrTypeOf(std::string_view address) {
  return address.find(':') != std::string_view::npos ? "IP6" : "IP4";
}

bool hasLineBreakOrNul(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// An address to write in o= or c=: one field of non-whitespace, without the '/' of a multicast suffix.
core::Result<void> checkAddressParam(const std::string& address, const char* name) {
  if (!grammar::isNonWsString(address) || address.find('/') != std::string::npos) {
    return core::makeError(std::string(name) + " " + quote(address) +
                           " is not a unicast address to write in SDP (RFC 8866 §5.2, §5.7)");
  }
  return {};
}

// What both writers need of the parameters. `requireCodec`: an offer must have one; an answer without any
// rejects its audio m-line instead.
core::Result<void> checkParams(const SipSdpParams& p, bool requireCodec) {
  const std::string& origin = p.originAddress.empty() ? p.address : p.originAddress;
  const std::string& address = p.address.empty() ? p.originAddress : p.address;
  if (auto ok = checkAddressParam(origin, "originAddress"); !ok) return ok;
  if (auto ok = checkAddressParam(address, "address"); !ok) return ok;
  if (hasLineBreakOrNul(p.sessionName)) {
    return core::makeError("sessionName " + quote(p.sessionName) +
                           " holds a CR, LF or NUL (RFC 8866 §5.3: one line)");
  }
  if (requireCodec && p.codecs.empty()) {
    return core::makeError("no codec to offer (RFC 8866 §5.14: an m= line has at least one format)");
  }
  std::array<bool, 128> used{};
  auto check = [&used](const RtpCodec& codec) -> core::Result<void> {
    if (auto ok = validateCodec(codec); !ok) return ok;
    if (used[codec.payloadType]) {
      return core::makeError("payload type " + std::to_string(codec.payloadType) +
                             " is used twice (RFC 3550 §5.1: one encoding per payload type)");
    }
    used[codec.payloadType] = true;
    return {};
  };
  for (const RtpCodec& codec : p.codecs) {
    if (auto ok = check(codec); !ok) return ok;
  }
  if (p.telephoneEvent) {
    if (auto ok = check(*p.telephoneEvent); !ok) return ok;
  }
  return {};
}

SessionDescription baseSession(const SipSdpParams& p) {
  const std::string& origin = p.originAddress.empty() ? p.address : p.originAddress;
  const std::string& address = p.address.empty() ? p.originAddress : p.address;
  SessionDescription d;
  d.origin.username = "-";
  d.origin.sessionId = std::to_string(p.sessionId);
  d.origin.sessionVersion = std::to_string(p.sessionVersion);
  d.origin.addrType = addrTypeOf(origin);
  d.origin.address = origin;
  d.sessionName = p.sessionName.empty() ? "-" : p.sessionName;  // RFC 8866 §5.3
  // Session level: it then covers the answer's rejected m-lines too (RFC 8866 §5.7: every m-line needs one).
  d.connection = Connection{"IN", addrTypeOf(address), address, std::nullopt, std::nullopt};
  return d;
}

// Adds params.extraLines to the audio m-line: a= lines after its attributes, b= lines in the bandwidth
// slot (RFC 8866 §5: m i c b k a). Everything else would reorder or break the description: refused.
core::Result<void> addExtraLines(const std::vector<std::string>& lines, MediaDescription& m) {
  if (lines.size() > kMaxExtraLines) {
    return core::makeError(std::to_string(lines.size()) + " extra SDP lines, more than the " +
                           std::to_string(kMaxExtraLines) + " accepted");
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    const std::string what = "extra SDP line " + std::to_string(i + 1) + " " + quote(line);
    if (line.size() > kMaxExtraLineBytes) {
      return core::makeError(what + ": longer than " + std::to_string(kMaxExtraLineBytes) + " bytes");
    }
    if (hasLineBreakOrNul(line)) {
      return core::makeError(what + ": holds a CR, LF or NUL (RFC 8866 §5: one line, no line end)");
    }
    if (line.size() < 2 || line[0] < 'a' || line[0] > 'z' || line[1] != '=') {
      return core::makeError(what + ": not an SDP line <type>=<value> (RFC 8866 §5)");
    }
    const std::string_view value = std::string_view(line).substr(2);
    if (line[0] == 'a') {
      // a=<attribute>[:<value>], att-field = token (RFC 8866 §5.13)
      const size_t colon = value.find(':');
      const std::string_view name = value.substr(0, colon);
      if (!grammar::isToken(name)) {
        return core::makeError(what + ": attribute name " + quote(name) + " is not a token (RFC 8866 §5.13)");
      }
      if (directionFromName(name)) {
        return core::makeError(
            what + ": the direction is the gateway's to set, for hold and resume (RFC 3264 §8.4)");
      }
      Attribute attribute{std::string(name), std::nullopt};
      if (colon != std::string_view::npos) attribute.value = std::string(value.substr(colon + 1));
      m.attributes.push_back(std::move(attribute));
    } else if (line[0] == 'b') {
      // b=<bwtype>:<bandwidth> (RFC 8866 §5.8)
      const size_t colon = value.find(':');
      const std::string_view type = value.substr(0, colon);
      const auto amount = colon == std::string_view::npos
                              ? std::nullopt
                              : core::parseUnsigned(value.substr(colon + 1), UINT64_MAX);
      if (!grammar::isToken(type) || !amount) {
        return core::makeError(what + ": not b=<bwtype>:<bandwidth> (RFC 8866 §5.8)");
      }
      m.bandwidths.push_back(Bandwidth{std::string(type), *amount});
    } else {
      return core::makeError(what +
                             ": only a= and b= lines can be added to the audio m-line (RFC 8866 §5: the "
                             "order is m i c b k a, and other lines belong to the gateway)");
    }
  }
  return {};
}

// The accepted audio m-line: codecs in order, then telephone-event, ptime, rtcp, rtcp-mux, direction.
MediaDescription audioMedia(const SipSdpParams& p, std::string kind, std::string proto, bool rtcpMux) {
  MediaDescription m;
  m.media = std::move(kind);
  m.port = p.port;
  m.proto = std::move(proto);
  for (const RtpCodec& codec : p.codecs) {
    m.formats.push_back(std::to_string(codec.payloadType));
    appendCodecAttributes(m.attributes, codec);
  }
  if (p.telephoneEvent) {
    RtpCodec events = *p.telephoneEvent;
    if (!events.fmtp) events.fmtp = "0-16";  // RFC 4733 §7.1.1: the DTMF events 0-15 and flash (16)
    m.formats.push_back(std::to_string(events.payloadType));
    appendCodecAttributes(m.attributes, events);
  }
  if (p.ptime != 0) m.attributes.push_back(Attribute{"ptime", std::to_string(p.ptime)});
  if (p.rtcpPort) m.attributes.push_back(RtcpAttribute{*p.rtcpPort, std::nullopt}.toAttribute());
  if (rtcpMux) m.attributes.push_back(Attribute{"rtcp-mux", std::nullopt});
  m.attributes.push_back(Attribute{std::string(toString(p.direction)), std::nullopt});
  return m;
}

core::Error prefixed(const char* prefix, const core::Error& error) {
  return core::makeError(std::string(prefix) + error.message, error.code);
}

// The answer's codecs must be the offer's payload types with the offer's encodings (RFC 3264 §6.1).
core::Result<void> checkAnswerCodecs(const SipAudio& offered, const SipSdpParams& p) {
  for (const RtpCodec& codec : p.codecs) {
    const RtpCodec* match = nullptr;
    for (const RtpCodec& o : offered.codecs) {
      if (o.payloadType == codec.payloadType) match = &o;
    }
    if (match == nullptr) {
      return core::makeError("payload type " + std::to_string(codec.payloadType) + " (" + describe(codec) +
                             ") is not offered on m=audio (RFC 3264 §6.1: the answer uses the offer's "
                             "payload types)");
    }
    if (!sameEncoding(*match, codec)) {
      return core::makeError("payload type " + std::to_string(codec.payloadType) + " is " + describe(*match) +
                             " in the offer, not " + describe(codec) + " (RFC 3264 §6.1)");
    }
  }
  if (p.telephoneEvent) {
    const RtpCodec& events = *p.telephoneEvent;
    if (!offered.telephoneEvent || offered.telephoneEvent->payloadType != events.payloadType ||
        !sameEncoding(*offered.telephoneEvent, events)) {
      return core::makeError("telephone-event payload type " + std::to_string(events.payloadType) + " (" +
                             describe(events) +
                             ") is not the offer's telephone-event/8000 (RFC 3264 §6.1, RFC 4733 §7.1.1)");
    }
  }
  return {};
}

// proto = token *("/" token) (RFC 8866 §5.14), for the parts of a hand-built SipSdp written back.
bool isProto(std::string_view proto) {
  if (proto.empty() || proto.front() == '/' || proto.back() == '/') return false;
  for (size_t i = 0; i < proto.size(); ++i) {
    if (proto[i] == '/' ? proto[i + 1] == '/' : !grammar::isTokenChar(proto[i])) return false;
  }
  return true;
}

}  // namespace

bool SipAudio::unspecifiedAddress() const {
  return address == "0.0.0.0" || address == "::";
}

bool SipAudio::held() const {
  return direction == Direction::kSendOnly || direction == Direction::kInactive || unspecifiedAddress();
}

core::Result<SipSdp> readSipSdp(std::string_view text) {
  auto sdp = parseSdp(text);
  if (!sdp) return sdp.error();
  SipSdp out;
  out.origin = sdp->origin;
  std::optional<size_t> plain;
  std::optional<size_t> secure;
  for (size_t i = 0; i < sdp->media.size(); ++i) {
    const MediaDescription& m = sdp->media[i];
    out.kinds.push_back(m.media);
    out.protos.push_back(m.proto);
    out.firstFormats.push_back(m.formats.empty() ? std::string("0") : m.formats.front());
    if (!core::iequals(m.media, "audio") || m.port == 0) continue;
    // The first usable audio m-line. A plain one wins over an earlier SRTP one: phones that offer "best
    // effort" SRTP send m=audio RTP/SAVP then the same stream as RTP/AVP, and the relay can take the latter.
    const AudioProfile profile = profileOf(m.proto);
    if (profile == AudioProfile::kPlain && !plain) plain = i;
    if (profile == AudioProfile::kSecure && !secure) secure = i;
  }
  const std::optional<size_t> chosen = plain ? plain : secure;
  if (!chosen) return out;
  auto audio = readAudio(*sdp, *chosen);
  if (!audio) return audio.error();
  out.audio = std::move(*audio);
  return out;
}

core::Result<std::string> writeSipOffer(const SipSdpParams& params) {
  static constexpr char kPrefix[] = "SIP offer: ";
  if (auto ok = checkParams(params, true); !ok) return prefixed(kPrefix, ok.error());
  SessionDescription d = baseSession(params);
  MediaDescription audio = audioMedia(params, "audio", "RTP/AVP", params.rtcpMux);
  if (auto ok = addExtraLines(params.extraLines, audio); !ok) return prefixed(kPrefix, ok.error());
  d.media.push_back(std::move(audio));
  return writeSdp(d);
}

core::Result<std::string> writeSipAnswer(const SipSdp& offer, const SipSdpParams& params) {
  static constexpr char kPrefix[] = "SIP answer: ";
  if (auto ok = checkParams(params, false); !ok) return prefixed(kPrefix, ok.error());
  const SipAudio* offered = offer.audio ? &*offer.audio : nullptr;
  if (offered != nullptr) {
    if (offered->index >= offer.kinds.size()) {
      return core::makeError(std::string(kPrefix) + "the offer's audio m-line " +
                             std::to_string(offered->index + 1) + " is past its " +
                             std::to_string(offer.kinds.size()) + " m-lines");
    }
    if (offered->secure) {
      return core::makeError(std::string(kPrefix) + "the offer's m=audio is " + quote(offered->proto) +
                             ": SDES-SRTP (RFC 4568) is not supported, and an answer must keep the offered "
                             "proto (RFC 3264 §6.1)");
    }
    if (!params.codecs.empty()) {
      if (auto ok = checkAnswerCodecs(*offered, params); !ok) return prefixed(kPrefix, ok.error());
    }
  }

  SessionDescription d = baseSession(params);
  for (size_t i = 0; i < offer.kinds.size(); ++i) {
    const std::string proto = i < offer.protos.size() ? offer.protos[i] : std::string("RTP/AVP");
    if (offered != nullptr && i == offered->index && !params.codecs.empty()) {
      const std::string& accepted = offered->proto.empty() ? proto : offered->proto;
      if (profileOf(accepted) != AudioProfile::kPlain) {
        return core::makeError(std::string(kPrefix) + "the offer's m=audio proto " + quote(accepted) +
                               " is not RTP/AVP or RTP/AVPF");
      }
      // The offer's spelling of "audio" (the kind is case-insensitive, RFC 8866 §5.14), for a peer that
      // matches m-lines by text.
      const std::string kind = core::iequals(offer.kinds[i], "audio") ? offer.kinds[i] : std::string("audio");
      MediaDescription audio = audioMedia(params, kind, accepted, params.rtcpMux && offered->rtcpMux);
      if (auto ok = addExtraLines(params.extraLines, audio); !ok) return prefixed(kPrefix, ok.error());
      d.media.push_back(std::move(audio));
      continue;
    }
    // RFC 3264 §6: "An offered stream MAY be rejected in the answer ... by setting the port to zero", with
    // the m-line kept and at least one format.
    MediaDescription rejected;
    rejected.media = offer.kinds[i];
    rejected.proto = proto;
    rejected.formats.push_back(i < offer.firstFormats.size() ? offer.firstFormats[i] : std::string("0"));
    if (!grammar::isToken(rejected.media) || !isProto(rejected.proto) ||
        !grammar::isToken(rejected.formats.front())) {
      return core::makeError(std::string(kPrefix) + "the offer's m-line " + std::to_string(i + 1) + " " +
                             quote(rejected.media + " " + rejected.proto + " " + rejected.formats.front()) +
                             " cannot be written back (RFC 8866 §5.14: tokens)");
    }
    d.media.push_back(std::move(rejected));
  }
  return writeSdp(d);
}

}  // namespace callgate::sdp
