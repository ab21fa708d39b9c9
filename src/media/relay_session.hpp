// The media plane of a WebRTC <-> SIP call when both legs agree on the codec (ARCHITECTURE.md §4: the relay
// is the fast path, no decoding): one audio stream between the client's WebRTC leg (ICE-lite, DTLS-SRTP,
// rtcp-mux, one transport) and the SIP side's plain RTP (RtpEndpoint, symmetric RTP).
//
//   client ─SRTP─► WebRtcEndpoint ─► RTP ─► payload type webrtc->sip, SSRC sipSsrc, sequence and timestamp
//                                           continued across source changes ─► RtpEndpoint ─RTP─► SIP side
//   SIP side ─RTP─► RtpEndpoint ─► payload type sip->webrtc, SSRC webrtcSsrc, ... ─► SRTP in place ─► client
//
// RTCP is terminated on each leg, not forwarded: each has its own RtcpReporter (SR for what the gateway
// sends there, RR blocks for what it receives there). The legs are two RTP sessions with their own sources,
// sequence spaces and loss; reports passed through would describe SSRCs and sequence numbers the other side
// never saw (RFC 3550 §7.2: a translator that changes them must rewrite the reports accordingly).
//
// Packets that cannot go on are dropped and counted by reason (RelayStats, and the gateway-wide
// MediaCounters): a payload type not negotiated, no destination yet (the SIP side's SDP not known, the
// client not connected, the SIP side on hold), a malformed packet from the SIP side, a send the socket or
// SRTP refused. Nothing from the network is fatal.
//
// Created, used and destroyed on one net::MediaThread; the listener is called there. The listener may call
// close() inside a callback, never destroy the session (STYLE.md).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/timer_queue.hpp"
#include "media/media_counters.hpp"
#include "media/rtcp_reporter.hpp"
#include "media/rtp_endpoint.hpp"
#include "media/shared_udp_port.hpp"
#include "media/webrtc_endpoint.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/stream_rewriter.hpp"

namespace callgate::media {

// One negotiated codec of the relay: the same codec under each leg's payload type (audio codec,
// telephone-event).
struct PayloadMapping {
  uint8_t webrtc = 0;
  uint8_t sip = 0;
  uint32_t clockRate = 8000;
};

struct RelayConfig {
  WebRtcEndpointConfig webrtc;  // the client leg: addresses, ports, ICE/DTLS timeouts
  std::string sipBindAddress = "127.0.0.1";
  std::string sipPublicAddress;               // put in the SIP SDP; empty: sipBindAddress
  uint16_t portMin = 20000, portMax = 29999;  // for the SIP leg's RTP/RTCP pair
  // No RTP from a leg for this long once started: onFailed("Failed by RTP activity"); 0: never.
  core::Duration rtpTimeout{};
  // The SIP leg's RTP latch is strict (RtpEndpoint): another source takes it only after the latched one has
  // been silent this long, or from the SDP's address.
  core::Duration sipRelatchAfterSilence = std::chrono::seconds(1);
  std::string cname = "callgate";
};

// What the SDPs need, fixed at create().
struct RelayLocal {
  webrtc::ice::IceCredentials ice;  // the WebRTC leg's ufrag/pwd
  std::string webrtcAddress;
  uint16_t webrtcPort = 0;
  std::string sipAddress;
  uint16_t sipRtpPort = 0;  // RTCP is sipRtpPort+1 unless muxed
  uint32_t webrtcSsrc = 0;  // the SSRC we send to the client under
  uint32_t sipSsrc = 0;     // the SSRC we send to the SIP side under
};

struct RelayStats {
  uint64_t toSip = 0, toWebRtc = 0;
  uint64_t droppedUnknownPt = 0, droppedNoRemote = 0, droppedMalformed = 0;
  uint64_t droppedStraySource = 0;  // SIP-leg RTP from another source while the latched one is live
  webrtc::TransportStats webrtc;
  RtcpCounters webrtcRtcp, sipRtcp;
  uint64_t sipRtpIn = 0, sipRtpOut = 0;
  // Beyond the gateway's interface:
  uint64_t droppedSendFailed = 0;  // the socket or SRTP protect refused the packet
  uint64_t droppedLate = 0;        // a late packet of a source from before a switch, with no number left
  uint64_t activityChecks = 0;     // once-a-second checks run since start()
  RtpEndpointStats sip;
};

// The RTP-activity rule (the WCS "Failed by RTP activity"): a leg that should be sending and has sent no RTP
// for `timeout` is taken to be gone. Sans-I/O: the media path only counts packets (no clock read per
// packet), and the owner calls check() once a period; a packet counts as arriving at the first check that
// sees it, so a verdict may come up to one period late, never early.
class RtpActivity {
 public:
  enum class Leg : uint8_t { kClient, kSip };
  struct Silence {
    Leg leg;
    core::Duration silentFor;
  };

  // `timeout` 0: never judged.
  explicit RtpActivity(core::Duration timeout) : timeout_(timeout) {}

  // Every judged leg is measured from `now` (its first packet is awaited from here).
  void start(core::TimePoint now);
  void onRtp(Leg leg) { ++legs_[index(leg)].packets; }
  // Whether `leg` is judged (a held SIP leg, or one without an address yet, is not). A leg judged again is
  // measured from `now`.
  void setJudged(Leg leg, bool judged, core::TimePoint now);
  // The first judged leg (client first) silent for `timeout` or longer as of `now`.
  std::optional<Silence> check(core::TimePoint now);

 private:
  struct State {
    uint64_t packets = 0;
    uint64_t packetsSeen = 0;  // at the last check
    core::TimePoint lastActive{};
    bool judged = true;
  };
  static size_t index(Leg leg) { return leg == Leg::kClient ? 0 : 1; }

