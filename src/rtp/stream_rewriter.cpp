#include "rtp/stream_rewriter.hpp"

#include <algorithm>

#include "rtp/sequence_number.hpp"

namespace callgate::rtp {

namespace {

// Serial comparison is only meaningful within half the number space, so once a source has advanced that
// far from its first packet nothing can be "before its first" any more: the counts saturate there.
constexpr uint32_t kSequenceAdvanceLimit = 1u << 16;
constexpr uint32_t kTimestampAdvanceLimit = 1u << 31;

}  // namespace

std::optional<uint16_t> SequenceRewriter::rewrite(uint32_t ssrc, uint16_t incoming) {
  if (!started_) {
    started_ = true;
    current_ = Source{ssrc, static_cast<uint16_t>(firstOutgoing_ - incoming), incoming, 0};
    highestOut_ = firstOutgoing_;
    return firstOutgoing_;
  }
  if (ssrc == current_.ssrc) {
    if (isNewerSequence(incoming, current_.highest)) {
      const uint32_t step = static_cast<uint16_t>(incoming - current_.highest);
      current_.advance = std::min(current_.advance + step, kSequenceAdvanceLimit);
      current_.highest = incoming;
    } else if (hasPrevious_ && static_cast<uint16_t>(current_.highest - incoming) > current_.advance) {
      // Older than this source's first packet after the switch: its number went to the previous source.
      return std::nullopt;
    }
    const auto out = static_cast<uint16_t>(incoming + current_.offset);
    if (isNewerSequence(out, highestOut_)) highestOut_ = out;
    return out;
  }
  if (hasPrevious_ && ssrc == previous_.ssrc && !isNewerSequence(incoming, previous_.highest)) {
    const auto behind = static_cast<uint16_t>(previous_.highest - incoming);
    // A late packet of the previous source keeps the number it would have had.
    if (behind <= previous_.advance && behind < kMaxMisorder)
      return static_cast<uint16_t>(incoming + previous_.offset);
  }
  // A new source, or the previous one starting again: continue at the last number + 1.
  previous_ = current_;
  hasPrevious_ = true;
  const auto out = static_cast<uint16_t>(highestOut_ + 1);
  current_ = Source{ssrc, static_cast<uint16_t>(out - incoming), incoming, 0};
  highestOut_ = out;
  return out;
}

uint32_t TimestampRewriter::rewrite(uint32_t ssrc, uint32_t incoming, uint32_t elapsed) {
  if (!started_) {
    started_ = true;
    current_ = Source{ssrc, firstOutgoing_ - incoming, incoming, 0};
    highestOut_ = firstOutgoing_;
    return firstOutgoing_;
  }
  if (ssrc == current_.ssrc) {
    if (isNewerTimestamp(incoming, current_.highest)) {
      current_.advance = std::min(current_.advance + (incoming - current_.highest), kTimestampAdvanceLimit);
      current_.highest = incoming;
    }
    const uint32_t out = incoming + current_.offset;
    if (isNewerTimestamp(out, highestOut_)) highestOut_ = out;
    return out;
  }
  if (hasPrevious_ && ssrc == previous_.ssrc && !isNewerTimestamp(incoming, previous_.highest) &&
      previous_.highest - incoming <= previous_.advance) {
    return incoming + previous_.offset;
  }
  previous_ = current_;
  hasPrevious_ = true;
  const uint32_t out = highestOut_ + (elapsed == 0 ? 1 : elapsed);
  current_ = Source{ssrc, out - incoming, incoming, 0};
  highestOut_ = out;
  return out;
}

}  // namespace callgate::rtp
