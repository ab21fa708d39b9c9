#include "sdp/webrtc_offer_writer.hpp"

#include "sdp/sdp_writer.hpp"
#include "sdp/setup_attribute.hpp"
#include "sdp/webrtc_answer.hpp"

namespace callgate::sdp {
namespace {

Attribute attr(std::string name, std::string value) {
  return Attribute{std::move(name), std::move(value)};
}
Attribute flag(std::string name) {
  return Attribute{std::move(name), std::nullopt};
}

std::string addrTypeOf(const std::string& address) {
  return address.find(':') != std::string::npos ? "IP6" : "IP4";
}

}  // namespace

SessionDescription buildWebRtcOffer(const WebRtcOfferParams& params) {
  SessionDescription offer;
  offer.origin.sessionId = std::to_string(params.sessionId);
  offer.origin.sessionVersion = "1";
  offer.origin.addrType = addrTypeOf(params.originAddress);
  offer.origin.address = params.originAddress;
  offer.attributes.push_back(flag("ice-lite"));           // RFC 8839 §5.3: session level
  offer.attributes.push_back(attr("group", "BUNDLE 0"));  // RFC 8843 §7.2: the offerer's BUNDLE group
  if (!params.streamId.empty()) offer.attributes.push_back(attr("msid-semantic", " WMS " + params.streamId));

  MediaDescription m;
  m.media = "audio";
  m.proto = "UDP/TLS/RTP/SAVPF";  // RFC 8829 §5.1.2
  m.port = params.port;
  for (const RtpCodec& codec : params.codecs) m.formats.push_back(std::to_string(codec.payloadType));
  if (params.telephoneEvent) m.formats.push_back(std::to_string(params.telephoneEvent->payloadType));
  if (params.codecs.empty()) {
    // Nothing to offer: a rejected m-line keeps the description valid (RFC 3264 §6 needs a format).
    m.port = 0;
    m.formats.assign(1, "0");
    m.attributes.push_back(attr("mid", "0"));
    offer.media.push_back(std::move(m));
    return offer;
  }
  m.connections.push_back(
      Connection{"IN", addrTypeOf(params.address), params.address, std::nullopt, std::nullopt});
  m.attributes.push_back(attr("mid", "0"));
  m.attributes.push_back(attr("ice-ufrag", params.ufrag));
  m.attributes.push_back(attr("ice-pwd", params.pwd));
  m.attributes.push_back(attr("fingerprint", params.fingerprintHash + " " + params.fingerprintValue));
  m.attributes.push_back(SetupAttribute{SetupRole::kActpass}.toAttribute());  // RFC 5763 §5
  m.attributes.push_back(flag("rtcp-mux"));  // RFC 8829 §4.1.1: Chromium's rtcpMuxPolicy 'require'
  m.attributes.push_back(flag(std::string(toString(params.direction))));
  m.attributes.push_back(attr("candidate", "1 1 udp " + std::to_string(hostCandidatePriority(1)) + " " +
                                               params.address + " " + std::to_string(params.port) +
                                               " typ host"));
  m.attributes.push_back(flag("end-of-candidates"));  // RFC 8840 §8.2: nothing will be trickled
  for (const RtpCodec& codec : params.codecs) appendCodecAttributes(m.attributes, codec);
  if (params.telephoneEvent) {
    RtpCodec events = *params.telephoneEvent;
    if (!events.fmtp) events.fmtp = "0-16";
    appendCodecAttributes(m.attributes, events);
  }
  // The WebSDK plays event.streams[0] of the remote track: the track needs a stream, whatever the direction
  // (RFC 8830 §2). The SSRC lines are for the legacy receivers that still read them, when we send.
  const std::string msid = params.trackId.empty() ? params.streamId : params.streamId + " " + params.trackId;
  if (!params.streamId.empty()) m.attributes.push_back(attr("msid", msid));
  if (params.ssrc != 0 && sends(params.direction)) {
    m.attributes.push_back(attr("ssrc", std::to_string(params.ssrc) + " cname:" + params.cname));
    if (!params.streamId.empty()) {
      m.attributes.push_back(attr("ssrc", std::to_string(params.ssrc) + " msid:" + msid));
    }
  }
  offer.media.push_back(std::move(m));
  return offer;
}

std::string writeWebRtcOffer(const WebRtcOfferParams& params) {
  return writeSdp(buildWebRtcOffer(params));
}

}  // namespace callgate::sdp