  core::Duration timeout_;
  std::array<State, 2> legs_{};
  bool started_ = false;
};

class RelaySession {
 public:
  struct Listener {
    std::function<void()> onConnected;  // the WebRTC leg connected (ICE + DTLS)
    // Once: the WCS call info ("Failed by ICE error", "Failed by DTLS fingerprint error", "Failed by DTLS
    // error", "Failed by RTP activity") and details.
    std::function<void(const std::string& info, const std::string& reason)> onFailed;
  };

  // Opens both legs' sockets. `counters` (may be null) are the gateway-wide /metrics counters: rtpToSip and
  // rtpToWebRtc per relayed RTP packet and drop(reason) per dropped one (relaxed atomics); the WebRTC
  // transport's own drops are added as kWebRtcTransport once a second and at close().
  static core::Result<std::unique_ptr<RelaySession>> create(
      net::MediaThread& thread, const RelayConfig& config,
      std::shared_ptr<const webrtc::dtls::DtlsCertificate> cert, SharedUdpPort* shared,
      MediaCounters* counters, Listener listener);
  ~RelaySession();
  RelaySession(const RelaySession&) = delete;
  RelaySession& operator=(const RelaySession&) = delete;

  const RelayLocal& local() const { return local_; }

  // The client's ICE credentials and fingerprint (from its offer or its answer), and our DTLS role. Errors
  // name the bad fingerprint. Call before start().
  core::Result<void> setWebRtcRemote(webrtc::ice::IceCredentials remote, std::string_view fingerprintHash,
                                     std::string_view fingerprintValue, webrtc::dtls::DtlsRole ourRole);
  // Where the SIP side receives (from its SDP); may be called again (re-INVITE). An address "0.0.0.0" (or
  // "::") or port 0: send nothing to the SIP side (held) and don't judge its RTP silence. `rtcpPort`: RFC
  // 3605 a=rtcp, else rtpPort + 1; unused when `rtcpMux`. An address that is not a numeric IP is treated as
  // held (and logged): the SDP layer resolves names.
  void setSipRemote(const std::string& address, uint16_t rtpPort, std::optional<uint16_t> rtcpPort,
                    bool rtcpMux);
  // The codecs; packets with other payload types are dropped and counted. May be called before or after
  // start(). The first mapping's clock rate is the one the RTCP sender reports use.
  void setPayloads(std::vector<PayloadMapping> payloads);
  // Starts the WebRTC leg (ICE/DTLS timers start here, not at create: an incoming call may ring a long time
  // before the client's answer gives its credentials), RTCP on both legs, and the RTP-activity check.
  void start();
  void close();  // idempotent; nothing is delivered after
  RelayStats stats() const;
  bool connected() const;
  // Whether the SIP side is on hold (or has no usable address yet): nothing is sent to it.
  bool sipHeld() const { return !sipSendable(); }

 private:
  // One direction's rewriting: the outgoing stream's sequence numbers and timestamps (RFC 3550 §5.1:
  // random starts) continued across source changes.
  struct Direction {
    Direction(uint16_t firstSequence, uint32_t firstTimestamp)
        : sequence(firstSequence), timestamp(firstTimestamp) {}
    rtp::SequenceRewriter sequence;
    rtp::TimestampRewriter timestamp;
    core::TimePoint lastSentAt{};
    bool sentAny = false;
  };
  static constexpr int16_t kNoMapping = -1;

  RelaySession(net::MediaThread& thread, const RelayConfig& config, MediaCounters* counters,
               Listener listener);
  void onClientRtp(std::span<uint8_t> packet);
  bool onSipRtp(std::span<uint8_t> packet, std::span<uint8_t> room);
  // Maps and rewrites `packet` for the other leg; false when the rewriter drops it (late, no number left).
  bool rewrite(Direction& direction, rtp::MutableRtpPacket& packet, uint8_t payloadType, uint32_t ssrc,
               uint32_t clockRate, core::TimePoint now);
  bool sipSendable() const { return sipRemoteSet_ && !sipHeld_; }
  void drop(MediaDrop reason);
  void onConnected();
  void fail(const std::string& info, const std::string& reason);
  void tick();
  void syncTransportDrops();

  net::MediaThread& thread_;
  RelayConfig config_;
  MediaCounters* counters_;
  int64_t portsHeld_ = 0;  // counted in counters_->relayPortsOpen until close()
  Listener listener_;
  RelayLocal local_;
  std::unique_ptr<RtcpReporter> webrtcReporter_;
  std::unique_ptr<RtcpReporter> sipReporter_;
  std::unique_ptr<WebRtcEndpoint> webrtc_;
  std::unique_ptr<RtpEndpoint> sip_;
  std::vector<PayloadMapping> payloads_;
  std::array<int16_t, 128> fromWebRtc_{};  // payload type -> index in payloads_, or kNoMapping
  std::array<int16_t, 128> fromSip_{};
  Direction toSip_;
  Direction toWebRtc_;
  RtpActivity activity_;
  core::Timer tick_;
  uint64_t toSipCount_ = 0, toWebRtcCount_ = 0;
  uint64_t droppedUnknownPt_ = 0, droppedNoRemote_ = 0, droppedMalformed_ = 0, droppedSendFailed_ = 0,
           droppedStraySource_ = 0, droppedLate_ = 0;
  uint64_t activityChecks_ = 0;
  uint64_t transportDropsReported_ = 0;  // of webrtc_->stats().droppedTotal(), added to counters_
  bool sipRemoteSet_ = false;
  bool sipHeld_ = false;
  bool started_ = false;
  bool failed_ = false;
  bool closed_ = false;
};

}  // namespace callgate::media
