#include "media/echo_session.hpp"

#include <array>

#include "core/text.hpp"
#include "rtp/rtcp_compound_writer.hpp"
#include "rtp/rtcp_nack.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtp_packet.hpp"
#include "sdp/sdp_writer.hpp"
#include "sdp/webrtc_answer.hpp"

namespace callgate::media {
namespace {

// The codec the echo answers with: the first of these names the offer has, in this order.
constexpr std::array<std::pair<std::string_view, uint32_t>, 4> kAudioCodecs{
    {{"opus", 48000}, {"PCMU", 8000}, {"PCMA", 8000}, {"G722", 8000}}};
constexpr std::array<std::pair<std::string_view, uint32_t>, 3> kVideoCodecs{
    {{"VP8", 90000}, {"VP9", 90000}, {"H264", 90000}}};

uint32_t newSsrc(core::RandomSource& random) {
  uint32_t ssrc = 0;
  while (ssrc == 0) ssrc = static_cast<uint32_t>(random.next64());
  return ssrc;
}

}  // namespace

core::Result<std::unique_ptr<EchoSession>> EchoSession::create(
    net::MediaThread& thread, const WebRtcEndpointConfig& config,
    std::shared_ptr<const webrtc::dtls::DtlsCertificate> cert, SharedUdpPort* shared,
    const sdp::WebRtcOffer& offer, Listener listener) {
  std::unique_ptr<EchoSession> self(new EchoSession(thread, std::move(listener)));

  // Codecs and transports per m-line.
  sdp::WebRtcAnswerParams params;
  params.media.resize(offer.media.size());
  std::vector<size_t> transportOwner;  // the m-line whose ICE/DTLS attributes a transport uses
  std::optional<size_t> bundleTransport;
  std::string missing;
  for (const sdp::OfferedMedia& m : offer.media) {
    if (m.rejected) continue;
    const bool audio = core::iequals(m.kind, "audio");
    const bool video = core::iequals(m.kind, "video");
    if (!audio && !video) continue;
    const sdp::OfferedCodec* chosen = nullptr;
    if (audio) {
      for (auto [name, rate] : kAudioCodecs) {
        if ((chosen = sdp::findCodec(m, name, rate)) != nullptr) break;
      }
    } else {
      for (auto [name, rate] : kVideoCodecs) {
        if ((chosen = sdp::findCodec(m, name, rate)) != nullptr) break;
      }
    }
    if (chosen == nullptr) {
      missing += (missing.empty() ? "" : "; ") + m.kind + " offers none of " +
                 (audio ? "opus, PCMU, PCMA, G722" : "VP8, VP9, H264");
      continue;
    }
    Stream stream;
    stream.mline = m.index;
    stream.kind = m.kind;
    stream.clockRate = chosen->clockRate;
    stream.payloadTypes.push_back(chosen->payloadType);
    if (audio) {
      if (const sdp::OfferedCodec* te = sdp::findCodec(m, "telephone-event", chosen->clockRate)) {
        stream.payloadTypes.push_back(te->payloadType);
      }
    }
    stream.localSsrc = newSsrc(thread.random());
    // The echo sends only what it receives: sendrecv stays sendrecv; anything else is answered inactive
    // (a sendonly offer would get recvonly, and then nothing would come back).
    stream.echo = m.direction == sdp::Direction::kSendRecv;
    if (offer.bundled(m)) {
      if (!bundleTransport) {
        bundleTransport = transportOwner.size();
        transportOwner.push_back(m.index);
      }
      stream.transport = *bundleTransport;
    } else {
      stream.transport = transportOwner.size();
      transportOwner.push_back(m.index);
    }
    sdp::AnsweredMedia& a = params.media[m.index];
    a.accept = true;
    a.payloadTypes = stream.payloadTypes;
    a.direction = stream.echo ? sdp::Direction::kSendRecv : sdp::Direction::kInactive;
    a.transport = stream.transport;
    a.ssrc = stream.localSsrc;
    self->streams_.push_back(std::move(stream));
  }
  if (self->streams_.empty()) {
    return core::makeError("No common codecs: " + (missing.empty() ? "no audio or video m-line" : missing));
  }

  WebRtcEndpoint::Listener el;
  EchoSession* raw = self.get();
  el.onConnected = [raw] {
    for (auto& r : raw->reporters_) r->start();
    if (raw->listener_.onConnected) raw->listener_.onConnected();
  };
  el.onFailed = [raw](webrtc::TransportFailure failure, const std::string& reason) {
    for (auto& r : raw->reporters_) r->stop();
    if (raw->listener_.onFailed) raw->listener_.onFailed(std::string(webrtc::callInfoOf(failure)), reason);
  };
  el.onRtp = [raw](size_t t, std::span<uint8_t> packet, std::span<uint8_t> room) {
    raw->onRtp(t, packet, room);
  };
  el.onRtcp = [raw](size_t t, std::span<uint8_t> packet, std::span<uint8_t>) { raw->onRtcp(t, packet); };
  auto endpoint = WebRtcEndpoint::create(thread, config, cert, transportOwner.size(), shared, std::move(el));
  if (!endpoint) return endpoint.error();
  self->endpoint_ = std::move(*endpoint);

  // RFC 5763 §5: the offerer says actpass; the answerer takes passive here, so that the client (which has
  // ICE's controlling role and the first valid pair) starts the handshake. An offer that insists on one
  // role gets the other.
  const sdp::SetupRole offered = offer.media[transportOwner.front()].setup;
  const bool weAreClient = offered == sdp::SetupRole::kPassive;
  params.setup = weAreClient ? sdp::SetupRole::kActive : sdp::SetupRole::kPassive;
  for (size_t t = 0; t < transportOwner.size(); ++t) {
    const sdp::OfferedMedia& owner = offer.media[transportOwner[t]];
    auto set = self->endpoint_->setRemote(
        t, webrtc::ice::IceCredentials{owner.ufrag, owner.pwd}, owner.fingerprintHash, owner.fingerprintValue,
        weAreClient ? webrtc::dtls::DtlsRole::kClient : webrtc::dtls::DtlsRole::kServer);
    if (!set) return core::makeError("m=" + owner.kind + " a=fingerprint: " + set.error().message);
    const auto& local = self->endpoint_->credentials(t);
    params.transports.push_back(sdp::AnswerTransport{local.ufrag, local.pwd, self->endpoint_->publicAddress(),
                                                     self->endpoint_->port(t)});
    RtcpReporter::Listener rl;
    rl.send = [raw, t](std::span<uint8_t> buffer, size_t length) {
      raw->endpoint_->sendRtcp(t, buffer, length);
    };
    rl.onFeedback = [raw, t](RtcpReporter::Feedback kind, uint32_t ssrc, std::span<const uint8_t> packet) {
      raw->onFeedback(t, kind, ssrc, packet);
    };
    self->reporters_.push_back(std::make_unique<RtcpReporter>(thread.timers(), thread.random(),
                                                              rtp::NtpClock::anchoredNow(thread.clock()),
                                                              "callgate-echo", std::move(rl)));
  }
  for (const Stream& s : self->streams_) {
    if (s.echo) self->reporters_[s.transport]->addSender(s.localSsrc, s.clockRate);
  }
  params.originAddress = self->endpoint_->publicAddress();
  params.sessionId = std::to_string(thread.random().next64() >> 2);
  params.fingerprintHash = std::string(webrtc::dtls::DtlsCertificate::kHashFunction);
  params.fingerprintValue = cert->fingerprint();
  params.bundle = bundleTransport.has_value();
  params.cname = "callgate-echo";
  params.streamId = "callgate-echo-" + thread.random().hex(4);
  self->answer_ = sdp::writeSdp(sdp::buildWebRtcAnswer(offer, params));
  self->endpoint_->start();
  return self;
}

EchoSession::~EchoSession() {
  close();
}

void EchoSession::close() {
  if (closed_) return;
  closed_ = true;
  for (auto& r : reporters_) r->stop();
  if (endpoint_) endpoint_->close();
}

EchoSession::Stream* EchoSession::streamByPayloadType(size_t transport, uint8_t pt) {
  for (Stream& s : streams_) {
    if (s.transport != transport) continue;
    for (uint8_t p : s.payloadTypes) {
      if (p == pt) return &s;
    }
  }
  return nullptr;
}

void EchoSession::onRtp(size_t transport, std::span<uint8_t> packet, std::span<uint8_t> room) {
  if (closed_) return;
  auto parsed = rtp::MutableRtpPacket::parse(packet);
  if (!parsed) return;
  Stream* stream = streamByPayloadType(transport, parsed->view().payloadType());
  if (stream == nullptr) {
    ++rtpUnrouted_;
    return;
  }
  const uint32_t remote = parsed->view().ssrc();
  stream->remoteSsrc = remote;
  RtcpReporter& reporter = *reporters_[transport];
  reporter.onReceived(remote, parsed->view().sequenceNumber(), parsed->view().timestamp(), stream->clockRate);
  if (!stream->echo) return;
  parsed->setSsrc(stream->localSsrc);
  const uint32_t timestamp = parsed->view().timestamp();
  const size_t payload = parsed->view().payload().size();
  if (endpoint_->sendRtp(transport, room, packet.size())) {
    ++rtpEchoed_;
    reporter.onSent(stream->localSsrc, timestamp, payload);
  }
}

void EchoSession::onRtcp(size_t transport, std::span<uint8_t> packet) {
  if (closed_) return;
  reporters_[transport]->onRtcp(packet);
}

void EchoSession::onFeedback(size_t transport, RtcpReporter::Feedback kind, uint32_t mediaSsrc,
                             std::span<const uint8_t> packet) {
  Stream* stream = nullptr;
  for (Stream& s : streams_) {
    if (s.transport == transport && s.localSsrc == mediaSsrc && s.remoteSsrc != 0) stream = &s;
  }
  if (stream == nullptr) return;
  // The client asks our echoed stream for a key frame or a retransmission: only its own sender can give
  // one, so the request goes to the source the echo comes from.
  std::array<uint8_t, 1200 + 64> buffer{};
  rtp::RtcpCompoundWriter writer(std::span<uint8_t>(buffer).first(1200));
  switch (kind) {
    case RtcpReporter::Feedback::kPli:
      writer.pli(stream->localSsrc, stream->remoteSsrc);
      break;
    case RtcpReporter::Feedback::kFir: {
      const rtp::FirEntry entry{stream->remoteSsrc, stream->firSequence++};
      writer.fir(stream->localSsrc, std::span<const rtp::FirEntry>(&entry, 1));
      break;
    }
    case RtcpReporter::Feedback::kNack: {
      rtp::RtcpIterator it(packet);
      auto p = it.next();
      if (!p) return;
      auto nack = rtp::Nack::parse(*p);
      if (!nack) return;
      std::vector<rtp::NackItem> items;
      for (size_t i = 0; i < nack->itemCount() && i < 64; ++i) items.push_back(nack->item(i));
      writer.nack(stream->localSsrc, stream->remoteSsrc, items);
      break;
    }
  }
  auto size = writer.finish();
  if (size && endpoint_->sendRtcp(transport, buffer, *size)) ++feedbackForwarded_;
}

EchoStats EchoSession::stats() const {
  EchoStats s;
  s.rtpEchoed = rtpEchoed_;
  s.rtpUnrouted = rtpUnrouted_;
  s.feedbackForwarded = feedbackForwarded_;
  if (endpoint_) s.transport = endpoint_->stats();
  for (const auto& r : reporters_) {
    const RtcpCounters& c = r->counters();
    s.rtcp.compoundsIn += c.compoundsIn;
    s.rtcp.malformedIn += c.malformedIn;
    s.rtcp.senderReportsIn += c.senderReportsIn;
    s.rtcp.receiverReportsIn += c.receiverReportsIn;
    s.rtcp.pliIn += c.pliIn;
    s.rtcp.firIn += c.firIn;
    s.rtcp.nackIn += c.nackIn;
    s.rtcp.nackedPackets += c.nackedPackets;
    s.rtcp.reportsOut += c.reportsOut;
    if (c.lastRtt) s.rtcp.lastRtt = c.lastRtt;
  }
  return s;
}

}  // namespace callgate::media
