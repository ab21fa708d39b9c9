#include "sdp/media_view.hpp"

#include <string>

#include "sdp/sdp_grammar.hpp"

namespace callgate::sdp {

namespace {

// A direction attribute at one level: nullopt when there is none, an error when two disagree.
core::Result<std::optional<Direction>> directionAt(const std::vector<Attribute>& attributes) {
  std::optional<Direction> found;
  for (const Attribute& attribute : attributes) {
    const auto direction = directionFromName(attribute.name);
    if (!direction) continue;
    if (found && *found != *direction) {
      return core::makeError("a=" + std::string(toString(*found)) +
                             " and a=" + std::string(toString(*direction)) +
                             " at the same level (RFC 3264 §5.1: one direction per media)");
    }
    found = direction;
  }
  return found;
}

// A packet time in ms: digits, optionally followed by a fraction that is dropped ("20.0" is seen in the
// wild).
core::Result<std::optional<uint32_t>> milliseconds(const std::vector<Attribute>& attributes,
                                                   std::string_view name) {
  const Attribute* attribute = findAttribute(attributes, name);
  if (attribute == nullptr) return std::optional<uint32_t>{};
  const std::string_view text = attribute->value ? std::string_view{*attribute->value} : std::string_view{};
  const size_t dot = text.find('.');
  const auto whole = grammar::parseNumber(text.substr(0, dot), 1, 100000);
  const bool fractionOk =
      dot == std::string_view::npos || core::parseUnsigned(text.substr(dot + 1), UINT64_MAX);
  if (!whole || !fractionOk) {
    return attributeError(
        *attribute, core::makeError(std::string(name) + " is not a positive number of ms (RFC 8866 §6.4)"));
  }
  return std::optional<uint32_t>{static_cast<uint32_t>(*whole)};
}

core::Result<std::optional<std::string_view>> iceCredential(const Attribute* attribute, size_t minSize) {
  if (attribute == nullptr) return std::optional<std::string_view>{};
  const std::string_view value = attribute->value ? std::string_view{*attribute->value} : std::string_view{};
  if (!grammar::isIceChars(value) || value.size() < minSize || value.size() > 256) {
    return attributeError(
        *attribute, core::makeError("not " + std::to_string(minSize) + "-256 ice-char (RFC 8839 §5.4)"));
  }
  return std::optional<std::string_view>{value};
}

}  // namespace

const std::vector<Attribute>& MediaView::levelOf(std::string_view name) const {
  return hasAttribute(media_->attributes, name) ? media_->attributes : session_->attributes;
}

const Connection* MediaView::connection() const {
  if (!media_->connections.empty()) return &media_->connections.front();
  return session_->connection ? &*session_->connection : nullptr;
}

std::vector<uint8_t> MediaView::payloadTypes() const {
  std::vector<uint8_t> out;
  for (const std::string& format : media_->formats) {
    if (const auto pt = grammar::parseNumber(format, 0, 127)) out.push_back(static_cast<uint8_t>(*pt));
  }
  return out;
}

core::Result<Direction> MediaView::direction() const {
  auto media = directionAt(media_->attributes);
  if (!media) return media.error();
  if (*media) return **media;
  auto session = directionAt(session_->attributes);
  if (!session) return session.error();
  return session->value_or(Direction::kSendRecv);
}

core::Result<std::vector<Rtpmap>> MediaView::rtpmaps() const {
  return parseAll<Rtpmap>(media_->attributes);
}

core::Result<std::optional<Rtpmap>> MediaView::rtpmap(uint8_t payloadType) const {
  auto all = rtpmaps();
  if (!all) return all.error();
  for (Rtpmap& map : *all) {
    if (map.payloadType == payloadType) return std::optional<Rtpmap>{std::move(map)};
  }
  return staticRtpmap(payloadType);
}

core::Result<std::optional<Fmtp>> MediaView::fmtp(uint8_t payloadType) const {
  auto all = parseAll<Fmtp>(media_->attributes);
  if (!all) return all.error();
  const std::string format = std::to_string(payloadType);
  for (Fmtp& f : *all) {
    if (f.format == format) return std::optional<Fmtp>{std::move(f)};
  }
  return std::optional<Fmtp>{};
}

core::Result<std::vector<RtcpFeedback>> MediaView::rtcpFeedback(uint8_t payloadType) const {
  auto all = parseAll<RtcpFeedback>(media_->attributes);
  if (!all) return all.error();
  std::erase_if(*all, [payloadType](const RtcpFeedback& fb) { return !fb.appliesTo(payloadType); });
  return all;
}

core::Result<std::optional<uint32_t>> MediaView::ptime() const {
  return milliseconds(levelOf("ptime"), "ptime");
}

core::Result<std::optional<uint32_t>> MediaView::maxptime() const {
  return milliseconds(levelOf("maxptime"), "maxptime");
}

core::Result<std::optional<RtcpAttribute>> MediaView::rtcp() const {
  return parseFirst<RtcpAttribute>(media_->attributes);
}

bool MediaView::rtcpMux() const {
  return hasAttribute(media_->attributes, "rtcp-mux");
}

bool MediaView::rtcpReducedSize() const {
  return hasAttribute(media_->attributes, "rtcp-rsize");
}

core::Result<std::optional<std::string_view>> MediaView::iceUfrag() const {
  return iceCredential(findAttribute(levelOf("ice-ufrag"), "ice-ufrag"), 4);
}

core::Result<std::optional<std::string_view>> MediaView::icePwd() const {
  return iceCredential(findAttribute(levelOf("ice-pwd"), "ice-pwd"), 22);
}

bool MediaView::iceLite() const {
  return hasAttribute(session_->attributes, "ice-lite");
}

std::vector<std::string_view> MediaView::iceOptions() const {
  std::vector<std::string_view> out;
  const auto value = attributeValue(levelOf("ice-options"), "ice-options");
  if (!value) return out;
  grammar::FieldReader fields(*value);
  while (const auto option = fields.next()) out.push_back(*option);
  return out;
}

core::Result<std::vector<Candidate>> MediaView::candidates() const {
  return parseAll<Candidate>(media_->attributes);
}

bool MediaView::endOfCandidates() const {
  return hasAttribute(media_->attributes, "end-of-candidates") ||
         hasAttribute(session_->attributes, "end-of-candidates");
}

core::Result<std::vector<Fingerprint>> MediaView::fingerprints() const {
  return parseAll<Fingerprint>(levelOf(Fingerprint::kName));
}

core::Result<std::optional<SetupAttribute>> MediaView::setup() const {
  return parseFirst<SetupAttribute>(levelOf(SetupAttribute::kName));
}

std::optional<std::string_view> MediaView::mid() const {
  return attributeValue(media_->attributes, "mid");
}

core::Result<std::vector<Group>> MediaView::groups() const {
  auto all = parseAll<Group>(session_->attributes);
  if (!all) return all.error();
  const auto tag = mid();
  std::erase_if(*all, [&tag](const Group& g) { return !tag || !g.contains(*tag); });
  return all;
}

core::Result<std::vector<Ssrc>> MediaView::ssrcs() const {
  return parseAll<Ssrc>(media_->attributes);
}

core::Result<std::vector<SsrcGroup>> MediaView::ssrcGroups() const {
  return parseAll<SsrcGroup>(media_->attributes);
}

core::Result<std::vector<Msid>> MediaView::msids() const {
  return parseAll<Msid>(media_->attributes);
}

core::Result<std::vector<Extmap>> MediaView::extmaps() const {
  auto media = parseAll<Extmap>(media_->attributes);
  if (!media) return media.error();
  auto session = parseAll<Extmap>(session_->attributes);
  if (!session) return session.error();
  media->insert(media->end(), std::make_move_iterator(session->begin()),
                std::make_move_iterator(session->end()));
  return media;
}

core::Result<std::vector<Crypto>> MediaView::cryptos() const {
  return parseAll<Crypto>(media_->attributes);
}

}  // namespace callgate::sdp
