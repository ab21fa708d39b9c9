// RTP relay path throughput: parse a 172-byte G.711 packet (12-byte header, 160 bytes = 20 ms at 8 kHz) in
// its receive buffer and rewrite SSRC, sequence number and timestamp in place, as the relay does for every
// packet between SRTP unprotect and protect. Also the same with the sequence / timestamp rewriters that
// map a switching source onto one outgoing stream, and an RTCP SR+SDES compound walk.
// Run: build/bench/callgate_bench --benchmark_filter='Rtp|Rtcp'   (packets/s in the "packets" column)
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>

#include "rtp/rtcp_compound_writer.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_report.hpp"
#include "rtp/rtcp_sdes.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/stream_rewriter.hpp"

namespace {

using namespace callgate::rtp;

constexpr size_t kPacketSize = 172;

std::array<uint8_t, kPacketSize> g711Packet() {
  std::array<uint8_t, kPacketSize> packet{};
  std::array<uint8_t, 160> payload{};
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(0xd5 ^ i);
  const RtpHeader header{
      .marker = false, .payloadType = 8, .sequenceNumber = 4242, .timestamp = 160000, .ssrc = 0x11223344};
  auto written = writeRtpPacket(packet, header, payload);
  (void)written;
  return packet;
}

void countPackets(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPacketSize));
  state.counters["packets"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void RtpParse(benchmark::State& state) {
  const auto packet = g711Packet();
  for (auto _ : state) {
    benchmark::DoNotOptimize(packet.data());
    auto parsed = RtpPacket::parse(packet);
    if (!parsed) state.SkipWithError("the G.711 packet did not parse");
    benchmark::DoNotOptimize(parsed);
  }
  countPackets(state);
}
BENCHMARK(RtpParse);

// The figure: parse, then rewrite SSRC, sequence number and timestamp in place.
void RtpParseRewrite(benchmark::State& state) {
  auto packet = g711Packet();
  uint16_t seq = 1000;
  uint32_t ts = 50000;
  for (auto _ : state) {
    benchmark::DoNotOptimize(packet.data());
    auto parsed = MutableRtpPacket::parse(packet);
    if (!parsed) {
      state.SkipWithError("the G.711 packet did not parse");
      break;
    }
    parsed->setSsrc(0xcafebabe);
    parsed->setSequenceNumber(seq++);
    parsed->setTimestamp(ts += 160);
    benchmark::ClobberMemory();
  }
  countPackets(state);
}
BENCHMARK(RtpParseRewrite);

// Parse and rewrite through SequenceRewriter / TimestampRewriter: what the relay does for a leg whose source
// may switch (incoming numbers as the sender wrote them, outgoing continuous).
void RtpRelayRewrite(benchmark::State& state) {
  auto packet = g711Packet();
  SequenceRewriter seqRewriter(1000);
  TimestampRewriter tsRewriter(50000);
  uint16_t inSeq = 4242;
  uint32_t inTs = 160000;
  for (auto _ : state) {
    // The sender's next packet arrives in the buffer (its own SSRC, sequence number and timestamp).
    packet[8] = 0x11;
    packet[9] = 0x22;
    packet[10] = 0x33;
    packet[11] = 0x44;
    packet[2] = static_cast<uint8_t>(inSeq >> 8);
    packet[3] = static_cast<uint8_t>(inSeq);
    packet[4] = static_cast<uint8_t>(inTs >> 24);
    packet[5] = static_cast<uint8_t>(inTs >> 16);
    packet[6] = static_cast<uint8_t>(inTs >> 8);
    packet[7] = static_cast<uint8_t>(inTs);
    ++inSeq;
    inTs += 160;
    benchmark::DoNotOptimize(packet.data());
    auto parsed = MutableRtpPacket::parse(packet);
    if (!parsed) {
      state.SkipWithError("the G.711 packet did not parse");
      break;
    }
    const RtpPacket& view = parsed->view();
    const auto seq = seqRewriter.rewrite(view.ssrc(), view.sequenceNumber());
    if (!seq) {
      state.SkipWithError("the rewriter dropped an in-order packet");
      break;
    }
    const uint32_t ts = tsRewriter.rewrite(view.ssrc(), view.timestamp(), 160);
    parsed->setSsrc(0xcafebabe);
    parsed->setSequenceNumber(*seq);
    parsed->setTimestamp(ts);
    benchmark::ClobberMemory();
  }
  countPackets(state);
}
BENCHMARK(RtpRelayRewrite);

// An SR + SDES CNAME compound as Chrome sends it: walk it, read the sender info and the CNAME.
void RtcpParseSrSdes(benchmark::State& state) {
  std::array<uint8_t, 128> buffer{};
  RtcpCompoundWriter writer(buffer);
  const SenderInfo info{0x5d931534, NtpTime{3711615412u, 1985245553u}, 577280, 3608, 577280};
  writer.senderReport(info).sdesCname(info.ssrc, "t7mkYnCm46OcINy/");
  const auto size = writer.finish();
  if (!size) {
    state.SkipWithError("could not write the compound");
    return;
  }
  const std::span<const uint8_t> datagram(buffer.data(), *size);
  for (auto _ : state) {
    benchmark::DoNotOptimize(datagram.data());
    RtcpIterator it(datagram);
    uint64_t acc = 0;
    while (auto packet = it.next()) {
      if (auto sr = SenderReport::parse(*packet)) acc += sr->senderInfo().ntp.compact();
      if (auto sdes = SourceDescription::parse(*packet)) acc += sdes->cname(info.ssrc).value_or("").size();
    }
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["packets"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(RtcpParseSrSdes);

}  // namespace
