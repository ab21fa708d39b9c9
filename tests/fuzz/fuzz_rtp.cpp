// libFuzzer target for the rtp layer: the RFC 7983 classifier, the RTP view (CSRCs, RFC 8285 extension
// elements, payload and padding bounds), in-place rewriting of a copy and its re-parse, every RTCP view of
// a compound datagram, and the receive statistics and rewriters fed with the input's sequence numbers.
// Nothing may crash or read out of bounds (ASan, UBSan); any broken property aborts with __builtin_trap so
// the fuzzer records the input.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "rtp/demux.hpp"
#include "rtp/receive_statistics.hpp"
#include "rtp/rtcp_bye.hpp"
#include "rtp/rtcp_nack.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_payload_feedback.hpp"
#include "rtp/rtcp_report.hpp"
#include "rtp/rtcp_sdes.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/stream_rewriter.hpp"

namespace {

using namespace callgate::rtp;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// Keeps the optimizer from dropping reads whose only purpose is to be checked by the sanitizers.
volatile uint64_t sink;

bool inside(std::span<const uint8_t> part, std::span<const uint8_t> whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void fuzzRtp(std::span<const uint8_t> input) {
  auto packet = RtpPacket::parse(input);
  if (!packet) {
    check(!packet.error().empty());
    return;
  }
  // The parts add up to the packet and lie inside it.
  check(packet->headerSize() + packet->payload().size() + packet->paddingSize() == input.size());
  check(inside(packet->payload(), input) && inside(packet->extensionData(), input));
  uint64_t acc = packet->sequenceNumber() + packet->timestamp() + packet->ssrc() + packet->payloadType();
  for (size_t i = 0; i < packet->csrcCount(); ++i) acc += packet->csrc(i);
  HeaderExtensionIterator it = packet->extensions();
  while (auto element = it.next()) {
    check(element->id != 0);
    check(inside(element->data, packet->extensionData()));
    for (uint8_t b : element->data) acc += b;
  }
  for (uint8_t b : packet->payload()) acc += b;
  sink = acc;
  (void)packet->findExtension(static_cast<uint8_t>(acc));

  // Rewrite a copy as the relay path does, with values taken from the input, and parse it again.
  std::vector<uint8_t> copy(input.begin(), input.end());
  auto writable = MutableRtpPacket::parse(copy);
  check(writable.ok());
  const uint32_t ssrc = ~packet->ssrc();
  const auto seq = static_cast<uint16_t>(packet->sequenceNumber() * 31 + 7);
  const uint32_t ts = packet->timestamp() ^ 0x5a5a5a5a;
  const auto pt = static_cast<uint8_t>((packet->payloadType() + 1) & 0x7f);
  const bool marker = !packet->marker();
  writable->setSsrc(ssrc);
  writable->setSequenceNumber(seq);
  writable->setTimestamp(ts);
  writable->setPayloadType(pt);
  writable->setMarker(marker);
  auto again = RtpPacket::parse(copy);
  check(again.ok());
  check(again->ssrc() == ssrc && again->sequenceNumber() == seq && again->timestamp() == ts);
  check(again->payloadType() == pt && again->marker() == marker);
  check(again->headerSize() == packet->headerSize() && again->paddingSize() == packet->paddingSize());
  check(std::memcmp(copy.data() + 12, input.data() + 12, input.size() - 12) == 0);
}

void walkReportBlocks(size_t count, auto&& block) {
  uint64_t acc = 0;
  for (size_t i = 0; i < count; ++i) {
    const ReportBlock b = block(i);
    acc += b.ssrc + b.jitter + b.lastSenderReport + static_cast<uint32_t>(b.cumulativeLost);
  }
  sink = acc;
}

void fuzzRtcp(std::span<const uint8_t> input) {
  RtcpIterator it(input);
  size_t total = 0;
  while (auto packet = it.next()) {
    total += packet->size();
    check(inside(packet->bytes(), input) && inside(packet->body(), packet->bytes()));
    switch (packet->type()) {
      case rtcp::kSenderReport:
        if (auto sr = SenderReport::parse(*packet)) {
          sink = sr->senderInfo().ntp.value();
          walkReportBlocks(sr->reportCount(), [&](size_t i) { return sr->reportBlock(i); });
          check(inside(sr->profileExtension(), packet->body()));
        }
        break;
      case rtcp::kReceiverReport:
        if (auto rr = ReceiverReport::parse(*packet)) {
          walkReportBlocks(rr->reportCount(), [&](size_t i) { return rr->reportBlock(i); });
          check(inside(rr->profileExtension(), packet->body()));
        }
        break;
      case rtcp::kSourceDescription:
        if (auto sdes = SourceDescription::parse(*packet)) {
          SdesItemIterator items = sdes->items();
          size_t length = 0;
          while (auto item = items.next()) length += item->text.size();
          check(items.error().empty());  // parse walked the same items
          sink = length;
          (void)sdes->cname(0);
        }
        break;
      case rtcp::kBye:
        if (auto bye = Bye::parse(*packet)) {
          uint64_t acc = bye->reason().size();
          for (size_t i = 0; i < bye->sourceCount(); ++i) acc += bye->source(i);
          sink = acc;
        }
        break;
      case rtcp::kRtpFeedback:
        if (auto nack = Nack::parse(*packet)) {
          size_t lost = 0;
          nack->forEachLost([&](uint16_t) { ++lost; });
          size_t expected = 0;
          for (size_t i = 0; i < nack->itemCount(); ++i) expected += nack->item(i).lostCount();
          check(lost == expected);
        }
        break;
      case rtcp::kPayloadFeedback:
        if (auto pli = Pli::parse(*packet)) sink = pli->senderSsrc();
        if (auto fir = Fir::parse(*packet)) {
          for (size_t i = 0; i < fir->entryCount(); ++i) sink = fir->entry(i).ssrc;
        }
        if (auto remb = Remb::parse(*packet)) {
          uint64_t acc = remb->bitrate();
          for (size_t i = 0; i < remb->ssrcCount(); ++i) acc += remb->ssrc(i);
          sink = acc;
        }
        break;
      default:
        break;  // APP, XR and the rest are skipped
    }
  }
  // Either every byte was consumed or the walk says why not.
  check(it.error().empty() == (total == input.size() && !input.empty()));
}

// The input's 16-bit words as a stream of sequence numbers: receive statistics, the relay rewriters, and the
// NACK packing, whose expansion must give back exactly the numbers it was given (in first-seen order).
void fuzzSequences(std::span<const uint8_t> input) {
  std::vector<uint16_t> seqs;
  for (size_t i = 0; i + 1 < input.size(); i += 2)
    seqs.push_back(static_cast<uint16_t>(input[i] << 8 | input[i + 1]));
  ReceiveStatistics stats(8000);
  SequenceRewriter seqRewriter(1000);
  TimestampRewriter tsRewriter(5000);
  callgate::core::TimePoint arrival{};
  for (size_t i = 0; i < seqs.size(); ++i) {
    const uint16_t seq = seqs[i];
    const uint32_t ssrc = seq >> 13;  // a few "sources" that switch
    arrival += std::chrono::microseconds(seq);
    stats.onPacket(seq, static_cast<uint32_t>(seq) * 160, arrival);
    (void)seqRewriter.rewrite(ssrc, seq);
    (void)tsRewriter.rewrite(ssrc, static_cast<uint32_t>(seq) * 160, seq);
  }
  sink = stats.extendedHighestSequence() + static_cast<uint64_t>(stats.cumulativeLost()) + stats.jitter() +
         stats.takeFractionLost();

  std::vector<NackItem> items(seqs.size());
  auto count = buildNackItems(seqs, items);
  check(count.ok());
  std::vector<uint16_t> expanded;
  for (size_t i = 0; i < *count; ++i) items[i].forEachLost([&](uint16_t s) { expanded.push_back(s); });
  // Every input number is covered, and nothing else.
  std::sort(seqs.begin(), seqs.end());
  seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
  std::sort(expanded.begin(), expanded.end());
  expanded.erase(std::unique(expanded.begin(), expanded.end()), expanded.end());
  check(seqs == expanded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  const PacketClass c = classify(input);
  check(!(isRtp(input) && isRtcp(input)));
  check(!isRtp(input) || c == PacketClass::kRtpOrRtcp);
  sink = static_cast<uint64_t>(c);
  fuzzRtp(input);
  fuzzRtcp(input);
  if (size <= 512) fuzzSequences(input);
  return 0;
}
