#include "media/rtcp_reporter.hpp"

#include <array>
#include <vector>

#include "rtp/rtcp_compound_writer.hpp"
#include "rtp/rtcp_nack.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_payload_feedback.hpp"
#include "rtp/rtcp_report.hpp"

namespace callgate::media {
namespace {
constexpr size_t kMaxBlocks = 31;  // RFC 3550 §6.4.1: the 5-bit RC
}  // namespace

RtcpReporter::RtcpReporter(core::TimerQueue& timers, core::RandomSource& random, rtp::NtpClock ntp,
                           std::string cname, Listener listener, core::Duration interval)
    : timers_(timers),
      random_(random),
      ntp_(ntp),
      cname_(std::move(cname)),
      listener_(std::move(listener)),
      interval_(interval),
      timer_(timers) {
  do {
    reportSsrc_ = static_cast<uint32_t>(random_.next64());
  } while (reportSsrc_ == 0);
}

void RtcpReporter::start() {
  if (running_) return;
  running_ = true;
  schedule();
}

void RtcpReporter::stop() {
  running_ = false;
  timer_.cancel();
}

void RtcpReporter::schedule() {
  // RFC 3550 §6.3.1: the interval times a random factor in [0.5, 1.5].
  const double factor = 0.5 + static_cast<double>(random_.next64() % 1001) / 1000.0;
  const auto delay = std::chrono::duration_cast<core::Duration>(interval_ * factor);
  timer_.start(delay, [this] {
    if (!running_) return;
    sendReport();
    schedule();
  });
}

void RtcpReporter::addSender(uint32_t ssrc, uint32_t clockRate) {
  senders_[ssrc].clockRate = clockRate;
}

void RtcpReporter::onSent(uint32_t ssrc, uint32_t rtpTimestamp, size_t payloadBytes) {
  auto it = senders_.find(ssrc);
  if (it == senders_.end()) return;
  Sender& s = it->second;
  ++s.packets;
  s.octets += static_cast<uint32_t>(payloadBytes);
  s.lastTimestamp = rtpTimestamp;
  s.lastSentAt = timers_.now();
  s.sentAny = true;
}

void RtcpReporter::onReceived(uint32_t ssrc, uint16_t sequenceNumber, uint32_t rtpTimestamp,
                              uint32_t clockRate) {
  auto it = receivers_.find(ssrc);
  if (it == receivers_.end()) {
    if (receivers_.size() >= kMaxSources) return;
    it = receivers_.emplace(ssrc, rtp::ReceiveStatistics(clockRate)).first;
  }
  it->second.onPacket(sequenceNumber, rtpTimestamp, timers_.now());
}

const rtp::ReceiveStatistics* RtcpReporter::receiveStatistics(uint32_t ssrc) const {
  auto it = receivers_.find(ssrc);
  return it == receivers_.end() ? nullptr : &it->second;
}

void RtcpReporter::onRtcp(std::span<const uint8_t> compound) {
  ++counters_.compoundsIn;
  const core::TimePoint now = timers_.now();
  rtp::RtcpIterator it(compound);
  while (auto packet = it.next()) {
    switch (packet->type()) {
      case rtp::rtcp::kSenderReport: {
        auto sr = rtp::SenderReport::parse(*packet);
        if (!sr) break;
        ++counters_.senderReportsIn;
        if (auto r = receivers_.find(sr->ssrc()); r != receivers_.end()) {
          r->second.onSenderReport(sr->senderInfo().ntp, now);
        }
        for (size_t i = 0; i < sr->reportCount(); ++i) {
          const rtp::ReportBlock b = sr->reportBlock(i);
          if (senders_.count(b.ssrc) != 0) {
            if (auto rtt = rtp::roundTripTime(ntp_.at(now).compact(), b.lastSenderReport,
                                              b.delaySinceLastSenderReport)) {
              counters_.lastRtt = rtt;
            }
          }
        }
        break;
      }
      case rtp::rtcp::kReceiverReport: {
        auto rr = rtp::ReceiverReport::parse(*packet);
        if (!rr) break;
        ++counters_.receiverReportsIn;
        for (size_t i = 0; i < rr->reportCount(); ++i) {
          const rtp::ReportBlock b = rr->reportBlock(i);
          if (senders_.count(b.ssrc) != 0) {
            if (auto rtt = rtp::roundTripTime(ntp_.at(now).compact(), b.lastSenderReport,
                                              b.delaySinceLastSenderReport)) {
              counters_.lastRtt = rtt;
            }
          }
        }
        break;
      }
      case rtp::rtcp::kPayloadFeedback:
        if (packet->count() == rtp::rtcp::kFmtPli) {
          if (auto pli = rtp::Pli::parse(*packet)) {
            ++counters_.pliIn;
            if (listener_.onFeedback) listener_.onFeedback(Feedback::kPli, pli->mediaSsrc(), packet->bytes());
          }
        } else if (packet->count() == rtp::rtcp::kFmtFir) {
          if (auto fir = rtp::Fir::parse(*packet)) {
            ++counters_.firIn;
            for (size_t i = 0; i < fir->entryCount(); ++i) {
              if (listener_.onFeedback)
                listener_.onFeedback(Feedback::kFir, fir->entry(i).ssrc, packet->bytes());
            }
          }
        }
        break;
      case rtp::rtcp::kRtpFeedback:
        if (packet->count() == rtp::rtcp::kFmtNack) {
          if (auto nack = rtp::Nack::parse(*packet)) {
            ++counters_.nackIn;
            nack->forEachLost([this](uint16_t) { ++counters_.nackedPackets; });
            if (listener_.onFeedback)
              listener_.onFeedback(Feedback::kNack, nack->mediaSsrc(), packet->bytes());
          }
        }
        break;
      default:
        break;  // SDES, BYE, APP, XR: nothing the gateway acts on
    }
  }
  if (!it.error().empty()) ++counters_.malformedIn;
}

void RtcpReporter::sendReport() {
  if (!listener_.send) return;
  const core::TimePoint now = timers_.now();
  std::vector<rtp::ReportBlock> blocks;
  for (auto& [ssrc, stats] : receivers_) {
    if (blocks.size() == kMaxBlocks) break;
    if (!stats.valid()) continue;
    blocks.push_back(stats.makeReportBlock(ssrc, now));
  }
  // 1200 bytes of report plus the SRTCP trailer: the largest needs 31 blocks (752 + SDES), well inside.
  std::array<uint8_t, 1200 + 64> buffer{};
  rtp::RtcpCompoundWriter writer(std::span<uint8_t>(buffer).first(1200));
  uint32_t cnameSsrc = reportSsrc_;
  bool first = true;
  for (auto& [ssrc, s] : senders_) {
    if (!s.sentAny) continue;
    // RFC 3550 §6.4.1: the RTP timestamp of the SR instant, extrapolated from the last packet sent.
    const auto since = now - s.lastSentAt;
    const auto ticks = std::chrono::duration_cast<std::chrono::microseconds>(since).count() *
                       static_cast<int64_t>(s.clockRate) / 1000000;
    rtp::SenderInfo info{ssrc, ntp_.at(now), s.lastTimestamp + static_cast<uint32_t>(ticks), s.packets,
                         s.octets};
    if (first) {
      writer.senderReport(info, blocks);
      cnameSsrc = ssrc;
      first = false;
    } else {
      writer.senderReport(info);
    }
  }
  if (first) writer.receiverReport(reportSsrc_, blocks);
  writer.sdesCname(cnameSsrc, cname_);
  auto size = writer.finish();
  if (!size) return;
  ++counters_.reportsOut;
  listener_.send(std::span<uint8_t>(buffer), *size);
}

}  // namespace callgate::media
