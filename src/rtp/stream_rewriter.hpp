// Sequence number and timestamp rewriting for the relay path: the packets of whatever source currently
// feeds a call leg go out as one continuous RTP stream (one SSRC, RFC 3550 §5.1 sequence numbers that
// increase by one, timestamps that follow the media clock), even when the source behind the gateway changes
// its SSRC: a PBX that switches from an announcement to the answered call, a SIP re-INVITE to another
// device, a browser that restarts its sender. The far end then never sees a jump that its RFC 3550 §A.1
// validation would put on probation, or a timestamp discontinuity that would upset its jitter buffer.
//
// On the first packet of a new source the outgoing sequence continues at the last one sent plus 1, and the
// outgoing timestamp at the last one sent plus the media time that elapsed since then (the caller measures
// it on its clock and passes it in timestamp units). Packets of a source keep their spacing (gaps, i.e.
// losses, stay visible to the far end's receiver reports and NACKs).
//
// The rewriters keep the previous source too, so a reordered packet of the previous source that arrives
// just after the switch is mapped into the range that source already used instead of being taken for a
// switch back. Use the two together, on every packet: seq first (it may say drop), then the timestamp.
// Each decides "late packet of the previous source" on its own numbers (the sequence one also within
// kMaxMisorder); for audio, where every packet has its own timestamp, the two always agree.
#pragma once

#include <cstdint>
#include <optional>

namespace callgate::rtp {

class SequenceRewriter {
 public:
  // How far behind the previous source's highest packet a packet of it still counts as late rather than
  // as that source starting again (RFC 3550 §A.1 MAX_MISORDER).
  static constexpr uint16_t kMaxMisorder = 100;

  // `firstOutgoing`: the sequence number of the first packet sent, random per RFC 3550 §5.1.
  explicit SequenceRewriter(uint16_t firstOutgoing) : firstOutgoing_(firstOutgoing) {}

  // True when a packet of `ssrc` would start a new source (the first packet, or a switch).
  bool isNewSource(uint32_t ssrc) const { return !started_ || ssrc != current_.ssrc; }

  // The outgoing sequence number for this packet, or nullopt to drop it: a late packet of the current
  // source from before its first packet after a switch has no number left (the numbers below belong to the
  // previous source's packets, already sent).
  std::optional<uint16_t> rewrite(uint32_t ssrc, uint16_t incoming);

  // The highest outgoing sequence number so far (meaningful once a packet went through).
  uint16_t highestOutgoing() const { return highestOut_; }

 private:
  struct Source {
    uint32_t ssrc = 0;
    uint16_t offset = 0;   // outgoing = incoming + offset (mod 2^16)
    uint16_t highest = 0;  // highest incoming sequence number of this source
    uint32_t advance = 0;  // from its first packet to `highest`, saturating at 2^16
  };

  uint16_t firstOutgoing_;
  uint16_t highestOut_ = 0;
  Source current_;
  Source previous_;
  bool started_ = false;
  bool hasPrevious_ = false;
};

class TimestampRewriter {
 public:
  // `firstOutgoing`: the timestamp of the first packet sent, random per RFC 3550 §5.1.
  explicit TimestampRewriter(uint32_t firstOutgoing) : firstOutgoing_(firstOutgoing) {}

  bool isNewSource(uint32_t ssrc) const { return !started_ || ssrc != current_.ssrc; }

  // The outgoing timestamp. `elapsed` is read only when `ssrc` starts a new source: the media time, in this
  // stream's timestamp units, since the last packet went out. It counts as at least 1, so that two different
  // sources' frames never share a timestamp (a video receiver would merge them into one frame).
  uint32_t rewrite(uint32_t ssrc, uint32_t incoming, uint32_t elapsed);

  uint32_t highestOutgoing() const { return highestOut_; }

 private:
  struct Source {
    uint32_t ssrc = 0;
    uint32_t offset = 0;
    uint32_t highest = 0;
    uint32_t advance = 0;  // from its first packet to `highest`, saturating at 2^31
  };

  uint32_t firstOutgoing_;
  uint32_t highestOut_ = 0;
  Source current_;
  Source previous_;
  bool started_ = false;
  bool hasPrevious_ = false;
};

}  // namespace callgate::rtp
