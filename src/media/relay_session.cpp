#include "media/relay_session.hpp"

#include <spdlog/logger.h>

#include <algorithm>
#include <limits>

#include "core/logging.hpp"
#include "rtp/ntp_time.hpp"

namespace callgate::media {
namespace {

using namespace std::chrono_literals;

// How often the RTP-activity check runs (and the WebRTC transport's drops reach the gateway's counters).
constexpr core::Duration kTickPeriod = 1s;

spdlog::logger& log() {
  return core::logger(core::LogModule::kMedia);
}

uint32_t newSsrc(core::RandomSource& random) {
  uint32_t ssrc = 0;
  while (ssrc == 0) ssrc = static_cast<uint32_t>(random.next64());
  return ssrc;
}

// `elapsed` in units of a `clockRate` Hz media clock (RFC 3550 §5.1 timestamps), saturated to 32 bits.
uint32_t mediaTicks(core::Duration elapsed, uint32_t clockRate) {
  if (elapsed <= core::Duration::zero()) return 0;
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
  const uint64_t ticks = static_cast<uint64_t>(us) * clockRate / 1000000;
  return static_cast<uint32_t>(std::min<uint64_t>(ticks, std::numeric_limits<uint32_t>::max()));
}

std::string durationText(core::Duration d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

// "0.0.0.0" and "::": RFC 3264 §8.4's (and RFC 2543's) hold address, where nothing may be sent.
bool isUnspecified(const net::UdpAddress& address) {
  const std::string ip = address.ip();
  return ip == "0.0.0.0" || ip == "::";
}

}  // namespace

// ---- RtpActivity ----

void RtpActivity::start(core::TimePoint now) {
  started_ = true;
  for (State& s : legs_) {
    s.lastActive = now;
    s.packetsSeen = s.packets;
  }
}

void RtpActivity::setJudged(Leg leg, bool judged, core::TimePoint now) {
  State& s = legs_[index(leg)];
  if (judged && !s.judged) {
    s.lastActive = now;
    s.packetsSeen = s.packets;
  }
  s.judged = judged;
}

std::optional<RtpActivity::Silence> RtpActivity::check(core::TimePoint now) {
  if (!started_) return std::nullopt;
  std::optional<Silence> silence;
  for (Leg leg : {Leg::kClient, Leg::kSip}) {
    State& s = legs_[index(leg)];
    if (s.packets != s.packetsSeen) {
      s.packetsSeen = s.packets;
      s.lastActive = now;
    }
    if (silence || !s.judged || timeout_ <= core::Duration::zero()) continue;
    if (now - s.lastActive >= timeout_) silence = Silence{leg, now - s.lastActive};
  }
  return silence;
}

// ---- RelaySession ----

RelaySession::RelaySession(net::MediaThread& thread, const RelayConfig& config, MediaCounters* counters,
                           Listener listener)
    : thread_(thread),
      config_(config),
      counters_(counters),
      listener_(std::move(listener)),
      toSip_(static_cast<uint16_t>(thread.random().next64()),
             static_cast<uint32_t>(thread.random().next64())),
      toWebRtc_(static_cast<uint16_t>(thread.random().next64()),
                static_cast<uint32_t>(thread.random().next64())),
      activity_(config.rtpTimeout),
      tick_(thread.timers()) {
  fromWebRtc_.fill(kNoMapping);
  fromSip_.fill(kNoMapping);
}

core::Result<std::unique_ptr<RelaySession>> RelaySession::create(
    net::MediaThread& thread, const RelayConfig& config,
    std::shared_ptr<const webrtc::dtls::DtlsCertificate> cert, SharedUdpPort* shared, MediaCounters* counters,
    Listener listener) {
  std::unique_ptr<RelaySession> self(new RelaySession(thread, config, counters, std::move(listener)));
  RelaySession* raw = self.get();
  self->local_.webrtcSsrc = newSsrc(thread.random());
  do {
    self->local_.sipSsrc = newSsrc(thread.random());
  } while (self->local_.sipSsrc == self->local_.webrtcSsrc);

  // The reporters first: the endpoints' callbacks reach them (only from the loop, after create()).
  const auto makeReporter = [&](std::function<void(std::span<uint8_t>, size_t)> send) {
    RtcpReporter::Listener rl;
    rl.send = std::move(send);
    // Feedback on our audio (PLI, FIR, NACK) asks nothing the relay can give: counted by the reporter only.
    return std::make_unique<RtcpReporter>(thread.timers(), thread.random(),
                                          rtp::NtpClock::anchoredNow(thread.clock()), config.cname,
                                          std::move(rl));
  };
  self->webrtcReporter_ = makeReporter([raw](std::span<uint8_t> buffer, size_t length) {
    if (raw->webrtc_->connected()) raw->webrtc_->sendRtcp(0, buffer, length);
  });
  self->sipReporter_ = makeReporter([raw](std::span<uint8_t> buffer, size_t length) {
    if (raw->sipSendable()) raw->sip_->sendRtcp(buffer.first(length));
  });
  self->webrtcReporter_->addSender(self->local_.webrtcSsrc, 8000);
  self->sipReporter_->addSender(self->local_.sipSsrc, 8000);

  WebRtcEndpoint::Listener el;
  el.onConnected = [raw] { raw->onConnected(); };
  el.onFailed = [raw](webrtc::TransportFailure failure, const std::string& reason) {
    raw->fail(std::string(webrtc::callInfoOf(failure)), reason);
  };
  el.onRtp = [raw](size_t, std::span<uint8_t> packet, std::span<uint8_t>) { raw->onClientRtp(packet); };
  el.onRtcp = [raw](size_t, std::span<uint8_t> packet, std::span<uint8_t>) {
    if (!raw->closed_) raw->webrtcReporter_->onRtcp(packet);
  };
  auto endpoint = WebRtcEndpoint::create(thread, config.webrtc, std::move(cert), 1, shared, std::move(el));
  if (!endpoint) return endpoint.error();
  self->webrtc_ = std::move(*endpoint);

  RtpEndpoint::Listener rl;
  rl.onRtp = [raw](std::span<uint8_t> packet, std::span<uint8_t> room) {
    return raw->onSipRtp(packet, room);
  };
  rl.onRtcp = [raw](std::span<const uint8_t> compound) {
    if (!raw->closed_) raw->sipReporter_->onRtcp(compound);
  };
  rl.onMalformed = [raw] {
    if (!raw->closed_) raw->drop(MediaDrop::kMalformed);
  };
  rl.onStraySource = [raw] {
    if (!raw->closed_) raw->drop(MediaDrop::kStraySource);
  };
  auto sip = RtpEndpoint::open(
      thread,
      RtpEndpointConfig{config.sipBindAddress, config.portMin, config.portMax, config.sipRelatchAfterSilence},
      std::move(rl));
  if (!sip) {
    self->close();
    return core::makeError("SIP leg: " + sip.error().message);
  }
  self->sip_ = std::move(*sip);

  self->local_.ice = self->webrtc_->credentials(0);
  self->local_.webrtcAddress = self->webrtc_->publicAddress();
  self->local_.webrtcPort = self->webrtc_->port(0);
  self->local_.sipAddress = config.sipPublicAddress.empty() ? config.sipBindAddress : config.sipPublicAddress;
  self->local_.sipRtpPort = self->sip_->rtpPort();
  // No SIP address yet: nothing to send there, and its silence is not judged.
  self->activity_.setJudged(RtpActivity::Leg::kSip, false, thread.timers().now());
  self->portsHeld_ = (shared != nullptr ? 0 : 1) + 2;
  if (counters != nullptr) counters->relayPortsOpen.fetch_add(self->portsHeld_, std::memory_order_relaxed);
  return self;
}

RelaySession::~RelaySession() {
  close();
}

core::Result<void> RelaySession::setWebRtcRemote(webrtc::ice::IceCredentials remote,
                                                 std::string_view fingerprintHash,
                                                 std::string_view fingerprintValue,
                                                 webrtc::dtls::DtlsRole ourRole) {
  if (closed_) return core::makeError("the relay is closed");
  return webrtc_->setRemote(0, std::move(remote), fingerprintHash, fingerprintValue, ourRole);
}

void RelaySession::setSipRemote(const std::string& address, uint16_t rtpPort,
                                std::optional<uint16_t> rtcpPort, bool rtcpMux) {
  if (closed_) return;
  const auto rtp = net::UdpAddress::parse(address, rtpPort);
  bool held = rtpPort == 0 || (rtp && isUnspecified(*rtp));
  if (!rtp && !held) {
    log().warn("relay: SIP media address '{}' is not a numeric IP address; nothing is sent to the SIP side",
               address);
    held = true;
  }
  if (!held) {
    // RFC 3605 §2.1 a=rtcp, else RFC 3550 §11: the next port.
    const uint16_t rtcp = rtcpPort.value_or(rtpPort == 65535 ? rtpPort : static_cast<uint16_t>(rtpPort + 1));
    sip_->setRemote(RtpRemote{*rtp, *net::UdpAddress::parse(address, rtcp), rtcpMux});
    sipRemoteSet_ = true;
  }
  sipHeld_ = held;
  activity_.setJudged(RtpActivity::Leg::kSip, sipSendable(), thread_.timers().now());
}

void RelaySession::setPayloads(std::vector<PayloadMapping> payloads) {
  if (closed_) return;
  payloads_.clear();
  fromWebRtc_.fill(kNoMapping);
  fromSip_.fill(kNoMapping);
  for (const PayloadMapping& p : payloads) {
    // RFC 3550 §5.1: 7 bits. A clock rate of 0 would stop the timestamps.
    if (p.webrtc > 127 || p.sip > 127 || p.clockRate == 0) {
      log().warn("relay: payload mapping {}<->{} at {} Hz ignored", p.webrtc, p.sip, p.clockRate);
      continue;
    }
    // The first mapping of a payload type wins.
    if (fromWebRtc_[p.webrtc] != kNoMapping || fromSip_[p.sip] != kNoMapping) continue;
    const auto index = static_cast<int16_t>(payloads_.size());
    payloads_.push_back(p);
    fromWebRtc_[p.webrtc] = index;
    fromSip_[p.sip] = index;
  }
  if (!payloads_.empty()) {
    webrtcReporter_->addSender(local_.webrtcSsrc, payloads_.front().clockRate);
    sipReporter_->addSender(local_.sipSsrc, payloads_.front().clockRate);
  }
}

void RelaySession::start() {
  if (started_ || closed_) return;
  started_ = true;
  webrtc_->start();
  sipReporter_->start();
  if (webrtc_->connected()) webrtcReporter_->start();
  activity_.start(thread_.timers().now());
  tick_.start(kTickPeriod, [this] { tick(); });
}

void RelaySession::onConnected() {
  if (closed_ || failed_) return;
  if (started_) webrtcReporter_->start();
  if (listener_.onConnected) listener_.onConnected();
}

void RelaySession::fail(const std::string& info, const std::string& reason) {
  if (failed_ || closed_) return;
  failed_ = true;
  tick_.cancel();
  webrtcReporter_->stop();
  sipReporter_->stop();
  log().info("relay on ports {}/{} failed: {}: {}", local_.webrtcPort, local_.sipRtpPort, info, reason);
  if (listener_.onFailed) listener_.onFailed(info, reason);
}

void RelaySession::tick() {
  if (closed_ || failed_) return;
  syncTransportDrops();
  ++activityChecks_;
  if (auto silence = activity_.check(thread_.timers().now())) {
    const char* from = silence->leg == RtpActivity::Leg::kSip ? "the SIP side" : "the client";
    fail("Failed by RTP activity",
         std::string("no RTP from ") + from + " for " + durationText(config_.rtpTimeout));
    return;
  }
  tick_.start(kTickPeriod, [this] { tick(); });
}

void RelaySession::syncTransportDrops() {
  if (!webrtc_) return;
  const uint64_t total = webrtc_->stats().droppedTotal();
  if (counters_ != nullptr && total > transportDropsReported_) {
    counters_->drop(MediaDrop::kWebRtcTransport, total - transportDropsReported_);
  }
  transportDropsReported_ = total;
}

void RelaySession::drop(MediaDrop reason) {
  switch (reason) {
    case MediaDrop::kUnknownPayloadType:
      ++droppedUnknownPt_;
      break;
    case MediaDrop::kNoRemote:
      ++droppedNoRemote_;
      break;
    case MediaDrop::kMalformed:
      ++droppedMalformed_;
      break;
    case MediaDrop::kSendFailed:
      ++droppedSendFailed_;
      break;
    case MediaDrop::kStraySource:
      ++droppedStraySource_;
      break;
    case MediaDrop::kWebRtcTransport:
    case MediaDrop::kCount:
      break;
  }
  if (counters_ != nullptr) counters_->drop(reason);
}

bool RelaySession::rewrite(Direction& direction, rtp::MutableRtpPacket& packet, uint8_t payloadType,
                           uint32_t ssrc, uint32_t clockRate, core::TimePoint now) {
  const rtp::RtpPacket& view = packet.view();
  const uint32_t source = view.ssrc();
  const auto sequence = direction.sequence.rewrite(source, view.sequenceNumber());
  if (!sequence) return false;
  // A new source continues from the last timestamp sent plus the media time since (StreamRewriter).
  const uint32_t elapsed = direction.timestamp.isNewSource(source) && direction.sentAny
                               ? mediaTicks(now - direction.lastSentAt, clockRate)
                               : 0;
  const uint32_t timestamp = direction.timestamp.rewrite(source, view.timestamp(), elapsed);
  packet.setSequenceNumber(*sequence);
  packet.setTimestamp(timestamp);
  packet.setPayloadType(payloadType);
  packet.setSsrc(ssrc);
  direction.lastSentAt = now;
  direction.sentAny = true;
  return true;
}

void RelaySession::onClientRtp(std::span<uint8_t> packet) {
  if (closed_) return;
  auto parsed = rtp::MutableRtpPacket::parse(packet);
  if (!parsed) {
    drop(MediaDrop::kMalformed);
    return;
  }
  activity_.onRtp(RtpActivity::Leg::kClient);
  const rtp::RtpPacket& view = parsed->view();
  const int16_t index = fromWebRtc_[view.payloadType()];
  if (index == kNoMapping) {
    drop(MediaDrop::kUnknownPayloadType);
    return;
  }
  const PayloadMapping& mapping = payloads_[static_cast<size_t>(index)];
  const core::TimePoint now = thread_.timers().now();
  webrtcReporter_->onReceived(view.ssrc(), view.sequenceNumber(), view.timestamp(), mapping.clockRate);
  if (!sipSendable()) {
    drop(MediaDrop::kNoRemote);
    return;
  }
  if (!rewrite(toSip_, *parsed, mapping.sip, local_.sipSsrc, mapping.clockRate, now)) {
    ++droppedLate_;
    return;
  }
  const uint32_t timestamp = view.timestamp();
  const size_t payloadBytes = view.payload().size();
  if (!sip_->sendRtp(packet)) {
    drop(MediaDrop::kSendFailed);
    return;
  }
  ++toSipCount_;
  if (counters_ != nullptr) counters_->rtpToSip.fetch_add(1, std::memory_order_relaxed);
  sipReporter_->onSent(local_.sipSsrc, timestamp, payloadBytes);
}

bool RelaySession::onSipRtp(std::span<uint8_t> packet, std::span<uint8_t> room) {
  if (closed_) return false;
  auto parsed = rtp::MutableRtpPacket::parse(packet);
  if (!parsed) {
    drop(MediaDrop::kMalformed);
    return false;
  }
  activity_.onRtp(RtpActivity::Leg::kSip);
  const rtp::RtpPacket& view = parsed->view();
  const int16_t index = fromSip_[view.payloadType()];
  if (index == kNoMapping) {
    drop(MediaDrop::kUnknownPayloadType);
    return false;
  }
  const PayloadMapping& mapping = payloads_[static_cast<size_t>(index)];
  const core::TimePoint now = thread_.timers().now();
  sipReporter_->onReceived(view.ssrc(), view.sequenceNumber(), view.timestamp(), mapping.clockRate);
  // From here the packet is the call's media: the SIP side is latched to its source even when it cannot go
  // on.
  if (!webrtc_->connected()) {
    drop(MediaDrop::kNoRemote);
    return true;
  }
  if (!rewrite(toWebRtc_, *parsed, mapping.webrtc, local_.webrtcSsrc, mapping.clockRate, now)) {
    ++droppedLate_;
    return true;
  }
  const uint32_t timestamp = view.timestamp();
  const size_t payloadBytes = view.payload().size();
  // SRTP protects in place: the tag goes into the receive buffer's room past the packet (UdpBatchSocket
  // keeps 64 bytes there; protect refuses, and it is counted, if there is not enough).
  if (!webrtc_->sendRtp(0, room, packet.size())) {
    drop(MediaDrop::kSendFailed);
    return true;
  }
  ++toWebRtcCount_;
  if (counters_ != nullptr) counters_->rtpToWebRtc.fetch_add(1, std::memory_order_relaxed);
  webrtcReporter_->onSent(local_.webrtcSsrc, timestamp, payloadBytes);
  return true;
}

void RelaySession::close() {
  if (closed_) return;
  closed_ = true;
  tick_.cancel();
  if (webrtcReporter_) webrtcReporter_->stop();
  if (sipReporter_) sipReporter_->stop();
  syncTransportDrops();
  if (webrtc_) webrtc_->close();
  if (sip_) sip_->close();
  if (counters_ != nullptr && portsHeld_ != 0) {
    counters_->relayPortsOpen.fetch_sub(portsHeld_, std::memory_order_relaxed);
  }
  portsHeld_ = 0;
}

RelayStats RelaySession::stats() const {
  RelayStats s;
  s.toSip = toSipCount_;
  s.toWebRtc = toWebRtcCount_;
  s.droppedUnknownPt = droppedUnknownPt_;
  s.droppedNoRemote = droppedNoRemote_;
  s.droppedMalformed = droppedMalformed_;
  s.droppedSendFailed = droppedSendFailed_;
  s.droppedStraySource = droppedStraySource_;
  s.droppedLate = droppedLate_;
  s.activityChecks = activityChecks_;
  if (webrtc_) s.webrtc = webrtc_->stats();
  if (webrtcReporter_) s.webrtcRtcp = webrtcReporter_->counters();
  if (sipReporter_) s.sipRtcp = sipReporter_->counters();
  if (sip_) {
    s.sip = sip_->stats();
    s.sipRtpIn = s.sip.rtpIn;
    s.sipRtpOut = s.sip.rtpOut;
  }
  return s;
}

bool RelaySession::connected() const {
  return !closed_ && webrtc_ && webrtc_->connected();
}

}  // namespace callgate::media
