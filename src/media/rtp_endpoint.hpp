// The SIP side's plain RTP/RTCP for one call (ARCHITECTURE.md §5): a UDP socket pair on an even port P
// (RTP, RFC 3550 §11) and P + 1 (RTCP) from a port range, on one media thread. RTCP goes to P + 1, or to P
// when rtcp-mux is agreed (RFC 5761), and the RTP socket always tells RTCP from RTP by RFC 5761 §4.
//
//   RTP socket (P)       ─► RTCP types 64-95 ─► checkCompound ─► Listener::onRtcp
//                        └► RTP ─► Listener::onRtp ─► true: latch RTP to the packet's source
//   RTCP socket (P + 1)  ─► checkCompound ─► Listener::onRtcp, latch RTCP to the source
//   anything else        ─► Listener::onMalformed (counted; never fatal)
//
//   sendRtp  ─► RTP socket  ─► the latched RTP source, else the SDP's RTP address
//   sendRtcp ─► RTCP socket ─► the latched RTCP source, else the SDP's RTCP address
//               (muxed: from the RTP socket to where RTP goes)
//
// Symmetric RTP (RFC 4961, ARCHITECTURE.md §5): a device behind a NAT sends from an address other than the
// one its SDP gives, and only packets sent back to that source reach it, so what we send goes to where the
// call's media actually comes from. setRemote() with a new address forgets what was latched for it (a
// re-INVITE to another device). Packets are always sent from the socket they are received on.
//
// The latch is strict (ADR 9): once RTP is latched to a source, RTP from any other source is dropped before
// it is read (Listener::onStraySource), unless it comes from the SDP's own RTP address or the latched source
// has sent no media for `relatchAfterSilence` (a NAT that rebinds). Someone who sprays RTP at the port range
// can then neither take a live call's audio nor inject into it ("RTP bleed"). RTCP follows the latest
// source: it is terminated here and only feeds the reports.
//
// Created, used and destroyed on one media thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/timer_queue.hpp"
#include "net/media_thread.hpp"
#include "net/udp_batch_socket.hpp"

namespace callgate::media {

struct RtpEndpointConfig {
  std::string bindAddress = "127.0.0.1";
  // The RTP port is even and in [portMin, portMax - 1], RTCP the next one. 0 and 0: ports the kernel picks.
  uint16_t portMin = 20000;
  uint16_t portMax = 29999;
  // How long the latched RTP source must have sent no media before another source may take the latch.
  core::Duration relatchAfterSilence = std::chrono::seconds(1);
};

struct RtpEndpointStats {
  uint64_t rtpIn = 0;
  uint64_t rtcpIn = 0;     // compounds, either socket
  uint64_t malformed = 0;  // datagrams that are neither RTP nor a valid RTCP compound
  uint64_t rtpOut = 0;
  uint64_t rtcpOut = 0;
  uint64_t noDestination = 0;  // sends refused: no remote address yet
  uint64_t sendFailures = 0;   // sends the socket refused (closed, queue full)
  uint64_t rtpLatches = 0;     // RTP destination switched to a source other than the one used before
  uint64_t rtpStray = 0;       // RTP dropped: from another source while the latched one was live
  uint64_t rtcpLatches = 0;
};

// Where the SIP side receives, from its SDP (RFC 4566 c= and m= port, RFC 3605 a=rtcp, RFC 5761 a=rtcp-mux).
struct RtpRemote {
  net::UdpAddress rtp;
  net::UdpAddress rtcp;  // ignored when rtcpMux
  bool rtcpMux = false;
};

class RtpEndpoint {
 public:
  struct Listener {
    // An RTP datagram (rtp::isRtp: version 2, at least the fixed header) at the start of `room`, the
    // receive buffer the callee may rewrite in place (with room past the datagram for an SRTP tag). Returns
    // true when the packet is the call's media (it parsed, its payload type was negotiated): RTP is then
    // latched to its source.
    std::function<bool(std::span<uint8_t> packet, std::span<uint8_t> room)> onRtp;
    // An RTCP compound whose packet headers are valid (rtp::checkCompound), from either socket.
    std::function<void(std::span<const uint8_t> compound)> onRtcp;
    // A datagram that was neither; for the owner's drop counters.
    std::function<void()> onMalformed;
    // RTP dropped unread: it came from a source other than the latched one while that one was live.
    std::function<void()> onStraySource;
  };

  // Binds the pair on `config.bindAddress`. Errors name the address and the range.
  static core::Result<std::unique_ptr<RtpEndpoint>> open(net::MediaThread& thread,
                                                         const RtpEndpointConfig& config, Listener listener);
  ~RtpEndpoint();
  RtpEndpoint(const RtpEndpoint&) = delete;
  RtpEndpoint& operator=(const RtpEndpoint&) = delete;

  uint16_t rtpPort() const { return rtpPort_; }
  uint16_t rtcpPort() const { return static_cast<uint16_t>(rtpPort_ + 1); }

  // The SDP's addresses; may be called again (re-INVITE). An address that changed forgets its latch.
  void setRemote(const RtpRemote& remote);
  bool hasRemote() const { return remote_.has_value(); }
  bool rtcpMux() const { return remote_ && remote_->rtcpMux; }

  // Where RTP and RTCP go now (the latched source, else the SDP's address); nullopt before setRemote().
  std::optional<net::UdpAddress> rtpDestination() const;
  std::optional<net::UdpAddress> rtcpDestination() const;

  // Queue one datagram (copied) for the socket's next flush. False, and counted, without a destination or
  // when the socket refuses it.
  bool sendRtp(std::span<const uint8_t> packet);
  bool sendRtcp(std::span<const uint8_t> compound);

  // Closes both sockets. Idempotent; nothing is delivered after.
  void close();

  const RtpEndpointStats& stats() const { return stats_; }
  const net::UdpSocketStats& rtpSocketStats() const { return rtpSocket_->stats(); }
  const net::UdpSocketStats& rtcpSocketStats() const { return rtcpSocket_->stats(); }

 private:
  RtpEndpoint(core::TimerQueue& timers, core::Duration relatchAfterSilence, Listener listener)
      : timers_(timers), relatchAfterSilence_(relatchAfterSilence), listener_(std::move(listener)) {}
  bool rtpSourceAllowed(const net::UdpAddress& from, core::TimePoint now) const;
  void onRtpDatagram(std::span<uint8_t> data, std::span<uint8_t> room, const net::UdpAddress& from);
  void onRtcpDatagram(std::span<uint8_t> data, const net::UdpAddress& from);
  bool deliverRtcp(std::span<const uint8_t> data);
  void malformed();

  core::TimerQueue& timers_;
  core::Duration relatchAfterSilence_;
  Listener listener_;
  std::unique_ptr<net::UdpBatchSocket> rtpSocket_;
  std::unique_ptr<net::UdpBatchSocket> rtcpSocket_;
  uint16_t rtpPort_ = 0;
  std::optional<RtpRemote> remote_;
  std::optional<net::UdpAddress> latchedRtp_;
  core::TimePoint latchedRtpHeard_{};  // the latched source's last media
  std::optional<net::UdpAddress> latchedRtcp_;
  RtpEndpointStats stats_;
  bool closed_ = false;
};

}  // namespace callgate::media
