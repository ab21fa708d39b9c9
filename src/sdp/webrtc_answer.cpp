#include "sdp/webrtc_answer.hpp"

#include "core/text.hpp"

namespace callgate::sdp {
namespace {

Attribute attr(std::string name, std::string value) {
  return Attribute{std::move(name), std::move(value)};
}
Attribute flag(std::string name) {
  return Attribute{std::move(name), std::nullopt};
}

std::string addrType(const std::string& address) {
  return address.find(':') != std::string::npos ? "IP6" : "IP4";
}

}  // namespace

uint32_t hostCandidatePriority(uint16_t component) {
  return (uint32_t{126} << 24) | (uint32_t{65535} << 8) | (256u - component);
}

bool answerableFeedback(const RtcpFeedback& feedback) {
  if (core::iequals(feedback.type, "nack")) {
    return feedback.parameters.empty() || core::iequals(feedback.parameters, "pli");
  }
  return core::iequals(feedback.type, "ccm") && core::iequals(feedback.parameters, "fir");
}

SessionDescription buildWebRtcAnswer(const WebRtcOffer& offer, const WebRtcAnswerParams& params) {
  SessionDescription answer;
  answer.origin.sessionId = params.sessionId;
  answer.origin.sessionVersion = "2";
  answer.origin.addrType = addrType(params.originAddress);
  answer.origin.address = params.originAddress;
  answer.attributes.push_back(flag("ice-lite"));  // RFC 8839 §5.3: session level

  std::vector<std::string> bundled;
  if (params.bundle) {
    for (size_t i = 0; i < offer.media.size() && i < params.media.size(); ++i) {
      if (params.media[i].accept && offer.bundled(offer.media[i])) bundled.push_back(offer.media[i].mid);
    }
  }
  if (!bundled.empty()) {
    std::string group = "BUNDLE";
    for (const std::string& mid : bundled) group += " " + mid;
    answer.attributes.push_back(attr("group", group));
  }
  answer.attributes.push_back(attr("msid-semantic", " WMS " + params.streamId));

  for (size_t i = 0; i < offer.media.size(); ++i) {
    const OfferedMedia& o = offer.media[i];
    const AnsweredMedia* a = i < params.media.size() ? &params.media[i] : nullptr;
    MediaDescription m;
    m.media = o.kind;
    if (a == nullptr || !a->accept || a->transport >= params.transports.size() || a->payloadTypes.empty()) {
      // RFC 3264 §6: a declined stream keeps its m-line with port 0 and at least one format.
      m.port = 0;
      m.proto = o.proto;
      m.formats.push_back(o.firstFormat.empty() ? "0" : o.firstFormat);
      if (!o.mid.empty()) m.attributes.push_back(attr("mid", o.mid));
      answer.media.push_back(std::move(m));
      continue;
    }
    const AnswerTransport& t = params.transports[a->transport];
    m.port = t.port;
    m.proto = "UDP/TLS/RTP/SAVPF";
    for (uint8_t pt : a->payloadTypes) m.formats.push_back(std::to_string(pt));
    m.connections.push_back(Connection{"IN", addrType(t.address), t.address, std::nullopt, std::nullopt});
    if (!o.mid.empty()) m.attributes.push_back(attr("mid", o.mid));
    m.attributes.push_back(attr("ice-ufrag", t.ufrag));
    m.attributes.push_back(attr("ice-pwd", t.pwd));
    m.attributes.push_back(attr("fingerprint", params.fingerprintHash + " " + params.fingerprintValue));
    m.attributes.push_back(SetupAttribute{params.setup}.toAttribute());
    m.attributes.push_back(flag("rtcp-mux"));
    m.attributes.push_back(flag(std::string(toString(a->direction))));
    m.attributes.push_back(attr("candidate", "1 1 udp " + std::to_string(hostCandidatePriority(1)) + " " +
                                                 t.address + " " + std::to_string(t.port) + " typ host"));
    m.attributes.push_back(flag("end-of-candidates"));
    for (uint8_t pt : a->payloadTypes) {
      const OfferedCodec* codec = nullptr;
      for (const OfferedCodec& c : o.codecs) {
        if (c.payloadType == pt) codec = &c;
      }
      if (codec == nullptr) continue;
      std::string map = std::to_string(pt) + " " + codec->name + "/" + std::to_string(codec->clockRate);
      if (codec->channels > 1) map += "/" + std::to_string(codec->channels);
      m.attributes.push_back(attr("rtpmap", map));
      for (const RtcpFeedback& fb : codec->feedback) {
        if (!answerableFeedback(fb)) continue;
        std::string value = std::to_string(pt) + " " + fb.type;
        if (!fb.parameters.empty()) value += " " + fb.parameters;
        m.attributes.push_back(attr("rtcp-fb", value));
      }
      if (codec->fmtp) m.attributes.push_back(attr("fmtp", std::to_string(pt) + " " + *codec->fmtp));
    }
    if (a->ssrc != 0 && sends(a->direction)) {
      const std::string track = a->trackId.empty() ? o.kind + (o.mid.empty() ? "" : "-" + o.mid) : a->trackId;
      m.attributes.push_back(attr("msid", params.streamId + " " + track));
      m.attributes.push_back(attr("ssrc", std::to_string(a->ssrc) + " cname:" + params.cname));
      m.attributes.push_back(
          attr("ssrc", std::to_string(a->ssrc) + " msid:" + params.streamId + " " + track));
    }
    answer.media.push_back(std::move(m));
  }
  return answer;
}

}  // namespace callgate::sdp
