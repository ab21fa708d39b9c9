// One media description read together with its session: the typed values the gateway needs, with the
// session-level fallbacks the RFCs define (a media-level attribute overrides the session-level one).
//
//   auto sdp = parseSdp(text);
//   MediaView audio(*sdp, sdp->media[0]);
//   auto opus = audio.rtpmap(111);        // Result<optional<Rtpmap>>
//   auto direction = audio.direction();   // media, else session, else sendrecv
//
// A view holds references: the SessionDescription must outlive it and must not change under it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sdp/attributes.hpp"
#include "sdp/session_description.hpp"

namespace callgate::sdp {

class MediaView {
 public:
  MediaView(const SessionDescription& session, const MediaDescription& media)
      : session_(&session), media_(&media) {}

  const SessionDescription& session() const { return *session_; }
  const MediaDescription& media() const { return *media_; }

  // The media's first c=, else the session's (RFC 8866 §5.7); null when neither has one.
  const Connection* connection() const;

  // The payload types of the m= line for RTP profiles (formats that are not numbers are skipped).
  std::vector<uint8_t> payloadTypes() const;

  // a=sendrecv/sendonly/recvonly/inactive: media level, else session level, else sendrecv (RFC 8866 §6.7,
  // RFC 3264 §5.1). Two different directions at one level are an error.
  core::Result<Direction> direction() const;

  core::Result<std::vector<Rtpmap>> rtpmaps() const;
  // The a=rtpmap of `payloadType`, else the static assignment of RFC 3551 §6 for types 0-34; nullopt when
  // there is neither (a dynamic type without rtpmap).
  core::Result<std::optional<Rtpmap>> rtpmap(uint8_t payloadType) const;
  core::Result<std::optional<Fmtp>> fmtp(uint8_t payloadType) const;
  // The a=rtcp-fb lines for `payloadType`, including those for "*" (RFC 4585 §4.2).
  core::Result<std::vector<RtcpFeedback>> rtcpFeedback(uint8_t payloadType) const;

  // a=ptime / a=maxptime in milliseconds (RFC 8866 §6.4, §6.5). Media level, else session level: the RFC
  // makes them media-level, but SIP phones put them at session level and the intent is plain.
  core::Result<std::optional<uint32_t>> ptime() const;
  core::Result<std::optional<uint32_t>> maxptime() const;

  core::Result<std::optional<RtcpAttribute>> rtcp() const;  // RFC 3605 §2.1
  bool rtcpMux() const;                                     // RFC 5761 §5.1.1
  bool rtcpReducedSize() const;                             // a=rtcp-rsize, RFC 5506 §5

  // a=ice-ufrag / a=ice-pwd: media level, else session level (RFC 8839 §5.4); checked against the
  // grammar (ufrag 4-256 ice-char, pwd 22-256 ice-char).
  core::Result<std::optional<std::string_view>> iceUfrag() const;
  core::Result<std::optional<std::string_view>> icePwd() const;
  bool iceLite() const;                              // session level only (RFC 8839 §5.3)
  std::vector<std::string_view> iceOptions() const;  // media level, else session level (RFC 8839 §5.6)
  core::Result<std::vector<Candidate>> candidates() const;
  bool endOfCandidates() const;  // RFC 8840 §8.2

  // a=fingerprint lines (several are allowed, RFC 8122 §5): media level, else session level.
  core::Result<std::vector<Fingerprint>> fingerprints() const;
  // a=setup: media level, else session level (RFC 4145 §4).
  core::Result<std::optional<SetupAttribute>> setup() const;

  std::optional<std::string_view> mid() const;  // RFC 5888 §4
  // The session-level a=group lines whose identification tags hold this media's mid (RFC 5888 §5).
  core::Result<std::vector<Group>> groups() const;
  core::Result<std::vector<Ssrc>> ssrcs() const;
  core::Result<std::vector<SsrcGroup>> ssrcGroups() const;
  core::Result<std::vector<Msid>> msids() const;
  // Media-level a=extmap lines, then the session-level ones, which apply to every media (RFC 8285 §7).
  core::Result<std::vector<Extmap>> extmaps() const;
  core::Result<std::vector<Crypto>> cryptos() const;

 private:
  // The attribute list that holds `name`: the media's when it has one, else the session's.
  const std::vector<Attribute>& levelOf(std::string_view name) const;

  const SessionDescription* session_;
  const MediaDescription* media_;
};

}  // namespace callgate::sdp
