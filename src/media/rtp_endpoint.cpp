#include "media/rtp_endpoint.hpp"

#include <spdlog/logger.h>

#include <vector>

#include "core/logging.hpp"
#include "rtp/demux.hpp"
#include "rtp/rtcp_packet.hpp"

namespace callgate::media {
namespace {

// Free even ports whose next port is taken, held while looking further so the range search does not offer
// them again; past this many the range is taken to be full (each held port is a descriptor).
constexpr int kPairTries = 64;

spdlog::logger& log() {
  return core::logger(core::LogModule::kMedia);
}

std::string rangeText(const RtpEndpointConfig& c) {
  return std::to_string(c.portMin) + "-" + std::to_string(c.portMax);
}

}  // namespace

core::Result<std::unique_ptr<RtpEndpoint>> RtpEndpoint::open(net::MediaThread& thread,
                                                             const RtpEndpointConfig& config,
                                                             Listener listener) {
  const bool anyPort = config.portMin == 0 && config.portMax == 0;
  if (!anyPort) {
    const uint32_t firstEven = config.portMin + (config.portMin % 2);
    if (config.portMin == 0 || config.portMin > config.portMax || firstEven + 1 > config.portMax) {
      return core::makeError("SIP media port range " + rangeText(config) +
                             " has no even port P with P+1 in it (RTP on P, RTCP on P+1; RFC 3550 §11)");
    }
  }
  std::unique_ptr<RtpEndpoint> self(
      new RtpEndpoint(thread.timers(), config.relatchAfterSilence, std::move(listener)));
  RtpEndpoint* raw = self.get();

  net::UdpBatchSocket::Config rtpConfig;
  rtpConfig.bindAddress = config.bindAddress;
  rtpConfig.portMin = config.portMin;
  rtpConfig.portMax = anyPort ? 0 : static_cast<uint16_t>(config.portMax - 1);  // room for P+1
  rtpConfig.evenPort = true;                                                    // RFC 3550 §11
  // The socket searches [portMin, portMax - 1] from a random start, wrapping (RFC 6056 §3.3.1); an even
  // port whose next one is taken is kept open while the search goes on, so that it is not offered again.
  std::vector<std::unique_ptr<net::UdpBatchSocket>> refused;
  std::string lastRefusal;
  for (int attempt = 0; attempt < kPairTries; ++attempt) {
    auto rtpSocket = net::UdpBatchSocket::open(
        thread.io(), rtpConfig,
        [raw](std::span<uint8_t> data, std::span<uint8_t> room, const net::UdpAddress& from) {
          raw->onRtpDatagram(data, room, from);
        });
    if (!rtpSocket) {
      return core::makeError("no free RTP/RTCP port pair in " + rangeText(config) + " on " +
                             config.bindAddress + ": " + rtpSocket.error().message);
    }
    const uint16_t port = (*rtpSocket)->localPort();
    net::UdpBatchSocket::Config rtcpConfig;
    rtcpConfig.bindAddress = config.bindAddress;
    rtcpConfig.portMin = static_cast<uint16_t>(port + 1);
    rtcpConfig.portMax = rtcpConfig.portMin;
    auto rtcpSocket =
        net::UdpBatchSocket::open(thread.io(), rtcpConfig,
                                  [raw](std::span<uint8_t> data, std::span<uint8_t>,
                                        const net::UdpAddress& from) { raw->onRtcpDatagram(data, from); });
    if (rtcpSocket) {
      self->rtpSocket_ = std::move(*rtpSocket);
      self->rtcpSocket_ = std::move(*rtcpSocket);
      self->rtpPort_ = port;
      return self;
    }
    lastRefusal = rtcpSocket.error().message;
    refused.push_back(std::move(*rtpSocket));
  }
  return core::makeError("no free RTP/RTCP port pair in " + rangeText(config) + " on " + config.bindAddress +
                         ": the port after each of " + std::to_string(kPairTries) +
                         " free even ports was taken (" + lastRefusal + ")");
}

RtpEndpoint::~RtpEndpoint() {
  close();
}

void RtpEndpoint::setRemote(const RtpRemote& remote) {
  if (remote_) {
    // A new address in the SDP (a re-INVITE to another device): what was latched was the old one's.
    if (!(remote_->rtp == remote.rtp)) latchedRtp_.reset();
    if (!(remote_->rtcp == remote.rtcp) || remote_->rtcpMux != remote.rtcpMux) latchedRtcp_.reset();
  }
  // A latch learned before the first SDP (early media racing the answer) is kept: it is where the device
  // sends from, so where it receives.
  remote_ = remote;
}

std::optional<net::UdpAddress> RtpEndpoint::rtpDestination() const {
  if (!remote_) return std::nullopt;
  return latchedRtp_ ? *latchedRtp_ : remote_->rtp;
}

std::optional<net::UdpAddress> RtpEndpoint::rtcpDestination() const {
  if (!remote_) return std::nullopt;
  // RFC 5761 §4: muxed RTCP goes where RTP goes.
  if (remote_->rtcpMux) return rtpDestination();
  return latchedRtcp_ ? *latchedRtcp_ : remote_->rtcp;
}

bool RtpEndpoint::sendRtp(std::span<const uint8_t> packet) {
  if (closed_) return false;
  const auto to = rtpDestination();
  if (!to) {
    ++stats_.noDestination;
    return false;
  }
  if (!rtpSocket_->send(packet, *to)) {
    ++stats_.sendFailures;
    return false;
  }
  ++stats_.rtpOut;
  return true;
}

bool RtpEndpoint::sendRtcp(std::span<const uint8_t> compound) {
  if (closed_) return false;
  const auto to = rtcpDestination();
  if (!to) {
    ++stats_.noDestination;
    return false;
  }
  net::UdpBatchSocket& socket = remote_->rtcpMux ? *rtpSocket_ : *rtcpSocket_;
  if (!socket.send(compound, *to)) {
    ++stats_.sendFailures;
    return false;
  }
  ++stats_.rtcpOut;
  return true;
}

void RtpEndpoint::onRtpDatagram(std::span<uint8_t> data, std::span<uint8_t> room,
                                const net::UdpAddress& from) {
  if (closed_) return;
  if (rtp::isRtcp(data)) {
    // RFC 5761 §4: RTCP on the RTP port (muxed, or a device that muxes anyway). Its source is where RTP
    // goes already; the RTCP latch is for the RTCP port.
    deliverRtcp(data);
    return;
  }
  if (!rtp::isRtp(data)) {
    malformed();
    return;
  }
  ++stats_.rtpIn;
  const core::TimePoint now = timers_.now();
  if (!rtpSourceAllowed(from, now)) {
    ++stats_.rtpStray;
    if (listener_.onStraySource) listener_.onStraySource();
    return;
  }
  if (!listener_.onRtp || !listener_.onRtp(data, room) || closed_) return;
  const bool switched = latchedRtp_ ? !(*latchedRtp_ == from) : !(remote_ && remote_->rtp == from);
  latchedRtp_ = from;  // the SDP's own address when nothing was latched: nothing changes
  latchedRtpHeard_ = now;
  if (!switched) return;
  ++stats_.rtpLatches;
  log().debug("SIP RTP on port {} latched to {} (SDP {})", rtpPort_, from.toString(),
              remote_ ? remote_->rtp.toString() : std::string("not known yet"));
}

bool RtpEndpoint::rtpSourceAllowed(const net::UdpAddress& from, core::TimePoint now) const {
  if (!latchedRtp_ || *latchedRtp_ == from) return true;
  if (remote_ && remote_->rtp == from) return true;  // the device at the address its SDP gives
  return now - latchedRtpHeard_ >= relatchAfterSilence_;
}

void RtpEndpoint::onRtcpDatagram(std::span<uint8_t> data, const net::UdpAddress& from) {
  if (closed_) return;
  if (!rtp::isRtcp(data)) {
    malformed();
    return;
  }
  if (!deliverRtcp(data) || closed_) return;
  if (latchedRtcp_ && *latchedRtcp_ == from) return;
  if (!(remote_ && !latchedRtcp_ && remote_->rtcp == from)) {
    ++stats_.rtcpLatches;
    log().debug("SIP RTCP on port {} latched to {}", rtcpPort(), from.toString());
  }
  latchedRtcp_ = from;
}

bool RtpEndpoint::deliverRtcp(std::span<const uint8_t> data) {
  if (!rtp::checkCompound(data)) {
    malformed();
    return false;
  }
  ++stats_.rtcpIn;
  if (listener_.onRtcp) listener_.onRtcp(data);
  return true;
}

void RtpEndpoint::malformed() {
  ++stats_.malformed;
  if (listener_.onMalformed) listener_.onMalformed();
}

void RtpEndpoint::close() {
  if (closed_) return;
  closed_ = true;
  // What the relay queued in this read batch or timer still goes out: the packets were counted as sent.
  for (auto* socket : {rtpSocket_.get(), rtcpSocket_.get()}) {
    if (socket == nullptr) continue;
    socket->flush();
    socket->close();
  }
}

}  // namespace callgate::media
