// The RTCP of one transport, both ways (RFC 3550 §6): reception statistics for every source heard, sender
// state for every source the gateway sends, a compound report (SR or RR with report blocks, then SDES CNAME)
// every interval, and the incoming compounds read: sender reports (for LSR/DLSR), reception reports on our
// sources (RTT), and the feedback that asks something of a sender (PLI, FIR, generic NACK; RFC 4585, RFC
// 5104), counted and handed to the owner, which knows where the media came from.
//
// The interval is RFC 3550 §6.3.1's deterministic part replaced by WebRTC's fixed 1 s (RFC 8108 §6.1
// and libwebrtc's audio default), randomised to [0.5, 1.5] x to avoid synchronisation (§6.3.1 step 4).
// Sans-I/O on the owner's TimerQueue.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>

#include "core/random.hpp"
#include "core/timer_queue.hpp"
#include "rtp/ntp_time.hpp"
#include "rtp/receive_statistics.hpp"

namespace callgate::media {

struct RtcpCounters {
  uint64_t compoundsIn = 0;
  uint64_t malformedIn = 0;  // compounds whose walk stopped early (what came before still counts)
  uint64_t senderReportsIn = 0;
  uint64_t receiverReportsIn = 0;
  uint64_t pliIn = 0;
  uint64_t firIn = 0;
  uint64_t nackIn = 0;         // NACK packets
  uint64_t nackedPackets = 0;  // sequence numbers asked for
  uint64_t reportsOut = 0;     // compounds sent
  std::optional<core::Duration> lastRtt;
};

class RtcpReporter {
 public:
  enum class Feedback : uint8_t { kPli, kFir, kNack };
  struct Listener {
    // A compound in `buffer` (with room after it for SRTCP), `length` bytes: protect and send it.
    std::function<void(std::span<uint8_t> buffer, size_t length)> send;
    // Feedback on `mediaSsrc` (one of ours, or not), with the raw RTCP packet for forwarding.
    std::function<void(Feedback kind, uint32_t mediaSsrc, std::span<const uint8_t> packet)> onFeedback;
  };

  RtcpReporter(core::TimerQueue& timers, core::RandomSource& random, rtp::NtpClock ntp, std::string cname,
               Listener listener, core::Duration interval = std::chrono::seconds(1));
  RtcpReporter(const RtcpReporter&) = delete;
  RtcpReporter& operator=(const RtcpReporter&) = delete;

  void start();
  void stop();

  // A source we send on, with its media clock (Hz).
  void addSender(uint32_t ssrc, uint32_t clockRate);
  // After each RTP packet sent on `ssrc`: its timestamp and payload size.
  void onSent(uint32_t ssrc, uint32_t rtpTimestamp, size_t payloadBytes);
  // After each RTP packet received (before any rewriting). Sources beyond kMaxSources are not tracked.
  void onReceived(uint32_t ssrc, uint16_t sequenceNumber, uint32_t rtpTimestamp, uint32_t clockRate);
  // A decrypted compound from the peer.
  void onRtcp(std::span<const uint8_t> compound);

  // Builds and sends one report now (also what the timer does).
  void sendReport();

  const RtcpCounters& counters() const { return counters_; }
  const rtp::ReceiveStatistics* receiveStatistics(uint32_t ssrc) const;
  static constexpr size_t kMaxSources = 32;

 private:
  struct Sender {
    uint32_t clockRate = 8000;
    uint32_t packets = 0;
    uint32_t octets = 0;
    uint32_t lastTimestamp = 0;
    core::TimePoint lastSentAt{};
    bool sentAny = false;
  };
  void schedule();

  core::TimerQueue& timers_;
  core::RandomSource& random_;
  rtp::NtpClock ntp_;
  std::string cname_;
  Listener listener_;
  core::Duration interval_;
  uint32_t reportSsrc_ = 0;  // the RR's SSRC when we send nothing: a source id of its own (RFC 3550 §6.4.2)
  std::map<uint32_t, Sender> senders_;
  std::map<uint32_t, rtp::ReceiveStatistics> receivers_;
  RtcpCounters counters_;
  core::Timer timer_;
  bool running_ = false;
};

}  // namespace callgate::media
